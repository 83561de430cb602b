#include "pcaps/capture/live_capture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "pcaps/reader/pcap_reader.h"
#include "pcaps/reader/tcp_stream_reassembler.h"
#include "pcaps/testing/scoped_temp_dir.h"

namespace tpc3::pcap {
namespace {

using ::testing::HasSubstr;

// Minimal RAII socket on 127.0.0.1 with a receive/accept timeout, so no wait in this test is unbounded.
class TestSocket {
 public:
  explicit TestSocket(int type) : fd_(socket(AF_INET, type | SOCK_CLOEXEC, 0)) {
    if (fd_ < 0) throw std::runtime_error("socket failed");
    const timeval timeout{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  }
  explicit TestSocket(int fd, bool) : fd_(fd) {}
  ~TestSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  TestSocket(const TestSocket&) = delete;
  TestSocket& operator=(const TestSocket&) = delete;

  static sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
  }
  std::uint16_t bind_any_port() {
    sockaddr_in address = loopback(0);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) throw std::runtime_error("bind");
    socklen_t length = sizeof address;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    return ntohs(address.sin_port);
  }
  void send_to(std::uint16_t port, const Bytes& payload) {
    const sockaddr_in address = loopback(port);
    const auto sent = sendto(fd_, payload.data(), payload.size(), 0, reinterpret_cast<const sockaddr*>(&address),
                             sizeof address);
    if (sent != static_cast<ssize_t>(payload.size())) throw std::runtime_error("sendto");
  }
  void connect_to(std::uint16_t port) {
    const sockaddr_in address = loopback(port);
    if (connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      throw std::runtime_error("connect");
    }
  }
  void send_text(const std::string& text) {
    if (send(fd_, text.data(), text.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(text.size())) {
      throw std::runtime_error("send");
    }
  }
  std::string receive(std::size_t expected) {
    std::string received;
    char buffer[70000];
    while (received.size() < expected) {
      const auto n = recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) throw std::runtime_error("recv timed out or failed");
      received.append(buffer, static_cast<std::size_t>(n));
    }
    return received;
  }
  TestSocket accept_one() {
    const int client = accept(fd_, nullptr, nullptr);
    if (client < 0) throw std::runtime_error("accept timed out or failed");
    return TestSocket(client, true);
  }
  int fd() const { return fd_; }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

Bytes rtp_packet(std::uint16_t seq, std::size_t size) {
  Bytes packet(size, static_cast<std::uint8_t>(seq));
  packet[0] = 0x80;
  packet[1] = 0x1a;
  packet[2] = static_cast<std::uint8_t>(seq >> 8);
  packet[3] = static_cast<std::uint8_t>(seq);
  return packet;
}

class LiveCaptureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const CaptureProbe probe = LiveCapture::probe("lo");
    if (!probe.available) GTEST_SKIP() << "cannot capture on lo here: " << probe.reason;
  }
  testing::ScopedTempDir dir_;
};

