#include "pcaps/packet/layer_parsers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pcaps/packet/frame_builder.h"

namespace tpc3::pcap {
namespace {

using ::testing::HasSubstr;

Bytes sample_ipv4_udp() {
  const UdpDatagram datagram{{"127.0.0.1", 4000}, {"127.0.0.1", 25000}, Bytes{1, 2, 3}};
  const Ipv4FrameSpec spec{.source = "127.0.0.1", .destination = "127.0.0.1", .protocol = kIpProtocolUdp, .id = 5};
  return build_ipv4_packet(spec, encode_udp(datagram));
}

Bytes with_prefix(Bytes prefix, const Bytes& packet) {
  prefix.insert(prefix.end(), packet.begin(), packet.end());
  return prefix;
}

// Runs the link and IPv4 parsers and returns the UDP destination port, to show the whole chain works.
std::uint16_t udp_destination_port(LinkType type, const Bytes& frame) {
  const LinkLayer link = parse_link_layer(type, frame);
  EXPECT_TRUE(link.is_ipv4);
  const Ipv4Packet ip = parse_ipv4(std::span<const std::uint8_t>(frame).subspan(link.network_offset));
  return parse_udp(ip.header, ip.payload).datagram.destination.port;
}

template <class F>
PacketError packet_error_of(F&& parse) {
  try {
    parse();
  } catch (const PacketError& error) {
    return error;
  }
  ADD_FAILURE() << "expected a PacketError";
  return PacketError(9999, "none");
}

TEST(LinkLayer, FindsIpv4BehindEveryLinkTypeTheCaptureMayUse) {
  const Bytes ip = sample_ipv4_udp();
  Bytes sll(16, 0);
  sll[14] = 0x08;
  Bytes sll2(20, 0);
  sll2[0] = 0x08;
  Bytes vlan = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x81, 0x00, 0x00, 0x05, 0x08, 0x00};

  EXPECT_EQ(udp_destination_port(LinkType::linux_sll, with_prefix(sll, ip)), 25000);
  EXPECT_EQ(udp_destination_port(LinkType::linux_sll2, with_prefix(sll2, ip)), 25000);
  EXPECT_EQ(udp_destination_port(LinkType::null, with_prefix({2, 0, 0, 0}, ip)), 25000);
  EXPECT_EQ(udp_destination_port(LinkType::null, with_prefix({0, 0, 0, 2}, ip)), 25000);
  EXPECT_EQ(udp_destination_port(LinkType::loop, with_prefix({0, 0, 0, 2}, ip)), 25000);
  EXPECT_EQ(udp_destination_port(LinkType::raw, ip), 25000);
  EXPECT_EQ(udp_destination_port(LinkType::ipv4, ip), 25000);
  EXPECT_EQ(udp_destination_port(LinkType::ethernet, with_prefix(vlan, ip)), 25000);
  EXPECT_EQ(parse_link_layer(LinkType::ethernet, with_prefix(vlan, ip)).network_offset, 18U);
}

TEST(LinkLayer, ReportsWhatIsNotIpv4) {
  const Bytes arp = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x06, 0, 1};
  const LinkLayer link = parse_link_layer(LinkType::ethernet, arp);
  EXPECT_FALSE(link.is_ipv4);
  EXPECT_EQ(link.protocol, "ethertype 0x0806");
  EXPECT_FALSE(parse_link_layer(LinkType::raw, Bytes{0x60, 0, 0, 0}).is_ipv4);
  EXPECT_FALSE(parse_link_layer(LinkType::loop, Bytes{2, 0, 0, 0, 0x45}).is_ipv4);  // LOOP is big-endian only
}

TEST(LinkLayer, TruncatedHeadersAreErrors) {
  EXPECT_THAT(packet_error_of([] { parse_link_layer(LinkType::ethernet, Bytes(10, 0)); }).what(),
              HasSubstr("Ethernet header truncated: 10 bytes < 14"));
  EXPECT_THAT(packet_error_of([] { parse_link_layer(LinkType::linux_sll2, Bytes(19, 0)); }).what(),
              HasSubstr("SLL2"));
  EXPECT_THAT(packet_error_of([] { parse_link_layer(LinkType::null, Bytes(3, 0)); }).what(),
              HasSubstr("loopback header truncated"));
  EXPECT_THAT(packet_error_of([] { parse_link_layer(static_cast<LinkType>(105), Bytes(30, 0)); }).what(),
              HasSubstr("not supported"));
  const Bytes three_tags = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x81, 0, 0, 1, 0x81, 0, 0, 2, 0x81, 0, 0, 3, 8, 0};
  EXPECT_THAT(packet_error_of([&] { parse_link_layer(LinkType::ethernet, three_tags); }).what(),
              HasSubstr("more than 2 VLAN tags"));
}

TEST(Ipv4Parser, HeaderLengthBelowFiveWordsNamesTheValue) {
  Bytes ip = sample_ipv4_udp();
  ip[0] = 0x43;
  const PacketError error = packet_error_of([&] { parse_ipv4(ip); });
  EXPECT_STREQ(error.what(), "IPv4 header length 3 words < 5");
  EXPECT_EQ(error.offset(), 0U);
}

