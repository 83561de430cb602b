#include "pcaps/packet/layer_parsers.h"

#include <cstdio>

#include "pcaps/packet/internet_checksum.h"

namespace tpc3::pcap {
namespace {

std::uint16_t get_u16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>(b[at] << 8 | b[at + 1]);
}

std::uint32_t get_u32(std::span<const std::uint8_t> b, std::size_t at) {
  return std::uint32_t{get_u16(b, at)} << 16 | get_u16(b, at + 2);
}

Ipv4Address get_address(std::span<const std::uint8_t> b, std::size_t at) { return Ipv4Address(get_u32(b, at)); }

std::string hex16(std::uint16_t value) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%04x", value);
  return text;
}

void require(std::span<const std::uint8_t> frame, std::size_t needed, const char* what) {
  if (frame.size() < needed) {
    throw PacketError(0, std::string(what) + " truncated: " + std::to_string(frame.size()) + " bytes < " +
                             std::to_string(needed));
  }
}

constexpr std::uint16_t kEthertypeIpv4 = 0x0800;
constexpr std::uint16_t kEthertypeVlan = 0x8100;
constexpr std::uint16_t kEthertypeQinQ = 0x88a8;
constexpr std::uint16_t kEthertypeQinQOld = 0x9100;
constexpr int kMaxVlanTags = 2;

LinkLayer from_ethertype(std::uint16_t ethertype, std::size_t network_offset) {
  if (ethertype == kEthertypeIpv4) return {network_offset, true, {}};
  return {network_offset, false, "ethertype " + hex16(ethertype)};
}

LinkLayer parse_ethernet(std::span<const std::uint8_t> frame) {
  require(frame, kEthernetHeaderBytes, "Ethernet header");
  std::size_t type_at = 12;
  std::uint16_t ethertype = get_u16(frame, type_at);
  for (int tags = 0; ethertype == kEthertypeVlan || ethertype == kEthertypeQinQ || ethertype == kEthertypeQinQOld;
       ++tags) {
    if (tags == kMaxVlanTags) throw PacketError(type_at, "more than 2 VLAN tags");
    type_at += 4;
    if (frame.size() < type_at + 2) throw PacketError(type_at - 4, "VLAN tag truncated");
    ethertype = get_u16(frame, type_at);
  }
  return from_ethertype(ethertype, type_at + 2);
}

LinkLayer parse_loopback(std::span<const std::uint8_t> frame, bool network_order_only) {
  require(frame, 4, "loopback header");
  constexpr std::uint8_t kAfInet = 2;  // AF_INET is 2 on every system
  const bool big_endian_inet = frame[0] == 0 && frame[1] == 0 && frame[2] == 0 && frame[3] == kAfInet;
  const bool little_endian_inet = frame[0] == kAfInet && frame[1] == 0 && frame[2] == 0 && frame[3] == 0;
  if (big_endian_inet || (!network_order_only && little_endian_inet)) return {4, true, {}};
  return {4, false,
          "address family bytes " + hex16(get_u16(frame, 0)) + " " + hex16(get_u16(frame, 2))};
}

LinkLayer parse_raw(std::span<const std::uint8_t> frame) {
  require(frame, 1, "raw IP packet");
  const int version = frame[0] >> 4;
  if (version == 6) return {0, false, "IPv6"};
  return {0, true, {}};  // parse_ipv4 reports any other bad version
}

}  // namespace

LinkLayer parse_link_layer(LinkType type, std::span<const std::uint8_t> frame) {
  switch (type) {
    case LinkType::ethernet:
      return parse_ethernet(frame);
    case LinkType::linux_sll:
      require(frame, 16, "Linux cooked (SLL) header");
      return from_ethertype(get_u16(frame, 14), 16);
    case LinkType::linux_sll2:
      require(frame, 20, "Linux cooked (SLL2) header");
      return from_ethertype(get_u16(frame, 0), 20);
    case LinkType::null:
      return parse_loopback(frame, false);
    case LinkType::loop:
      return parse_loopback(frame, true);
    case LinkType::raw:
      return parse_raw(frame);
    case LinkType::ipv4:
      return {0, true, {}};
  }
  throw PacketError(0, "link type " + link_type_name(type) + " is not supported");
}

