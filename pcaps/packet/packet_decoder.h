#pragma once

// Turns captured frames into UDP datagrams and TCP segments: link layer -> IPv4 (with fragment reassembly) ->
// UDP or TCP. Anything else (ARP, IPv6, ICMP...) is counted and skipped. A malformed packet becomes a
// PacketIssue naming the packet and the byte offset in its frame; decoding goes on with the next packet.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "pcaps/packet/capture_time.h"
#include "pcaps/packet/ipv4_reassembler.h"
#include "pcaps/packet/layer_parsers.h"
#include "pcaps/packet/link_type.h"
#include "pcaps/packet/packet_types.h"

namespace tpc3::pcap {

// One captured frame. index counts from 1, like Wireshark's frame numbers.
struct RawPacket {
  std::size_t index = 0;
  CaptureTime time;
  std::span<const std::uint8_t> bytes;
  std::uint32_t original_length = 0;  // on the wire; more than bytes.size() when the capture cut it
};

struct CapturedUdp {
  std::size_t packet_index = 0;  // the packet that completed it (the last fragment, when fragmented)
  CaptureTime time;
  Ipv4Header ip;
  UdpDatagram datagram;
  ChecksumStatus checksum = ChecksumStatus::absent;
  std::size_t fragments = 1;
};

struct CapturedTcp {
  std::size_t packet_index = 0;
  CaptureTime time;
  Ipv4Header ip;
  TcpSegment segment;
  ChecksumStatus checksum = ChecksumStatus::invalid;
  std::size_t fragments = 1;
};

struct PacketIssue {
  std::size_t packet_index = 0;
  std::size_t byte_offset = 0;  // in that packet's frame
  std::string message;

  // "packet 12: byte 14: IPv4 header length 3 words < 5"
  std::string to_string() const;
};

using CaptureEvent = std::variant<CapturedUdp, CapturedTcp, PacketIssue>;

struct DecoderStats {
  std::size_t packets = 0;
  std::size_t udp = 0;
  std::size_t tcp = 0;
  std::size_t not_ipv4 = 0;            // ARP, IPv6, ...
  std::size_t other_ip_protocol = 0;   // ICMP, ...
  std::size_t fragments = 0;           // packets that carried an IPv4 fragment
  std::size_t reassembled = 0;         // datagrams rebuilt from fragments
  std::size_t bad_ip_checksums = 0;    // counted, not an issue: NIC offload makes them common in captures
  std::size_t issues = 0;
};

class PacketDecoder {
 public:
  explicit PacketDecoder(LinkType link_type, Ipv4ReassemblyLimits limits = {});

  LinkType link_type() const { return link_type_; }

  // Appends what this packet yields: nothing (skipped, or a fragment held), one datagram or segment, and/or
  // issues (this packet malformed, earlier fragments given up on).
  void decode(const RawPacket& packet, std::vector<CaptureEvent>& out);
  // Reports the datagrams still waiting for fragments. Call once at the end of the capture.
  void finish(std::vector<CaptureEvent>& out);

  const DecoderStats& stats() const { return stats_; }

 private:
  void decode_transport(const RawPacket& packet, std::size_t ip_offset, const Ipv4Header& ip,
                        std::span<const std::uint8_t> ip_payload, std::size_t fragments,
                        std::vector<CaptureEvent>& out);
  void report(std::vector<CaptureEvent>& out, std::size_t packet_index, std::size_t offset, std::string message);
  void report_failures(std::vector<CaptureEvent>& out);

  LinkType link_type_;
  Ipv4Reassembler reassembler_;
  std::vector<ReassemblyFailure> failures_;
  DecoderStats stats_;
};

}  // namespace tpc3::pcap
