// Waiting for a started process to become ready: a TCP port that accepts, a
// listening socket, a line in its output. Every wait has a deadline and, given
// the process, gives up as soon as the process has exited.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "harness/process.h"

namespace tpc3::harness {

enum class Readiness {
    ready,           // what we waited for happened
    process_exited,  // the watched process ended first
    timed_out,       // the deadline passed
};

struct ReadinessResult {
    Readiness outcome = Readiness::timed_out;
    std::optional<ExitStatus> exit;  // set when outcome == process_exited
    Clock::duration waited{};
    std::string what;  // what was awaited, e.g. "TCP 127.0.0.1:5000 to accept a connection"

    explicit operator bool() const { return outcome == Readiness::ready; }
    // "TCP 127.0.0.1:5000 to accept a connection: ready after 0.12 s",
    // "...: the process exited with status 1 first", "...: timed out after 5.00 s".
    std::string describe() const;
};

struct LineMatch : ReadinessResult {
    std::string line;                 // the whole matching line (without '\n')
    std::vector<std::string> groups;  // groups[0] is the match, then the sub-matches
};

// Polls connect() to host:port (dotted IPv4 or a name) until one is accepted.
// Note: a probe connection is a real client to the server under test (a naive
// server may log it or choke on the empty request); wait_for_tcp_listener
// does not connect at all.
ReadinessResult wait_for_tcp_port(const std::string& host, std::uint16_t port, Deadline deadline,
                                  const Process* watch = nullptr);

// Polls /proc/net/tcp and tcp6 until some socket listens on `port` (any
// address). Never talks to the server.
ReadinessResult wait_for_tcp_listener(std::uint16_t port, Deadline deadline, const Process* watch = nullptr);

// Polls a text file (which may not exist yet) until a complete line ('\n'
// terminated) matches `pattern` (std::regex_search). Once the watched process
// has exited, a final unterminated line is tried too.
LineMatch wait_for_output_line(const std::filesystem::path& path, const std::regex& pattern, Deadline deadline,
                               const Process* watch = nullptr);
// The same on a captured output stream of `process`.
LineMatch wait_for_output_line(const Process& process, Stream stream, const std::regex& pattern,
                               Deadline deadline);

}  // namespace tpc3::harness
