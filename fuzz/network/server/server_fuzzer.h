// The network fuzzer for servers: plays mutated control exchanges and hostile
// client behaviour (server_mutators.h) against a live server, checks after
// every case that a fresh valid session still works and, for a server it
// launched, that the process did not exit, die on a signal or print a new
// traceback; saves a reproducer (json + pcap) for each finding, restarts a
// launched server and goes on.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "core/fuzz_case.h"
#include "core/fuzz_options.h"
#include "core/fuzz_summary.h"
#include "net/socket.h"

namespace tpc3::fuzz::net {

struct ServerFuzzOptions {
    FuzzOptions common;

    // The target, one of:
    //  - a running server (--target-server HOST:PORT) and a file it serves (--file NAME);
    std::optional<tpc3::net::Endpoint> target_server;
    std::string file;
    bool allow_remote = false;  // a non-loopback HOST (otherwise refused)
    //  - a command to launch ('CMD {port}', run in a copy of `workdir` beside the
    //    runner's liveness movie, which valid sessions then request).
    std::string server_cmd;
    std::filesystem::path workdir;
    std::filesystem::path temp_base;  // empty: $TMPDIR or /tmp
};

// Runs cases (seed, first_iteration ...) until the iteration count or the
// time budget is used, or the first finding with stop_at_first. Throws
// FuzzHarnessError when the target cannot be started or fails a valid
// session before the first case.
FuzzSummary fuzz_server(const ServerFuzzOptions& options);

// Runs one case (a reproducer of role "server") and the checks after it.
// The summary holds the finding when it reproduced (nothing is written to
// out_dir). Throws FuzzHarnessError as fuzz_server, and for a case of
// another role.
FuzzSummary replay_server_case(const ServerFuzzOptions& options, const FuzzCase& c);

}  // namespace tpc3::fuzz::net
