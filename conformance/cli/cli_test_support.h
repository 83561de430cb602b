// Running the tpc3-conform binary in tests.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "harness/process.h"

namespace tpc3::conform::cli::testing {

inline const std::string kConform = TPC3_BINARY_DIR "/conformance/cli/tpc3-conform";
inline const std::string kGoodExample = TPC3_SOURCE_DIR "/conformance/examples/good";
inline const std::string kReferenceServer = TPC3_BINARY_DIR "/reference/server/tpc3-server";
inline const std::string kGoodServerCmd = std::string(TPC3_PYTHON) + " Server.py {port}";
inline const std::string kGoodClientCmd = std::string(TPC3_PYTHON) + " Client.py {host} {tcp_port} {udp_port} {file}";

struct CliRun {
    int status = -1;
    std::string out;
    std::string err;
};

inline CliRun run_cli(std::vector<std::string> args, std::chrono::seconds timeout = std::chrono::seconds(60))
{
    args.insert(args.begin(), kConform);
    harness::ProcessOptions o = harness::command(std::move(args));
    o.label = "tpc3-conform";
    o.set_env["NO_COLOR"] = "1";
    harness::Process p(std::move(o));
    CliRun r;
    const auto exit = p.wait_for(timeout);
    if (!exit) {
        p.stop();
        r.err = "tpc3-conform did not end within the test's timeout";
        return r;
    }
    r.status = exit->is_exited() ? exit->code() : 128 + exit->signal();
    r.out = p.read_output(harness::Stream::out);
    r.err = p.read_output(harness::Stream::err);
    return r;
}

}  // namespace tpc3::conform::cli::testing
