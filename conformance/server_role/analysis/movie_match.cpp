#include "analysis/movie_match.h"

#include <algorithm>
#include <functional>
#include <string_view>
#include <unordered_map>

namespace tpc3::conform::server::analysis {
namespace {

using Bytes = std::span<const std::uint8_t>;

std::string_view as_text(Bytes b)
{
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

bool equal(Bytes a, Bytes b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

bool is_prefix(Bytes piece, Bytes whole)
{
    return !piece.empty() && piece.size() < whole.size() && std::equal(piece.begin(), piece.end(), whole.begin());
}

bool is_digit(std::uint8_t b) { return b >= '0' && b <= '9'; }

std::string hex_byte(std::uint8_t b)
{
    static constexpr char digits[] = "0123456789abcdef";
    return {digits[b >> 4], digits[b & 0x0f]};
}

// Frames by content: hash of the bytes -> frame numbers with those bytes.
class FrameLookup {
public:
    explicit FrameLookup(const std::vector<FrameBytes>& frames) : frames_(frames)
    {
        for (std::size_t k = 0; k < frames.size(); ++k) by_hash_[hash(frames[k])].push_back(k);
    }

    // Every frame equal to `bytes`.
    std::vector<std::size_t> exact(Bytes bytes) const
    {
        std::vector<std::size_t> out;
        const auto it = by_hash_.find(hash(bytes));
        if (it == by_hash_.end()) return out;
        for (std::size_t k : it->second)
            if (equal(bytes, frames_[k])) out.push_back(k);
        return out;
    }

    // Of several equal frames, the one the stream most likely meant: the
    // expected position, else the first after the last frame carried.
    static std::size_t choose(const std::vector<std::size_t>& candidates, std::size_t position,
                              std::optional<std::size_t> last_carried)
    {
        if (std::find(candidates.begin(), candidates.end(), position) != candidates.end()) return position;
        const std::size_t next = last_carried ? *last_carried + 1 : 0;
        for (std::size_t k : candidates)
            if (k >= next) return k;
        return candidates.front();
    }

    const std::vector<FrameBytes>& frames() const { return frames_; }

private:
    static std::size_t hash(Bytes b) { return std::hash<std::string_view>{}(as_text(b)); }

    const std::vector<FrameBytes>& frames_;
    std::unordered_map<std::size_t, std::vector<std::size_t>> by_hash_;
};

PayloadIdentity identify(const FrameLookup& lookup, const PacketView& p, std::size_t position,
                         std::optional<std::size_t> last_carried)
{
    PayloadIdentity id;
    id.position = position;
    id.packet_index = p.index;
    id.seq = p.header ? p.header->sequence : 0;
    id.size = p.payload.size();
    const Bytes payload = p.payload;
    const auto& frames = lookup.frames();

    if (auto exact = lookup.exact(payload); !exact.empty()) {
        id.carriage = Carriage::Exact;
        id.frames = {FrameLookup::choose(exact, position, last_carried)};
        return id;
    }
    if (payload.size() > 5 && std::all_of(payload.begin(), payload.begin() + 5, is_digit)) {
        if (auto exact = lookup.exact(payload.subspan(5)); !exact.empty()) {
            id.carriage = Carriage::LengthDigits;
            id.frames = {FrameLookup::choose(exact, position, last_carried)};
            return id;
        }
    }
    // Pieces and pairs: only the frames the stream was expected to carry next.
    std::vector<std::size_t> expected{position};
    if (last_carried && *last_carried + 1 != position) expected.push_back(*last_carried + 1);
    for (std::size_t k : expected) {
        if (k >= frames.size()) continue;
        const Bytes frame = frames[k];
        if (is_prefix(payload, frame)) {
            id.carriage = Carriage::Prefix;
            id.frames = {k};
            return id;
        }
        if (k + 1 < frames.size() && payload.size() == frame.size() + frames[k + 1].size() &&
            equal(payload.first(frame.size()), frame) && equal(payload.subspan(frame.size()), frames[k + 1])) {
            id.carriage = Carriage::Concatenated;
            id.frames = {k, k + 1};
            return id;
        }
    }
    return id;
}

std::string describe_payload(const PayloadIdentity& p)
{
    return "payload " + std::to_string(p.position) + " (packet " + std::to_string(p.packet_index) + ", seq " +
           std::to_string(p.seq) + ")";
}

}  // namespace

const char* to_string(Carriage c)
{
    switch (c) {
    case Carriage::Exact: return "exact";
    case Carriage::LengthDigits: return "length digits + frame";
    case Carriage::Prefix: return "first bytes of a frame";
    case Carriage::Concatenated: return "two frames";
    case Carriage::None: return "no frame";
    }
    return "?";
}

std::string PositionMismatch::describe() const
{
    const std::string who = describe_payload(payload);
    const std::string expected = "expected frame " + std::to_string(frame);
    const std::size_t other = payload.frames.empty() ? 0 : payload.frames.front();
    switch (payload.carriage) {
    case Carriage::Exact:
        return who + " is frame " + std::to_string(other) + " byte for byte, " + expected;
    case Carriage::LengthDigits:
        return who + " is the 5 length digits of the movie file followed by frame " + std::to_string(other) +
               ", " + expected + " without the digits";
    case Carriage::Prefix:
        return who + " is the first " + std::to_string(payload.size) + " bytes of frame " + std::to_string(other) +
               " (" + std::to_string(frame_size) + " bytes), " + expected + " whole";
    case Carriage::Concatenated:
        return who + " is frames " + std::to_string(other) + " and " + std::to_string(other + 1) +
               " in one payload, " + expected + " alone";
    case Carriage::None: break;
    }
    std::string out = who + " differs from frame " + std::to_string(frame) + " at byte " +
                      std::to_string(first_difference);
    if (payload_byte && frame_byte)
        out += " (payload " + hex_byte(*payload_byte) + ", frame " + hex_byte(*frame_byte) + ")";
    if (payload.size != frame_size)
        out += "; payload " + std::to_string(payload.size) + " bytes, frame " + std::to_string(frame_size) + " bytes";
    return out;
}

std::string FrameRange::describe() const
{
    if (first == last) return "frame " + std::to_string(first);
    return "frames " + std::to_string(first) + "-" + std::to_string(last);
}

std::size_t MovieComparison::missing_count() const
{
    std::size_t n = 0;
    for (const FrameRange& r : missing) n += r.last - r.first + 1;
    return n;
}

MovieComparison compare_with_movie(const std::vector<PacketView>& packets, const std::vector<FrameBytes>& frames)
{
    MovieComparison c;
    c.frames = frames.size();
    const FrameLookup lookup(frames);

    std::vector<std::vector<std::size_t>> carriers(frames.size());  // frame -> packets carrying it
    std::optional<std::size_t> last_carried;   // last frame carried (for choosing among equal frames)
    std::optional<std::size_t> highest;        // highest frame carried so far
    std::size_t position = 0;
    for (const PacketView& p : packets) {
        if (!p.header) continue;
        PayloadIdentity id = identify(lookup, p, position, last_carried);

        if (position < frames.size()) {
            const Bytes frame = frames[position];
            const Bytes payload = p.payload;
            if (!equal(payload, frame)) {
                PositionMismatch m;
                m.payload = id;
                m.frame = position;
                m.frame_size = frame.size();
                const auto [pi, fi] = std::mismatch(payload.begin(), payload.end(), frame.begin(), frame.end());
                m.first_difference = static_cast<std::size_t>(pi - payload.begin());
                if (pi != payload.end() && fi != frame.end()) {
                    m.payload_byte = *pi;
                    m.frame_byte = *fi;
                }
                c.mismatches.push_back(std::move(m));
            }
            ++c.compared;
        }

        if (id.frames.empty()) c.extra.push_back(id);
        for (std::size_t k : id.frames) {
            const bool seen_before = !carriers[k].empty();
            carriers[k].push_back(p.index);
            if (!seen_before && highest && k < *highest) c.out_of_order.push_back({id, k, *highest});
            if (!highest || k > *highest) highest = k;
            last_carried = k;
        }
        c.identities.push_back(std::move(id));
        ++position;
    }
    c.payloads = position;

    for (std::size_t k = 0; k < frames.size(); ++k) {
        if (carriers[k].empty()) {
            if (!c.missing.empty() && c.missing.back().last + 1 == k)
                c.missing.back().last = k;
            else
                c.missing.push_back({k, k});
        } else if (carriers[k].size() > 1) {
            c.repeated.push_back({k, carriers[k]});
        }
    }
    return c;
}

}  // namespace tpc3::conform::server::analysis
