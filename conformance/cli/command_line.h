// tpc3-conform's command line: the options of every role, parsed with CLI11,
// and the role the options ask for: the server role, or the client role
// (--client-cmd, CHECKS.md "Client under test"; its options are the client
// suite's own, client_role/suite/client_cli.h).
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "checks/observations.h"
#include "client_role/suite/client_cli.h"

namespace tpc3::conform::cli {

struct CommandLine {
    // The server under test.
    std::string target_server;  // HOST:PORT of a running server
    std::string file;           // the movie it has (--file)
    bool allow_remote = false;  // a HOST that is not this machine
    std::string server_cmd;     // a command with {port}: the runner launches the server
    std::string workdir;        // the submission's directory (copied; the server runs in the copy)
    std::vector<std::string> server_env;  // KEY=VALUE added to the launched server's environment
    double start_timeout_s = 10.0;

    // The client under test (--client-cmd and the client-only options; the
    // shared ones above and below are copied into it by the client role).
    ::tpc3::conform::client::ClientRoleOptions client;

    // Movies.
    std::string movie;  // --movie FILE
    bool full = false;

    // Checks.
    std::string only;
    std::string skip;
    bool list = false;

    // Judging thresholds (PROTOCOL.md section 6).
    server::Thresholds thresholds;

    // Output.
    std::string json;
    std::string junit;
    std::string pcap;
    std::string pcap_mode = "auto";  // auto | live | synthetic
    bool verbose = false;
    std::optional<bool> colour;  // --colour / --no-colour; default: a terminal

    // The run.
    double timeout_s = 300.0;
    bool keep_workdir = false;
};

enum class Role { None, Server, Client };

// The role the options ask for; throws report::UsageError when they mix
// roles (--client-cmd with --server-cmd) or a mode's options are incomplete
// (--target-server without --file, --client-cmd without --workdir).
Role role_of(const CommandLine& cl);

// Parses argv. Returns the exit status when the program is done (help or
// version printed: 0; a usage error, printed to `err`: 2); nullopt to go on.
std::optional<int> parse_command_line(int argc, const char* const* argv, CommandLine& cl, std::ostream& out,
                                      std::ostream& err);

}  // namespace tpc3::conform::cli
