// tpc3-conform in the server role (the runner plays the client): the
// command line turned into the suite's options, the run, and its outputs
// (console, --json, --junit, --pcap), written whatever the run's outcome.
#pragma once

#include <ostream>

#include "cli/command_line.h"
#include "suite/server_suite.h"

namespace tpc3::conform::cli {

// Throws report::UsageError for a bad HOST:PORT, --server-env entry,
// --only/--skip pattern.
server::ServerSuiteOptions server_suite_options(const CommandLine& cl);

// The exit status of CHECKS.md: 0, 1, or 2 (usage error, or the runner failed).
int run_server_role(const CommandLine& cl, std::ostream& out, std::ostream& err);

}  // namespace tpc3::conform::cli
