#include "pcaps/packet/packet_decoder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "pcaps/packet/frame_builder.h"

namespace tpc3::pcap {
namespace {

using ::testing::HasSubstr;

const CaptureTime kTime{std::chrono::seconds(1'700'000'000)};

RawPacket raw(std::size_t index, const Bytes& frame) {
  return RawPacket{index, kTime, frame, static_cast<std::uint32_t>(frame.size())};
}

TEST(PacketDecoder, DecodesUdpAndTcpAndSkipsTheRest) {
  PacketDecoder decoder(LinkType::ethernet);
  std::vector<CaptureEvent> events;
  const UdpDatagram datagram{{"127.0.0.1", 40000}, {"127.0.0.1", 25000}, Bytes{0x80, 0x1a}};
  const TcpSegment segment{.source = {"127.0.0.1", 40001}, .destination = {"127.0.0.1", 5000},
                           .flags = tcp_flag::kSyn};
  const Bytes arp = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x06, 0, 1};
  const Ipv4FrameSpec icmp_spec{.source = "127.0.0.1", .destination = "127.0.0.1", .protocol = 1};

  decoder.decode(raw(1, build_udp_frame(datagram, 1)), events);
  decoder.decode(raw(2, arp), events);
  decoder.decode(raw(3, build_tcp_frame(segment, 2)), events);
  decoder.decode(raw(4, build_ethernet_ipv4_frame(icmp_spec, Bytes(8, 0))), events);
  decoder.finish(events);

  ASSERT_EQ(events.size(), 2U);
  const auto& udp = std::get<CapturedUdp>(events[0]);
  EXPECT_EQ(udp.packet_index, 1U);
  EXPECT_EQ(udp.time, kTime);
  EXPECT_EQ(udp.datagram, datagram);
  EXPECT_EQ(udp.checksum, ChecksumStatus::valid);
  const auto& tcp = std::get<CapturedTcp>(events[1]);
  EXPECT_EQ(tcp.packet_index, 3U);
  EXPECT_EQ(tcp.segment, segment);
  EXPECT_EQ(decoder.stats().packets, 4U);
  EXPECT_EQ(decoder.stats().not_ipv4, 1U);
  EXPECT_EQ(decoder.stats().other_ip_protocol, 1U);
  EXPECT_EQ(decoder.stats().issues, 0U);
}

TEST(PacketDecoder, MalformedPacketBecomesAnIssueNamingPacketAndFrameOffset) {
  PacketDecoder decoder(LinkType::ethernet);
  std::vector<CaptureEvent> events;
  Bytes frame = build_udp_frame(UdpDatagram{{"127.0.0.1", 1}, {"127.0.0.1", 2}, {}}, 1);
  frame[14] = 0x43;
  decoder.decode(raw(12, frame), events);
  ASSERT_EQ(events.size(), 1U);
  const auto& issue = std::get<PacketIssue>(events[0]);
  EXPECT_EQ(issue.to_string(), "packet 12: byte 14: IPv4 header length 3 words < 5");

  Bytes bad_udp = build_udp_frame(UdpDatagram{{"127.0.0.1", 1}, {"127.0.0.1", 2}, {}}, 1);
  bad_udp[14 + 20 + 5] = 3;
  decoder.decode(raw(13, bad_udp), events);
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(std::get<PacketIssue>(events[1]).to_string(), "packet 13: byte 38: UDP length 3 < 8");
  EXPECT_EQ(decoder.stats().issues, 2U);
}

TEST(PacketDecoder, SaysWhenTheCaptureCutTheFrame) {
  PacketDecoder decoder(LinkType::ethernet);
  std::vector<CaptureEvent> events;
  const Bytes frame = build_udp_frame(UdpDatagram{{"127.0.0.1", 1}, {"127.0.0.1", 2}, Bytes(1000, 1)}, 1);
  const Bytes cut(frame.begin(), frame.begin() + 96);
  decoder.decode(RawPacket{5, kTime, cut, static_cast<std::uint32_t>(frame.size())}, events);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_THAT(std::get<PacketIssue>(events[0]).to_string(),
              HasSubstr("packet 5: byte 16: IPv4 total length 1028 > 82 bytes captured (the capture kept 96 of 1042"));
}

TEST(PacketDecoder, ReassemblesAFragmentedRtpDatagram) {
  Bytes payload(30000);
  std::iota(payload.begin(), payload.end(), std::uint8_t{0});
  payload[0] = 0x80;
  payload[1] = 0x1a;
  const UdpDatagram datagram{{"192.168.1.10", 33000}, {"192.168.1.20", 25000}, payload};
  const Ipv4FrameSpec spec{.source = datagram.source.address, .destination = datagram.destination.address,
                           .protocol = kIpProtocolUdp, .id = 0x4242};
  auto frames = build_ipv4_fragment_frames(spec, encode_udp(datagram), 1480);
  ASSERT_EQ(frames.size(), 21U);
  std::reverse(frames.begin(), frames.end());  // worst order: the first fragment arrives last

  PacketDecoder decoder(LinkType::ethernet);
  std::vector<CaptureEvent> events;
  for (std::size_t i = 0; i < frames.size(); ++i) decoder.decode(raw(i + 1, frames[i]), events);
  decoder.finish(events);
  ASSERT_EQ(events.size(), 1U);
  const auto& udp = std::get<CapturedUdp>(events[0]);
  EXPECT_EQ(udp.datagram, datagram);
  EXPECT_EQ(udp.checksum, ChecksumStatus::valid);
  EXPECT_EQ(udp.fragments, 21U);
  EXPECT_EQ(udp.packet_index, 21U);
  EXPECT_EQ(decoder.stats().fragments, 21U);
  EXPECT_EQ(decoder.stats().reassembled, 1U);
}

TEST(PacketDecoder, OverlappingAndMissingFragmentsAreIssues) {
  const UdpDatagram datagram{{"10.0.0.1", 1}, {"10.0.0.2", 2}, Bytes(4000, 7)};
  const Ipv4FrameSpec spec{.source = "10.0.0.1", .destination = "10.0.0.2", .protocol = kIpProtocolUdp, .id = 9};
  const auto frames = build_ipv4_fragment_frames(spec, encode_udp(datagram), 1480);
  ASSERT_EQ(frames.size(), 3U);

  PacketDecoder decoder(LinkType::ethernet);
  std::vector<CaptureEvent> events;
  decoder.decode(raw(1, frames[0]), events);
  Ipv4FrameSpec overlapping = spec;
  overlapping.fragment_offset = 1472;
  overlapping.more_fragments = true;
  decoder.decode(raw(2, build_ethernet_ipv4_frame(overlapping, Bytes(16, 0))), events);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_THAT(std::get<PacketIssue>(events[0]).to_string(), HasSubstr("packet 2: byte 20: "));
  EXPECT_THAT(std::get<PacketIssue>(events[0]).message, HasSubstr("overlaps"));

  Ipv4FrameSpec other = spec;
  other.id = 10;
  const auto lonely = build_ipv4_fragment_frames(other, encode_udp(datagram), 1480);
  decoder.decode(raw(3, lonely[1]), events);
  decoder.finish(events);
  ASSERT_EQ(events.size(), 2U);
  const auto& incomplete = std::get<PacketIssue>(events[1]);
  EXPECT_EQ(incomplete.packet_index, 3U);
  EXPECT_THAT(incomplete.message, HasSubstr("incomplete at the end of the capture"));
}

}  // namespace
}  // namespace tpc3::pcap
