// End-to-end tests of the server fuzzer on loopback: against a deliberately
// fragile Python server (it must find the crash, save a replayable case and
// a pcap) and against the reference server (it must find nothing).
#include <gtest/gtest.h>

#include <dirent.h>


#include "core/fuzz_case.h"
#include "harness/process.h"
#include "harness/temp_dir.h"
#include "pcaps/reader/pcap_reader.h"
#include "pcaps/reader/tcp_stream_reassembler.h"
#include "server/server_fuzzer.h"

namespace fs = std::filesystem;
using namespace tpc3::fuzz::net;

namespace {

const fs::path kFragileDir = fs::path(TPC3_SOURCE_DIR) / "fuzz/network/fixtures/fragile_server";
const std::string kFragileCmd = std::string(TPC3_PYTHON) + " " + (kFragileDir / "fragile_server.py").string() + " {port}";
const std::string kReferenceCmd = std::string(TPC3_BINARY_DIR) + "/reference/server/tpc3-server {port} --dir .";

// Processes whose working directory is under `root` (the servers this test
// launched run in a copy under its own temp base, so tests running in
// parallel do not see each other's servers).
int processes_under(const fs::path& root) {
    int n = 0;
    DIR* proc = ::opendir("/proc");
    if (!proc) return -1;
    while (dirent* e = ::readdir(proc)) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        std::error_code ec;
        const auto cwd = fs::read_symlink(fs::path("/proc") / e->d_name / "cwd", ec);
        if (!ec && cwd.string().rfind(root.string(), 0) == 0) ++n;
    }
    ::closedir(proc);
    return n;
}

bool empty_dir(const fs::path& p) { return fs::is_empty(p); }

ServerFuzzOptions fragile_options(const fs::path& out, const fs::path& temp_base) {
    ServerFuzzOptions o;
    o.server_cmd = kFragileCmd;
    o.workdir = kFragileDir;
    o.temp_base = temp_base;
    o.common.seed = 1;
    o.common.iterations = 50;
    o.common.stop_at_first = true;
    o.common.out_dir = out;
    return o;
}

std::vector<std::uint8_t> bytes_sent_on(const FuzzCase& c, int connection) {
    std::vector<std::uint8_t> out;
    for (const auto& s : c.steps)
        if (s.kind == WireStep::Kind::Send && s.connection == connection) out.insert(out.end(), s.bytes.begin(), s.bytes.end());
    return out;
}

}  // namespace

TEST(ServerFuzzer, FindsTheFragileServerCrashSavesItAndReplaysIt) {
    tpc3::harness::TempDir scratch("netfuzz-test-");
    const auto temp_base = scratch.path() / "tmp";
    const auto out = scratch.path() / "findings";
    fs::create_directories(temp_base);

    const FuzzSummary s = fuzz_server(fragile_options(out, temp_base));
    ASSERT_EQ(s.findings.size(), 1u) << to_text(s);
    EXPECT_LE(s.cases_run, 50u);
    EXPECT_EQ(s.stopped_because, "first finding (--stop-at-first)");
    const Finding& f = s.findings[0];
    EXPECT_EQ(f.kind, Finding::Kind::Crashed) << describe(f);
    EXPECT_NE(f.evidence.find("exited with status 1"), std::string::npos) << f.evidence;
    EXPECT_NE(f.evidence.find("Traceback"), std::string::npos) << f.evidence;

    // The reproducer: the json is the case, the pcap holds the bytes it sent.
    ASSERT_EQ(f.reproducer_json, out / ("case-" + std::to_string(f.fuzz_case.iteration) + ".json"));
    ASSERT_TRUE(fs::exists(f.reproducer_json));
    const FuzzCase saved = load_case(f.reproducer_json);
    EXPECT_EQ(saved, f.fuzz_case);
    ASSERT_TRUE(fs::exists(f.reproducer_pcap));
    const auto capture = tpc3::pcap::read_capture(f.reproducer_pcap);
    EXPECT_FALSE(capture.error.has_value());
    tpc3::pcap::TcpStreamReassembler streams;
    for (const auto& seg : capture.tcp) streams.add(seg);
    streams.finish();
    const auto expected = bytes_sent_on(saved, 0);
    if (!expected.empty()) {
        ASSERT_FALSE(streams.connections().empty());
        EXPECT_EQ(streams.connections()[0].client_to_server.bytes, expected);
    }

    // The server was stopped and its temp tree removed.
    EXPECT_EQ(processes_under(temp_base), 0);
    EXPECT_TRUE(empty_dir(temp_base));

    // Replay: the same case breaks a fresh server again.
    const FuzzSummary r = replay_server_case(fragile_options(out, temp_base), saved);
    ASSERT_EQ(r.findings.size(), 1u) << to_text(r);
    EXPECT_EQ(r.findings[0].kind, Finding::Kind::Crashed);
    EXPECT_EQ(r.stopped_because, "replayed case " + std::to_string(saved.iteration) + ": reproduced");
    EXPECT_EQ(processes_under(temp_base), 0);
    EXPECT_TRUE(empty_dir(temp_base));
}

