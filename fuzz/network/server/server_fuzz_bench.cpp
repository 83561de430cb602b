// Cases per second of the network fuzzer against a launched server (the
// reference tpc3-server by default). Not a test: the number depends on the
// machine. Usage:
//   server_fuzz_bench [--iterations N] [--seed S] [--server-cmd 'CMD {port}' --workdir DIR]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include "harness/temp_dir.h"
#include "server/server_fuzzer.h"

using namespace tpc3::fuzz::net;

int main(int argc, char** argv) {
    ServerFuzzOptions o;
    o.server_cmd = std::string(TPC3_BINARY_DIR) + "/reference/server/tpc3-server {port} --dir .";
    o.common.iterations = 100;
    o.common.seed = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i];
        if (k == "--iterations") o.common.iterations = std::strtoull(argv[i + 1], nullptr, 10);
        else if (k == "--seed") o.common.seed = std::strtoull(argv[i + 1], nullptr, 10);
        else if (k == "--server-cmd") o.server_cmd = argv[i + 1];
        else if (k == "--workdir") o.workdir = argv[i + 1];
        else {
            std::fprintf(stderr, "unknown option %s\n", argv[i]);
            return 2;
        }
    }
    tpc3::harness::TempDir out("netfuzz-bench-");
    o.common.out_dir = out.path() / "findings";
    try {
        const auto s = fuzz_server(o);
        std::cout << to_text(s);
        std::printf("cases/s: %.2f (%llu cases in %.1f s)\n", s.cases_per_s,
                    static_cast<unsigned long long>(s.cases_run), s.wall_s);
        return s.findings.empty() ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "server_fuzz_bench: %s\n", e.what());
        return 2;
    }
}
