// RunnerServer: the runner plays the TPC3 server for one client under test.
//
//   RunnerServer server(options);            // listens now (127.0.0.1, given or free port)
//   start the client with server.port() ...
//   ServedSession s = server.serve(plan);    // blocks until the session is over
//
// serve() accepts ONE control connection, reads the request (accumulating
// until the dialect parses it, it cannot parse, or the client is quiet for
// request_idle), replies the plan's SessionID or -1, waits for Go, then sends
// the plan's datagrams to (the client's TCP address, the requested UDP port)
// on an absolute schedule (one every plan.interval()), and closes the control
// connection after the last one. With a refusal plan it replies -1, sends
// nothing and watches refusal_watch for a Go that must not come.
//
// Everything is recorded in the ServedSession, also when the client misbehaves.
// Every wait has a deadline, and a hostile client cannot hang or flood it:
// client bytes beyond max_control_bytes_kept are counted, not kept; a request
// that grows past the dialect's limit is Invalid; a second connection is
// accepted, recorded and closed at once; a client that never connects, never
// sends or never says Go ends the session at its deadline. give_up (e.g. "the
// client process has exited") cuts every wait short, streaming included.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "net/socket.h"
#include "serve/injection_plan.h"
#include "serve/serve_observer.h"
#include "serve/served_session.h"

namespace tpc3::conform::client {

using Millis = std::chrono::milliseconds;

struct ServeOptions {
    std::string host = "127.0.0.1";  // where to listen (loopback)
    std::uint16_t port = 0;          // 0: a free port
    std::string label = "client run";
    std::string dialect;             // "" = detect from the client's first bytes

    Millis accept_timeout{10'000};   // for the client to connect
    Millis request_timeout{5'000};   // from the connection to a whole request
    Millis request_idle{500};        // silence that ends a request the parser still calls incomplete
    // Silence that ends a request that parses but has no newline
    // ("movie.mpeg 2500" could still get a "0"): the classic client sends no newline.
    Millis request_settle{50};
    Millis go_timeout{5'000};        // from the reply to Go
    Millis refusal_watch{1'500};     // after -1: how long to watch for a Go (ends early if the client closes)
    Millis close_watch{200};         // after the runner's FIN: how long to wait for the client's close
    // When the schedule is this far behind (a stalled machine), it restarts
    // from now instead of sending a burst.
    Millis max_lag{250};
    std::size_t max_control_bytes_kept = 64 * 1024;
    // A request that cannot be used (it does not parse, or names UDP port 0)
    // ends the session without a reply, unless this is set: then the runner
    // replies as its plan says and streams to this port (the one it gave the
    // client on its command line), so that one wrong request does not hide
    // every other check. ServedSession::unusable_request says why.
    std::optional<std::uint16_t> fallback_udp_port;

    // Wall clock for RTP timestamps (int(time) at sending) and record times.
    std::function<WallTime()> wall_clock = [] { return std::chrono::system_clock::now(); };
    // Polled at least every poll_slice while waiting and between datagrams;
    // true ends the session (ServeEnd::GaveUp). Called from serve()'s thread.
    std::function<bool()> give_up;
    Millis poll_slice{100};
};

class RunnerServer {
public:
    // Listens at once, so a client started after this can connect. Throws
    // net::NetError when it cannot listen.
    explicit RunnerServer(ServeOptions options = {});
    RunnerServer(RunnerServer&&) noexcept = default;
    RunnerServer& operator=(RunnerServer&&) noexcept = default;

    std::uint16_t port() const { return listen_.port; }
    const net::Endpoint& endpoint() const { return listen_; }
    const ServeOptions& options() const { return options_; }

    // Plays one session with `plan` and returns its record. Never throws for
    // anything the client does; socket failures end the session as
    // ServeEnd::ControlError. Call it once per RunnerServer.
    ServedSession serve(const InjectionPlan& plan, ServeObserver* observer = nullptr);

private:
    ServeOptions options_;
    net::TcpListener listener_;
    net::Endpoint listen_;
    WallTime listening_at_{};
};

}  // namespace tpc3::conform::client
