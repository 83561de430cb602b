// The client fuzzer against live clients on loopback: it finds the fragile
// fixture's crash and saves a reproducer (json + pcap) that replays; the
// reference client gives no finding; a fixed seed gives the same run; no
// process, Xvfb or temp dir is left behind.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <set>
#include <variant>

#include "client/client_datagrams.h"
#include "client/client_fuzzer.h"
#include "harness/proc_table.h"
#include "harness/temp_dir.h"
#include "pcaps/reader/pcap_reader.h"

namespace tpc3::fuzz::net {
namespace {

namespace fs = std::filesystem;

const fs::path kFragileDir = fs::path(TPC3_SOURCE_DIR) / "fuzz/network/fixtures/fragile_client";
const std::string kReferenceClient = std::string(TPC3_BINARY_DIR) + "/reference/client/tpc3-client";

// Each test gives the fuzzer a temp base of its own, so tests running in
// parallel do not see each other's launches.
std::set<fs::path> fuzz_temp_dirs(const fs::path& base)
{
    std::set<fs::path> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(base, ec))
        if (e.path().filename().string().starts_with("tpc3-fuzz-client-")) out.insert(e.path());
    return out;
}

// Children of this test process still alive (clients, shells, Xvfb), and
// processes working in one of this test's launch dirs (a client that escaped
// its group).
std::vector<pid_t> leftovers(const fs::path& base)
{
    std::vector<pid_t> out;
    for (const auto& p : harness::list_processes()) {
        if (p.gone()) continue;
        std::error_code ec;
        const auto cwd = fs::read_symlink(fs::path("/proc") / std::to_string(p.pid) / "cwd", ec);
        if (p.ppid == getpid() || (!ec && cwd.string().rfind(base.string(), 0) == 0)) out.push_back(p.pid);
    }
    return out;
}

ClientFuzzOptions fragile_options(const fs::path& out, const fs::path& temp_base)
{
    ClientFuzzOptions o;
    o.temp_base = temp_base;
    o.client_cmd = std::string(TPC3_PYTHON) + " Client.py {host} {tcp_port} {udp_port} {file}";
    o.workdir = kFragileDir;
    o.fuzz.seed = 7;
    o.fuzz.iterations = 40;
    o.fuzz.stop_at_first = true;
    o.fuzz.out_dir = out;
    return o;
}

class ClientFuzzer : public ::testing::Test {
protected:
    void SetUp() override { dirs_before_ = fuzz_temp_dirs(base_.path()); }
    void TearDown() override
    {
        EXPECT_EQ(leftovers(base_.path()), std::vector<pid_t>{}) << "a client, shell or Xvfb was left running";
        std::set<fs::path> new_dirs;
        for (const auto& d : fuzz_temp_dirs(base_.path()))
            if (!dirs_before_.count(d)) new_dirs.insert(d);
        EXPECT_TRUE(new_dirs.empty()) << "a launch's temp dir was left: " << new_dirs.begin()->string();
    }
    std::set<fs::path> dirs_before_;
    harness::TempDir out_{"tpc3-netclient-test-"};
    harness::TempDir base_{"tpc3-netclient-base-"};
};

bool is_short_datagram_case(const FuzzCase& c)
{
    const std::string& m = c.mutator == "batch" ? c.description : c.mutator;
    for (const char* name : {"length.empty", "length.one", "length.short", "length.eleven", "burst.short"})
        if (m.find(name) != std::string::npos) return true;
    return false;
}

TEST_F(ClientFuzzer, FindsTheFragileClientsShortDatagramCrashAndItsReproducerReplays)
{
    const ClientFuzzOptions o = fragile_options(out_.path(), base_.path());
    const FuzzSummary s = fuzz_client(o);
    ASSERT_EQ(s.findings.size(), 1u) << to_text(s);
    const Finding& f = s.findings.front();
    EXPECT_LE(s.cases_run, 40u);
    EXPECT_EQ(f.kind, Finding::Kind::Traceback) << describe(f);
    EXPECT_NE(f.evidence.find("struct.error"), std::string::npos) << f.evidence;
    EXPECT_NE(f.evidence.find("alone reproduces it"), std::string::npos) << f.evidence;
    EXPECT_TRUE(is_short_datagram_case(f.fuzz_case)) << f.fuzz_case.description;
    EXPECT_EQ(s.stopped_because, "first finding (--stop-at-first)");

    // The json is the case, and it replays in a fresh launch.
    ASSERT_TRUE(fs::exists(f.reproducer_json)) << f.reproducer_json;
    const FuzzCase loaded = load_case(f.reproducer_json);
    EXPECT_EQ(loaded, f.fuzz_case);
    const FuzzSummary replay = replay_client_case(o, loaded);
    ASSERT_EQ(replay.findings.size(), 1u) << to_text(replay);
    EXPECT_EQ(replay.findings.front().kind, Finding::Kind::Traceback);

    // The pcap holds the session as sent: the client's request, the reply, and
    // the short datagram of the case (with the real timestamps).
    ASSERT_TRUE(fs::exists(f.reproducer_pcap)) << f.reproducer_pcap;
    const pcap::CaptureContents cap = pcap::read_capture(f.reproducer_pcap);
    EXPECT_FALSE(cap.error.has_value());
    bool short_datagram = false, full_frame = false;
    for (const auto& u : cap.udp) {
        short_datagram = short_datagram || u.datagram.payload.size() < 12;
        full_frame = full_frame || u.datagram.payload.size() > 1000;
    }
    EXPECT_TRUE(short_datagram);
    EXPECT_TRUE(full_frame);
    std::string tcp_bytes;
    for (const auto& t : cap.tcp) tcp_bytes.append(t.segment.payload.begin(), t.segment.payload.end());
    EXPECT_NE(tcp_bytes.find("movie.mpeg "), std::string::npos) << "the client's request";
    EXPECT_NE(tcp_bytes.find(std::to_string(client_session_id(o.fuzz.seed))), std::string::npos) << "the reply";
    EXPECT_NE(tcp_bytes.find("Go"), std::string::npos);
}

// The fixture's opt-in second bug dies at the 4th bad header: no case alone
// has that many, so the finding is confirmed, and saved, as its batch.
TEST_F(ClientFuzzer, WhenTheCaseAloneDoesNotReproduceTheBatchIsTheReproducer)
{
    ClientFuzzOptions o = fragile_options(out_.path(), base_.path());
    o.env["TPC3_FRAGILE_HEADER_DROPS"] = "4";
    o.fuzz.seed = 5;  // with this seed the 4th bad header comes before any short datagram
    const FuzzSummary s = fuzz_client(o);
    ASSERT_EQ(s.findings.size(), 1u) << to_text(s);
    const Finding& f = s.findings.front();
    EXPECT_EQ(f.kind, Finding::Kind::Traceback);
    EXPECT_NE(f.evidence.find("RuntimeError: 4 bad headers"), std::string::npos) << f.evidence;
    EXPECT_NE(f.evidence.find("confirmed with its batch"), std::string::npos) << f.evidence;
    EXPECT_EQ(f.fuzz_case.mutator, "batch");
    const FuzzCase loaded = load_case(f.reproducer_json);
    EXPECT_EQ(loaded, f.fuzz_case);
    const FuzzSummary replay = replay_client_case(o, loaded);
    EXPECT_EQ(replay.findings.size(), 1u) << to_text(replay);
}

// The fixture's opt-in third bug blocks its listener on M=1: no traceback, the
// process stays up, only the UDP queue shows it; the frozen client is killed.
TEST_F(ClientFuzzer, AClientThatStopsReadingIsHung)
{
    ClientFuzzOptions o = fragile_options(out_.path(), base_.path());
    o.env["TPC3_FRAGILE_FREEZE_ON_MARKER"] = "1";
    o.fuzz.seed = 4;  // case 1 is header.marker
    const FuzzSummary s = fuzz_client(o);
    ASSERT_EQ(s.findings.size(), 1u) << to_text(s);
    const Finding& f = s.findings.front();
    EXPECT_EQ(f.kind, Finding::Kind::Hung) << describe(f);
    EXPECT_EQ(f.fuzz_case.mutator, "datagram.header.marker");
    EXPECT_NE(f.evidence.find("stopped reading"), std::string::npos) << f.evidence;
    EXPECT_NE(f.evidence.find("alone reproduces it"), std::string::npos) << f.evidence;
}

TEST_F(ClientFuzzer, TheSameSeedGivesTheSameRun)
{
    ClientFuzzOptions o = fragile_options(out_.path(), base_.path());
    o.confirm = false;
    const FuzzSummary a = fuzz_client(o);
    const FuzzSummary b = fuzz_client(o);
    ASSERT_EQ(a.findings.size(), 1u) << to_text(a);
    ASSERT_EQ(b.findings.size(), 1u) << to_text(b);
    EXPECT_EQ(a.cases_run, b.cases_run);
    EXPECT_EQ(a.findings.front().fuzz_case, b.findings.front().fuzz_case);
    o.fuzz.seed = 8;
    const FuzzSummary c = fuzz_client(o);
    ASSERT_EQ(c.findings.size(), 1u) << to_text(c);
    EXPECT_NE(c.findings.front().fuzz_case, a.findings.front().fuzz_case);
}

TEST_F(ClientFuzzer, TheReferenceClientGivesNoFinding)
{
    ASSERT_TRUE(fs::exists(kReferenceClient)) << kReferenceClient;
    ClientFuzzOptions o;
    o.temp_base = base_.path();
    o.client_cmd = kReferenceClient + " {host} {tcp_port} {udp_port} {file}";
    o.fuzz.seed = 5;
    o.fuzz.iterations = 60;
    o.fuzz.out_dir = out_.path();
    const FuzzSummary s = fuzz_client(o);
    EXPECT_TRUE(s.findings.empty()) << to_text(s);
    EXPECT_EQ(s.cases_run, 60u);
    EXPECT_EQ(s.stopped_because, "60 iterations done");
    EXPECT_FALSE(fs::exists(out_.path() / "case-0.json"));
}

TEST_F(ClientFuzzer, AClientThatCannotPlayIsAHarnessErrorNotAFinding)
{
    ClientFuzzOptions o = fragile_options(out_.path(), base_.path());
    o.client_cmd = "true {host} {tcp_port} {udp_port} {file}";
    EXPECT_THROW(fuzz_client(o), ClientFuzzError);
    o.client_cmd = "python3 Client.py {host} {tcp_port}";
    EXPECT_THROW(fuzz_client(o), ClientFuzzError);
}

}  // namespace
}  // namespace tpc3::fuzz::net
