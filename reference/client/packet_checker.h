// What a conformant client checks on every datagram (PROTOCOL.md section 5).
// The checker reports EVERY reason a datagram fails, in a fixed order, so a
// report can say "V was 1, expected 2; PT was 96, expected 26" at once. It is
// reused by the conformance runner, so it knows nothing about sockets or files:
// it judges bytes against the client's clock given by the caller.
#pragma once

#include "rtp/rtp_header.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tpc3::client {

// Why a datagram is dropped. The enumerator order is the reporting order; the
// names (drop_reason_name) are stable: reports and JSON carry them.
enum class DropReason : std::uint8_t {
    Short,         // "short": fewer than 12 bytes
    Version,       // "version": V != 2
    Padding,       // "padding": P != 0
    Extension,     // "extension": X != 0
    CsrcCount,     // "csrc_count": CC != 0
    Marker,        // "marker": M != 0
    PayloadType,   // "payload_type": PT != 26
    Ssrc,          // "ssrc": SSRC != SessionID
    OldSeq,        // "old_seq": seq behind the last accepted one
    DuplicateSeq,  // "duplicate_seq": seq equal to the last accepted one
    Timestamp,     // "timestamp": not within the tolerance of the client's clock
    NotJpeg,       // "not_jpeg": payload does not start FF D8 and end FF D9
};

inline constexpr std::array<DropReason, 12> kAllDropReasons = {
    DropReason::Short,       DropReason::Version,     DropReason::Padding,      DropReason::Extension,
    DropReason::CsrcCount,   DropReason::Marker,      DropReason::PayloadType,  DropReason::Ssrc,
    DropReason::OldSeq,      DropReason::DuplicateSeq, DropReason::Timestamp,   DropReason::NotJpeg,
};

const char* drop_reason_name(DropReason r);
std::optional<DropReason> drop_reason_from_name(std::string_view name);

// One reason, with a message that names the values ("seq 7 repeats the last accepted seq 7").
struct Rejection {
    DropReason reason;
    std::string message;
    friend bool operator==(const Rejection&, const Rejection&) = default;
};

// The judgement of one datagram. A value: it does not point into the datagram.
struct PacketVerdict {
    std::size_t size = 0;                 // datagram size in bytes
    std::optional<rtp::RtpHeader> header; // empty only when the datagram is short
    std::vector<Rejection> rejections;    // in DropReason order; empty = accepted

    bool accepted() const { return rejections.empty(); }
    bool has(DropReason r) const;
    std::vector<DropReason> reasons() const;
    // "accepted" or the messages joined with "; ".
    std::string summary() const;
    // The JPEG payload's position in the datagram (after the 12-byte header).
    std::size_t payload_offset() const { return rtp::kHeaderSize; }
};

// RTP sequence numbers are 16 bits and wrap 65535 -> 0. `seq` counts as newer
// than `last` when (seq - last) mod 2^16 is in 1..32767 (RFC 1982 serial number
// arithmetic, the comparison RFC 3550's reception algorithm relies on); a seq
// 32768 or more ahead is taken as an old packet, not a jump forward.
bool seq_newer(std::uint16_t seq, std::uint16_t last);

// Signed distance ts - now in seconds, mod 2^32 aware: a timestamp just past
// the 2^32 wrap is close to a clock just before it.
std::int64_t timestamp_offset(std::uint32_t ts, std::uint32_t now);

class PacketChecker {
public:
    // ssrc: the SessionID. timestamp_tolerance_s: a timestamp is reasonable when
    // |ts - now| <= tolerance (both ends included).
    explicit PacketChecker(std::uint32_t ssrc, std::uint32_t timestamp_tolerance_s = 5);

    // Judges a datagram without changing the checker. now_s: the client's clock
    // in whole seconds (int(time.time()) mod 2^32, like the server's timestamp).
    PacketVerdict inspect(std::span<const std::uint8_t> datagram, std::uint32_t now_s) const;

    // Judges a datagram; when it is accepted its seq becomes the last accepted.
    // A dropped datagram never changes the checker.
    PacketVerdict check(std::span<const std::uint8_t> datagram, std::uint32_t now_s);

    std::optional<std::uint16_t> last_accepted_seq() const { return last_seq_; }
    std::uint32_t ssrc() const { return ssrc_; }
    std::uint32_t timestamp_tolerance_s() const { return tolerance_s_; }

private:
    std::uint32_t ssrc_;
    std::uint32_t tolerance_s_;
    std::optional<std::uint16_t> last_seq_;
};

}  // namespace tpc3::client
