// One launch of the client under test, with the runner playing its server:
// a fresh copy of the submission in a private temp dir (TMPDIR inside), the
// client command template ('{host} {tcp_port} {udp_port} {file}') started
// under /bin/sh in its own process group on a given X display, a TCP listener
// on 127.0.0.1 for its control connection and a UDP socket to send it
// datagrams. The destructor stops the client (SIGTERM, SIGKILL after the
// grace, the whole family) and removes the temp dir. Everything that goes
// over the wire is added to a WireTrace.
//
// Liveness (check()): the process has not exited; no new Python traceback on
// its stdout/stderr; and, when the stream is going, it still reads: its UDP
// port is still bound (/proc/net/udp) and the receive queue empties within
// the drain deadline, and it has not closed its control connection.
//
// Use from one thread (the client dies with the thread that started it).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "client/wire_trace.h"
#include "core/finding.h"
#include "harness/process.h"

namespace tpc3::fuzz::net {

using Millis = std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

struct LaunchSettings {
    std::string command;  // the template: {host} {tcp_port} {udp_port} {file}
    std::filesystem::path workdir;  // copied fresh for each launch; empty: an empty directory
    std::string file = "movie.mpeg";
    std::map<std::string, std::string> env;
    Millis connect_timeout{10'000};  // for the client to connect
    Millis request_timeout{5'000};   // from the connection to a whole request
    Millis request_idle{300};        // silence that ends a request the parser still calls incomplete
    Millis go_timeout{5'000};
    Millis drain_deadline{1'500};    // the UDP receive queue must empty within this
    Millis settle{30};               // after the queue emptied: time for a crash to show
    Millis grace{1'000};             // SIGTERM -> SIGKILL
    std::filesystem::path temp_base; // where each launch's temp dir goes; empty: harness::TempDir::default_base()
};

// The runner could not run the client at all (spawn failed, no port).
class LaunchError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// What a liveness check saw; no kind = alive and well.
struct Health {
    std::optional<Finding::Kind> kind;
    std::string evidence;
    bool ok() const { return !kind.has_value(); }
    static Health fine() { return {}; }
    static Health bad(Finding::Kind k, std::string e) { return {k, std::move(e)}; }
};

// How strict a check is.
enum class Expect {
    Playing,       // the stream is going: alive, reading, control connection open
    GivenUp,       // the runner gave the client something it may refuse: only a crash or traceback counts
};

class ClientLaunch {
public:
    // Starts listening and the client. Throws LaunchError.
    ClientLaunch(const LaunchSettings& settings, const std::string& display, WireTrace& trace);
    ~ClientLaunch();
    ClientLaunch(const ClientLaunch&) = delete;
    ClientLaunch& operator=(const ClientLaunch&) = delete;

    std::uint16_t tcp_port() const;
    std::string command_line() const;

    // Accepts the control connection and reads the request. Empty on
    // success, else why not (the client exited, never connected, ...).
    std::string accept_request();
    // Where datagrams go: the UDP port of the request (the command-line one
    // when the request had none usable).
    std::uint16_t udp_port() const;
    const std::string& dialect() const;

    // Reply a SessionID in the client's dialect and wait for Go. Empty on success.
    std::string reply_and_wait_go(std::uint32_t session_id);

    // Steps (see client_executor.h).
    bool send_control(const std::vector<std::uint8_t>& bytes);
    void close_control();
    void reset_control();
    void shutdown_control();
    // Reads the control connection until Go parses or `wait` passes.
    void wait_for_go(Millis wait);
    // Stamps the timestamp offset (client_datagrams.h) and sends. False when
    // the kernel refused it (the client's port is closed).
    bool send_datagram(const std::vector<std::uint8_t>& stored);

    Health check(Expect expect);
    // True when the client has exited (or been killed).
    bool exited() const;

    // The tail of the client's output (stderr then stdout), for evidence.
    std::string output_tail(std::size_t max_bytes = 1500) const;

private:
    struct State;
    std::unique_ptr<State> s_;
};

// Live sockets bound to UDP `port` on any local address (/proc/net/udp and
// udp6): their summed receive queue in bytes; nullopt when none is bound.
std::optional<std::uint64_t> udp_receive_queue(std::uint16_t port);

}  // namespace tpc3::fuzz::net
