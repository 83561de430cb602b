// tpc3-conform in the client role (the runner plays the server): the command
// line turned into the client suite's options, the run, and its outputs
// (console, --json, --junit, --pcap), written whatever the run's outcome.
#pragma once

#include <ostream>

#include "cli/command_line.h"

namespace tpc3::conform::cli {

// The exit status of CHECKS.md: 0, 1, or 2 (the runner failed, or a report
// could not be written). Throws report::UsageError for what the user must fix
// (a command without its placeholders, a bad --client-env, --only/--skip).
int run_client_role(const CommandLine& cl, std::ostream& out, std::ostream& err);

}  // namespace tpc3::conform::cli