TEST(ServerFuzzer, SameSeedFindsTheSameCase) {
    tpc3::harness::TempDir scratch("netfuzz-test-");
    const auto temp_base = scratch.path() / "tmp";
    fs::create_directories(temp_base);
    const auto a = fuzz_server(fragile_options(scratch.path() / "a", temp_base));
    const auto b = fuzz_server(fragile_options(scratch.path() / "b", temp_base));
    ASSERT_EQ(a.findings.size(), 1u);
    ASSERT_EQ(b.findings.size(), 1u);
    EXPECT_EQ(a.findings[0].fuzz_case, b.findings[0].fuzz_case);
    EXPECT_EQ(a.cases_run, b.cases_run);
}

TEST(ServerFuzzer, ReferenceServerSurvivesWithoutFinding) {
    tpc3::harness::TempDir scratch("netfuzz-test-");
    const auto temp_base = scratch.path() / "tmp";
    fs::create_directories(temp_base);
    ServerFuzzOptions o;
    o.server_cmd = kReferenceCmd;
    o.temp_base = temp_base;
    o.common.seed = 20261126;
    o.common.iterations = 25;
    o.common.out_dir = scratch.path() / "findings";
    const FuzzSummary s = fuzz_server(o);
    EXPECT_TRUE(s.findings.empty()) << to_text(s);
    EXPECT_EQ(s.cases_run, 25u);
    EXPECT_EQ(s.stopped_because, "25 iterations done");
    EXPECT_FALSE(fs::exists(o.common.out_dir));
    EXPECT_EQ(processes_under(temp_base), 0);
    EXPECT_TRUE(empty_dir(temp_base));
}

TEST(ServerFuzzer, UnusableTargetsAreHarnessErrorsNotFindings) {
    ServerFuzzOptions remote_without_file;
    remote_without_file.target_server = tpc3::net::Endpoint{"127.0.0.1", 5000};
    EXPECT_THROW(fuzz_server(remote_without_file), FuzzHarnessError);

    // Nothing listens on this port: the baseline session fails before any case.
    tpc3::harness::TempDir scratch("netfuzz-test-");
    ServerFuzzOptions dead;
    dead.target_server = tpc3::net::Endpoint{"127.0.0.1", 1};
    dead.file = "movie.mpeg";
    dead.common.liveness_deadline = std::chrono::milliseconds(500);
    try {
        fuzz_server(dead);
        ADD_FAILURE() << "a dead target was fuzzed";
    } catch (const FuzzHarnessError& e) {
        EXPECT_NE(std::string(e.what()).find("fails a valid session before any case"), std::string::npos) << e.what();
    }

    FuzzCase client_case;
    client_case.role = "client";
    EXPECT_THROW(replay_server_case(dead, client_case), FuzzHarnessError);
}

TEST(ServerFuzzer, LeftoverCheckSeesAProcessUnderTheTempBase) {
    // The check above must be able to fail: a process running there is seen.
    tpc3::harness::TempDir scratch("netfuzz-test-");
    auto options = tpc3::harness::command({"sleep", "5"});
    options.cwd = scratch.path();
    {
        tpc3::harness::Process sleeper(options);
        EXPECT_EQ(processes_under(scratch.path()), 1);
    }
    EXPECT_EQ(processes_under(scratch.path()), 0);
}
