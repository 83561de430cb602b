#include "pcaps/reader/pcap_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <random>

#include "pcaps/capture/pcap_file_writer.h"
#include "pcaps/packet/frame_builder.h"
#include "pcaps/testing/run_command.h"
#include "pcaps/testing/scoped_temp_dir.h"

namespace tpc3::pcap {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

const CaptureTime kStart{std::chrono::seconds(1'700'000'000)};

UdpDatagram datagram(std::uint16_t seq, std::size_t size = 100) {
  Bytes payload(size, static_cast<std::uint8_t>(seq));
  payload[0] = 0x80;
  payload[1] = 0x1a;
  return UdpDatagram{{"127.0.0.1", 45000}, {"127.0.0.1", 25000}, payload};
}

Bytes read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_file(const std::filesystem::path& path, std::span<const std::uint8_t> bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// Three UDP datagrams as Ethernet frames, 10 ms apart.
std::filesystem::path three_datagrams(const testing::ScopedTempDir& dir) {
  const auto path = dir / "three.pcap";
  PcapFileWriter writer(path);
  for (std::uint16_t seq = 1; seq <= 3; ++seq) writer.write(kStart + 10ms * seq, build_udp_frame(datagram(seq), seq));
  return path;
}

TEST(PcapReader, YieldsDatagramsWithTimesAndRawRecordsWithFileOffsets) {
  testing::ScopedTempDir dir;
  const auto path = three_datagrams(dir);
  {
    PcapReader reader(path);
    EXPECT_EQ(reader.link_type(), LinkType::ethernet);
    for (std::uint16_t seq = 1; seq <= 3; ++seq) {
      const auto event = reader.next();
      ASSERT_TRUE(event);
      const auto& udp = std::get<CapturedUdp>(*event);
      EXPECT_EQ(udp.packet_index, seq);
      EXPECT_EQ(udp.time, kStart + 10ms * seq);
      EXPECT_EQ(udp.datagram, datagram(seq));
    }
    EXPECT_FALSE(reader.next());
    EXPECT_FALSE(reader.next());
    EXPECT_FALSE(reader.error());
    EXPECT_EQ(reader.stats().udp, 3U);
  }
  PcapReader raw(path);
  const std::size_t frame_bytes = 14 + 20 + 8 + 100;
  for (std::size_t i = 0; i < 3; ++i) {
    const auto record = raw.next_record();
    ASSERT_TRUE(record);
    EXPECT_EQ(record->index, i + 1);
    EXPECT_EQ(record->file_offset, 24 + i * (16 + frame_bytes));  // file header, then record headers + frames
    EXPECT_EQ(record->bytes.size(), frame_bytes);
    EXPECT_EQ(record->original_length, frame_bytes);
  }
  EXPECT_FALSE(raw.next_record());
  EXPECT_EQ(raw.packets_read(), 3U);
}

TEST(PcapReader, DecodesCookedAndRawIpLinkTypes) {
  testing::ScopedTempDir dir;
  const Bytes ip = build_ipv4_packet({.source = "127.0.0.1", .destination = "127.0.0.1", .id = 1},
                                     encode_udp(datagram(1)));
  Bytes sll2(20 + ip.size(), 0);  // SLL2 header: protocol 0x0800 first, the rest zero
  sll2[0] = 0x08;
  std::copy(ip.begin(), ip.end(), sll2.begin() + 20);
  const std::pair<LinkType, Bytes> cases[] = {{LinkType::linux_sll2, sll2}, {LinkType::raw, ip}};
  for (const auto& [type, frame] : cases) {
    const auto path = dir / ("link-" + std::to_string(static_cast<int>(type)) + ".pcap");
    {
      PcapFileWriter writer(path, type);
      writer.write(kStart, frame);
    }
    const CaptureContents contents = read_capture(path);
    EXPECT_EQ(contents.link_type, type);
    ASSERT_EQ(contents.udp.size(), 1U) << link_type_name(type);
    EXPECT_EQ(contents.udp[0].datagram, datagram(1));
  }
}

TEST(PcapReader, ReadsPcapng) {
  testing::ScopedTempDir dir;
  const auto pcap_path = three_datagrams(dir);
  const auto pcapng_path = dir / "three.pcapng";
  const auto editcap = testing::find_program("editcap");
  ASSERT_TRUE(editcap) << "editcap (installed with tshark by scripts/setup.sh) is needed to make a pcapng file";
  const auto converted = testing::run_command(editcap->string() + " -F pcapng '" + pcap_path.string() + "' '" +
                                              pcapng_path.string() + "' 2>&1");
  ASSERT_EQ(converted.exit_status, 0) << converted.output;
  const Bytes converted_bytes = read_file(pcapng_path);
  ASSERT_GE(converted_bytes.size(), 4U);
  ASSERT_EQ(Bytes(converted_bytes.begin(), converted_bytes.begin() + 4), (Bytes{0x0a, 0x0d, 0x0d, 0x0a}))
      << "not a pcapng file";

  const CaptureContents contents = read_capture(pcapng_path);
  EXPECT_FALSE(contents.error);
  ASSERT_EQ(contents.udp.size(), 3U);
  EXPECT_EQ(contents.udp[2].datagram, datagram(3));
  EXPECT_EQ(contents.udp[2].time, kStart + 30ms);
}

TEST(PcapReader, TruncatedFileEndsWithAnErrorNamingPacketAndOffset) {
  testing::ScopedTempDir dir;
  const auto path = three_datagrams(dir);
  Bytes bytes = read_file(path);
  bytes.resize(bytes.size() - 10);
  write_file(path, bytes);

  const CaptureContents contents = read_capture(path);
  EXPECT_EQ(contents.udp.size(), 2U);
  ASSERT_TRUE(contents.error);
  EXPECT_EQ(contents.error->packet_index, 3U);
  EXPECT_EQ(contents.error->file_offset, 24U + 2 * (16 + 142));
  const std::string text = contents.error->to_string(path.string());
  EXPECT_THAT(text, HasSubstr(path.string() + ": packet 3 at byte 340: "));
  EXPECT_THAT(text, HasSubstr("truncated"));
}

TEST(PcapReader, FilesThatAreNotCapturesAreRefusedAtOpen) {
  testing::ScopedTempDir dir;
  const auto path = three_datagrams(dir);
  const Bytes whole = read_file(path);

  const auto short_header = dir / "short.pcap";
  write_file(short_header, std::span<const std::uint8_t>(whole).first(10));
  try {
    PcapReader reader(short_header);
    FAIL() << "opened a 10-byte file";
  } catch (const PcapError& error) {
    EXPECT_THAT(error.what(), HasSubstr(short_header.string()));
    EXPECT_THAT(error.what(), HasSubstr("truncated"));
  }

  const auto text = dir / "text.pcap";
  write_file(text, Bytes{'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_THROW(PcapReader{text}, PcapError);
  EXPECT_THROW(PcapReader{dir / "missing.pcap"}, PcapError);
  EXPECT_THROW(PcapReader::from_bytes({}), PcapError);
}

TEST(PcapReader, UnsupportedLinkTypeIsRefusedWithItsName) {
  testing::ScopedTempDir dir;
  const auto path = dir / "wifi.pcap";
  {
    PcapFileWriter writer(path, static_cast<LinkType>(105));  // DLT_IEEE802_11
    writer.write(kStart, Bytes(40, 0));
  }
  try {
    PcapReader reader(path);
    FAIL() << "accepted an 802.11 capture";
  } catch (const PcapError& error) {
    EXPECT_THAT(error.what(), HasSubstr(path.string()));
    EXPECT_THAT(error.what(), HasSubstr("IEEE802_11 (105) is not supported"));
  }
}

TEST(PcapReader, MalformedPacketsAreIssuesAndReadingGoesOn) {
  testing::ScopedTempDir dir;
  const auto path = dir / "bad.pcap";
  {
    PcapFileWriter writer(path);
    writer.write(kStart, build_udp_frame(datagram(1), 1));
    Bytes bad_header_length = build_udp_frame(datagram(2), 2);
    bad_header_length[14] = 0x43;
    writer.write(kStart + 1ms, bad_header_length);
    // Two fragments of one datagram that overlap.
    const Ipv4FrameSpec spec{.source = "10.0.0.1", .destination = "10.0.0.2", .protocol = kIpProtocolUdp, .id = 77};
    const auto fragments = build_ipv4_fragment_frames(spec, encode_udp(datagram(3, 3000)), 1480);
    writer.write(kStart + 2ms, fragments[0]);
    Ipv4FrameSpec overlapping = spec;
    overlapping.dont_fragment = false;
    overlapping.more_fragments = true;
    overlapping.fragment_offset = 1440;
    writer.write(kStart + 3ms, build_ethernet_ipv4_frame(overlapping, Bytes(80, 0)));
    writer.write(kStart + 4ms, build_udp_frame(datagram(4), 4));
  }
  const CaptureContents contents = read_capture(path);
  EXPECT_FALSE(contents.error);
  ASSERT_EQ(contents.udp.size(), 2U);
  EXPECT_EQ(contents.udp[1].packet_index, 5U);
  ASSERT_EQ(contents.issues.size(), 2U);
  EXPECT_EQ(contents.issues[0].to_string(), "packet 2: byte 14: IPv4 header length 3 words < 5");
  EXPECT_THAT(contents.issues[1].to_string(), HasSubstr("packet 4: byte 20: "));
  EXPECT_THAT(contents.issues[1].message, HasSubstr("overlaps bytes 0..1480"));
}

TEST(PcapReader, SurvivesMutatedAndTruncatedInputs) {
  // A small deterministic fuzz run: what the fuzz target does, bounded to stay fast.
  testing::ScopedTempDir dir;
  Bytes original;
  {
    const auto path = dir / "seed.pcap";
    PcapFileWriter writer(path);
    FrameBuilder builder;
    for (std::uint16_t seq = 1; seq <= 4; ++seq) writer.write(kStart + 1ms * seq, builder.udp(datagram(seq, 200)));
    const Ipv4FrameSpec spec{.source = "10.0.0.1", .destination = "10.0.0.2", .protocol = kIpProtocolUdp, .id = 5};
    for (const auto& frame : build_ipv4_fragment_frames(spec, encode_udp(datagram(9, 300)), 128)) {
      writer.write(kStart + 10ms, frame);
    }
    writer.write(kStart + 20ms, builder.tcp(TcpSegment{.source = {"127.0.0.1", 1},
                                                       .destination = {"127.0.0.1", 2},
                                                       .payload = Bytes{'G', 'o'}}));
    writer.close();
    original = read_file(path);
  }
  std::mt19937 random(12345);
  std::size_t opened = 0;
  std::size_t events = 0;
  for (int round = 0; round < 3000; ++round) {
    Bytes input = original;
    const int flips = 1 + static_cast<int>(random() % 8);
    for (int i = 0; i < flips; ++i) {
      input[random() % input.size()] = static_cast<std::uint8_t>(random());
    }
    if (round % 3 == 0) input.resize(random() % input.size());
    try {
      PcapReader reader = PcapReader::from_bytes(input, "mutant");
      ++opened;
      while (auto event = reader.next()) ++events;
    } catch (const PcapError&) {
      // Refusing to open is fine; crashing or hanging is not.
    }
  }
  EXPECT_GT(opened, 100U);
  EXPECT_GT(events, 1000U);
}

}  // namespace
}  // namespace tpc3::pcap
