#pragma once

// Writes a capture from the runner's own view of the traffic when it cannot capture live: the TCP control
// connection (handshake, data with per-direction seq/ack tracking, close or reset) and the UDP datagrams, as
// Ethernet + IPv4 frames with correct headers and checksums. Wireshark and tshark read the file like a real
// loopback capture. Thread-safe (the runner's control and datagram threads may both record).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <span>
#include <string_view>
#include <vector>

#include "pcaps/capture/pcap_file_writer.h"
#include "pcaps/packet/capture_time.h"
#include "pcaps/packet/frame_builder.h"
#include "pcaps/packet/packet_types.h"

namespace tpc3::pcap {

enum class TcpDirection { client_to_server, server_to_client };
enum class TcpSide { client, server };

using TcpConnectionId = std::size_t;

// Linux's MSS on "lo" (MTU 65,536 - 40 - 12 bytes of timestamp option); longer writes become several segments.
inline constexpr std::size_t kLoopbackMss = 65483;

class SyntheticRecorder {
 public:
  // Creates path (Ethernet link type, nanosecond timestamps). Throws PcapError.
  explicit SyntheticRecorder(const std::filesystem::path& path);

  // SYN, SYN-ACK, ACK. Initial sequence numbers are fixed per connection (deterministic output).
  TcpConnectionId tcp_open(const Endpoint& client, const Endpoint& server, CaptureTime time);
  // The bytes one side sent (PSH,ACK segments of at most kLoopbackMss bytes). Empty data writes nothing.
  // Throws std::logic_error for an unknown or closed connection.
  void tcp_data(TcpConnectionId connection, TcpDirection direction, std::span<const std::uint8_t> bytes,
                CaptureTime time);
  void tcp_data(TcpConnectionId connection, TcpDirection direction, std::string_view text, CaptureTime time);
  // Orderly close started by `closer`: FIN,ACK from it, FIN,ACK from the peer, ACK from it.
  void tcp_close(TcpConnectionId connection, TcpSide closer, CaptureTime time);
  // Abortive close: RST,ACK from `sender`.
  void tcp_reset(TcpConnectionId connection, TcpSide sender, CaptureTime time);

  // One datagram (at most 65,507 bytes: std::length_error otherwise).
  void udp(const Endpoint& from, const Endpoint& to, std::span<const std::uint8_t> payload, CaptureTime time);

  void flush() { writer_.flush(); }
  void close() { writer_.close(); }
  std::size_t packets_written() const { return writer_.packets_written(); }
  const std::filesystem::path& path() const { return writer_.path(); }

 private:
  struct Side {
    Endpoint endpoint;
    std::uint32_t next_seq = 0;
  };
  struct Connection {
    Side client;
    Side server;
    bool open = true;
  };

  Connection& open_connection(TcpConnectionId id, const char* operation);
  void send_segment(Side& from, const Side& to, std::uint8_t flags, std::span<const std::uint8_t> payload,
                    CaptureTime time);

  std::mutex mutex_;
  PcapFileWriter writer_;
  FrameBuilder builder_;
  std::vector<Connection> connections_;
};

}  // namespace tpc3::pcap
