// `tpc3-conform fuzz --client-cmd ...` end to end (run_fuzz_command, in
// process): the fragile client's finding exits 1 with its reproducer, the
// replay of that reproducer exits 1, a client that cannot play exits 2.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "cli/fuzz_command.h"
#include "harness/temp_dir.h"

namespace {

namespace fs = std::filesystem;

const std::string kFragileDir = std::string(TPC3_SOURCE_DIR) + "/fuzz/network/fixtures/fragile_client";
const std::string kFragileCmd = std::string(TPC3_PYTHON) + " Client.py {host} {tcp_port} {udp_port} {file}";

struct CommandRun {
    int status;
    std::string out, err;
};

CommandRun fuzz(std::vector<std::string> args)
{
    args.insert(args.begin(), {"tpc3-conform", "fuzz"});
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    std::ostringstream out, err;
    const int status = tpc3::fuzz::net::run_fuzz_command(static_cast<int>(argv.size()), argv.data(), out, err);
    return {status, out.str(), err.str()};
}

TEST(ClientFuzzCommand, FindsTheFragileClientsCrashThenReplaysIt)
{
    tpc3::harness::TempDir dir("tpc3-netclient-cli-");
    const std::string out_dir = (dir.path() / "findings").string();
    const CommandRun r = fuzz({"--client-cmd", kFragileCmd, "--workdir", kFragileDir, "--iterations", "40", "--seed", "7",
                        "--stop-at-first", "--out", out_dir});
    EXPECT_EQ(r.status, 1) << r.out << r.err;
    EXPECT_NE(r.out.find("struct.error"), std::string::npos) << r.out;
    std::vector<fs::path> cases;
    for (const auto& e : fs::directory_iterator(out_dir))
        if (e.path().extension() == ".json") cases.push_back(e.path());
    ASSERT_EQ(cases.size(), 1u);
    EXPECT_TRUE(fs::exists(fs::path(cases.front()).replace_extension(".pcap")));

    const CommandRun replay =
        fuzz({"--replay", cases.front().string(), "--client-cmd", kFragileCmd, "--workdir", kFragileDir});
    EXPECT_EQ(replay.status, 1) << replay.out << replay.err;
}

TEST(ClientFuzzCommand, AClientThatCannotPlayExitsTwo)
{
    tpc3::harness::TempDir dir("tpc3-netclient-cli-");
    const CommandRun r = fuzz({"--client-cmd", "true {host} {tcp_port} {udp_port} {file}", "--workdir", dir.path().string(),
                        "--iterations", "3", "--out", (dir.path() / "out").string()});
    EXPECT_EQ(r.status, 2) << r.out << r.err;
    EXPECT_NE(r.err.find("client"), std::string::npos) << r.err;
}

}  // namespace
