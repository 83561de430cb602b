#pragma once

// Value types for the packets this library builds and parses (libtins style: plain data, no behaviour).
// Building (frame_builder.h) and parsing (layer_parsers.h, packet_decoder.h) live apart.

#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "pcaps/packet/ipv4_address.h"

namespace tpc3::pcap {

using Bytes = std::vector<std::uint8_t>;

inline constexpr std::size_t kEthernetHeaderBytes = 14;
inline constexpr std::size_t kIpv4MinHeaderBytes = 20;
inline constexpr std::size_t kUdpHeaderBytes = 8;
inline constexpr std::size_t kTcpMinHeaderBytes = 20;
inline constexpr std::size_t kIpv4MaxTotalBytes = 65535;
// 65,535 - 20 (IPv4 header) - 8 (UDP header): the largest UDP payload in one IPv4 datagram.
inline constexpr std::size_t kMaxUdpPayloadBytes = kIpv4MaxTotalBytes - kIpv4MinHeaderBytes - kUdpHeaderBytes;
inline constexpr std::size_t kMaxTcpPayloadBytes = kIpv4MaxTotalBytes - kIpv4MinHeaderBytes - kTcpMinHeaderBytes;

inline constexpr std::uint8_t kIpProtocolTcp = 6;
inline constexpr std::uint8_t kIpProtocolUdp = 17;

// The IPv4 header as parsed (fragment_offset in bytes, not 8-byte units).
struct Ipv4Header {
  std::uint8_t header_bytes = kIpv4MinHeaderBytes;
  std::uint8_t tos = 0;
  std::uint16_t total_length = 0;
  std::uint16_t id = 0;
  bool dont_fragment = false;
  bool more_fragments = false;
  std::uint16_t fragment_offset = 0;
  std::uint8_t ttl = 64;
  std::uint8_t protocol = 0;
  std::uint16_t checksum = 0;
  Ipv4Address source;
  Ipv4Address destination;

  bool is_fragment() const { return more_fragments || fragment_offset != 0; }
  bool operator==(const Ipv4Header&) const = default;
};

struct UdpDatagram {
  Endpoint source;
  Endpoint destination;
  Bytes payload{};

  bool operator==(const UdpDatagram&) const = default;
};

namespace tcp_flag {
inline constexpr std::uint8_t kFin = 0x01;
inline constexpr std::uint8_t kSyn = 0x02;
inline constexpr std::uint8_t kRst = 0x04;
inline constexpr std::uint8_t kPsh = 0x08;
inline constexpr std::uint8_t kAck = 0x10;
inline constexpr std::uint8_t kUrg = 0x20;
}  // namespace tcp_flag

// "SYN,ACK" style text for messages and test output.
std::string tcp_flags_to_string(std::uint8_t flags);

// A TCP segment without options (the builder writes none; the parser skips any it finds).
struct TcpSegment {
  Endpoint source;
  Endpoint destination;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t flags = 0;
  std::uint16_t window = 65535;
  Bytes payload{};

  bool has(std::uint8_t flag) const { return (flags & flag) != 0; }
  bool operator==(const TcpSegment&) const = default;
};

}  // namespace tpc3::pcap
