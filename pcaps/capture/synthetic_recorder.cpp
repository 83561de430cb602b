#include "pcaps/capture/synthetic_recorder.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace tpc3::pcap {
namespace {

// A fixed, well-mixed ISN per connection and side (splitmix64 finaliser): reproducible files, and the
// relative/absolute distinction in Wireshark is still exercised.
std::uint32_t initial_sequence_number(std::size_t connection, std::uint64_t side) {
  std::uint64_t z = (static_cast<std::uint64_t>(connection) << 1 | side) + 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return static_cast<std::uint32_t>(z ^ (z >> 31));
}

}  // namespace

SyntheticRecorder::SyntheticRecorder(const std::filesystem::path& path) : writer_(path, LinkType::ethernet) {}

SyntheticRecorder::Connection& SyntheticRecorder::open_connection(TcpConnectionId id, const char* operation) {
  if (id >= connections_.size()) {
    throw std::logic_error(std::string(operation) + ": unknown TCP connection " + std::to_string(id));
  }
  Connection& connection = connections_[id];
  if (!connection.open) {
    throw std::logic_error(std::string(operation) + ": TCP connection " + std::to_string(id) + " (" +
                           connection.client.endpoint.to_string() + " -> " + connection.server.endpoint.to_string() +
                           ") is already closed");
  }
  return connection;
}

void SyntheticRecorder::send_segment(Side& from, const Side& to, std::uint8_t flags,
                                     std::span<const std::uint8_t> payload, CaptureTime time) {
  TcpSegment segment;
  segment.source = from.endpoint;
  segment.destination = to.endpoint;
  segment.seq = from.next_seq;
  segment.ack = (flags & tcp_flag::kAck) != 0 ? to.next_seq : 0;
  segment.flags = flags;
  segment.payload.assign(payload.begin(), payload.end());
  writer_.write(time, builder_.tcp(segment));
  // SYN and FIN each take one sequence number.
  const std::uint32_t consumed = static_cast<std::uint32_t>(payload.size()) +
                                 ((flags & tcp_flag::kSyn) != 0 ? 1 : 0) + ((flags & tcp_flag::kFin) != 0 ? 1 : 0);
  from.next_seq += consumed;
}

TcpConnectionId SyntheticRecorder::tcp_open(const Endpoint& client, const Endpoint& server, CaptureTime time) {
  const std::scoped_lock lock(mutex_);
  const TcpConnectionId id = connections_.size();
  Connection connection{{client, initial_sequence_number(id, 0)}, {server, initial_sequence_number(id, 1)}, true};
  send_segment(connection.client, connection.server, tcp_flag::kSyn, {}, time);
  send_segment(connection.server, connection.client, tcp_flag::kSyn | tcp_flag::kAck, {}, time);
  send_segment(connection.client, connection.server, tcp_flag::kAck, {}, time);
  connections_.push_back(connection);
  return id;
}

void SyntheticRecorder::tcp_data(TcpConnectionId connection_id, TcpDirection direction,
                                 std::span<const std::uint8_t> bytes, CaptureTime time) {
  const std::scoped_lock lock(mutex_);
  Connection& connection = open_connection(connection_id, "tcp_data");
  const bool from_client = direction == TcpDirection::client_to_server;
  Side& from = from_client ? connection.client : connection.server;
  const Side& to = from_client ? connection.server : connection.client;
  for (std::size_t offset = 0; offset < bytes.size(); offset += kLoopbackMss) {
    const auto piece = bytes.subspan(offset, std::min(kLoopbackMss, bytes.size() - offset));
    send_segment(from, to, tcp_flag::kPsh | tcp_flag::kAck, piece, time);
  }
}

void SyntheticRecorder::tcp_data(TcpConnectionId connection, TcpDirection direction, std::string_view text,
                                 CaptureTime time) {
  tcp_data(connection, direction,
           std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()), time);
}

void SyntheticRecorder::tcp_close(TcpConnectionId connection_id, TcpSide closer, CaptureTime time) {
  const std::scoped_lock lock(mutex_);
  Connection& connection = open_connection(connection_id, "tcp_close");
  Side& first = closer == TcpSide::client ? connection.client : connection.server;
  Side& second = closer == TcpSide::client ? connection.server : connection.client;
  send_segment(first, second, tcp_flag::kFin | tcp_flag::kAck, {}, time);
  send_segment(second, first, tcp_flag::kFin | tcp_flag::kAck, {}, time);
  send_segment(first, second, tcp_flag::kAck, {}, time);
  connection.open = false;
}

void SyntheticRecorder::tcp_reset(TcpConnectionId connection_id, TcpSide sender, CaptureTime time) {
  const std::scoped_lock lock(mutex_);
  Connection& connection = open_connection(connection_id, "tcp_reset");
  Side& from = sender == TcpSide::client ? connection.client : connection.server;
  const Side& to = sender == TcpSide::client ? connection.server : connection.client;
  send_segment(from, to, tcp_flag::kRst | tcp_flag::kAck, {}, time);
  connection.open = false;
}

void SyntheticRecorder::udp(const Endpoint& from, const Endpoint& to, std::span<const std::uint8_t> payload,
                            CaptureTime time) {
  UdpDatagram datagram{from, to, Bytes(payload.begin(), payload.end())};
  const std::scoped_lock lock(mutex_);
  writer_.write(time, builder_.udp(datagram));
}

}  // namespace tpc3::pcap
