// The whole server-role suite: make the runner's movies, set up the target
// (a server already running, or one the runner launches), run the plan
// (server_plan.h), judge, and build the report. The CLI only parses options
// and writes the outputs.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "checks/observations.h"
#include "net/socket.h"
#include "report/report.h"
#include "report/selection.h"
#include "session/connection_observer.h"

namespace tpc3::conform::server {

// --target-server HOST:PORT --file NAME
struct RemoteSpec {
    net::Endpoint endpoint;     // as given (a name is resolved)
    std::string file;           // the movie the server has
    bool allow_remote = false;  // a host that is not loopback
};

// --server-cmd 'python3 Server.py {port}' --workdir DIR
struct LaunchSpec {
    std::string command;  // run by /bin/sh -c with {port} replaced
    std::filesystem::path workdir;
    std::map<std::string, std::string> env;  // added to the server's environment
    std::chrono::milliseconds start_timeout{10000};
};

struct ServerSuiteOptions {
    std::variant<RemoteSpec, LaunchSpec> target;
    std::optional<std::filesystem::path> movie;  // --movie: launched: replaces the default; remote: the local copy
    bool full = false;                           // --full (launched only)
    report::Selection selection;
    Thresholds thresholds;
    std::chrono::milliseconds timeout{std::chrono::minutes(5)};  // the whole run
    std::size_t max_lanes = 6;
    bool keep_workdir = false;
    ConnectionObserver* observer = nullptr;  // sees every session (pcap, --verbose); thread-safe
    // Told the server's control endpoint before any session and after each
    // restart (a live capture adds the port).
    std::function<void(const net::Endpoint&)> on_server_endpoint;
    std::ostream* progress = nullptr;  // plan and server events as they happen (--verbose)
};

struct ServerSuiteRun {
    report::Report report;       // artifacts empty: the CLI adds the files it wrote
    Observations observations;
    // The runner itself failed (not the server): exit status 2. The report
    // then holds `error` checks that say so.
    std::string harness_error;
    std::optional<std::filesystem::path> kept_workdir;  // --keep-workdir
};

// Throws report::UsageError, before anything starts, for what the user must
// fix: an unreadable or malformed --movie, a command without {port}, a
// missing workdir, a target that does not resolve or is not allowed, --full
// with a remote target. After that it never throws: a harness failure
// becomes ServerSuiteRun::harness_error and `error` checks.
ServerSuiteRun run_server_suite(const ServerSuiteOptions& options);

}  // namespace tpc3::conform::server
