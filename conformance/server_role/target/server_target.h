// The server under test, as the suite sees it: where to connect, whether the
// runner launched it (and so can watch, restart and stop the process), and
// what happened to that process.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "net/socket.h"
#include "target/process_report.h"

namespace tpc3::conform::server {

// The target cannot be used at all (a refused address, an unusable workdir,
// a command without {port}). The message says why in the user's terms.
class TargetError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The result of starting (or restarting) a launched server.
struct StartOutcome {
    bool started = false;
    std::string problem;  // why not: "TCP port 41234 did not accept within 10.0 s", "the process exited first"
    std::optional<ServerProcessReport> process;  // when it ended before it was ready: the evidence
    std::chrono::steady_clock::duration took{};
    explicit operator bool() const { return started; }
    // problem, plus the process summary when there is one.
    std::string describe() const;
};

class ServerTarget {
public:
    virtual ~ServerTarget() = default;

    // Where sessions connect (changes after a restart of a launched server).
    virtual net::Endpoint endpoint() const = 0;
    // For the report's "target": "127.0.0.1:5000" or the command line.
    virtual std::string describe() const = 0;
    virtual bool launched() const = 0;
    // Launched: the process runs. Remote: true (liveness is known only by sessions).
    virtual bool alive() const = 0;

    // Launched: the process now, with stderr findings counted from
    // `stderr_from` (a stderr_mark() taken earlier; 0 = all of it). Remote: nullopt.
    virtual std::optional<ServerProcessReport> process_report(std::uint64_t stderr_from = 0) const = 0;
    // The current length of the process's stderr (0 when not launched), to
    // attribute a later traceback to what happened after the mark.
    virtual std::uint64_t stderr_mark() const = 0;

    // Launched: stop the process (if it still runs) and start it again on a
    // new port. Remote: fails with "a remote server cannot be restarted".
    virtual StartOutcome restart() = 0;
    // Launched: stop the process and all its children. Remote: nothing.
    virtual void stop() = 0;
};

}  // namespace tpc3::conform::server