Ipv4Packet parse_ipv4(std::span<const std::uint8_t> bytes) {
  if (bytes.empty()) throw PacketError(0, "IPv4 header missing: 0 bytes");
  const int version = bytes[0] >> 4;
  if (version != 4) throw PacketError(0, "IP version " + std::to_string(version) + ", expected 4");
  const std::size_t header_words = bytes[0] & 0x0F;
  if (header_words < 5) throw PacketError(0, "IPv4 header length " + std::to_string(header_words) + " words < 5");
  const std::size_t header_bytes = header_words * 4;
  if (bytes.size() < header_bytes) {
    throw PacketError(0, "IPv4 header length " + std::to_string(header_bytes) + " bytes > " +
                             std::to_string(bytes.size()) + " bytes captured");
  }
  Ipv4Packet packet;
  Ipv4Header& h = packet.header;
  h.header_bytes = static_cast<std::uint8_t>(header_bytes);
  h.tos = bytes[1];
  h.total_length = get_u16(bytes, 2);
  h.id = get_u16(bytes, 4);
  const std::uint16_t flags_and_offset = get_u16(bytes, 6);
  h.dont_fragment = (flags_and_offset & 0x4000) != 0;
  h.more_fragments = (flags_and_offset & 0x2000) != 0;
  h.fragment_offset = static_cast<std::uint16_t>((flags_and_offset & 0x1FFF) * 8);
  h.ttl = bytes[8];
  h.protocol = bytes[9];
  h.checksum = get_u16(bytes, 10);
  h.source = get_address(bytes, 12);
  h.destination = get_address(bytes, 16);

  if (h.total_length < header_bytes) {
    throw PacketError(2, "IPv4 total length " + std::to_string(h.total_length) + " < header length " +
                             std::to_string(header_bytes));
  }
  if (h.total_length > bytes.size()) {
    throw PacketError(2, "IPv4 total length " + std::to_string(h.total_length) + " > " +
                             std::to_string(bytes.size()) + " bytes captured");
  }
  const std::size_t payload_bytes = h.total_length - header_bytes;
  if (h.fragment_offset + payload_bytes > kIpv4MaxTotalBytes - header_bytes) {
    throw PacketError(6, "IPv4 fragment at offset " + std::to_string(h.fragment_offset) + " with " +
                             std::to_string(payload_bytes) + " bytes ends past the 65,535-byte datagram limit");
  }
  if (h.more_fragments && payload_bytes % 8 != 0) {
    throw PacketError(2, "IPv4 fragment with more-fragments set carries " + std::to_string(payload_bytes) +
                             " bytes, not a multiple of 8");
  }
  InternetChecksum sum;
  sum.add(bytes.first(header_bytes));
  packet.header_checksum_valid = sum.finish() == 0;
  packet.payload = bytes.subspan(header_bytes, payload_bytes);
  return packet;
}

ParsedUdp parse_udp(const Ipv4Header& ip, std::span<const std::uint8_t> ip_payload) {
  require(ip_payload, kUdpHeaderBytes, "UDP header");
  const std::uint16_t length = get_u16(ip_payload, 4);
  if (length < kUdpHeaderBytes) throw PacketError(4, "UDP length " + std::to_string(length) + " < 8");
  if (length > ip_payload.size()) {
    throw PacketError(4, "UDP length " + std::to_string(length) + " > " + std::to_string(ip_payload.size()) +
                             " bytes of IPv4 payload");
  }
  ParsedUdp parsed;
  parsed.datagram.source = {ip.source, get_u16(ip_payload, 0)};
  parsed.datagram.destination = {ip.destination, get_u16(ip_payload, 2)};
  const auto udp = ip_payload.first(length);
  parsed.datagram.payload.assign(udp.begin() + kUdpHeaderBytes, udp.end());
  if (get_u16(ip_payload, 6) == 0) {
    parsed.checksum = ChecksumStatus::absent;
  } else {
    InternetChecksum sum;
    add_ipv4_pseudo_header(sum, ip.source, ip.destination, kIpProtocolUdp, length);
    sum.add(udp);
    parsed.checksum = sum.finish() == 0 ? ChecksumStatus::valid : ChecksumStatus::invalid;
  }
  return parsed;
}

ParsedTcp parse_tcp(const Ipv4Header& ip, std::span<const std::uint8_t> ip_payload) {
  require(ip_payload, kTcpMinHeaderBytes, "TCP header");
  const std::size_t header_words = ip_payload[12] >> 4;
  if (header_words < 5) throw PacketError(12, "TCP header length " + std::to_string(header_words) + " words < 5");
  const std::size_t header_bytes = header_words * 4;
  if (header_bytes > ip_payload.size()) {
    throw PacketError(12, "TCP header length " + std::to_string(header_bytes) + " bytes > " +
                              std::to_string(ip_payload.size()) + " bytes of IPv4 payload");
  }
  ParsedTcp parsed;
  TcpSegment& s = parsed.segment;
  s.source = {ip.source, get_u16(ip_payload, 0)};
  s.destination = {ip.destination, get_u16(ip_payload, 2)};
  s.seq = get_u32(ip_payload, 4);
  s.ack = get_u32(ip_payload, 8);
  s.flags = ip_payload[13];
  s.window = get_u16(ip_payload, 14);
  s.payload.assign(ip_payload.begin() + static_cast<std::ptrdiff_t>(header_bytes), ip_payload.end());
  parsed.header_bytes = static_cast<std::uint8_t>(header_bytes);
  InternetChecksum sum;
  add_ipv4_pseudo_header(sum, ip.source, ip.destination, kIpProtocolTcp,
                         static_cast<std::uint16_t>(ip_payload.size()));
  sum.add(ip_payload);
  parsed.checksum = sum.finish() == 0 ? ChecksumStatus::valid : ChecksumStatus::invalid;
  return parsed;
}

std::optional<std::pair<std::uint16_t, std::uint16_t>> peek_transport_ports(LinkType type,
                                                                            std::span<const std::uint8_t> frame) {
  try {
    const LinkLayer link = parse_link_layer(type, frame);
    if (!link.is_ipv4) return std::nullopt;
    const Ipv4Packet ip = parse_ipv4(frame.subspan(link.network_offset));
    if (ip.header.fragment_offset != 0) return std::nullopt;
    if (ip.header.protocol != kIpProtocolUdp && ip.header.protocol != kIpProtocolTcp) return std::nullopt;
    if (ip.payload.size() < 4) return std::nullopt;
    return std::pair{get_u16(ip.payload, 0), get_u16(ip.payload, 2)};
  } catch (const PacketError&) {
    return std::nullopt;
  }
}

}  // namespace tpc3::pcap
