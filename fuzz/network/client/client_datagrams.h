// The datagrams of client cases: conventions shared by the mutators (which
// build them) and the executor (which sends them).
//
// Timestamps. A client must check that a timestamp is near its own clock, so
// the bytes sent depend on when they are sent. In a client case, bytes 4-7 of
// every Datagram step of at least 8 bytes hold an OFFSET (big-endian, mod
// 2^32) that the executor adds to int(time(now)) just before sending: a valid
// frame stores 0, "a day ahead" stores 86,400. Random-bytes datagrams are
// shifted too (they stay random). The pcap of a finding holds the bytes as
// really sent; the json holds the offsets, so a replay is valid again later.
//
// Sequence numbers. Case i owns the 16 slots first_slot(i) .. +15 (mod
// 65536), so consecutive cases of one client launch keep increasing sequence
// numbers and a correct client keeps accepting their valid frames. A case that
// moves the sequence number far away walks it back within its own steps (see
// DatagramMutator::moves_sequence).
//
// SessionID. Every datagram case of a run uses client_session_id(seed) as
// SSRC, and the executor replies that SessionID when it plays the standard
// session prologue.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "rtp/rtp_header.h"

namespace tpc3::fuzz::net {

inline constexpr std::uint16_t kSlotsPerCase = 16;
inline constexpr std::size_t kTimestampOffsetAt = 4;  // bytes 4-7
// Where the valid frames after the mutated datagram(s) of a case start:
// first_slot + kTrailingSlot (forward gaps below this stay inside the case).
inline constexpr std::uint16_t kTrailingSlot = 12;
// Largest UDP payload over IPv4 (65,535 - 20 - 8).
inline constexpr std::size_t kMaxDatagram = 65'507;

// 1 .. 2^32-1, from the seed only.
std::uint32_t client_session_id(std::uint64_t seed);
// 16 * iteration + 1, mod 65536.
std::uint16_t first_slot(std::uint64_t iteration);

// A small valid JPEG (a 128x96 marker frame of number 1..8, chosen by seq):
// rendered once per process, then cached. Deterministic for one build.
const std::vector<std::uint8_t>& valid_jpeg(std::uint16_t seq);

// V=2 P=0 X=0 CC=0 M=0 PT=26, the given seq and SSRC, timestamp offset 0.
rtp::RtpHeader valid_header(std::uint32_t ssrc, std::uint16_t seq);
// Header (timestamp field = offset) + payload.
std::vector<std::uint8_t> make_datagram(const rtp::RtpHeader& header, std::span<const std::uint8_t> payload);
// A valid frame: valid_header + valid_jpeg(seq).
std::vector<std::uint8_t> valid_datagram(std::uint32_t ssrc, std::uint16_t seq);

// The bytes to send at `now_seconds` (int(time) mod 2^32): the offset in
// bytes 4-7 added to it; datagrams under 8 bytes unchanged.
std::vector<std::uint8_t> stamp_timestamp(std::span<const std::uint8_t> stored, std::uint32_t now_seconds);

}  // namespace tpc3::fuzz::net
