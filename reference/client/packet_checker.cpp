#include "client/packet_checker.h"

#include "movie/jpeg.h"

#include <algorithm>

namespace tpc3::client {

namespace {

DropReason reason_of(rtp::Field f) {
    switch (f) {
    case rtp::Field::Version: return DropReason::Version;
    case rtp::Field::Padding: return DropReason::Padding;
    case rtp::Field::Extension: return DropReason::Extension;
    case rtp::Field::CsrcCount: return DropReason::CsrcCount;
    case rtp::Field::Marker: return DropReason::Marker;
    case rtp::Field::PayloadType: return DropReason::PayloadType;
    case rtp::Field::Ssrc: return DropReason::Ssrc;
    }
    return DropReason::Version;  // unreachable: every Field is listed above
}

}  // namespace

const char* drop_reason_name(DropReason r) {
    switch (r) {
    case DropReason::Short: return "short";
    case DropReason::Version: return "version";
    case DropReason::Padding: return "padding";
    case DropReason::Extension: return "extension";
    case DropReason::CsrcCount: return "csrc_count";
    case DropReason::Marker: return "marker";
    case DropReason::PayloadType: return "payload_type";
    case DropReason::Ssrc: return "ssrc";
    case DropReason::OldSeq: return "old_seq";
    case DropReason::DuplicateSeq: return "duplicate_seq";
    case DropReason::Timestamp: return "timestamp";
    case DropReason::NotJpeg: return "not_jpeg";
    }
    return "?";
}

std::optional<DropReason> drop_reason_from_name(std::string_view name) {
    for (DropReason r : kAllDropReasons)
        if (name == drop_reason_name(r)) return r;
    return std::nullopt;
}

bool PacketVerdict::has(DropReason r) const {
    return std::any_of(rejections.begin(), rejections.end(),
                       [r](const Rejection& x) { return x.reason == r; });
}

std::vector<DropReason> PacketVerdict::reasons() const {
    std::vector<DropReason> out;
    out.reserve(rejections.size());
    for (const Rejection& x : rejections) out.push_back(x.reason);
    return out;
}

std::string PacketVerdict::summary() const {
    if (accepted()) return "accepted";
    std::string s;
    for (const Rejection& x : rejections) {
        if (!s.empty()) s += "; ";
        s += x.message;
    }
    return s;
}

bool seq_newer(std::uint16_t seq, std::uint16_t last) {
    const auto ahead = static_cast<std::uint16_t>(seq - last);
    return ahead >= 1 && ahead <= 32767;
}

std::int64_t timestamp_offset(std::uint32_t ts, std::uint32_t now) {
    // Two's complement of the mod 2^32 difference: the shorter way round.
    return static_cast<std::int32_t>(ts - now);
}

PacketChecker::PacketChecker(std::uint32_t ssrc, std::uint32_t timestamp_tolerance_s)
    : ssrc_(ssrc), tolerance_s_(timestamp_tolerance_s) {}

PacketVerdict PacketChecker::inspect(std::span<const std::uint8_t> datagram, std::uint32_t now_s) const {
    PacketVerdict v;
    v.size = datagram.size();
    const rtp::ParseResult parsed = rtp::parse(datagram);
    if (!parsed.ok()) {
        v.rejections.push_back({DropReason::Short,
                                "datagram of " + std::to_string(datagram.size()) +
                                    " bytes is shorter than the 12-byte RTP header"});
        return v;
    }
    const rtp::RtpHeader& h = *parsed.header;
    v.header = h;

    for (const rtp::Deviation& d : rtp::profile_deviations(h, ssrc_))
        v.rejections.push_back({reason_of(d.field), rtp::describe(d)});

    if (last_seq_) {
        if (h.sequence == *last_seq_) {
            v.rejections.push_back({DropReason::DuplicateSeq, "seq " + std::to_string(h.sequence) +
                                                                  " repeats the last accepted seq"});
        } else if (!seq_newer(h.sequence, *last_seq_)) {
            v.rejections.push_back({DropReason::OldSeq, "seq " + std::to_string(h.sequence) +
                                                            " is older than the last accepted seq " +
                                                            std::to_string(*last_seq_)});
        }
    }

    const std::int64_t offset = timestamp_offset(h.timestamp, now_s);
    if (offset > static_cast<std::int64_t>(tolerance_s_) || -offset > static_cast<std::int64_t>(tolerance_s_)) {
        v.rejections.push_back({DropReason::Timestamp,
                                "timestamp " + std::to_string(h.timestamp) + " is " + std::to_string(offset) +
                                    " s from the client's clock " + std::to_string(now_s) + " (tolerance " +
                                    std::to_string(tolerance_s_) + " s)"});
    }

    const auto payload = datagram.subspan(rtp::kHeaderSize);
    if (!movie::looks_like_jpeg(payload)) {
        std::string why = "payload of " + std::to_string(payload.size()) + " bytes is not a JPEG (";
        if (!movie::starts_with_soi(payload))
            why += "does not start FF D8";
        else
            why += "does not end FF D9";
        v.rejections.push_back({DropReason::NotJpeg, why + ")"});
    }

    // profile_deviations lists fields in header order, which is our order too;
    // sort anyway so the reporting order never depends on the core's.
    std::stable_sort(v.rejections.begin(), v.rejections.end(),
                     [](const Rejection& a, const Rejection& b) { return a.reason < b.reason; });
    return v;
}

PacketVerdict PacketChecker::check(std::span<const std::uint8_t> datagram, std::uint32_t now_s) {
    PacketVerdict v = inspect(datagram, now_s);
    if (v.accepted()) last_seq_ = v.header->sequence;
    return v;
}

}  // namespace tpc3::client
