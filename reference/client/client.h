// The reference client's logic, callable in-process: control exchange, then
// receive, check, write/show and measure the stream until it ends.
#pragma once

#include "client/movie_match.h"
#include "client/stream_stats.h"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>

namespace tpc3::client {

enum class DisplayMode {
    Auto,  // a window when an X display is available (DISPLAY set)
    On,    // a window; error (exit 2) when no display can be opened
    Off,   // headless
};

struct ClientOptions {
    std::string host = "127.0.0.1";
    std::uint16_t tcp_port = 0;
    std::uint16_t udp_port = 0;
    std::string file;
    std::optional<std::filesystem::path> out_dir;  // write accepted frames here
    DisplayMode display = DisplayMode::Auto;
    std::optional<std::string> movie;              // local copy to compare with
    std::optional<std::filesystem::path> json_path;
    double idle_timeout_s = 2.0;
    double timeout_s = 600.0;
    std::uint32_t ts_tolerance_s = 5;
    double rate = 20.0;             // nominal frames per second (for jitter)
    bool verbose = false;           // one line per dropped datagram on the error stream
    double connect_timeout_s = 5.0;
};

// Exit statuses of tpc3-client.
inline constexpr int kExitOk = 0;        // stream received (and matched the movie when asked)
inline constexpr int kExitFailed = 1;    // session refused (-1), no frame accepted, or mismatch
inline constexpr int kExitError = 2;     // usage, connection or protocol error

struct SessionReport {
    std::string server;        // "host:port"
    std::string file;
    std::uint16_t udp_port = 0;
    std::optional<std::uint32_t> session_id;
    bool refused = false;      // the server replied -1
    StreamStats stream;
    double duration_s = 0;     // from sending Go to the end of the stream
    std::string end_reason;    // why the client stopped listening
    bool server_closed_control = false;
    std::uint64_t frames_written = 0;
    std::uint64_t frames_shown = 0;
    std::optional<MovieComparison> movie;
    int exit_status = kExitError;
    std::string error;         // set when exit_status is kExitError
};

// Runs one session. Never throws for network, protocol or file trouble: the
// report carries the error and exit status 2. `stop` (set by SIGINT) ends the
// wait promptly; the statistics so far are still reported. The human summary
// goes to `out`, diagnostics to `err`; --json is written when asked.
SessionReport run_client(const ClientOptions& options, const std::atomic<bool>& stop, std::ostream& out,
                         std::ostream& err);

}  // namespace tpc3::client
