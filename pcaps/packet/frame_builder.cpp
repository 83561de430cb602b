#include "pcaps/packet/frame_builder.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "pcaps/packet/internet_checksum.h"

namespace tpc3::pcap {
namespace {

void put_u16(Bytes& out, std::size_t at, std::uint16_t value) {
  out[at] = static_cast<std::uint8_t>(value >> 8);
  out[at + 1] = static_cast<std::uint8_t>(value);
}

void put_u32(Bytes& out, std::size_t at, std::uint32_t value) {
  put_u16(out, at, static_cast<std::uint16_t>(value >> 16));
  put_u16(out, at + 2, static_cast<std::uint16_t>(value));
}

void put_address(Bytes& out, std::size_t at, Ipv4Address address) {
  const auto b = address.bytes();
  std::copy(b.begin(), b.end(), out.begin() + static_cast<std::ptrdiff_t>(at));
}

constexpr std::uint16_t kEthertypeIpv4 = 0x0800;

}  // namespace

Bytes encode_udp(const UdpDatagram& datagram) {
  if (datagram.payload.size() > kMaxUdpPayloadBytes) {
    throw std::length_error("UDP payload of " + std::to_string(datagram.payload.size()) + " bytes exceeds " +
                            std::to_string(kMaxUdpPayloadBytes));
  }
  const auto length = static_cast<std::uint16_t>(kUdpHeaderBytes + datagram.payload.size());
  Bytes out(kUdpHeaderBytes);
  out.reserve(length);
  put_u16(out, 0, datagram.source.port);
  put_u16(out, 2, datagram.destination.port);
  put_u16(out, 4, length);
  out.insert(out.end(), datagram.payload.begin(), datagram.payload.end());

  InternetChecksum sum;
  add_ipv4_pseudo_header(sum, datagram.source.address, datagram.destination.address, kIpProtocolUdp, length);
  sum.add(out);
  const std::uint16_t checksum = sum.finish();
  put_u16(out, 6, checksum == 0 ? 0xFFFF : checksum);  // 0 means "no checksum" in UDP (RFC 768)
  return out;
}

Bytes encode_tcp(const TcpSegment& segment) {
  if (segment.payload.size() > kMaxTcpPayloadBytes) {
    throw std::length_error("TCP payload of " + std::to_string(segment.payload.size()) + " bytes exceeds " +
                            std::to_string(kMaxTcpPayloadBytes));
  }
  const auto length = static_cast<std::uint16_t>(kTcpMinHeaderBytes + segment.payload.size());
  Bytes out(kTcpMinHeaderBytes);
  out.reserve(length);
  put_u16(out, 0, segment.source.port);
  put_u16(out, 2, segment.destination.port);
  put_u32(out, 4, segment.seq);
  put_u32(out, 8, segment.ack);
  out[12] = static_cast<std::uint8_t>((kTcpMinHeaderBytes / 4) << 4);
  out[13] = segment.flags;
  put_u16(out, 14, segment.window);
  out.insert(out.end(), segment.payload.begin(), segment.payload.end());

  InternetChecksum sum;
  add_ipv4_pseudo_header(sum, segment.source.address, segment.destination.address, kIpProtocolTcp, length);
  sum.add(out);
  put_u16(out, 16, sum.finish());
  return out;
}

namespace {

void append_ipv4_packet(Bytes& out, const Ipv4FrameSpec& spec, std::span<const std::uint8_t> ip_payload) {
  const std::size_t total = kIpv4MinHeaderBytes + ip_payload.size();
  if (total > kIpv4MaxTotalBytes) {
    throw std::length_error("IPv4 packet of " + std::to_string(total) + " bytes exceeds " +
                            std::to_string(kIpv4MaxTotalBytes));
  }
  if (spec.fragment_offset % 8 != 0) {
    throw std::invalid_argument("IPv4 fragment offset " + std::to_string(spec.fragment_offset) +
                                " is not a multiple of 8");
  }
  const std::size_t at = out.size();
  out.resize(at + kIpv4MinHeaderBytes);
  out[at] = 0x45;
  out[at + 1] = 0;
  put_u16(out, at + 2, static_cast<std::uint16_t>(total));
  put_u16(out, at + 4, spec.id);
  const auto flags_and_offset = static_cast<std::uint16_t>((spec.dont_fragment ? 0x4000 : 0) |
                                                           (spec.more_fragments ? 0x2000 : 0) |
                                                           (spec.fragment_offset / 8));
  put_u16(out, at + 6, flags_and_offset);
  out[at + 8] = spec.ttl;
  out[at + 9] = spec.protocol;
  put_address(out, at + 12, spec.source);
  put_address(out, at + 16, spec.destination);
  InternetChecksum sum;
  sum.add(std::span<const std::uint8_t>(out).subspan(at, kIpv4MinHeaderBytes));
  put_u16(out, at + 10, sum.finish());
  out.insert(out.end(), ip_payload.begin(), ip_payload.end());
}

}  // namespace

Bytes build_ipv4_packet(const Ipv4FrameSpec& spec, std::span<const std::uint8_t> ip_payload) {
  Bytes out;
  out.reserve(kIpv4MinHeaderBytes + ip_payload.size());
  append_ipv4_packet(out, spec, ip_payload);
  return out;
}

Bytes build_ethernet_ipv4_frame(const Ipv4FrameSpec& spec, std::span<const std::uint8_t> ip_payload) {
  Bytes out(kEthernetHeaderBytes, 0);  // destination and source MAC 00:00:00:00:00:00, as on Linux "lo"
  out.reserve(kEthernetHeaderBytes + kIpv4MinHeaderBytes + ip_payload.size());
  put_u16(out, 12, kEthertypeIpv4);
  append_ipv4_packet(out, spec, ip_payload);
  return out;
}

Bytes build_udp_frame(const UdpDatagram& datagram, std::uint16_t ip_id) {
  const Ipv4FrameSpec spec{.source = datagram.source.address,
                           .destination = datagram.destination.address,
                           .protocol = kIpProtocolUdp,
                           .id = ip_id};
  return build_ethernet_ipv4_frame(spec, encode_udp(datagram));
}

Bytes build_tcp_frame(const TcpSegment& segment, std::uint16_t ip_id) {
  const Ipv4FrameSpec spec{.source = segment.source.address,
                           .destination = segment.destination.address,
                           .protocol = kIpProtocolTcp,
                           .id = ip_id};
  return build_ethernet_ipv4_frame(spec, encode_tcp(segment));
}

std::vector<Bytes> build_ipv4_fragment_frames(Ipv4FrameSpec spec, std::span<const std::uint8_t> ip_payload,
                                              std::size_t max_fragment_payload) {
  const std::size_t step = max_fragment_payload / 8 * 8;
  if (step == 0) throw std::invalid_argument("fragment payload must hold at least 8 bytes");
  if (ip_payload.size() + kIpv4MinHeaderBytes > kIpv4MaxTotalBytes) {
    throw std::length_error("IPv4 payload of " + std::to_string(ip_payload.size()) + " bytes is too large");
  }
  std::vector<Bytes> frames;
  spec.dont_fragment = false;
  std::size_t offset = 0;
  do {
    const std::size_t length = std::min(step, ip_payload.size() - offset);
    spec.fragment_offset = static_cast<std::uint16_t>(offset);
    spec.more_fragments = offset + length < ip_payload.size();
    frames.push_back(build_ethernet_ipv4_frame(spec, ip_payload.subspan(offset, length)));
    offset += length;
  } while (offset < ip_payload.size());
  return frames;
}

}  // namespace tpc3::pcap
