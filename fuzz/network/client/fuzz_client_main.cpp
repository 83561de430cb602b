// tpc3-fuzz-client: the client fuzzer on its own (the same engine as
// `tpc3-conform fuzz --client-cmd`), for manual runs and measurements.
#include <chrono>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>

#include "client/client_fuzzer.h"

int main(int argc, char** argv)
{
    using namespace tpc3::fuzz::net;
    CLI::App app{"Fuzz a TPC3 client: mutated datagrams and control replies, a liveness check after every case."};
    ClientFuzzOptions o;
    std::uint64_t iterations = 0;
    double time_s = 0;
    std::string replay, json_path, workdir, out_dir = o.fuzz.out_dir.string();
    bool verbose = false;
    app.add_option("--client-cmd", o.client_cmd, "client command: '... {host} {tcp_port} {udp_port} {file}'")->required();
    app.add_option("--workdir", workdir, "the submission's directory (copied fresh for every launch)");
    app.add_option("--file", o.file, "the {file} argument")->capture_default_str();
    app.add_option("--iterations", iterations, "number of cases");
    app.add_option("--time", time_s, "time budget in seconds");
    app.add_option("--seed", o.fuzz.seed, "seed")->capture_default_str();
    app.add_option("--out", out_dir, "where reproducers go")->capture_default_str();
    app.add_option("--max-batch", o.max_batch, "datagram cases per client launch")->capture_default_str();
    app.add_flag("--stop-at-first", o.fuzz.stop_at_first, "stop at the first finding");
    app.add_flag_callback("--no-confirm", [&o] { o.confirm = false; }, "save findings without replaying them");
    app.add_option("--replay", replay, "run one reproducer (case-N.json)");
    app.add_option("--json", json_path, "write the summary as JSON");
    app.add_flag("-v,--verbose", verbose, "one line per case");
    CLI11_PARSE(app, argc, argv);
    if (iterations > 0) o.fuzz.iterations = iterations;
    if (time_s > 0) o.fuzz.time_budget = std::chrono::milliseconds(static_cast<long long>(time_s * 1000));
    o.workdir = workdir;
    o.fuzz.out_dir = out_dir;
    if (verbose) o.fuzz.verbose = &std::cerr;
    try {
        const FuzzSummary s = replay.empty() ? fuzz_client(o) : replay_client_case(o, load_case(replay));
        std::cout << to_text(s) << "\n";
        if (!json_path.empty()) write_json_file(to_json(s), json_path);
        return exit_code_for(s);
    } catch (const std::exception& e) {
        std::cerr << "tpc3-fuzz-client: " << e.what() << "\n";
        return kExitUsageOrHarness;
    }
}
