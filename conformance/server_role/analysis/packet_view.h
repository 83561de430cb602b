// Each datagram of a session parsed once, with what deviates from the TPC3
// RTP profile (PROTOCOL.md section 4): the common input of the header,
// sequence, timestamp, payload and timing analyses.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "rtp/rtp_header.h"
#include "session/session_record.h"

namespace tpc3::conform::server::analysis {

struct PacketView {
    std::size_t index = 0;      // ReceivedPacket::index (arrival order in the session)
    std::size_t size = 0;       // whole datagram
    WallTime received{};
    bool kernel_timestamp = false;
    bool truncated = false;     // larger than the runner's receive buffer
    std::optional<rtp::RtpHeader> header;  // nullopt: shorter than 12 bytes
    std::string header_hex;     // the first (up to) 12 bytes: "80 1a 00 01 ..."
    std::span<const std::uint8_t> payload;  // after the 12-byte header; views the record's bytes
    rtp::Deviations deviations;             // V, P, X, CC, M, PT (and SSRC when an ID was given)

    // "packet 3 (seq 4)", or "packet 3 (7 bytes, no RTP header)".
    std::string name() const;
    // The deviation of `field`, if this packet has one.
    const rtp::Deviation* deviation(rtp::Field field) const;
};

// Views of every datagram of `record` in arrival order (before and after Go:
// a server that streams before Go still streams). The views point into
// record.packets: keep the record alive and unchanged while using them.
std::vector<PacketView> view_packets(const SessionRecord& record,
                                     std::optional<std::uint32_t> expected_ssrc = std::nullopt);

// Seconds between two wall times (b - a).
double seconds_between(WallTime a, WallTime b);
// Seconds since the Unix epoch (double: sub-microsecond precision today).
double unix_seconds(WallTime t);

}  // namespace tpc3::conform::server::analysis
