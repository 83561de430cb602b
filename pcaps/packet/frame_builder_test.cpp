#include "pcaps/packet/frame_builder.h"

#include <gtest/gtest.h>

#include <numeric>
#include <stdexcept>

#include "pcaps/packet/internet_checksum.h"
#include "pcaps/packet/layer_parsers.h"

namespace tpc3::pcap {
namespace {

Bytes counting_bytes(std::size_t n) {
  Bytes bytes(n);
  std::iota(bytes.begin(), bytes.end(), std::uint8_t{7});
  return bytes;
}

TEST(InternetChecksum, MatchesRfc1071Example) {
  // RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum to ddf2; the checksum is its complement.
  const Bytes words = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  InternetChecksum sum;
  sum.add(words);
  EXPECT_EQ(sum.finish(), 0x220d);
}

TEST(FrameBuilder, Ipv4HeaderMatchesAKnownCapture) {
  // A well-known header: 4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7 (checksum b861).
  const Ipv4FrameSpec spec{.source = "192.168.0.1", .destination = "192.168.0.199", .protocol = kIpProtocolUdp,
                           .id = 0};
  const Bytes frame = build_ethernet_ipv4_frame(spec, Bytes(0x73 - 20, 0));
  const Bytes expected = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                          0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
  ASSERT_GE(frame.size(), 34U);
  EXPECT_EQ(Bytes(frame.begin() + 14, frame.begin() + 34), expected);
  EXPECT_EQ(Bytes(frame.begin(), frame.begin() + 14), Bytes({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00}));
}

TEST(FrameBuilder, UdpFrameRoundTripsThroughTheParsers) {
  const UdpDatagram sent{{"127.0.0.1", 41000}, {"127.0.0.1", 25000}, counting_bytes(1001)};
  const Bytes frame = build_udp_frame(sent, 0x1234);
  ASSERT_EQ(frame.size(), 14U + 20U + 8U + 1001U);

  const LinkLayer link = parse_link_layer(LinkType::ethernet, frame);
  ASSERT_TRUE(link.is_ipv4);
  EXPECT_EQ(link.network_offset, 14U);
  const Ipv4Packet ip = parse_ipv4(std::span<const std::uint8_t>(frame).subspan(link.network_offset));
  EXPECT_TRUE(ip.header_checksum_valid);
  EXPECT_EQ(ip.header.total_length, 20 + 8 + 1001);
  EXPECT_EQ(ip.header.id, 0x1234);
  EXPECT_TRUE(ip.header.dont_fragment);
  EXPECT_FALSE(ip.header.is_fragment());
  EXPECT_EQ(ip.header.ttl, 64);
  EXPECT_EQ(ip.header.protocol, kIpProtocolUdp);

  const ParsedUdp received = parse_udp(ip.header, ip.payload);
  EXPECT_EQ(received.datagram, sent);
  EXPECT_EQ(received.checksum, ChecksumStatus::valid);
}

TEST(FrameBuilder, LargestUdpPayloadFitsOneFrameAndOneMoreByteIsRefused) {
  const UdpDatagram largest{{"127.0.0.1", 1}, {"127.0.0.1", 2}, counting_bytes(kMaxUdpPayloadBytes)};
  const Bytes frame = build_udp_frame(largest, 1);
  const Ipv4Packet ip = parse_ipv4(std::span<const std::uint8_t>(frame).subspan(14));
  EXPECT_EQ(ip.header.total_length, 65535);
  const ParsedUdp parsed = parse_udp(ip.header, ip.payload);
  EXPECT_EQ(parsed.datagram, largest);
  EXPECT_EQ(parsed.checksum, ChecksumStatus::valid);

  UdpDatagram too_large = largest;
  too_large.payload.push_back(0);
  EXPECT_THROW(build_udp_frame(too_large, 1), std::length_error);
}

TEST(FrameBuilder, TcpFrameRoundTripsWithOddPayloadAndAllFields) {
  TcpSegment sent;
  sent.source = {"127.0.0.1", 5000};
  sent.destination = {"10.1.2.3", 43210};
  sent.seq = 0xFFFFFFF0;
  sent.ack = 0x01020304;
  sent.flags = tcp_flag::kPsh | tcp_flag::kAck;
  sent.window = 512;
  const std::string text = "movie.mpeg 25000\n";
  sent.payload.assign(text.begin(), text.end());

  const Bytes frame = build_tcp_frame(sent, 9);
  ASSERT_EQ(frame.size(), 14U + 20U + 20U + text.size());
  const Ipv4Packet ip = parse_ipv4(std::span<const std::uint8_t>(frame).subspan(14));
  EXPECT_TRUE(ip.header_checksum_valid);
  EXPECT_EQ(ip.header.protocol, kIpProtocolTcp);
  const ParsedTcp received = parse_tcp(ip.header, ip.payload);
  EXPECT_EQ(received.segment, sent);
  EXPECT_EQ(received.checksum, ChecksumStatus::valid);
  EXPECT_EQ(received.header_bytes, 20);
}

TEST(FrameBuilder, CorruptedPayloadFailsTheTransportChecksum) {
  const UdpDatagram sent{{"127.0.0.1", 1}, {"127.0.0.1", 2}, counting_bytes(10)};
  Bytes frame = build_udp_frame(sent, 1);
  frame.back() ^= 0x40;
  const Ipv4Packet ip = parse_ipv4(std::span<const std::uint8_t>(frame).subspan(14));
  EXPECT_EQ(parse_udp(ip.header, ip.payload).checksum, ChecksumStatus::invalid);

  TcpSegment segment{.source = {"127.0.0.1", 1}, .destination = {"127.0.0.1", 2}, .payload = counting_bytes(3)};
  Bytes tcp_frame = build_tcp_frame(segment, 2);
  tcp_frame[14 + 20 + 4] ^= 0x01;  // sequence number
  const Ipv4Packet tcp_ip = parse_ipv4(std::span<const std::uint8_t>(tcp_frame).subspan(14));
  EXPECT_EQ(parse_tcp(tcp_ip.header, tcp_ip.payload).checksum, ChecksumStatus::invalid);
}

TEST(FrameBuilder, IpIdIncrementsPerFrameAndWraps) {
  FrameBuilder builder(0xFFFF);
  const UdpDatagram datagram{{"127.0.0.1", 1}, {"127.0.0.1", 2}, {}};
  const TcpSegment segment{.source = {"127.0.0.1", 3}, .destination = {"127.0.0.1", 4}};
  const Bytes first = builder.udp(datagram);
  const Bytes second = builder.tcp(segment);
  const Bytes third = builder.udp(datagram);
  const auto id_of = [](const Bytes& frame) { return parse_ipv4(std::span<const std::uint8_t>(frame).subspan(14)).header.id; };
  EXPECT_EQ(id_of(first), 0xFFFF);
  EXPECT_EQ(id_of(second), 0);
  EXPECT_EQ(id_of(third), 1);
  EXPECT_EQ(builder.next_ip_id(), 2);
}

TEST(FrameBuilder, FragmentsCoverThePayloadInMultiplesOfEight) {
  const Bytes payload = counting_bytes(3000);
  const Ipv4FrameSpec spec{.source = "10.0.0.1", .destination = "10.0.0.2", .protocol = kIpProtocolUdp, .id = 77};
  const auto frames = build_ipv4_fragment_frames(spec, payload, 1480);
  ASSERT_EQ(frames.size(), 3U);
  Bytes joined;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const Ipv4Packet ip = parse_ipv4(std::span<const std::uint8_t>(frames[i]).subspan(14));
    EXPECT_TRUE(ip.header_checksum_valid);
    EXPECT_FALSE(ip.header.dont_fragment);
    EXPECT_EQ(ip.header.fragment_offset, i * 1480);
    EXPECT_EQ(ip.header.more_fragments, i + 1 < frames.size());
    joined.insert(joined.end(), ip.payload.begin(), ip.payload.end());
  }
  EXPECT_EQ(joined, payload);
}

TEST(Ipv4Address, ParsesAndPrintsDottedQuads) {
  EXPECT_EQ(Ipv4Address("127.0.0.1").value(), 0x7F000001U);
  EXPECT_EQ(Ipv4Address(10, 1, 2, 3).to_string(), "10.1.2.3");
  EXPECT_FALSE(Ipv4Address::parse("256.0.0.1"));
  EXPECT_FALSE(Ipv4Address::parse("1.2.3"));
  EXPECT_FALSE(Ipv4Address::parse("localhost"));
  EXPECT_THROW(Ipv4Address("1.2.3.4.5"), std::invalid_argument);
  const Endpoint endpoint{"127.0.0.1", 5000};
  EXPECT_EQ(endpoint.to_string(), "127.0.0.1:5000");
}

}  // namespace
}  // namespace tpc3::pcap
