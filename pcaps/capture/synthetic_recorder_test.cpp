#include "pcaps/capture/synthetic_recorder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>

#include "pcaps/reader/pcap_reader.h"
#include "pcaps/reader/tcp_stream_reassembler.h"
#include "pcaps/testing/run_command.h"
#include "pcaps/testing/scoped_temp_dir.h"

namespace tpc3::pcap {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

constexpr std::uint32_t kSessionId = 483920;  // 0x00076250
const Endpoint kClientControl{"127.0.0.1", 41234};
const Endpoint kServerControl{"127.0.0.1", 5000};
const Endpoint kServerData{"127.0.0.1", 45678};
const Endpoint kClientData{"127.0.0.1", 25000};
const CaptureTime kStart{std::chrono::seconds(1'700'000'000) + 250ms};

// A 12-byte RTP header as TPC3 sends it (80 1a, seq, timestamp, SSRC) and a fake JPEG body.
Bytes rtp_packet(std::uint16_t seq, std::size_t jpeg_bytes) {
  const std::uint32_t timestamp = 1'700'000'000;
  Bytes packet = {0x80,
                  0x1a,
                  static_cast<std::uint8_t>(seq >> 8),
                  static_cast<std::uint8_t>(seq),
                  static_cast<std::uint8_t>(timestamp >> 24),
                  static_cast<std::uint8_t>(timestamp >> 16),
                  static_cast<std::uint8_t>(timestamp >> 8),
                  static_cast<std::uint8_t>(timestamp),
                  static_cast<std::uint8_t>(kSessionId >> 24),
                  static_cast<std::uint8_t>(kSessionId >> 16),
                  static_cast<std::uint8_t>(kSessionId >> 8),
                  static_cast<std::uint8_t>(kSessionId)};
  for (std::size_t i = 0; i < jpeg_bytes; ++i) packet.push_back(static_cast<std::uint8_t>(i * 31 + seq));
  return packet;
}

struct RecordedRun {
  std::vector<UdpDatagram> datagrams;
  std::vector<CaptureTime> datagram_times;
  std::string client_text;
  Bytes server_bytes;
};

// The runner's view of one session: control exchange, five datagrams (one of the largest size), a large
// server write that needs several segments, an orderly close; then a second connection that is reset.
RecordedRun record_session(SyntheticRecorder& recorder) {
  RecordedRun run;
  const auto connection = recorder.tcp_open(kClientControl, kServerControl, kStart);
  recorder.tcp_data(connection, TcpDirection::client_to_server, "movie.mpeg 25000", kStart + 1ms);
  recorder.tcp_data(connection, TcpDirection::server_to_client, "483920", kStart + 2ms);
  recorder.tcp_data(connection, TcpDirection::client_to_server, "Go", kStart + 3ms);
  run.client_text = "movie.mpeg 25000Go";
  run.server_bytes = {'4', '8', '3', '9', '2', '0'};

  const std::size_t sizes[] = {500, 8000, kMaxUdpPayloadBytes - 12, 0, 1234};
  for (std::uint16_t seq = 1; seq <= 5; ++seq) {
    UdpDatagram datagram{kServerData, kClientData, rtp_packet(seq, sizes[seq - 1])};
    const CaptureTime time = kStart + 50ms * seq;
    recorder.udp(datagram.source, datagram.destination, datagram.payload, time);
    run.datagrams.push_back(std::move(datagram));
    run.datagram_times.push_back(time);
  }
  Bytes large(150'000);
  // Text, as a control channel carries; binary bytes 00 01 02... would look like GSM IPA to Wireshark.
  for (std::size_t i = 0; i < large.size(); ++i) large[i] = static_cast<std::uint8_t>('a' + i % 26);
  recorder.tcp_data(connection, TcpDirection::server_to_client, large, kStart + 400ms);
  run.server_bytes.insert(run.server_bytes.end(), large.begin(), large.end());
  recorder.tcp_close(connection, TcpSide::server, kStart + 500ms);

  const auto refused = recorder.tcp_open({"127.0.0.1", 41235}, kServerControl, kStart + 600ms);
  recorder.tcp_data(refused, TcpDirection::client_to_server, "missing.mpeg 25002", kStart + 601ms);
  recorder.tcp_reset(refused, TcpSide::server, kStart + 602ms);
  return run;
}

TEST(SyntheticRecorder, PcapReaderGetsBackTheSameDatagramsAndStreams) {
  testing::ScopedTempDir dir;
  const auto path = dir / "run.pcap";
  RecordedRun run;
  {
    SyntheticRecorder recorder(path);
    run = record_session(recorder);
    // 3 handshake + 3 control + 5 UDP + 3 large (150,006 bytes / 65,483) + 3 close, then 3 + 1 + 1.
    EXPECT_EQ(recorder.packets_written(), 3U + 3U + 5U + 3U + 3U + 5U);
  }

  const CaptureContents contents = read_capture(path);
  EXPECT_FALSE(contents.error) << contents.error->to_string(path.string());
  EXPECT_TRUE(contents.issues.empty()) << contents.issues.front().to_string();
  EXPECT_EQ(contents.link_type, LinkType::ethernet);
  ASSERT_EQ(contents.udp.size(), run.datagrams.size());
  for (std::size_t i = 0; i < run.datagrams.size(); ++i) {
    EXPECT_EQ(contents.udp[i].datagram, run.datagrams[i]) << "datagram " << i;
    EXPECT_EQ(contents.udp[i].time, run.datagram_times[i]);
    EXPECT_EQ(contents.udp[i].checksum, ChecksumStatus::valid);
    EXPECT_TRUE(contents.udp[i].ip.dont_fragment);
  }
  std::uint16_t previous_id = 0;
  for (const auto& tcp : contents.tcp) {
    EXPECT_EQ(tcp.checksum, ChecksumStatus::valid) << "packet " << tcp.packet_index;
    EXPECT_NE(tcp.ip.id, previous_id);
    previous_id = tcp.ip.id;
  }
  EXPECT_EQ(contents.stats.bad_ip_checksums, 0U);

  TcpStreamReassembler streams;
  for (const auto& segment : contents.tcp) streams.add(segment);
  streams.finish();
  ASSERT_EQ(streams.connections().size(), 2U);

  const TcpConnection& control = streams.connections()[0];
  EXPECT_EQ(control.client, kClientControl);
  EXPECT_EQ(control.server, kServerControl);
  EXPECT_TRUE(control.handshake_seen);
  EXPECT_EQ(std::string(control.client_to_server.bytes.begin(), control.client_to_server.bytes.end()),
            run.client_text);
  EXPECT_EQ(control.server_to_client.bytes, run.server_bytes);
  EXPECT_TRUE(control.client_to_server.gaps.empty());
  EXPECT_TRUE(control.server_to_client.gaps.empty());
  EXPECT_EQ(control.client_to_server.retransmitted_bytes, 0U);
  EXPECT_TRUE(control.closed());
  EXPECT_EQ(control.server_to_client.fin_time, kStart + 500ms);
  ASSERT_EQ(control.client_to_server.chunks.size(), 2U);
  EXPECT_EQ(control.client_to_server.chunks[1].at, 16U);
  EXPECT_EQ(control.client_to_server.chunks[1].time, kStart + 3ms);

  const TcpConnection& refused = streams.connections()[1];
  EXPECT_EQ(refused.client.port, 41235);
  EXPECT_TRUE(refused.server_to_client.rst_seen);
  EXPECT_TRUE(refused.closed());
  EXPECT_EQ(std::string(refused.client_to_server.bytes.begin(), refused.client_to_server.bytes.end()),
            "missing.mpeg 25002");
}

TEST(SyntheticRecorder, RefusesMisuse) {
  testing::ScopedTempDir dir;
  SyntheticRecorder recorder(dir / "misuse.pcap");
  EXPECT_THROW(recorder.tcp_data(7, TcpDirection::client_to_server, "x", kStart), std::logic_error);
  const auto connection = recorder.tcp_open(kClientControl, kServerControl, kStart);
  recorder.tcp_close(connection, TcpSide::client, kStart);
  try {
    recorder.tcp_data(connection, TcpDirection::server_to_client, "late", kStart);
    FAIL() << "data on a closed connection was accepted";
  } catch (const std::logic_error& error) {
    EXPECT_THAT(error.what(), HasSubstr("127.0.0.1:41234 -> 127.0.0.1:5000"));
  }
  EXPECT_THROW(recorder.tcp_reset(connection, TcpSide::server, kStart), std::logic_error);
  EXPECT_THROW(recorder.udp(kServerData, kClientData, Bytes(kMaxUdpPayloadBytes + 1, 0), kStart), std::length_error);
}

// tshark is installed by scripts/setup.sh: its absence is a failure of the machine set-up, not a reason to skip.
class TsharkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto found = testing::find_program("tshark");
    ASSERT_TRUE(found) << "tshark is not installed (scripts/setup.sh installs it); it validates the pcap files";
    tshark_ = found->string();
    SyntheticRecorder recorder(path_);
    run_ = record_session(recorder);
  }

  testing::CommandResult tshark(const std::string& arguments) {
    return testing::run_command(tshark_ + " -r '" + path_.string() + "' " + arguments + " 2>/dev/null");
  }

  std::string tshark_;
  testing::ScopedTempDir dir_;
  std::filesystem::path path_ = dir_ / "run.pcap";
  RecordedRun run_;
};

TEST_F(TsharkTest, DecodesTheRtpHeadersWeWrote) {
  const auto result = tshark("-d udp.port==25000,rtp -Y rtp -T fields -e rtp.seq -e rtp.p_type -e rtp.ssrc "
                             "-e rtp.version -e rtp.timestamp -e udp.length");
  ASSERT_EQ(result.exit_status, 0) << result.output;
  std::ostringstream expected;
  for (std::uint16_t seq = 1; seq <= 5; ++seq) {
    expected << seq << "\t26\t0x00076250\t2\t1700000000\t" << (8 + run_.datagrams[seq - 1].payload.size()) << "\n";
  }
  EXPECT_EQ(result.output, expected.str());
}

TEST_F(TsharkTest, FindsEveryChecksumGoodAndNothingMalformed) {
  const auto result = tshark("-o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -o tcp.check_checksum:TRUE "
                             "-T fields -e frame.number -e ip.checksum.status -e udp.checksum.status "
                             "-e tcp.checksum.status");
  ASSERT_EQ(result.exit_status, 0) << result.output;
  std::istringstream lines(result.output);
  std::string line;
  int frames = 0;
  while (std::getline(lines, line)) {
    ++frames;
    std::istringstream fields(line);
    std::string number;
    std::string ip_status;
    std::string transport_status;
    fields >> number >> ip_status >> transport_status;
    EXPECT_EQ(ip_status, "1") << "IPv4 checksum of frame " << line;
    EXPECT_EQ(transport_status, "1") << "UDP/TCP checksum of frame " << line;
  }
  EXPECT_EQ(frames, 22);

  const auto expert = tshark("-q -z expert,warn");
  ASSERT_EQ(expert.exit_status, 0) << expert.output;
  EXPECT_THAT(expert.output, Not(HasSubstr("Malformed")));
  EXPECT_THAT(expert.output, Not(HasSubstr("Errors (")));
  EXPECT_THAT(expert.output, Not(HasSubstr("checksum")));
}

TEST_F(TsharkTest, FollowsTheControlExchange) {
  const auto result = tshark("-q -z follow,tcp,ascii,0");
  ASSERT_EQ(result.exit_status, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("Node 0: 127.0.0.1:41234"));
  EXPECT_THAT(result.output, HasSubstr("16\nmovie.mpeg 25000\n\t6\n483920\n2\nGo\n"));

  const auto refused = tshark("-q -z follow,tcp,ascii,1");
  EXPECT_THAT(refused.output, HasSubstr("missing.mpeg 25002"));
}

}  // namespace
}  // namespace tpc3::pcap
