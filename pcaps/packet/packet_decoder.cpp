#include "pcaps/packet/packet_decoder.h"

namespace tpc3::pcap {

std::string PacketIssue::to_string() const {
  return "packet " + std::to_string(packet_index) + ": byte " + std::to_string(byte_offset) + ": " + message;
}

PacketDecoder::PacketDecoder(LinkType link_type, Ipv4ReassemblyLimits limits)
    : link_type_(link_type), reassembler_(limits) {}

void PacketDecoder::report(std::vector<CaptureEvent>& out, std::size_t packet_index, std::size_t offset,
                           std::string message) {
  ++stats_.issues;
  out.emplace_back(PacketIssue{packet_index, offset, std::move(message)});
}

void PacketDecoder::report_failures(std::vector<CaptureEvent>& out) {
  for (auto& failure : failures_) report(out, failure.first_packet_index, 0, std::move(failure.message));
  failures_.clear();
}

void PacketDecoder::decode(const RawPacket& packet, std::vector<CaptureEvent>& out) {
  ++stats_.packets;
  std::size_t layer_offset = 0;  // where the layer being parsed starts, for error offsets
  const auto truncation_note = [&] {
    if (packet.original_length <= packet.bytes.size()) return std::string();
    return " (the capture kept " + std::to_string(packet.bytes.size()) + " of " +
           std::to_string(packet.original_length) + " bytes)";
  };
  try {
    const LinkLayer link = parse_link_layer(link_type_, packet.bytes);
    if (!link.is_ipv4) {
      ++stats_.not_ipv4;
      return;
    }
    layer_offset = link.network_offset;
    const Ipv4Packet ip = parse_ipv4(packet.bytes.subspan(link.network_offset));
    if (!ip.header_checksum_valid) ++stats_.bad_ip_checksums;
    if (ip.header.protocol != kIpProtocolUdp && ip.header.protocol != kIpProtocolTcp) {
      ++stats_.other_ip_protocol;
      return;
    }
    if (!ip.header.is_fragment()) {
      decode_transport(packet, link.network_offset, ip.header, ip.payload, 1, out);
      return;
    }
    ++stats_.fragments;
    auto datagram = reassembler_.add(ip.header, ip.payload, packet.time, packet.index, failures_);
    report_failures(out);
    if (!datagram) return;
    ++stats_.reassembled;
    decode_transport(packet, link.network_offset, datagram->header, datagram->payload, datagram->fragment_count,
                     out);
  } catch (const PacketError& error) {
    report_failures(out);
    report(out, packet.index, layer_offset + error.offset(), error.what() + truncation_note());
  }
}

void PacketDecoder::decode_transport(const RawPacket& packet, std::size_t ip_offset, const Ipv4Header& ip,
                                     std::span<const std::uint8_t> ip_payload, std::size_t fragments,
                                     std::vector<CaptureEvent>& out) {
  const std::size_t transport_offset = ip_offset + ip.header_bytes;
  try {
    if (ip.protocol == kIpProtocolUdp) {
      ParsedUdp udp = parse_udp(ip, ip_payload);
      ++stats_.udp;
      out.emplace_back(CapturedUdp{packet.index, packet.time, ip, std::move(udp.datagram), udp.checksum, fragments});
    } else {
      ParsedTcp tcp = parse_tcp(ip, ip_payload);
      ++stats_.tcp;
      out.emplace_back(CapturedTcp{packet.index, packet.time, ip, std::move(tcp.segment), tcp.checksum, fragments});
    }
  } catch (const PacketError& error) {
    if (fragments > 1) {
      // The offset is inside the reassembled datagram, not inside this frame: say so.
      report(out, packet.index, ip_offset,
             std::string("in the datagram reassembled from ") + std::to_string(fragments) +
                 " fragments, transport byte " + std::to_string(error.offset()) + ": " + error.what());
    } else {
      report(out, packet.index, transport_offset + error.offset(), error.what());
    }
  }
}

void PacketDecoder::finish(std::vector<CaptureEvent>& out) {
  reassembler_.abandon_all(failures_);
  report_failures(out);
}

}  // namespace tpc3::pcap
