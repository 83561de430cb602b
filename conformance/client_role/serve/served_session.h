// What the runner saw and did while it played the server for one client under
// test: the exact control bytes both ways with times, the request and Go as
// parsed, every datagram sent (plan index, exact bytes, scheduled and actual
// send times) and how the connection ended. Produced by RunnerServer (I/O),
// consumed by the C-* checks (pure functions), so the checks can be tested on
// hand-made records.
//
// Control chunks reuse the server role's record type: in a ControlChunk,
// Direction::ToServer is a chunk the client sent to the runner (which plays
// the server here) and Direction::FromServer one the runner sent.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "control/control_message.h"
#include "net/socket.h"
#include "session/session_record.h"

namespace tpc3::conform::client {

using WallTime = server::WallTime;
using SteadyTime = std::chrono::steady_clock::time_point;
using server::ControlChunk;
using server::Direction;

// How waiting for the request ended.
enum class RequestEnd {
    None,          // not reached (no connection)
    Complete,      // the dialect parsed a whole request
    Invalid,       // the bytes cannot become a request
    Idle,          // bytes, then silence for request_idle: taken as whole (parsed as if a newline followed)
    ClientClosed,  // the client closed or reset the connection first
    Deadline,      // request_timeout passed (nothing, or a request still incomplete)
    GaveUp,        // ServeOptions::give_up said stop
};
const char* to_string(RequestEnd e);

enum class ServeEnd {
    StreamSent,     // Go came and every datagram of the plan was sent
    Refused,        // the plan replied -1 and the watch period is over
    NoConnection,   // no client connected within accept_timeout
    BadRequest,     // no usable request (see request_end, request): no reply was sent
    NoGo,           // a SessionID was replied but no Go came (timeout, close or other bytes)
    GaveUp,         // ServeOptions::give_up said stop
    ControlError,   // a socket failed (error says how)
};
const char* to_string(ServeEnd e);

struct SentDatagram {
    std::size_t plan_index = 0;
    std::vector<std::uint8_t> bytes;  // exactly what was passed to the kernel
    SteadyTime scheduled{};           // when the schedule wanted it out
    SteadyTime sent_steady{};         // just before the send call
    WallTime sent_wall{};             // the same moment on the wall clock
    bool sent = true;                 // false: the kernel did not take it (error says why)
    // The send reported an ICMP port unreachable for an earlier datagram: the
    // client's UDP port was closed at some point before this one.
    bool port_unreachable = false;
    std::string error;
};

// A connection beyond the first one (a client that connects twice): accepted,
// recorded, closed at once.
struct ExtraConnection {
    net::Endpoint client;
    WallTime at{};
};

struct ServedSession {
    std::string label;
    net::Endpoint listen;                       // the runner's control endpoint (host, port)
    std::optional<std::uint32_t> session_id;    // what the plan replies (nullopt: -1)
    std::optional<WallTime> listening_at, connected_at, ended_at;
    std::optional<net::Endpoint> client;        // the client's end of the control connection

    std::vector<ControlChunk> control;          // every chunk both ways, in order (client bytes capped)
    std::uint64_t control_bytes_not_kept = 0;   // client bytes beyond ServeOptions::max_control_bytes_kept

    // Request (C-SETUP-01).
    std::string dialect;                        // the dialect detected from the first bytes ("tpc3")
    std::vector<std::uint8_t> request_bytes;    // the client bytes read while waiting for the request
    std::optional<control::Parsed<control::Request>> request;  // the parser's view of request_bytes
    RequestEnd request_end = RequestEnd::None;
    std::optional<WallTime> request_first_byte_at, request_at;  // request_at: when the wait ended
    // Non-empty: why the request could not be used; the session went on with
    // ServeOptions::fallback_udp_port instead of ending as BadRequest.
    std::string unusable_request;

    // Reply.
    std::vector<std::uint8_t> reply_bytes;
    std::optional<WallTime> reply_at;

    // Go (C-SETUP-02), or a Go after -1 (C-SETUP-03). go_bytes are the client
    // bytes after the request, up to the Go (or all of them in the wait/watch).
    std::vector<std::uint8_t> go_bytes;
    std::optional<control::Parsed<control::Go>> go;  // the parser's view of go_bytes
    // When the bytes that completed Go arrived; before reply_at when the
    // client sent Go without waiting for the reply.
    std::optional<WallTime> go_at;

    // Datagrams (the runner's source endpoint and the client's data endpoint).
    std::optional<net::Endpoint> stream_from, stream_to;
    std::vector<SentDatagram> sent;
    SteadyTime stream_started{};  // the schedule's origin (first datagram due)

    // End of the control connection.
    std::optional<WallTime> runner_closed_at;   // the runner's FIN
    std::optional<WallTime> client_closed_at;   // EOF or RST seen from the client
    bool client_reset = false;
    std::vector<ExtraConnection> extra_connections;

    ServeEnd end = ServeEnd::NoConnection;
    std::string error;  // detail for BadRequest, NoGo, ControlError, GaveUp

    bool go_received() const { return go_at.has_value(); }
    std::optional<control::Request> request_value() const;  // the parsed request when Complete
    // The datagram sent for plan index i (nullopt when it was not sent).
    const SentDatagram* sent_for(std::size_t plan_index) const;
};

}  // namespace tpc3::conform::client
