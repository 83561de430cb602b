#include "rtp/rtp_header.h"

#include <algorithm>
#include <string>

namespace tpc3::rtp {

std::array<std::uint8_t, kHeaderSize> encode(const RtpHeader& h) {
    std::array<std::uint8_t, kHeaderSize> b{};
    b[0] = static_cast<std::uint8_t>(((h.version & 0x3u) << 6) | (h.padding ? 0x20u : 0u) |
                                     (h.extension ? 0x10u : 0u) | (h.csrc_count & 0x0Fu));
    b[1] = static_cast<std::uint8_t>((h.marker ? 0x80u : 0u) | (h.payload_type & 0x7Fu));
    b[2] = static_cast<std::uint8_t>(h.sequence >> 8);
    b[3] = static_cast<std::uint8_t>(h.sequence);
    for (int i = 0; i < 4; ++i) {
        const int shift = 24 - 8 * i;
        b[4 + i] = static_cast<std::uint8_t>(h.timestamp >> shift);
        b[8 + i] = static_cast<std::uint8_t>(h.ssrc >> shift);
    }
    return b;
}

std::vector<std::uint8_t> encode_packet(const RtpHeader& h, std::span<const std::uint8_t> payload) {
    const auto header = encode(h);
    // Sized up front and copied into: g++ 12 warns falsely (-Wstringop-overflow)
    // on two consecutive vector::insert calls here.
    std::vector<std::uint8_t> packet(kHeaderSize + payload.size());
    std::copy(header.begin(), header.end(), packet.begin());
    std::copy(payload.begin(), payload.end(), packet.begin() + kHeaderSize);
    return packet;
}

namespace {

std::uint32_t read_be32(std::span<const std::uint8_t> b, std::size_t at) {
    return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) |
           (std::uint32_t{b[at + 2]} << 8) | std::uint32_t{b[at + 3]};
}

}  // namespace

ParseResult parse(std::span<const std::uint8_t> datagram) {
    ParseResult r;
    if (datagram.size() < kHeaderSize) {
        const std::size_t n = datagram.size();
        r.error = ParseError{n, "datagram of " + std::to_string(n) + (n == 1 ? " byte" : " bytes") +
                                    " is shorter than the 12-byte RTP header"};
        return r;
    }
    RtpHeader h;
    h.version = static_cast<std::uint8_t>(datagram[0] >> 6);
    h.padding = (datagram[0] & 0x20) != 0;
    h.extension = (datagram[0] & 0x10) != 0;
    h.csrc_count = static_cast<std::uint8_t>(datagram[0] & 0x0F);
    h.marker = (datagram[1] & 0x80) != 0;
    h.payload_type = static_cast<std::uint8_t>(datagram[1] & 0x7F);
    h.sequence = static_cast<std::uint16_t>((datagram[2] << 8) | datagram[3]);
    h.timestamp = read_be32(datagram, 4);
    h.ssrc = read_be32(datagram, 8);
    r.header = h;
    r.payload = datagram.subspan(kHeaderSize);
    return r;
}

const char* field_name(Field f) {
    switch (f) {
        case Field::Version: return "V";
        case Field::Padding: return "P";
        case Field::Extension: return "X";
        case Field::CsrcCount: return "CC";
        case Field::Marker: return "M";
        case Field::PayloadType: return "PT";
        case Field::Ssrc: return "SSRC";
    }
    return "?";
}

std::string describe(const Deviation& d) {
    return std::string(field_name(d.field)) + " was " + std::to_string(d.seen) + ", expected " +
           std::to_string(d.expected);
}

Deviations profile_deviations(const RtpHeader& h, std::optional<std::uint32_t> expected_ssrc) {
    Deviations out;
    auto check = [&out](Field f, std::uint32_t seen, std::uint32_t expected) {
        if (seen != expected) out.push_back(Deviation{f, seen, expected});
    };
    check(Field::Version, h.version, kVersion);
    check(Field::Padding, h.padding ? 1u : 0u, 0);
    check(Field::Extension, h.extension ? 1u : 0u, 0);
    check(Field::CsrcCount, h.csrc_count, 0);
    check(Field::Marker, h.marker ? 1u : 0u, 0);
    check(Field::PayloadType, h.payload_type, kPayloadTypeMjpeg);
    if (expected_ssrc) check(Field::Ssrc, h.ssrc, *expected_ssrc);
    return out;
}

std::string hex(std::span<const std::uint8_t> bytes, std::size_t max_bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    const std::size_t shown = std::min(bytes.size(), max_bytes);
    std::string s;
    s.reserve(shown * 3 + 4);
    for (std::size_t i = 0; i < shown; ++i) {
        if (i) s += ' ';
        s += kDigits[bytes[i] >> 4];
        s += kDigits[bytes[i] & 0x0F];
    }
    if (shown < bytes.size()) s += shown ? " ..." : "...";
    return s;
}

}  // namespace tpc3::rtp
