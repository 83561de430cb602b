// The whole client-role suite: two client runs at once (the main run with the
// injection plan, and the refusal run that gets -1), each on its own display,
// port and fresh copy of the submission; then the C-* checks and the report.
// The CLI only parses options and writes the outputs.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "client_role/checks/observations.h"
#include "report/report.h"
#include "report/selection.h"
#include "session/connection_observer.h"

namespace tpc3::conform::client {

struct ClientSuiteOptions {
    // --client-cmd: run by /bin/sh -c with {host} {tcp_port} {udp_port} {file} replaced.
    std::string command;
    std::filesystem::path workdir;               // --workdir: copied fresh for each run
    std::map<std::string, std::string> env;      // added to the client's environment
    std::string file = "movie.mpeg";             // {file} of the main run
    std::string missing_file = "no-such-movie.mpeg";  // {file} of the refusal run (the runner replies -1)
    std::optional<std::uint32_t> session_id;     // nullopt: a random one (100000..999999)
    std::uint64_t seed = 1;                      // of the random bytes and corrupt JPEG of the plan
    ClientThresholds thresholds;
    report::Selection selection;
    // Evidence (poison screenshots, contact sheet, poison files, client output).
    // nullopt: a new directory "tpc3-client-artifacts-XXXXXX" under $TMPDIR, kept.
    std::optional<std::filesystem::path> artifacts;
    bool keep_workdir = false;
    server::ConnectionObserver* observer = nullptr;  // sees the traffic of both runs (pcap); thread-safe
    // Told each run's ports before its client starts (live capture); thread-safe.
    std::function<void(std::uint16_t tcp_port, std::uint16_t udp_port)> on_ports;
    std::chrono::milliseconds connect_timeout{10'000};
    std::chrono::milliseconds settle{600};
    std::chrono::milliseconds grace{1'000};
    std::ostream* progress = nullptr;  // one line per run as it ends (--verbose)
};

struct ClientSuiteRun {
    report::Report report;  // role client; artifacts: the evidence files (the CLI adds json, pcap...)
    ClientObservations observations;
    // The runner itself failed (not the client): exit status 2. The report
    // then holds `error` checks that say so.
    std::string harness_error;
    std::filesystem::path artifacts_dir;
    std::vector<std::filesystem::path> kept_workdirs;
    bool left_nothing = true;  // no client process nor Xvfb left by any run
};

// Throws report::UsageError, before anything starts, for what the user must
// fix: a command without its placeholders, a workdir that is not a directory.
// After that it never throws.
ClientSuiteRun run_client_suite(const ClientSuiteOptions& options);

}  // namespace tpc3::conform::client
