// The client role of tpc3-conform on the command line:
//   tpc3-conform --client-cmd 'python3 Client.py {host} {tcp_port} {udp_port} {file}' --workdir DIR
//                [--json FILE] [--junit FILE] [--pcap FILE] [--artifacts DIR] [--only IDS] [--skip IDS] ...
// The tpc3-conform executable (conformance/cli) owns the command line; it
// adds the client options with add_client_role_options() and, when
// --client-cmd is given, calls run_client_role(). client_role_main() parses a
// whole command line of the client role by itself (tests, and any front end
// that wants only this role).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "client_role/suite/client_suite.h"
#include "session/connection_observer.h"

namespace CLI {
class App;
}

namespace tpc3::conform::client {

struct ClientRoleOptions {
    // Client-only options.
    std::string client_cmd;                   // --client-cmd
    std::filesystem::path workdir;            // --workdir
    std::vector<std::string> client_env;      // --client-env NAME=VALUE (repeatable)
    std::optional<std::filesystem::path> artifacts;  // --artifacts DIR (default: next to --json, else a kept temp dir)
    double min_played_ratio = 0.90;           // --min-played
    double refusal_exit_s = 4.0;              // --refusal-exit
    std::optional<std::uint32_t> session_id;  // --session-id (default: random)
    std::uint64_t seed = 1;                   // --seed
    bool keep_workdir = false;                // --keep-workdir

    // Options every role shares (the CLI fills them from its own parse).
    std::optional<std::filesystem::path> json;   // --json FILE ("-": stdout)
    std::optional<std::filesystem::path> junit;  // --junit FILE
    std::optional<std::filesystem::path> pcap;   // --pcap FILE
    std::string only, skip;                      // --only / --skip glob lists
    bool verbose = false;
    std::optional<bool> colour;                  // nullopt: colour when stdout is a terminal

    // A CLI with its own pcap writer sets these instead of `pcap` (then it
    // adds the pcap artifact itself): the traffic observer, and each run's
    // ports before its client starts. Both thread-safe.
    server::ConnectionObserver* observer = nullptr;
    std::function<void(std::uint16_t tcp_port, std::uint16_t udp_port)> on_ports;
};

// Adds the client-only options above to `app`, bound to `options`
// (--client-cmd, --client-env, --artifacts, --min-played, --refusal-exit,
// --session-id, --seed). With `with_shared`, also --workdir and
// --keep-workdir; a CLI that already has those (the server role's) passes
// false and copies their values into `options`.
void add_client_role_options(CLI::App& app, ClientRoleOptions& options, bool with_shared = true);

// The suite's options for `options` (not its pcap: observer and on_ports are
// copied as given); progress lines (--verbose) go to `progress`. Throws
// report::UsageError for a bad --client-env entry or --only/--skip list.
// For a CLI that writes the outputs itself: run_client_suite(), then the
// report's json/junit/pcap artifacts and the files.
ClientSuiteOptions client_suite_options(const ClientRoleOptions& options, std::ostream& progress);

// Runs the client role and writes the outputs: console table on `out`,
// problems on `err`. Returns the exit status: 0 every required check passed,
// 1 one failed or errored, 2 usage or harness error.
int run_client_role(const ClientRoleOptions& options, std::ostream& out, std::ostream& err);

// Parses a whole client-role command line (client options plus --json,
// --junit, --pcap, --only, --skip, --verbose, --no-color) and runs it.
int client_role_main(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace tpc3::conform::client