TEST_F(LiveCaptureTest, RecordsTheUdpAndTcpTrafficOfTheChosenPortsOnly) {
  TestSocket receiver(SOCK_DGRAM);
  const std::uint16_t data_port = receiver.bind_any_port();
  TestSocket other_receiver(SOCK_DGRAM);
  const std::uint16_t other_port = other_receiver.bind_any_port();
  TestSocket sender(SOCK_DGRAM);
  sender.bind_any_port();
  TestSocket listener(SOCK_STREAM);
  const std::uint16_t control_port = listener.bind_any_port();
  ASSERT_EQ(listen(listener.fd(), 4), 0);

  const auto path = dir_ / "live.pcap";
  const CaptureTime started = capture_now();
  LiveCapture capture(path, LiveCaptureOptions{.ports = {control_port}});

  TestSocket client(SOCK_STREAM);
  client.connect_to(control_port);
  TestSocket server = listener.accept_one();
  client.send_text("movie.mpeg " + std::to_string(data_port));
  const std::string request = server.receive(11 + std::to_string(data_port).size());
  capture.add_port(data_port);  // the runner learns the data port from the request
  server.send_text("483920");
  EXPECT_EQ(client.receive(6), "483920");
  client.send_text("Go");
  EXPECT_EQ(server.receive(2), "Go");

  const std::size_t sizes[] = {12, 1500, 20000, 60000, 300};
  for (std::uint16_t seq = 1; seq <= 5; ++seq) {
    sender.send_to(data_port, rtp_packet(seq, sizes[seq - 1]));
    EXPECT_EQ(receiver.receive(1).size(), sizes[seq - 1]);
  }
  sender.send_to(other_port, rtp_packet(99, 100));  // not a port of this run: left out
  EXPECT_EQ(other_receiver.receive(1).size(), 100U);
  client.close();  // both ends close, so the FINs are in the capture
  server.close();

  const LiveCaptureStats stats = capture.stop();
  const CaptureTime stopped = capture_now();
  EXPECT_EQ(stats.error, "");
  EXPECT_EQ(stats.dropped_by_kernel, 0U);
  EXPECT_GE(stats.ignored_other_ports, 1U);
  EXPECT_GE(stats.written, 5U + 8U);  // 5 datagrams, handshake, 3 data segments, FINs
  EXPECT_EQ(capture.stop().written, stats.written);  // idempotent

  const CaptureContents contents = read_capture(path);
  EXPECT_FALSE(contents.error);
  EXPECT_TRUE(contents.issues.empty()) << contents.issues.front().to_string();
  std::vector<UdpDatagram> datagrams;
  for (const auto& udp : contents.udp) {
    EXPECT_NE(udp.datagram.destination.port, other_port);
    EXPECT_GE(udp.time, started);
    EXPECT_LE(udp.time, stopped);
    if (udp.datagram.destination.port == data_port) datagrams.push_back(udp.datagram);
  }
  ASSERT_EQ(datagrams.size(), 5U);
  for (std::uint16_t seq = 1; seq <= 5; ++seq) {
    EXPECT_EQ(datagrams[seq - 1].payload, rtp_packet(seq, sizes[seq - 1])) << "datagram " << seq;
    EXPECT_EQ(datagrams[seq - 1].source.address, Ipv4Address("127.0.0.1"));
  }

  TcpStreamReassembler streams;
  for (const auto& segment : contents.tcp) streams.add(segment);
  streams.finish();
  const auto& connections = streams.connections();
  const auto control = std::find_if(connections.begin(), connections.end(),
                                    [&](const TcpConnection& c) { return c.server.port == control_port; });
  ASSERT_NE(control, connections.end());
  EXPECT_TRUE(control->handshake_seen);
  EXPECT_EQ(std::string(control->client_to_server.bytes.begin(), control->client_to_server.bytes.end()),
            request + "Go");
  EXPECT_EQ(std::string(control->server_to_client.bytes.begin(), control->server_to_client.bytes.end()), "483920");
  EXPECT_TRUE(control->client_to_server.fin_seen);
  EXPECT_TRUE(control->client_to_server.gaps.empty());
}

TEST_F(LiveCaptureTest, DestructorAloneLeavesAReadableFile) {
  TestSocket receiver(SOCK_DGRAM);
  const std::uint16_t port = receiver.bind_any_port();
  TestSocket sender(SOCK_DGRAM);
  const auto path = dir_ / "raii.pcap";
  {
    LiveCapture capture(path, LiveCaptureOptions{.ports = {port}});
    sender.send_to(port, rtp_packet(1, 64));
  }
  const CaptureContents contents = read_capture(path);
  ASSERT_EQ(contents.udp.size(), 1U);
  EXPECT_EQ(contents.udp[0].datagram.payload, rtp_packet(1, 64));
}

TEST_F(LiveCaptureTest, BadFilterIsReportedWithTheFilterText) {
  try {
    LiveCapture capture(dir_ / "bad.pcap", LiveCaptureOptions{.bpf_filter = "host and and"});
    FAIL() << "accepted a malformed filter";
  } catch (const PcapError& error) {
    EXPECT_THAT(error.what(), HasSubstr("bad filter \"host and and\""));
  }
}

TEST(LiveCaptureProbe, MissingInterfaceIsNotCapturableAndNamed) {
  const CaptureProbe probe = LiveCapture::probe("tpc3-no-such-if");
  EXPECT_FALSE(probe.available);
  EXPECT_THAT(probe.reason, HasSubstr("tpc3-no-such-if"));
  testing::ScopedTempDir dir;
  try {
    LiveCapture capture(dir / "x.pcap", LiveCaptureOptions{.interface = "tpc3-no-such-if"});
    FAIL() << "opened a missing interface";
  } catch (const PcapError& error) {
    EXPECT_THAT(error.what(), HasSubstr("tpc3-no-such-if"));
  }
}

}  // namespace
}  // namespace tpc3::pcap
