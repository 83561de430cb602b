#pragma once

// Builds Ethernet II + IPv4 + UDP/TCP frames byte for byte, with correct lengths and checksums, as Linux
// writes them on "lo": zero MAC addresses, DF set, TTL 64, an IP ID that increments per frame.
// No fragmentation: one datagram is one frame (build_ipv4_fragment_frames exists for tests of the parser).

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "pcaps/packet/packet_types.h"

namespace tpc3::pcap {

struct Ipv4FrameSpec {
  Ipv4Address source;
  Ipv4Address destination;
  std::uint8_t protocol = kIpProtocolUdp;
  std::uint16_t id = 0;
  bool dont_fragment = true;
  bool more_fragments = false;
  std::uint16_t fragment_offset = 0;  // bytes; a multiple of 8
  std::uint8_t ttl = 64;
};

// UDP header + payload; the checksum covers the IPv4 pseudo-header. Throws std::length_error above 65,507 bytes.
Bytes encode_udp(const UdpDatagram& datagram);
// TCP header (20 bytes, no options) + payload. Throws std::length_error above 65,495 bytes.
Bytes encode_tcp(const TcpSegment& segment);

// A 20-byte IPv4 header (checksum filled in) followed by ip_payload.
// Throws std::length_error if the packet would exceed 65,535 bytes, std::invalid_argument for a bad offset.
Bytes build_ipv4_packet(const Ipv4FrameSpec& spec, std::span<const std::uint8_t> ip_payload);
// The same behind an Ethernet II header (zero MACs, ethertype 0x0800).
Bytes build_ethernet_ipv4_frame(const Ipv4FrameSpec& spec, std::span<const std::uint8_t> ip_payload);

Bytes build_udp_frame(const UdpDatagram& datagram, std::uint16_t ip_id);
Bytes build_tcp_frame(const TcpSegment& segment, std::uint16_t ip_id);

// Splits ip_payload into Ethernet frames of IPv4 fragments carrying at most max_fragment_payload bytes each
// (rounded down to a multiple of 8), as a sender on a link with a small MTU would. DF is cleared.
std::vector<Bytes> build_ipv4_fragment_frames(Ipv4FrameSpec spec, std::span<const std::uint8_t> ip_payload,
                                              std::size_t max_fragment_payload);

// Builds frames with an IP ID that increments by one per frame (wrapping at 65,535).
class FrameBuilder {
 public:
  explicit FrameBuilder(std::uint16_t first_ip_id = 1) : next_ip_id_(first_ip_id) {}

  Bytes udp(const UdpDatagram& datagram) { return build_udp_frame(datagram, next_ip_id_++); }
  Bytes tcp(const TcpSegment& segment) { return build_tcp_frame(segment, next_ip_id_++); }
  std::uint16_t next_ip_id() const { return next_ip_id_; }

 private:
  std::uint16_t next_ip_id_;
};

}  // namespace tpc3::pcap
