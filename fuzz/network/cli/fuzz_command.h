// `tpc3-conform fuzz ...`: network fuzzing of a live server or client.
// conformance/cli/main.cpp hands the whole command line over when argv[1] is
// "fuzz".
#pragma once

#include <ostream>

namespace tpc3::fuzz::net {

// argv[0] is the program, argv[1] "fuzz". Returns the exit status: 0 nothing
// found (or a replay that did not reproduce), 1 a finding, 2 a usage or
// harness error. The summary goes to `out`, errors to `err`.
int run_fuzz_command(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace tpc3::fuzz::net
