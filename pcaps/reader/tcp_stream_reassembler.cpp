#include "pcaps/reader/tcp_stream_reassembler.h"

#include <algorithm>

namespace tpc3::pcap {

std::optional<std::size_t> TcpStreamReassembler::connection_for(const CapturedTcp& captured) {
  const TcpSegment& s = captured.segment;
  const Key key = s.source < s.destination ? Key{s.source, s.destination} : Key{s.destination, s.source};
  const bool opening_syn = s.has(tcp_flag::kSyn) && !s.has(tcp_flag::kAck);
  if (const auto it = current_.find(key); it != current_.end()) {
    const State& state = states_[it->second];
    // A new SYN on a known address pair is a new connection (port reuse) unless it retransmits the first.
    const bool retransmitted_syn = state.client_isn && *state.client_isn == s.seq;
    if (!opening_syn || retransmitted_syn) return it->second;
  }
  if (connections_.size() >= limits_.max_connections) {
    ++connections_not_followed_;
    return std::nullopt;
  }
  TcpConnection connection;
  connection.index = connections_.size();
  const bool from_server = s.has(tcp_flag::kSyn) && s.has(tcp_flag::kAck);
  connection.client = from_server ? s.destination : s.source;
  connection.server = from_server ? s.source : s.destination;
  connection.first_packet_index = captured.packet_index;
  connection.first_time = captured.time;
  connection.last_time = captured.time;
  connection.client_to_server.sender = connection.client;
  connection.client_to_server.receiver = connection.server;
  connection.server_to_client.sender = connection.server;
  connection.server_to_client.receiver = connection.client;
  connections_.push_back(std::move(connection));
  states_.emplace_back();
  current_[key] = connections_.size() - 1;
  return connections_.size() - 1;
}

void TcpStreamReassembler::add(const CapturedTcp& captured) {
  const auto index = connection_for(captured);
  if (!index) return;
  TcpConnection& connection = connections_[*index];
  State& state = states_[*index];
  const TcpSegment& s = captured.segment;
  const bool from_client = s.source == connection.client;
  TcpStream& stream = from_client ? connection.client_to_server : connection.server_to_client;
  Direction& direction = from_client ? state.client_to_server : state.server_to_client;

  ++stream.segments;
  connection.last_time = std::max(connection.last_time, captured.time);
  const bool syn = s.has(tcp_flag::kSyn);
  if (syn) {
    stream.syn_seen = true;
    if (from_client && !s.has(tcp_flag::kAck)) {
      connection.handshake_seen = true;
      state.client_isn = s.seq;
    }
    if (!direction.started) {
      direction.started = true;
      direction.next_seq = s.seq + 1;  // the SYN takes one sequence number
    }
  }
  const std::uint32_t data_seq = s.seq + (syn ? 1U : 0U);
  const bool fin = s.has(tcp_flag::kFin);
  if (!direction.started && (!s.payload.empty() || fin)) {
    // No SYN in the capture: the stream starts with the first byte we see.
    direction.started = true;
    direction.next_seq = data_seq;
  }
  if (!s.payload.empty()) {
    // Relative to the next expected byte; the signed 32-bit difference handles sequence number wrap-around.
    const auto delta = static_cast<std::int32_t>(data_seq - direction.next_seq);
    accept_data(stream, direction, direction.next_offset + delta, s.payload, captured.time, captured.packet_index);
  }
  if (fin && !stream.fin_seen) {
    stream.fin_seen = true;
    stream.fin_time = captured.time;
  }
  if (s.has(tcp_flag::kRst)) stream.rst_seen = true;
}

void TcpStreamReassembler::accept_data(TcpStream& stream, Direction& direction, std::int64_t offset,
                                       std::span<const std::uint8_t> data, CaptureTime time,
                                       std::size_t packet_index) {
  const auto end = offset + static_cast<std::int64_t>(data.size());
  if (end <= direction.next_offset) {
    stream.retransmitted_bytes += data.size();
    return;
  }
  if (offset < direction.next_offset) {
    const auto already = static_cast<std::size_t>(direction.next_offset - offset);
    stream.retransmitted_bytes += already;
    data = data.subspan(already);
    offset = direction.next_offset;
  }
  if (offset == direction.next_offset) {
    deliver(stream, direction, data, time, packet_index);
    drain(stream, direction);
    return;
  }
  auto [it, inserted] = direction.held.try_emplace(offset);
  if (!inserted) {
    if (it->second.bytes.size() >= data.size()) {
      stream.retransmitted_bytes += data.size();
      return;
    }
    stream.retransmitted_bytes += it->second.bytes.size();
    direction.held_bytes -= it->second.bytes.size();
  }
  it->second = Held{Bytes(data.begin(), data.end()), time, packet_index};
  direction.held_bytes += data.size();
  while (direction.held_bytes > limits_.max_out_of_order_bytes ||
         direction.held.size() > limits_.max_out_of_order_segments) {
    declare_gap(stream, direction, packet_index);
    drain(stream, direction);
  }
}

void TcpStreamReassembler::deliver(TcpStream& stream, Direction& direction, std::span<const std::uint8_t> data,
                                   CaptureTime time, std::size_t packet_index) {
  const std::size_t room = limits_.max_stream_bytes - std::min(limits_.max_stream_bytes, stream.bytes.size());
  const std::size_t kept = std::min(room, data.size());
  if (kept > 0) {
    if (stream.chunks.size() < limits_.max_chunks) {
      stream.chunks.push_back(TcpChunk{stream.bytes.size(), kept, time, packet_index});
    } else {
      stream.chunks_truncated = true;
    }
    stream.bytes.insert(stream.bytes.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(kept));
  }
  stream.bytes_not_kept += data.size() - kept;
  direction.next_offset += static_cast<std::int64_t>(data.size());
  direction.next_seq += static_cast<std::uint32_t>(data.size());
}

void TcpStreamReassembler::drain(TcpStream& stream, Direction& direction) {
  // Held data joins the stream once the hole before it is filled; its chunk keeps the time it was captured.
  while (!direction.held.empty() && direction.held.begin()->first <= direction.next_offset) {
    auto node = direction.held.extract(direction.held.begin());
    const std::int64_t offset = node.key();
    Held& held = node.mapped();
    direction.held_bytes -= held.bytes.size();
    const auto end = offset + static_cast<std::int64_t>(held.bytes.size());
    if (end <= direction.next_offset) {
      stream.retransmitted_bytes += held.bytes.size();
      continue;
    }
    const auto already = static_cast<std::size_t>(direction.next_offset - offset);
    stream.retransmitted_bytes += already;
    deliver(stream, direction, std::span<const std::uint8_t>(held.bytes).subspan(already), held.time,
            held.packet_index);
  }
}

void TcpStreamReassembler::declare_gap(TcpStream& stream, Direction& direction, std::size_t packet_index) {
  if (direction.held.empty()) return;
  const std::int64_t resume_at = direction.held.begin()->first;
  const auto missing = static_cast<std::uint64_t>(resume_at - direction.next_offset);
  stream.gaps.push_back(TcpGap{stream.bytes.size(), missing, packet_index});
  direction.next_offset = resume_at;
  direction.next_seq += static_cast<std::uint32_t>(missing);
}

void TcpStreamReassembler::finish() {
  for (std::size_t i = 0; i < connections_.size(); ++i) {
    for (const bool client_side : {true, false}) {
      TcpStream& stream = client_side ? connections_[i].client_to_server : connections_[i].server_to_client;
      Direction& direction = client_side ? states_[i].client_to_server : states_[i].server_to_client;
      while (!direction.held.empty()) {
        declare_gap(stream, direction, direction.held.begin()->second.packet_index);
        drain(stream, direction);
      }
    }
  }
}

}  // namespace tpc3::pcap
