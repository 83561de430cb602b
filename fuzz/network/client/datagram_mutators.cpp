#include "client/datagram_mutators.h"

#include <algorithm>
#include <array>
#include <string>

#include "client/client_datagrams.h"
#include "serve/injection_plan.h"

namespace tpc3::fuzz::net {

namespace {

using Bytes = std::vector<std::uint8_t>;
constexpr std::string_view kPrefix = "datagram.";

void push(std::vector<WireStep>& out, Bytes bytes, std::string note)
{
    out.push_back(datagram_step(std::move(bytes), std::move(note)));
}

Bytes header_only(const rtp::RtpHeader& h)
{
    const auto a = rtp::encode(h);
    return Bytes(a.begin(), a.end());
}

Bytes jpeg_of(std::uint16_t seq) { return valid_jpeg(seq); }

std::string n(std::uint64_t v) { return std::to_string(v); }

std::string hex_byte(std::uint8_t b)
{
    static constexpr char kDigits[] = "0123456789abcdef";
    return std::string("0x") + kDigits[b >> 4] + kDigits[b & 15];
}

template <typename T>
T pick_of(Rng& rng, std::initializer_list<T> items)
{
    return *(items.begin() + static_cast<std::ptrdiff_t>(rng.below(items.size())));
}

std::uint8_t byte_of(std::uint64_t v) { return static_cast<std::uint8_t>(v & 0xFF); }

// ---- header fields --------------------------------------------------------

void version(Rng& rng, const DatagramSlot& s, std::vector<WireStep>& out)
{
    auto h = valid_header(s.ssrc, s.seq);
    h.version = pick_of<std::uint8_t>(rng, {0, 1, 3});
    push(out, make_datagram(h, jpeg_of(s.seq)), "V=" + n(h.version) + " (expected 2), valid JPEG");
}

void padding(Rng& rng, const DatagramSlot& s, std::vector<WireStep>& out)
{
    auto h = valid_header(s.ssrc, s.seq);
    h.padding = true;
    if (rng.chance(1, 2)) {
        Bytes payload = jpeg_of(s.seq);
        const std::uint8_t pad = pick_of<std::uint8_t>(rng, {0, 1, 4, 255});
        payload.back() = pad;
        push(out, make_datagram(h, payload),
             "P=1, last byte (pad length) " + n(pad) + " on a " + n(payload.size()) + "-byte JPEG");
    } else {
        Bytes payload = rng.bytes(static_cast<std::size_t>(rng.between(1, 3)));
        payload.back() = 255;
        push(out, make_datagram(h, payload),
             "P=1, pad length 255 but only " + n(payload.size()) + " byte(s) after the header");
    }
}

void extension(Rng& rng, const DatagramSlot& s, std::vector<WireStep>& out)
{
    auto h = valid_header(s.ssrc, s.seq);
    h.extension = true;
    switch (rng.below(4)) {
        case 0:
            push(out, make_datagram(h, jpeg_of(s.seq)),
                 "X=1 without extension bytes: the JPEG's first 4 bytes read as an extension header "
                 "(length 0xffe0 words)");
            break;
        case 1: {
            const auto words = rng.between(0, 4);
            Bytes payload{0xBE, 0xDE, 0x00, byte_of(words)};
            const Bytes ext = rng.bytes(static_cast<std::size_t>(words * 4));
            payload.insert(payload.end(), ext.begin(), ext.end());
            const Bytes& jpeg = jpeg_of(s.seq);
            payload.insert(payload.end(), jpeg.begin(), jpeg.end());
            push(out, make_datagram(h, payload), "X=1 with a " + n(words) + "-word extension, then a valid JPEG");
            break;
        }
        case 2:
            push(out, make_datagram(h, Bytes{0xBE, 0xDE, 0xFF, 0xFF}),
                 "X=1, extension header claims 65,535 words, datagram ends after it (16 bytes)");
            break;
        default:
            push(out, header_only(h), "X=1 on a 12-byte datagram: no room for the extension header");
            break;
    }
}

void csrc_count(Rng& rng, const DatagramSlot& s, std::vector<WireStep>& out)
{
    auto h = valid_header(s.ssrc, s.seq);
    h.csrc_count = static_cast<std::uint8_t>(rng.between(1, 15));
    switch (rng.below(3)) {
        case 0:
            push(out, make_datagram(h, jpeg_of(s.seq)),
                 "CC=" + n(h.csrc_count) + " with no CSRC word: the JPEG starts at byte 12");
            break;
        case 1: {
            Bytes payload = rng.bytes(static_cast<std::size_t>(h.csrc_count) * 4);
            const Bytes& jpeg = jpeg_of(s.seq);
            payload.insert(payload.end(), jpeg.begin(), jpeg.end());
            push(out, make_datagram(h, payload), "CC=" + n(h.csrc_count) + " with its CSRC words, then a valid JPEG");
            break;
        }
        default: {
            h.csrc_count = 15;
            const Bytes payload = rng.bytes(static_cast<std::size_t>(rng.between(0, 59)));
            push(out, make_datagram(h, payload),
                 "CC=15 (60 bytes of CSRC) on a datagram of only " + n(12 + payload.size()) + " bytes");
            break;
        }
    }
}

void marker_bit(Rng&, const DatagramSlot& s, std::vector<WireStep>& out)
{
    auto h = valid_header(s.ssrc, s.seq);
    h.marker = true;
    push(out, make_datagram(h, jpeg_of(s.seq)), "M=1, valid JPEG");
}

void payload_type(Rng& rng, const DatagramSlot& s, std::vector<WireStep>& out)
{
    auto h = valid_header(s.ssrc, s.seq);
    h.payload_type = rng.chance(1, 2) ? pick_of<std::uint8_t>(rng, {0, 25, 27, 96, 127})
                                      : static_cast<std::uint8_t>(rng.between(27, 127));
    push(out, make_datagram(h, jpeg_of(s.seq)), "PT=" + n(h.payload_type) + " (expected 26), valid JPEG");
}

void ssrc(Rng& rng, const DatagramSlot& s, std::vector<WireStep>& out)
{
    auto h = valid_header(s.ssrc, s.seq);
    const std::uint32_t swapped = (s.ssrc >> 24) | ((s.ssrc >> 8) & 0xFF00) | ((s.ssrc << 8) & 0xFF0000) | (s.ssrc << 24);
    switch (rng.below(5)) {
        case 0: h.ssrc = 0; break;
        case 1: h.ssrc = 0xFFFFFFFF; break;
        case 2: h.ssrc = s.ssrc + 1; break;
        case 3: h.ssrc = swapped == s.ssrc ? s.ssrc ^ 1 : swapped; break;
        default: h.ssrc = s.ssrc ^ static_cast<std::uint32_t>(rng.between(1, 0xFFFFFFFF)); break;
    }
    if (h.ssrc == s.ssrc) h.ssrc ^= 0x80000000;
    push(out, make_datagram(h, jpeg_of(s.seq)), "SSRC " + n(h.ssrc) + " (SessionID " + n(s.ssrc) + ")");
}

void random_header(Rng& rng, const DatagramSlot& s, std::vector<WireStep>& out)
{
    Bytes head = rng.bytes(12);
    if (head[0] == 0x80 && head[1] == 0x1A) head[1] = 0x9A;
    head[2] = byte_of(s.seq >> 8);
    head[3] = byte_of(s.seq);
    Bytes d = head;
    const Bytes& jpeg = jpeg_of(s.seq);
    d.insert(d.end(), jpeg.begin(), jpeg.end());
    push(out, std::move(d),
         "random header bytes (byte 0 " + hex_byte(head[0]) + ", byte 1 " + hex_byte(head[1]) + "), valid JPEG");
}

// ---- sequence numbers -----------------------------------------------------

void seq_duplicate(Rng& rng, const DatagramSlot& s, std::vector<WireStep>& out)
{
    if (rng.chance(1, 2)) {
        push(out, valid_datagram(s.ssrc, s.lead_seq), "exact copy of the lead-in frame (seq " + n(s.lead_seq) + ")");
    } else {
        push(out, make_datagram(valid_header(s.ssrc, s.lead_seq), jpeg_of(static_cast<std::uint16_t>(s.lead_seq + 1))),
             "seq " + n(s.lead_seq) + " again (duplicate) with another frame");
    }
}

void seq_older(Rng& rng, const DatagramSlot& s, std::vector<WireStep>& out)
{
    const auto back = rng.chance(1, 2) ? rng.between(1, 4) : rng.between(5, 32767);
    const auto seq = static_cast<std::uint16_t>(s.lead_seq - back);
    push(out, valid_datagram(s.ssrc, seq), "seq " + n(seq) + ": " + n(back) + " behind the last frame");
}

void seq_gap(Rng& rng, const DatagramSlot& s, std::vector<WireStep>& out)
{
    const auto gap = rng.between(1, kTrailingSlot - 2);
    const auto seq = static_cast<std::uint16_t>(s.seq + gap);
    push(out, valid_datagram(s.ssrc, seq), "seq " + n(seq) + ": a gap of " + n(gap) + " (valid)");
}

void seq_jump(Rng& rng, const DatagramSlot& s, std::vector<WireStep>& out)
{
    const auto jump = rng.between(100, 32767);
    const auto seq = static_cast<std::uint16_t>(s.lead_seq + jump);
    push(out, valid_datagram(s.ssrc, seq), "seq " + n(seq) + ": jumps " + n(jump) + " ahead (valid, newer)");
    push(out, valid_datagram(s.ssrc, static_cast<std::uint16_t>(seq + 1)),
         "seq " + n(static_cast<std::uint16_t>(seq + 1)) + ": the stream goes on after the jump");
}

void seq_half_space(Rng&, const DatagramSlot& s, std::vector<WireStep>& out)
{
    const auto seq = static_cast<std::uint16_t>(s.lead_seq + 32768);
    push(out, valid_datagram(s.ssrc, seq), "seq " + n(seq) + ": exactly 32,768 from the last frame (ambiguous: older)");
}

void seq_wrap(Rng&, const DatagramSlot& s, std::vector<WireStep>& out)
{
    // 65535 is newer than the lead-in only when the lead-in is within 32,767
    // below it; the case says so either way, a client must not crash on it.
    push(out, valid_datagram(s.ssrc, 65535), "seq 65535 (the wrap point)");
    push(out, valid_datagram(s.ssrc, 0), "seq 0: the sequence number wraps");
    push(out, valid_datagram(s.ssrc, 1), "seq 1 after the wrap");
}

// ---- timestamp ------------------------------------------------------------

void timestamp(Rng& rng, const DatagramSlot& s, std::vector<WireStep>& out)
{
    struct Choice {
        std::uint32_t offset;
        const char* what;
    };
    static constexpr std::array<Choice, 10> kChoices{{
        {1, "now + 1 s (valid)"},
        {5, "now + 5 s (edge of tolerance)"},
        {6, "now + 6 s"},
        {0xFFFFFFFF, "now - 1 s (valid)"},
        {0xFFFFFFFA, "now - 6 s"},
        {86'400, "a day ahead"},
        {0xFFFEAE80, "a day behind"},
        {0x7FFFFFFF, "now + 2^31 - 1 s"},
        {0x80000000, "now + 2^31 s (half the clock away)"},
        {1000, "now + 1000 s (a 1 kHz clock for a second)"},
    }};
    auto h = valid_header(s.ssrc, s.seq);
    std::string what;
    if (rng.chance(1, 5)) {
        h.timestamp = static_cast<std::uint32_t>(rng.next_u64() >> 32);
        what = "now + " + n(h.timestamp) + " (random)";
    } else {
        const Choice& c = kChoices[static_cast<std::size_t>(rng.below(kChoices.size()))];
        h.timestamp = c.offset;
        what = c.what;
    }
    push(out, make_datagram(h, jpeg_of(s.seq)), "timestamp " + what + ", valid JPEG");
}

// ---- lengths --------------------------------------------------------------

void length_empty(Rng&, const DatagramSlot&, std::vector<WireStep>& out)
{
    push(out, {}, "0-byte datagram");
}

void length_one(Rng& rng, const DatagramSlot&, std::vector<WireStep>& out)
{
    const std::uint8_t b = pick_of<std::uint8_t>(rng, {0x80, 0x00, 0xFF});
    push(out, Bytes{b}, "1-byte datagram (" + hex_byte(b) + ")");
}

void length_short(Rng& rng, const DatagramSlot& s, std::vector<WireStep>& out)
{
    const auto size = static_cast<std::size_t>(rng.between(2, 10));
    if (rng.chance(1, 2)) {
        Bytes d = valid_datagram(s.ssrc, s.seq);
        d.resize(size);
        push(out, std::move(d), n(size) + "-byte datagram: a valid header cut short");
    } else {
        push(out, rng.bytes(size), n(size) + "-byte datagram of random bytes");
    }
}

void length_eleven(Rng&, const DatagramSlot& s, std::vector<WireStep>& out)
{
    Bytes d = valid_datagram(s.ssrc, s.seq);
    d.resize(11);
    push(out, std::move(d), "11-byte datagram: the valid header without its last byte");
}

void length_header_only(Rng&, const DatagramSlot& s, std::vector<WireStep>& out)
{
    push(out, header_only(valid_header(s.ssrc, s.seq)), "12-byte datagram: a valid header, empty payload");
}

void length_thirteen(Rng& rng, const DatagramSlot& s, std::vector<WireStep>& out)
{
    const std::uint8_t b = pick_of<std::uint8_t>(rng, {0xFF, 0x00, 0xD8});
    push(out, make_datagram(valid_header(s.ssrc, s.seq), Bytes{b}),
         "13-byte datagram: a valid header and one payload byte " + hex_byte(b));
}

void length_max(Rng& rng, const DatagramSlot& s, std::vector<WireStep>& out)
{
    const auto h = valid_header(s.ssrc, s.seq);
    if (rng.chance(1, 2)) {
        const Bytes payload = conform::client::pad_jpeg(jpeg_of(s.seq), kMaxDatagram - rtp::kHeaderSize);
        push(out, make_datagram(h, payload), "65,507-byte datagram (the UDP maximum): a valid JPEG padded with COM segments");
    } else {
        const Bytes payload = rng.bytes(kMaxDatagram - rtp::kHeaderSize);
        push(out, make_datagram(h, payload), "65,507-byte datagram (the UDP maximum): valid header, random payload");
    }
}

// ---- payloads -------------------------------------------------------------

void truncated_jpeg(Rng& rng, const DatagramSlot& s, std::vector<WireStep>& out)
{
    Bytes jpeg = jpeg_of(s.seq);
    const auto keep = static_cast<std::size_t>(rng.between(2, jpeg.size() - 2));
    jpeg.resize(keep);
    push(out, make_datagram(valid_header(s.ssrc, s.seq), jpeg),
         "JPEG cut after " + n(keep) + " bytes (no EOI)");
}

void no_soi(Rng& rng, const DatagramSlot& s, std::vector<WireStep>& out)
{
    Bytes jpeg = jpeg_of(s.seq);
    if (rng.chance(1, 2)) {
        jpeg.erase(jpeg.begin(), jpeg.begin() + 2);
        push(out, make_datagram(valid_header(s.ssrc, s.seq), jpeg), "JPEG without its SOI (FF D8)");
    } else {
        jpeg[0] = byte_of(rng.between(0, 0xFE));
        jpeg[1] = byte_of(rng.next_u64());
        push(out, make_datagram(valid_header(s.ssrc, s.seq), jpeg),
             "JPEG whose SOI became " + hex_byte(jpeg[0]) + " " + hex_byte(jpeg[1]));
    }
}

void random_payload(Rng& rng, const DatagramSlot& s, std::vector<WireStep>& out)
{
    const auto size = static_cast<std::size_t>(rng.between(1, 4000));
    push(out, make_datagram(valid_header(s.ssrc, s.seq), rng.bytes(size)),
         "valid header, " + n(size) + " random payload bytes");
}

void huge_jpeg(Rng& rng, const DatagramSlot& s, std::vector<WireStep>& out)
{
    const auto size = static_cast<std::size_t>(rng.between(20'000, kMaxDatagram - rtp::kHeaderSize));
    const Bytes payload = conform::client::pad_jpeg(jpeg_of(s.seq), size);
    push(out, make_datagram(valid_header(s.ssrc, s.seq), payload),
         "valid header, a valid JPEG padded to " + n(size) + " bytes");
}

void bomb_dimensions(Rng& rng, const DatagramSlot& s, std::vector<WireStep>& out)
{
    Bytes jpeg = jpeg_of(s.seq);
    // SOF0/SOF2: FF C0|C2, length(2), precision(1), height(2), width(2).
    std::size_t at = 0;
    for (std::size_t i = 2; i + 8 < jpeg.size(); ++i)
        if (jpeg[i] == 0xFF && (jpeg[i + 1] == 0xC0 || jpeg[i + 1] == 0xC2)) {
            at = i;
            break;
        }
    struct Size {
        std::uint16_t w, h;
    };
    const Size size = pick_of<Size>(rng, {{65535, 65535}, {0, 0}, {1, 65535}, {65535, 1}, {40000, 40000}});
    if (at == 0) {
        push(out, make_datagram(valid_header(s.ssrc, s.seq), jpeg), "valid JPEG (no SOF marker found to patch)");
        return;
    }
    jpeg[at + 5] = byte_of(size.h >> 8);
    jpeg[at + 6] = byte_of(size.h);
    jpeg[at + 7] = byte_of(size.w >> 8);
    jpeg[at + 8] = byte_of(size.w);
    push(out, make_datagram(valid_header(s.ssrc, s.seq), jpeg),
         "valid-looking JPEG whose frame header says " + n(size.w) + "x" + n(size.h) + " pixels");
}

void bit_flips(Rng& rng, const DatagramSlot& s, std::vector<WireStep>& out)
{
    Bytes jpeg = jpeg_of(s.seq);
    const auto flips = rng.between(1, 16);
    for (std::uint64_t k = 0; k < flips; ++k) {
        const auto at = static_cast<std::size_t>(rng.between(2, jpeg.size() - 1));
        jpeg[at] = static_cast<std::uint8_t>(jpeg[at] ^ (1u << rng.below(8)));
    }
    push(out, make_datagram(valid_header(s.ssrc, s.seq), jpeg), "valid header, JPEG with " + n(flips) + " bit flips");
}

void soi_eoi_only(Rng&, const DatagramSlot& s, std::vector<WireStep>& out)
{
    push(out, make_datagram(valid_header(s.ssrc, s.seq), Bytes{0xFF, 0xD8, 0xFF, 0xD9}),
         "valid header, payload FF D8 FF D9 (an empty JPEG)");
}

// ---- whole datagrams and bursts --------------------------------------------

void random_datagram(Rng& rng, const DatagramSlot&, std::vector<WireStep>& out)
{
    const auto size = static_cast<std::size_t>(rng.between(12, 1500));
    push(out, rng.bytes(size), n(size) + " random bytes");
}

void burst_short(Rng& rng, const DatagramSlot&, std::vector<WireStep>& out)
{
    const auto count = rng.between(5, 40);
    for (std::uint64_t k = 0; k < count; ++k) {
        const auto size = static_cast<std::size_t>(rng.between(0, 11));
        push(out, rng.bytes(size), "burst " + n(k + 1) + "/" + n(count) + ": " + n(size) + "-byte datagram");
    }
}

void burst_duplicates(Rng& rng, const DatagramSlot& s, std::vector<WireStep>& out)
{
    const auto count = rng.between(20, 60);
    for (std::uint64_t k = 0; k < count; ++k)
        push(out, valid_datagram(s.ssrc, s.lead_seq),
             "burst " + n(k + 1) + "/" + n(count) + ": copy of the lead-in frame (seq " + n(s.lead_seq) + ")");
}

constexpr std::array<DatagramMutator, 32> kMutators{{
    {"header.version", false, version},
    {"header.padding", false, padding},
    {"header.extension", false, extension},
    {"header.csrc_count", false, csrc_count},
    {"header.marker", false, marker_bit},
    {"header.payload_type", false, payload_type},
    {"header.ssrc", false, ssrc},
    {"header.random", false, random_header},
    {"seq.duplicate", false, seq_duplicate},
    {"seq.older", false, seq_older},
    {"seq.gap", false, seq_gap},
    {"seq.jump", true, seq_jump},
    {"seq.half_space", true, seq_half_space},
    {"seq.wrap", true, seq_wrap},
    {"timestamp.offset", false, timestamp},
    {"length.empty", false, length_empty},
    {"length.one", false, length_one},
    {"length.short", false, length_short},
    {"length.eleven", false, length_eleven},
    {"length.header_only", false, length_header_only},
    {"length.thirteen", false, length_thirteen},
    {"length.max", false, length_max},
    {"payload.truncated_jpeg", false, truncated_jpeg},
    {"payload.no_soi", false, no_soi},
    {"payload.random", false, random_payload},
    {"payload.huge_jpeg", false, huge_jpeg},
    {"payload.bomb_dimensions", false, bomb_dimensions},
    {"payload.bit_flips", false, bit_flips},
    {"payload.soi_eoi_only", false, soi_eoi_only},
    {"datagram.random", false, random_datagram},
    {"burst.short", false, burst_short},
    {"burst.duplicates", false, burst_duplicates},
}};

}  // namespace

std::span<const DatagramMutator> datagram_mutators() { return kMutators; }

const DatagramMutator* find_datagram_mutator(std::string_view name)
{
    if (name.starts_with(kPrefix)) name.remove_prefix(kPrefix.size());
    for (const auto& m : kMutators)
        if (m.name == name) return &m;
    return nullptr;
}

FuzzCase make_datagram_case(std::uint64_t seed, std::uint64_t iteration, Rng& rng)
{
    const DatagramMutator& m = kMutators[static_cast<std::size_t>(rng.below(kMutators.size()))];
    return make_datagram_case(seed, iteration, m, rng);
}

FuzzCase make_datagram_case(std::uint64_t seed, std::uint64_t iteration, const DatagramMutator& m, Rng& rng)
{
    FuzzCase c;
    c.role = "client";
    c.seed = seed;
    c.iteration = iteration;
    c.mutator = std::string(kPrefix) + std::string(m.name);

    DatagramSlot slot;
    slot.ssrc = client_session_id(seed);
    slot.lead_seq = first_slot(iteration);
    slot.seq = static_cast<std::uint16_t>(slot.lead_seq + 1);

    push(c.steps, valid_datagram(slot.ssrc, slot.lead_seq), "lead-in: valid frame seq " + n(slot.lead_seq));
    const std::size_t first_mutated = c.steps.size();
    m.mutate(rng, slot, c.steps);
    const std::size_t mutated = c.steps.size() - first_mutated;

    // A mutator that moved the sequence number far (a client may have taken
    // it as the newest) walks it back into this case's slots, in steps a
    // correct client takes as newer, so the next case's frames are accepted
    // again in the same launch.
    if (m.moves_sequence && mutated > 0 && c.steps.back().bytes.size() >= 4) {
        const auto& last = c.steps.back().bytes;
        auto cur = static_cast<std::uint16_t>((last[2] << 8) | last[3]);
        const auto target = static_cast<std::uint16_t>(slot.lead_seq + kTrailingSlot - 1);
        for (int walk = 0; walk < 3; ++walk) {
            const auto distance = static_cast<std::uint16_t>(target - cur);
            if (distance == 0) break;
            if (distance <= 32767) {
                push(c.steps, valid_datagram(slot.ssrc, target), "back in the case's slots: valid frame seq " + n(target));
                break;
            }
            cur = static_cast<std::uint16_t>(cur + 30000);
            push(c.steps, valid_datagram(slot.ssrc, cur), "walking the sequence back: valid frame seq " + n(cur));
        }
    }
    const auto after = static_cast<std::uint16_t>(slot.lead_seq + kTrailingSlot);
    for (std::uint16_t k = 0; k < 2; ++k) {
        const auto seq = static_cast<std::uint16_t>(after + k);
        push(c.steps, valid_datagram(slot.ssrc, seq), "after: valid frame seq " + n(seq));
    }
    c.description = c.mutator + ": " + c.steps[first_mutated].note +
                    (mutated > 1 ? " (+" + n(mutated - 1) + " more)" : std::string()) +
                    "; SessionID " + n(slot.ssrc) + "; timestamps are offsets from the send time";
    return c;
}

bool is_datagram_case(const FuzzCase& c) { return c.mutator.starts_with(kPrefix); }

}  // namespace tpc3::fuzz::net
