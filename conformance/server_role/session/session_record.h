// What the runner saw in one session it played as a client against a server
// under test: the exact control bytes both ways, every datagram that reached
// its UDP port with the kernel's receive time, and how the session ended.
// Produced by ClientSession (I/O), consumed by the analysis and the checks
// (pure functions), so the checks can be tested on hand-made records.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "control/control_message.h"
#include "net/socket.h"

namespace tpc3::conform::server {

using WallTime = std::chrono::system_clock::time_point;

enum class Direction { ToServer, FromServer };

// One send() by the runner or one recv() result from the server, in order.
struct ControlChunk {
    Direction direction = Direction::ToServer;
    std::vector<std::uint8_t> bytes;
    WallTime at{};
};

struct ReceivedPacket {
    std::size_t index = 0;           // 0-based, in arrival order, in this session
    std::vector<std::uint8_t> bytes; // the whole datagram (header + payload)
    WallTime received{};             // kernel receive time (SO_TIMESTAMPNS) when kernel_timestamp
    bool kernel_timestamp = false;
    net::Endpoint from;
    bool truncated = false;          // larger than the receive buffer
};

enum class SessionEnd {
    AllFramesAndIdle,   // expected_frames arrived, then idle_end without more
    ServerClosedIdle,   // server closed TCP, then idle_end without datagrams
    Idle,               // no datagram for the script's stall limit (stream stopped)
    Deadline,           // the overall deadline passed
    EndedBeforeGo,      // the script stopped after the reply (no Go sent)
    Vanished,           // the script closed its sockets mid-stream on purpose
    NotFound,           // the server replied -1 (the script then watched for datagrams)
    BadReply,           // the reply did not parse (or never came)
    ConnectFailed,      // TCP connect refused or timed out
    ControlError,       // the TCP connection failed during the exchange
};

const char* to_string(SessionEnd e);

struct SessionRecord {
    std::string label;                 // "main stream", "missing file", "liveness after S-ROB-01 garbage", ...
    net::Endpoint server;              // the control endpoint of the server under test
    net::Endpoint control_local;       // the runner's side of the TCP connection (zero port if none)
    std::uint16_t udp_port = 0;        // where the runner listened for datagrams
    std::string file;                  // the file name requested
    std::vector<std::uint8_t> request; // exact request bytes sent

    std::vector<ControlChunk> control; // every chunk both ways, in order
    std::optional<control::Parsed<control::Reply>> reply;  // the parser's view of the reply bytes
    std::optional<WallTime> connected_at, request_at, reply_at, go_at, ended_at;
    std::optional<WallTime> server_closed_at;  // when the runner saw EOF/RST on TCP
    bool server_reset = false;                 // RST rather than FIN

    std::vector<ReceivedPacket> packets;  // every datagram on udp_port, before and after Go
                                          // (the first ClientSession's max_packets_kept of them)
    // What a hostile server sent beyond the caps of the script: counted, not kept.
    std::uint64_t control_bytes_not_kept = 0;  // server bytes after the first max_control_bytes_kept
    std::uint64_t packets_not_kept = 0;        // datagrams after the first max_packets_kept
    SessionEnd end = SessionEnd::Deadline;
    std::string error;                    // harness-level detail for ConnectFailed/ControlError/BadReply

    // Packets that arrived before Go was sent (all of them when no Go was sent).
    std::size_t packets_before_go() const;
    std::optional<std::int64_t> session_id() const;  // the parsed reply, when Complete
};

}  // namespace tpc3::conform::server