TEST(Ipv4Parser, LengthsThatDoNotFitAreErrorsWithTheirOffset) {
  Bytes ip = sample_ipv4_udp();
  Bytes longer_header = ip;
  longer_header[0] = 0x4F;  // 60-byte header in a 31-byte packet
  EXPECT_THAT(packet_error_of([&] { parse_ipv4(longer_header); }).what(),
              HasSubstr("IPv4 header length 60 bytes > 31 bytes captured"));

  Bytes too_long = ip;
  too_long[2] = 0x05;  // total length 0x051f > 31
  const PacketError long_error = packet_error_of([&] { parse_ipv4(too_long); });
  EXPECT_THAT(long_error.what(), HasSubstr("> 31 bytes captured"));
  EXPECT_EQ(long_error.offset(), 2U);

  Bytes too_short = ip;
  too_short[2] = 0;
  too_short[3] = 12;
  EXPECT_THAT(packet_error_of([&] { parse_ipv4(too_short); }).what(),
              HasSubstr("IPv4 total length 12 < header length 20"));

  Bytes version6 = ip;
  version6[0] = 0x65;
  EXPECT_THAT(packet_error_of([&] { parse_ipv4(version6); }).what(), HasSubstr("IP version 6, expected 4"));
  EXPECT_THAT(packet_error_of([] { parse_ipv4(Bytes{}); }).what(), HasSubstr("0 bytes"));
}

TEST(Ipv4Parser, IgnoresLinkPaddingAfterTheDatagram) {
  Bytes ip = sample_ipv4_udp();
  ip.resize(ip.size() + 15, 0xEE);  // Ethernet pads short frames to 60 bytes
  const Ipv4Packet packet = parse_ipv4(ip);
  EXPECT_EQ(packet.payload.size(), 8U + 3U);
  EXPECT_EQ(parse_udp(packet.header, packet.payload).datagram.payload, (Bytes{1, 2, 3}));
}

TEST(Ipv4Parser, FlagsABadHeaderChecksumWithoutRejecting) {
  Bytes ip = sample_ipv4_udp();
  ip[10] ^= 0xFF;
  EXPECT_FALSE(parse_ipv4(ip).header_checksum_valid);
}

TEST(UdpParser, BadLengthsAreErrorsAtTheLengthField) {
  const Bytes ip = sample_ipv4_udp();
  const Ipv4Packet packet = parse_ipv4(ip);
  Bytes udp(packet.payload.begin(), packet.payload.end());
  udp[5] = 4;
  const PacketError short_error = packet_error_of([&] { parse_udp(packet.header, udp); });
  EXPECT_STREQ(short_error.what(), "UDP length 4 < 8");
  EXPECT_EQ(short_error.offset(), 4U);
  udp[4] = 0x10;
  EXPECT_THAT(packet_error_of([&] { parse_udp(packet.header, udp); }).what(),
              HasSubstr("UDP length 4100 > 11 bytes of IPv4 payload"));
  EXPECT_THAT(packet_error_of([&] { parse_udp(packet.header, Bytes(5, 0)); }).what(),
              HasSubstr("UDP header truncated: 5 bytes < 8"));
  udp = Bytes(packet.payload.begin(), packet.payload.end());
  udp[6] = udp[7] = 0;
  EXPECT_EQ(parse_udp(packet.header, udp).checksum, ChecksumStatus::absent);
}

TEST(TcpParser, BadDataOffsetsAreErrorsAndOptionsAreSkipped) {
  TcpSegment segment{.source = {"127.0.0.1", 1}, .destination = {"127.0.0.1", 2}, .payload = Bytes{9, 8, 7}};
  Bytes tcp = encode_tcp(segment);
  Ipv4Header header;
  header.source = "127.0.0.1";
  header.destination = "127.0.0.1";

  Bytes small = tcp;
  small[12] = 0x40;
  const PacketError error = packet_error_of([&] { parse_tcp(header, small); });
  EXPECT_STREQ(error.what(), "TCP header length 4 words < 5");
  EXPECT_EQ(error.offset(), 12U);

  Bytes large = tcp;
  large[12] = 0xF0;
  EXPECT_THAT(packet_error_of([&] { parse_tcp(header, large); }).what(),
              HasSubstr("TCP header length 60 bytes > 23 bytes of IPv4 payload"));

  // Data offset 6: four NOP option bytes sit between the header and the payload.
  Bytes with_option(tcp.begin(), tcp.begin() + 20);
  with_option.insert(with_option.end(), {1, 1, 1, 1});
  with_option.insert(with_option.end(), segment.payload.begin(), segment.payload.end());
  with_option[12] = 0x60;
  const ParsedTcp parsed = parse_tcp(header, with_option);
  EXPECT_EQ(parsed.header_bytes, 24);
  EXPECT_EQ(parsed.segment.payload, segment.payload);
}

TEST(PeekTransportPorts, ReadsPortsAndNeverThrows) {
  const UdpDatagram datagram{{"127.0.0.1", 4000}, {"127.0.0.1", 25000}, Bytes{1}};
  const Bytes frame = build_udp_frame(datagram, 1);
  const auto ports = peek_transport_ports(LinkType::ethernet, frame);
  ASSERT_TRUE(ports);
  EXPECT_EQ(ports->first, 4000);
  EXPECT_EQ(ports->second, 25000);
  EXPECT_FALSE(peek_transport_ports(LinkType::ethernet, Bytes(20, 0)));
  EXPECT_FALSE(peek_transport_ports(LinkType::ethernet, Bytes(frame.begin(), frame.begin() + 30)));
}

}  // namespace
}  // namespace tpc3::pcap
