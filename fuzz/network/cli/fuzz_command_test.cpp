// `tpc3-conform fuzz` in-process: options, exit status, files, --replay.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/fuzz_command.h"
#include "harness/temp_dir.h"

namespace fs = std::filesystem;

namespace {

const fs::path kFragileDir = fs::path(TPC3_SOURCE_DIR) / "fuzz/network/fixtures/fragile_server";
const std::string kFragileCmd = std::string(TPC3_PYTHON) + " " + (kFragileDir / "fragile_server.py").string() + " {port}";
const std::string kReferenceCmd = std::string(TPC3_BINARY_DIR) + "/reference/server/tpc3-server {port} --dir .";

struct Run {
    int status;
    std::string out, err;
};

Run fuzz(std::vector<std::string> args) {
    args.insert(args.begin(), {"tpc3-conform", "fuzz"});
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    std::ostringstream out, err;
    const int status = tpc3::fuzz::net::run_fuzz_command(static_cast<int>(argv.size()), argv.data(), out, err);
    return {status, out.str(), err.str()};
}

}  // namespace

TEST(FuzzCommand, HelpReadsLikeAManPage) {
    const auto r = fuzz({"--help"});
    EXPECT_EQ(r.status, 0);
    for (const char* part : {"SYNOPSIS", "DESCRIPTION", "--server-cmd", "--replay", "EXIT STATUS", "FILES WRITTEN",
                             "EXAMPLES", "case-N.pcap"})
        EXPECT_NE(r.out.find(part), std::string::npos) << part;
}

TEST(FuzzCommand, UsageErrorsExitTwo) {
    EXPECT_EQ(fuzz({}).status, 2);
    EXPECT_EQ(fuzz({"--iterations", "0", "--target-server", "127.0.0.1:5000"}).status, 2);
    EXPECT_EQ(fuzz({"--server-cmd", "x {port}", "--target-server", "127.0.0.1:5000"}).status, 2);
    const auto no_file = fuzz({"--target-server", "127.0.0.1:5000", "--iterations", "1"});
    EXPECT_EQ(no_file.status, 2);
    EXPECT_NE(no_file.err.find("--file"), std::string::npos) << no_file.err;

    tpc3::harness::TempDir dir("fuzz-command-test-");
    const auto bad = dir.path() / "case-3.json";
    std::ofstream(bad) << R"({"format":"tpc3-fuzz-case/1","role":"server","seed":1,"iteration":3,"steps":[{"kind":"send","hex":"g0"}]})";
    const auto r = fuzz({"--replay", bad.string(), "--server-cmd", kReferenceCmd});
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find(bad.string() + ": steps[0].hex"), std::string::npos) << r.err;
}

TEST(FuzzCommand, FindsSavesAndReplaysTheFragileServerCrash) {
    tpc3::harness::TempDir dir("fuzz-command-test-");
    const auto out_dir = dir.path() / "findings";
    const auto json = dir.path() / "summary.json";
    const auto r = fuzz({"--server-cmd", kFragileCmd, "--workdir", kFragileDir.string(), "--iterations", "50", "--seed",
                         "1", "--stop-at-first", "--out", out_dir.string(), "--json", json.string()});
    ASSERT_EQ(r.status, 1) << r.out << r.err;
    EXPECT_NE(r.out.find("seed 1 "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("crashed"), std::string::npos) << r.out;
    std::ifstream in(json);
    const auto summary = nlohmann::json::parse(in);
    ASSERT_EQ(summary["findings"].size(), 1u);
    const std::string reproducer = summary["findings"][0]["reproducer_json"];
    EXPECT_TRUE(fs::exists(reproducer));
    EXPECT_TRUE(fs::exists(summary["findings"][0]["reproducer_pcap"].get<std::string>()));

    const auto replay = fuzz({"--replay", reproducer, "--server-cmd", kFragileCmd, "--workdir", kFragileDir.string()});
    EXPECT_EQ(replay.status, 1) << replay.out << replay.err;
    EXPECT_NE(replay.out.find("reproduced"), std::string::npos) << replay.out;

    // The same case against the reference server does not reproduce (exit 0).
    const auto elsewhere = fuzz({"--replay", reproducer, "--server-cmd", kReferenceCmd});
    EXPECT_EQ(elsewhere.status, 0) << elsewhere.out << elsewhere.err;
    EXPECT_NE(elsewhere.out.find("did not reproduce"), std::string::npos) << elsewhere.out;

    // A server case needs a server target.
    const auto wrong_role = fuzz({"--replay", reproducer, "--client-cmd", "true {host} {tcp_port} {udp_port} {file}"});
    EXPECT_EQ(wrong_role.status, 2);
    EXPECT_NE(wrong_role.err.find("is a server case"), std::string::npos) << wrong_role.err;
}

TEST(FuzzCommand, ReferenceServerExitsZero) {
    tpc3::harness::TempDir dir("fuzz-command-test-");
    const auto r = fuzz({"--server-cmd", kReferenceCmd, "--iterations", "5", "--seed", "7", "--out",
                         (dir.path() / "findings").string()});
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("5 cases in"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("no finding"), std::string::npos) << r.out;
}

TEST(FuzzCommand, TheBinaryHandsFuzzOverToThisCommand) {
    // conformance/cli/main.cpp: `tpc3-conform fuzz ...` reaches run_fuzz_command.
    tpc3::harness::TempDir dir("fuzz-command-test-");
    const auto out = dir.path() / "help.txt";
    const std::string binary = std::string(TPC3_BINARY_DIR) + "/conformance/cli/tpc3-conform";
    const int rc = std::system((binary + " fuzz --help > " + out.string() + " 2>&1").c_str());
    EXPECT_EQ(rc, 0);
    std::ifstream in(out);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_NE(text.str().find("tpc3-conform fuzz - network fuzzing"), std::string::npos) << text.str();
    const int usage = std::system((binary + " fuzz --iterations 3 > " + out.string() + " 2>&1").c_str());
    EXPECT_TRUE(WIFEXITED(usage) && WEXITSTATUS(usage) == 2) << usage;
}
