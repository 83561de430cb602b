// RTP fixed header (RFC 3550 section 5.1) as used by TPC3 (PROTOCOL.md section 4).
// Building (encode) and parsing are kept apart; the parser reports every field
// that deviates from the TPC3 profile, not just the first.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tpc3::rtp {

inline constexpr std::size_t kHeaderSize = 12;
inline constexpr std::uint8_t kVersion = 2;
inline constexpr std::uint8_t kPayloadTypeMjpeg = 26;

struct RtpHeader {
    std::uint8_t version = kVersion;  // 2 bits
    bool padding = false;
    bool extension = false;
    std::uint8_t csrc_count = 0;      // 4 bits
    bool marker = false;
    std::uint8_t payload_type = kPayloadTypeMjpeg;  // 7 bits
    std::uint16_t sequence = 0;
    std::uint32_t timestamp = 0;
    std::uint32_t ssrc = 0;

    friend bool operator==(const RtpHeader&, const RtpHeader&) = default;
};

// Writes the 12 header bytes. Fields wider than their bit width are masked
// (a fuzzer or injector may set any value; encode never throws).
std::array<std::uint8_t, kHeaderSize> encode(const RtpHeader& h);

// Header followed by payload, ready to send as one datagram.
std::vector<std::uint8_t> encode_packet(const RtpHeader& h, std::span<const std::uint8_t> payload);

// Parse errors: only "too short" prevents reading the fields.
struct ParseError {
    std::size_t size = 0;  // bytes available
    std::string message;   // e.g. "datagram of 7 bytes is shorter than the 12-byte RTP header"
};

struct ParseResult {
    std::optional<RtpHeader> header;        // empty when too short
    std::optional<ParseError> error;        // set when too short
    std::span<const std::uint8_t> payload;  // bytes after the 12-byte header (CSRCs not skipped);
                                            // a view into the datagram, empty when too short
    bool ok() const { return header.has_value(); }
};

ParseResult parse(std::span<const std::uint8_t> datagram);

// One field of a parsed header that differs from the TPC3 profile.
enum class Field { Version, Padding, Extension, CsrcCount, Marker, PayloadType, Ssrc };
inline constexpr std::size_t kFieldCount = 7;

// A plain value: the text is made by describe() only when someone reads it
// (building it for every deviation was most of the cost of checking a packet).
struct Deviation {
    Field field;
    std::uint32_t seen;
    std::uint32_t expected;

    friend bool operator==(const Deviation&, const Deviation&) = default;
};

// "V was 1, expected 2": field name, then the values in decimal.
std::string describe(const Deviation& d);

// The deviations of one header: at most one per field, so a fixed capacity
// and no allocation. Iterates like a read-only vector.
class Deviations {
public:
    void push_back(const Deviation& d) { items_[count_++] = d; }  // precondition: size() < kFieldCount

    std::size_t size() const { return count_; }
    bool empty() const { return count_ == 0; }
    const Deviation& operator[](std::size_t i) const { return items_[i]; }
    const Deviation* begin() const { return items_.data(); }
    const Deviation* end() const { return items_.data() + count_; }

private:
    std::array<Deviation, kFieldCount> items_{};
    std::size_t count_ = 0;
};

// Every deviation from V=2, P=0, X=0, CC=0, M=0, PT=26 and, when given, SSRC,
// in that order. Flags are reported as 0/1.
// Sequence and timestamp are judged by stateful checkers, not here.
Deviations profile_deviations(const RtpHeader& h, std::optional<std::uint32_t> expected_ssrc = std::nullopt);

const char* field_name(Field f);  // "V", "P", "X", "CC", "M", "PT", "SSRC"

// "80 1a 00 01" (lower-case hex, space separated), at most max_bytes bytes;
// " ..." is appended when bytes were left out.
std::string hex(std::span<const std::uint8_t> bytes, std::size_t max_bytes = 12);

}  // namespace tpc3::rtp
