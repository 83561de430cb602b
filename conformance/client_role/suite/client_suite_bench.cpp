// Bench (not in CTest): wall time of the whole client suite against the
// Python example client (goal: under 15 s) and the CPU cost of screen
// observation (grab + decode threads of the main run's observer, and the
// runner process as a whole).
//
//   build-dir/conformance/client_role/suite/client_suite_bench [RUNS] [COMMAND [WORKDIR]]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "client_role/suite/client_suite.h"
#include "harness/temp_dir.h"

namespace {

double self_cpu_s()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv)
{
    using namespace tpc3::conform::client;
    const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 3;
    ClientSuiteOptions o;
    o.command = argc > 2 ? argv[2] : std::string(TPC3_PYTHON) + " Client.py {host} {tcp_port} {udp_port} {file}";
    o.workdir = argc > 3 ? argv[3] : std::string(TPC3_SOURCE_DIR) + "/conformance/examples/good";
    tpc3::harness::TempDir artifacts("tpc3-csuite-bench-");
    o.artifacts = artifacts.path();
    std::printf("client suite bench: %d runs of '%s'\n", runs, o.command.c_str());
    std::vector<double> walls;
    for (int i = 0; i < runs; ++i) {
        const double cpu0 = self_cpu_s();
        const auto t0 = std::chrono::steady_clock::now();
        const ClientSuiteRun run = run_client_suite(o);
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const double cpu = self_cpu_s() - cpu0;
        walls.push_back(wall);
        const auto summary = run.report.summary();
        double main_wall = 0, observer_cpu = 0, xvfb_cpu = 0, grabs = 0, decoded = 0;
        for (const auto& r : run.report.extra["runs"]) {
            if (r["label"] != "main run") continue;
            main_wall = r["wall_s"].get<double>();
            observer_cpu = r["screen_observer_cpu_s"].get<double>();
            xvfb_cpu = r["xvfb_cpu_s"].get<double>();
            if (r.contains("screen")) {
                grabs = r["screen"]["grabs"].get<double>();
                decoded = r["screen"]["decoded"].get<double>();
            }
        }
        std::printf("run %d: suite %.2f s wall (main run %.2f s), %d pass %d fail %d error; runner CPU %.2f s "
                    "(%.0f %% of one core); screen observer %.2f s CPU over %.0f grabs (%.0f decoded): "
                    "%.2f ms per grab, %.0f %% of one core during the main run; Xvfb %.2f s CPU\n",
                    i + 1, wall, main_wall, summary.pass, summary.fail, summary.error, cpu, 100.0 * cpu / wall,
                    observer_cpu, grabs, decoded, grabs > 0 ? 1000.0 * observer_cpu / grabs : 0.0,
                    main_wall > 0 ? 100.0 * observer_cpu / main_wall : 0.0, xvfb_cpu);
    }
    std::sort(walls.begin(), walls.end());
    std::printf("suite wall time: min %.2f s, median %.2f s, max %.2f s (goal: under 15 s)\n", walls.front(),
                walls[walls.size() / 2], walls.back());
    return 0;
}
