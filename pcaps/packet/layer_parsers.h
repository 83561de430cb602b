#pragma once

// Stateless parsers, one per layer. Each reads only inside the span it is given and throws PacketError, with
// the byte offset (relative to that span) of the field at fault, for anything malformed.
// packet_decoder.h chains them, adds IPv4 reassembly and turns errors into messages naming packet and offset.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>

#include "pcaps/packet/link_type.h"
#include "pcaps/packet/packet_types.h"

namespace tpc3::pcap {

class PacketError : public std::runtime_error {
 public:
  PacketError(std::size_t offset, const std::string& message) : std::runtime_error(message), offset_(offset) {}
  std::size_t offset() const { return offset_; }

 private:
  std::size_t offset_;
};

struct LinkLayer {
  std::size_t network_offset = 0;  // where the network-layer header starts in the frame
  bool is_ipv4 = false;
  std::string protocol;  // what the link header announced, e.g. "ethertype 0x86dd", when not IPv4
};

// Supports ethernet (with up to two 802.1Q/802.1ad tags), linux_sll, linux_sll2, null, loop, raw, ipv4.
LinkLayer parse_link_layer(LinkType type, std::span<const std::uint8_t> frame);

struct Ipv4Packet {
  Ipv4Header header;
  std::span<const std::uint8_t> payload;  // exactly total_length - header_bytes (link padding removed)
  bool header_checksum_valid = false;
};

Ipv4Packet parse_ipv4(std::span<const std::uint8_t> bytes);

enum class ChecksumStatus {
  valid,
  invalid,  // also what Linux "lo" captures show: the kernel leaves transport checksums to (absent) offload
  absent,   // UDP checksum field 0
};

struct ParsedUdp {
  UdpDatagram datagram;
  ChecksumStatus checksum = ChecksumStatus::absent;
};

// ip_payload: the whole (reassembled) IP payload. Trailing bytes past the UDP length are ignored.
ParsedUdp parse_udp(const Ipv4Header& ip, std::span<const std::uint8_t> ip_payload);

struct ParsedTcp {
  TcpSegment segment;
  ChecksumStatus checksum = ChecksumStatus::invalid;
  std::uint8_t header_bytes = kTcpMinHeaderBytes;
};

ParsedTcp parse_tcp(const Ipv4Header& ip, std::span<const std::uint8_t> ip_payload);

// Source and destination port of an unfragmented (or first-fragment) IPv4 UDP/TCP frame; nullopt for anything
// else or anything malformed. Never throws: meant for a capture callback's port filter.
std::optional<std::pair<std::uint16_t, std::uint16_t>> peek_transport_ports(LinkType type,
                                                                            std::span<const std::uint8_t> frame);

}  // namespace tpc3::pcap
