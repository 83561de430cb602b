#pragma once

// Rebuilds the byte stream of each direction of each TCP connection from captured segments: ordered by
// sequence number (32-bit wrap handled), retransmitted and overlapping bytes dropped (first copy wins),
// out-of-order data held until the hole fills. Bounded: a hole that the held data outgrows, or that is still
// open at finish(), becomes a reported gap and the stream moves on.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "pcaps/packet/capture_time.h"
#include "pcaps/packet/packet_decoder.h"
#include "pcaps/packet/packet_types.h"

namespace tpc3::pcap {

struct TcpReassemblyLimits {
  std::size_t max_connections = 4096;                    // later connections are counted, not followed
  std::size_t max_stream_bytes = 16 * 1024 * 1024;       // per direction; later bytes are counted, not kept
  std::size_t max_chunks = 65536;                        // per direction; later arrivals are not itemised
  std::size_t max_out_of_order_bytes = 4 * 1024 * 1024;  // per direction, held behind a hole
  std::size_t max_out_of_order_segments = 4096;          // per direction
};

// Bytes that never arrived: they belong at `at` in TcpStream::bytes (which does not contain them).
struct TcpGap {
  std::size_t at = 0;
  std::uint64_t missing_bytes = 0;
  std::size_t packet_index = 0;  // the packet being processed when the gap was declared
};

// A run of bytes that became part of the stream with one packet.
struct TcpChunk {
  std::size_t at = 0;  // index in TcpStream::bytes
  std::size_t length = 0;
  CaptureTime time;
  std::size_t packet_index = 0;
};

struct TcpStream {
  Endpoint sender;
  Endpoint receiver;
  Bytes bytes;
  std::vector<TcpChunk> chunks;
  std::vector<TcpGap> gaps;
  std::uint64_t retransmitted_bytes = 0;  // seen again after delivery (dropped)
  std::uint64_t bytes_not_kept = 0;       // over max_stream_bytes
  bool chunks_truncated = false;          // over max_chunks
  std::size_t segments = 0;
  bool syn_seen = false;
  bool fin_seen = false;
  bool rst_seen = false;
  std::optional<CaptureTime> fin_time;
};

struct TcpConnection {
  std::size_t index = 0;  // order of first appearance from 0, like tshark's tcp.stream
  Endpoint client;        // sender of the SYN; without a handshake, the first sender seen
  Endpoint server;
  bool handshake_seen = false;  // the client's SYN is in the capture
  std::size_t first_packet_index = 0;
  CaptureTime first_time;
  CaptureTime last_time;
  TcpStream client_to_server;
  TcpStream server_to_client;

  bool closed() const {
    return client_to_server.rst_seen || server_to_client.rst_seen ||
           (client_to_server.fin_seen && server_to_client.fin_seen);
  }
};

class TcpStreamReassembler {
 public:
  explicit TcpStreamReassembler(TcpReassemblyLimits limits = {}) : limits_(limits) {}

  void add(const CapturedTcp& segment);
  // Declares the holes still open as gaps and delivers the data held behind them. Call once at the end.
  void finish();

  const std::vector<TcpConnection>& connections() const { return connections_; }
  std::size_t connections_not_followed() const { return connections_not_followed_; }

 private:
  struct Held {
    Bytes bytes;
    CaptureTime time;
    std::size_t packet_index = 0;
  };
  struct Direction {
    bool started = false;
    std::uint32_t next_seq = 0;     // sequence number of the next expected byte
    std::int64_t next_offset = 0;   // its offset in the stream (counting gaps)
    std::map<std::int64_t, Held> held;  // out-of-order data by stream offset
    std::size_t held_bytes = 0;
  };
  struct State {
    std::optional<std::uint32_t> client_isn;
    Direction client_to_server;
    Direction server_to_client;
  };
  using Key = std::pair<Endpoint, Endpoint>;  // (lower, higher)

  std::optional<std::size_t> connection_for(const CapturedTcp& captured);
  void accept_data(TcpStream& stream, Direction& direction, std::int64_t offset, std::span<const std::uint8_t> data,
                   CaptureTime time, std::size_t packet_index);
  void deliver(TcpStream& stream, Direction& direction, std::span<const std::uint8_t> data, CaptureTime time,
               std::size_t packet_index);
  void drain(TcpStream& stream, Direction& direction);
  void declare_gap(TcpStream& stream, Direction& direction, std::size_t packet_index);

  TcpReassemblyLimits limits_;
  std::vector<TcpConnection> connections_;
  std::vector<State> states_;
  std::map<Key, std::size_t> current_;  // the latest connection on each address pair
  std::size_t connections_not_followed_ = 0;
};

}  // namespace tpc3::pcap
