#include "serve/injection_plan.h"

#include <algorithm>
#include <array>
#include <random>
#include <stdexcept>

#include "marker/marker.h"

namespace tpc3::conform::client {

namespace {

// splitmix64: a tiny generator whose output is the same with every standard
// library (std distributions are not), so a seed names the same bytes anywhere.
class SeededBytes {
public:
    explicit SeededBytes(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next()
    {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    std::uint8_t byte() { return static_cast<std::uint8_t>(next() >> 56); }
    std::vector<std::uint8_t> bytes(std::size_t n)
    {
        std::vector<std::uint8_t> out(n);
        for (auto& b : out) b = byte();
        return out;
    }

private:
    std::uint64_t state_;
};

// Distinct streams for the two uses of the seed, so changing one size does
// not change the other's bytes.
constexpr std::uint64_t kRandomBytesStream = 0x524f42303230ULL;  // "ROB020"
constexpr std::uint64_t kCorruptJpegStream = 0x524f42303330ULL;  // "ROB030"

constexpr std::size_t kMaxUdpPayload = 65'507;
constexpr std::size_t kCorruptGarbageBytes = 2'000;

struct FaultInfo {
    Fault fault;
    const char* check;
    const char* description;
    DatagramKind kind;
};

constexpr std::array kFaults{
    FaultInfo{Fault::VersionOne, "C-REJ-01", "V=1 (expected 2)", DatagramKind::Poison},
    FaultInfo{Fault::VersionThree, "C-REJ-01", "V=3 (expected 2)", DatagramKind::Poison},
    FaultInfo{Fault::Padding, "C-REJ-02", "P=1 (expected 0)", DatagramKind::Poison},
    FaultInfo{Fault::Extension, "C-REJ-03", "X=1 (expected 0)", DatagramKind::Poison},
    FaultInfo{Fault::CsrcCount, "C-REJ-04", "CC=1 (expected 0)", DatagramKind::Poison},
    FaultInfo{Fault::Marker, "C-REJ-05", "M=1 (expected 0)", DatagramKind::Poison},
    FaultInfo{Fault::PayloadType, "C-REJ-06", "PT=96 (expected 26)", DatagramKind::Poison},
    FaultInfo{Fault::Ssrc, "C-REJ-07", "SSRC = SessionID ^ 0x5a5a5a5a", DatagramKind::Poison},
    FaultInfo{Fault::OlderSeq, "C-REJ-08", "seq 3 below the last valid one", DatagramKind::Poison},
    FaultInfo{Fault::DuplicateSeq, "C-REJ-09", "seq repeats the last valid one", DatagramKind::Poison},
    FaultInfo{Fault::TimestampZero, "C-REJ-10", "timestamp 0", DatagramKind::Poison},
    FaultInfo{Fault::TimestampDayOff, "C-REJ-10", "timestamp a day ahead", DatagramKind::Poison},
    FaultInfo{Fault::RandomBytes, "C-ROB-02", "1,000 random bytes", DatagramKind::RandomBytes},
    FaultInfo{Fault::ShortEmpty, "C-ROB-01", "empty datagram", DatagramKind::Short},
    FaultInfo{Fault::ShortOneByte, "C-ROB-01", "1-byte datagram", DatagramKind::Short},
    FaultInfo{Fault::ShortElevenBytes, "C-ROB-01", "11-byte datagram (a header cut short)", DatagramKind::Short},
    FaultInfo{Fault::BigFrame, "C-BIG-01", "frame padded to 60,000 bytes", DatagramKind::BigFrame},
    FaultInfo{Fault::CorruptJpeg, "C-ROB-03", "valid header, corrupt JPEG", DatagramKind::CorruptPayload},
};

const FaultInfo& info(Fault f)
{
    for (const auto& i : kFaults) {
        if (i.fault == f) return i;
    }
    throw std::logic_error("injection plan: unknown fault");
}

std::vector<std::uint8_t> render_jpeg(const PlanOptions& o, const marker::MarkerValue& value,
                                      const std::string& caption)
{
    return marker::encode_jpeg(marker::render_frame(o.frame_width, o.frame_height, value, caption), o.jpeg_quality);
}

rtp::RtpHeader valid_header(std::uint32_t session_id, std::uint16_t seq)
{
    rtp::RtpHeader h;
    h.sequence = seq;
    h.ssrc = session_id;
    return h;
}

void validate(const PlanOptions& o)
{
    auto fail = [](const std::string& why) { throw std::invalid_argument("injection plan: " + why); };
    if (o.lead_in < kOlderSeqDistance + 1)
        fail("lead_in " + std::to_string(o.lead_in) + " < 4: C-REJ-08 needs a seq 3 below the last valid one");
    if (o.valid_between < 3)
        fail("valid_between " + std::to_string(o.valid_between) + " < 3 valid frames after each fault");
    if (o.frame_width < marker::kMinWidth || o.frame_height < marker::kMinHeight ||
        o.frame_width > marker::kMaxSide || o.frame_height > marker::kMaxSide)
        fail("frame size " + std::to_string(o.frame_width) + "x" + std::to_string(o.frame_height) +
             " is outside what the marker library draws");
    if (o.big_frame_bytes > kMaxUdpPayload - rtp::kHeaderSize)
        fail("big_frame_bytes " + std::to_string(o.big_frame_bytes) + " does not fit in one UDP datagram");
    if (o.random_bytes < rtp::kHeaderSize)
        fail("random_bytes " + std::to_string(o.random_bytes) + " < 12");
    if (o.interval.count() <= 0) fail("interval must be positive");
    // Checked before any frame is rendered: a huge plan fails at once.
    std::uint64_t slots = std::uint64_t{o.lead_in} + o.tail;
    for (const Fault f : o.faults) {
        slots += o.valid_between + ((f == Fault::OlderSeq || f == Fault::DuplicateSeq) ? 0 : 1);
    }
    if (slots > 0xFFFF)
        fail(std::to_string(slots) + " sequence numbers needed, more than 65,535; shorten the plan");
    const auto poisons = std::count_if(o.faults.begin(), o.faults.end(),
                                       [](Fault f) { return kind_of(f) == DatagramKind::Poison; });
    if (poisons > static_cast<long>(marker::MarkerValue::kMaxPoisonSerial))
        fail(std::to_string(poisons) + " poisons, more than the 999 serial numbers of a marker");
}

// The C-ROB-02 datagram (rule I8).
std::vector<std::uint8_t> random_datagram(const PlanOptions& o, std::uint16_t slot_seq)
{
    SeededBytes rng(o.seed ^ kRandomBytesStream);
    std::vector<std::uint8_t> d = rng.bytes(o.random_bytes);
    // V (top two bits) != 2: keep the low six bits, force V to 0, 1 or 3.
    constexpr std::array<std::uint8_t, 3> kOtherVersions{0x00, 0x40, 0xC0};
    d[0] = static_cast<std::uint8_t>(kOtherVersions[rng.next() % 3] | (d[0] & 0x3F));
    d[2] = static_cast<std::uint8_t>(slot_seq >> 8);
    d[3] = static_cast<std::uint8_t>(slot_seq & 0xFF);
    auto ssrc = [&d] {
        return (std::uint32_t{d[8]} << 24) | (std::uint32_t{d[9]} << 16) | (std::uint32_t{d[10]} << 8) | d[11];
    };
    while (ssrc() == o.session_id) {
        for (std::size_t i = 8; i < 12; ++i) d[i] = rng.byte();
    }
    return d;
}

// The C-ROB-03 payload (rule I10).
std::vector<std::uint8_t> corrupt_jpeg(const PlanOptions& o)
{
    SeededBytes rng(o.seed ^ kCorruptJpegStream);
    std::vector<std::uint8_t> p{0xFF, 0xD8};
    std::vector<std::uint8_t> garbage = rng.bytes(kCorruptGarbageBytes);
    if (garbage[0] == 0xFF) garbage[0] = 0x00;
    p.insert(p.end(), garbage.begin(), garbage.end());
    p.insert(p.end(), {0xFF, 0xD9});
    return p;
}

}  // namespace

const char* to_string(DatagramKind k)
{
    switch (k) {
    case DatagramKind::ValidFrame: return "valid frame";
    case DatagramKind::Poison: return "poison";
    case DatagramKind::Short: return "short datagram";
    case DatagramKind::RandomBytes: return "random bytes";
    case DatagramKind::CorruptPayload: return "corrupt payload";
    case DatagramKind::BigFrame: return "big frame";
    }
    return "?";
}

std::uint32_t apply(TimestampRule rule, std::uint32_t now_seconds)
{
    switch (rule) {
    case TimestampRule::Now: return now_seconds;
    case TimestampRule::Zero: return 0;
    case TimestampRule::DayOff: return now_seconds + kDayOffSeconds;  // mod 2^32
    }
    return now_seconds;
}

const char* check_of(Fault f) { return info(f).check; }
const char* describe(Fault f) { return info(f).description; }
DatagramKind kind_of(Fault f) { return info(f).kind; }

std::vector<Fault> default_faults()
{
    std::vector<Fault> all;
    for (const auto& i : kFaults) all.push_back(i.fault);
    return all;
}

std::vector<Fault> rejection_faults()
{
    std::vector<Fault> out;
    for (const auto& i : kFaults) {
        if (i.kind == DatagramKind::Poison) out.push_back(i.fault);
    }
    return out;
}

std::vector<Fault> robustness_faults()
{
    std::vector<Fault> out;
    for (const auto& i : kFaults) {
        if (i.kind != DatagramKind::Poison) out.push_back(i.fault);
    }
    return out;
}

std::optional<std::uint32_t> poison_code(const std::string& check_id)
{
    const std::string prefix = "C-REJ-";
    if (check_id.size() != prefix.size() + 2 || check_id.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
    const char hi = check_id[prefix.size()];
    const char lo = check_id[prefix.size() + 1];
    if (hi < '0' || hi > '9' || lo < '0' || lo > '9') return std::nullopt;
    const auto code = static_cast<std::uint32_t>((hi - '0') * 10 + (lo - '0'));
    if (code == 0 || code > 10) return std::nullopt;
    return code;
}

std::string check_of_poison_code(std::uint32_t code)
{
    if (code == 0 || code > 10) return "";
    return std::string("C-REJ-") + (code < 10 ? "0" : "") + std::to_string(code);
}

std::optional<rtp::RtpHeader> PlannedDatagram::header_at(std::uint32_t now_seconds) const
{
    if (!header) return std::nullopt;
    rtp::RtpHeader h = *header;
    h.timestamp = apply(timestamp_rule, now_seconds);
    return h;
}

std::vector<std::uint8_t> PlannedDatagram::bytes_at(std::uint32_t now_seconds) const
{
    if (!header) return payload;
    std::vector<std::uint8_t> d = rtp::encode_packet(*header_at(now_seconds), payload);
    if (truncate_to && *truncate_to < d.size()) d.resize(*truncate_to);
    return d;
}

std::size_t PlannedDatagram::size() const
{
    if (!header) return payload.size();
    const std::size_t full = rtp::kHeaderSize + payload.size();
    return truncate_to ? std::min(*truncate_to, full) : full;
}

std::uint32_t random_session_id()
{
    std::random_device device;
    for (;;) {
        const auto id = static_cast<std::uint32_t>(device());
        if (id != 0) return id;
    }
}

std::vector<std::uint8_t> pad_jpeg(std::span<const std::uint8_t> jpeg, std::size_t size)
{
    if (jpeg.size() < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8)
        throw std::invalid_argument("pad_jpeg: the bytes do not start with a JPEG SOI (FF D8)");
    if (jpeg.size() + 4 > size)
        throw std::invalid_argument("pad_jpeg: a JPEG of " + std::to_string(jpeg.size()) +
                                    " bytes cannot be padded to " + std::to_string(size));
    static constexpr char kText[] = "tpc3 C-BIG-01 padding. ";
    constexpr std::size_t kMaxSegmentData = 65'535 - 2;  // the length field counts itself
    std::vector<std::uint8_t> out(jpeg.begin(), jpeg.begin() + 2);
    std::size_t missing = size - jpeg.size();
    std::size_t text_pos = 0;
    while (missing > 0) {
        // Each segment costs 4 bytes of marker and length; never leave fewer than 4 for the next.
        std::size_t data = std::min(missing - 4, kMaxSegmentData);
        if (missing - 4 - data > 0 && missing - 4 - data < 4) data -= 4;
        const std::size_t length = data + 2;
        out.insert(out.end(), {0xFF, 0xFE, static_cast<std::uint8_t>(length >> 8),
                               static_cast<std::uint8_t>(length & 0xFF)});
        for (std::size_t i = 0; i < data; ++i) {
            out.push_back(static_cast<std::uint8_t>(kText[text_pos]));
            text_pos = (text_pos + 1) % (sizeof(kText) - 1);
        }
        missing -= data + 4;
    }
    out.insert(out.end(), jpeg.begin() + 2, jpeg.end());
    return out;
}

InjectionPlan InjectionPlan::refusal()
{
    InjectionPlan p;
    p.session_id_ = std::nullopt;
    return p;
}

InjectionPlan InjectionPlan::build(const PlanOptions& o)
{
    validate(o);
    InjectionPlan plan;
    plan.session_id_ = o.session_id;
    plan.interval_ = o.interval;
    plan.seed_ = o.seed;

    std::uint32_t next_seq = 1;     // the next free slot
    std::uint32_t last_valid = 0;   // seq of the last valid frame sent
    std::uint32_t next_serial = 1;  // poison serials, unique in the plan
    auto& out = plan.datagrams_;

    auto take_slot = [&]() -> std::uint16_t {
        return static_cast<std::uint16_t>(next_seq++);
    };
    auto push = [&](PlannedDatagram d) {
        d.index = out.size();
        out.push_back(std::move(d));
    };
    auto valid_frame = [&](std::optional<Fault> big) {
        PlannedDatagram d;
        const std::uint16_t seq = take_slot();
        d.kind = big ? DatagramKind::BigFrame : DatagramKind::ValidFrame;
        d.fault = big;
        d.check_id = big ? check_of(*big) : kPlayCheck;
        d.header = valid_header(o.session_id, seq);
        d.slot_seq = seq;
        d.marker = marker::MarkerValue::frame(seq);
        d.description = "frame " + std::to_string(seq);
        const std::string caption = big ? "frame " + std::to_string(seq) + " (C-BIG-01)" : d.description;
        d.payload = render_jpeg(o, *d.marker, caption);
        if (big) {
            d.payload = pad_jpeg(d.payload, o.big_frame_bytes);
            d.description = d.check_id + ": " + d.description + " padded to " + std::to_string(o.big_frame_bytes) +
                            " bytes of JPEG";
        }
        last_valid = seq;
        push(std::move(d));
    };
    auto fault_datagram = [&](Fault f) {
        PlannedDatagram d;
        d.kind = kind_of(f);
        d.fault = f;
        d.check_id = check_of(f);
        d.description = d.check_id + ": " + describe(f);
        if (f == Fault::BigFrame) return valid_frame(f);

        const bool seq_fault = f == Fault::OlderSeq || f == Fault::DuplicateSeq;
        d.slot_seq = seq_fault ? static_cast<std::uint16_t>(last_valid + 1) : take_slot();
        rtp::RtpHeader h = valid_header(o.session_id, d.slot_seq);
        if (d.kind == DatagramKind::Poison) {
            const std::uint32_t code = *poison_code(d.check_id);
            d.marker = marker::MarkerValue::poison(code, next_serial++);
            d.payload = render_jpeg(o, *d.marker, d.check_id + " " + describe(f));
        }
        switch (f) {
        case Fault::VersionOne: h.version = 1; break;
        case Fault::VersionThree: h.version = 3; break;
        case Fault::Padding: h.padding = true; break;
        case Fault::Extension: h.extension = true; break;
        case Fault::CsrcCount: h.csrc_count = 1; break;
        case Fault::Marker: h.marker = true; break;
        case Fault::PayloadType: h.payload_type = kWrongPayloadType; break;
        case Fault::Ssrc: h.ssrc = o.session_id ^ kWrongSsrcMask; break;
        case Fault::OlderSeq: h.sequence = static_cast<std::uint16_t>(last_valid - kOlderSeqDistance); break;
        case Fault::DuplicateSeq: h.sequence = static_cast<std::uint16_t>(last_valid); break;
        case Fault::TimestampZero: d.timestamp_rule = TimestampRule::Zero; break;
        case Fault::TimestampDayOff: d.timestamp_rule = TimestampRule::DayOff; break;
        case Fault::ShortEmpty: d.truncate_to = 0; break;
        case Fault::ShortOneByte: d.truncate_to = 1; break;
        case Fault::ShortElevenBytes: d.truncate_to = rtp::kHeaderSize - 1; break;
        case Fault::RandomBytes: d.payload = random_datagram(o, d.slot_seq); break;
        case Fault::CorruptJpeg: d.payload = corrupt_jpeg(o); break;
        case Fault::BigFrame: break;
        }
        if (seq_fault) {
            d.description += " (seq " + std::to_string(h.sequence) + ", last valid " + std::to_string(last_valid) + ")";
        }
        if (f == Fault::RandomBytes) {
            d.description = d.check_id + ": " + std::to_string(o.random_bytes) + " random bytes";
        } else {
            d.header = h;
        }
        push(std::move(d));
    };

    for (std::size_t k = 0; k < o.lead_in; ++k) valid_frame(std::nullopt);
    for (const Fault f : o.faults) {
        fault_datagram(f);
        for (std::size_t k = 0; k < o.valid_between; ++k) valid_frame(std::nullopt);
    }
    for (std::size_t k = 0; k < o.tail; ++k) valid_frame(std::nullopt);
    return plan;
}

std::chrono::milliseconds InjectionPlan::duration() const
{
    if (datagrams_.empty()) return std::chrono::milliseconds{0};
    return interval_ * static_cast<std::int64_t>(datagrams_.size() - 1);
}

std::vector<std::size_t> InjectionPlan::expected_shown() const
{
    std::vector<std::size_t> out;
    for (const auto& d : datagrams_) {
        if (d.is_valid_frame()) out.push_back(d.index);
    }
    return out;
}

std::vector<std::size_t> InjectionPlan::for_check(const std::string& check_id) const
{
    std::vector<std::size_t> out;
    for (const auto& d : datagrams_) {
        if (d.check_id == check_id) out.push_back(d.index);
    }
    return out;
}

std::vector<std::string> InjectionPlan::fault_checks() const
{
    std::vector<std::string> out;
    for (const auto& d : datagrams_) {
        if (d.fault && std::find(out.begin(), out.end(), d.check_id) == out.end()) out.push_back(d.check_id);
    }
    return out;
}

std::optional<std::size_t> InjectionPlan::find_marker(const marker::MarkerValue& value) const
{
    for (const auto& d : datagrams_) {
        if (d.marker == value) return d.index;
    }
    return std::nullopt;
}

std::optional<std::size_t> InjectionPlan::find_payload(std::span<const std::uint8_t> bytes) const
{
    for (const auto& d : datagrams_) {
        if (!d.header || d.truncate_to) continue;  // no JPEG payload of its own
        if (std::equal(d.payload.begin(), d.payload.end(), bytes.begin(), bytes.end())) return d.index;
    }
    return std::nullopt;
}

std::vector<std::size_t> InjectionPlan::valid_before(std::size_t index) const
{
    std::vector<std::size_t> out;
    for (std::size_t i = std::min(index, datagrams_.size()); i-- > 0;) {
        if (!datagrams_[i].is_valid_frame()) break;
        out.push_back(i);
    }
    return out;
}

std::vector<std::size_t> InjectionPlan::valid_after(std::size_t index) const
{
    std::vector<std::size_t> out;
    for (std::size_t i = index + 1; i < datagrams_.size(); ++i) {
        if (!datagrams_[i].is_valid_frame()) break;
        out.push_back(i);
    }
    return out;
}

std::optional<std::size_t> InjectionPlan::last_valid() const
{
    for (std::size_t i = datagrams_.size(); i-- > 0;) {
        if (datagrams_[i].is_valid_frame()) return i;
    }
    return std::nullopt;
}

}  // namespace tpc3::conform::client
