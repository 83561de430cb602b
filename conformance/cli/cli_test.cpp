// tpc3-conform as a user runs it: help, usage errors (exit 2), the reports
// and the capture of a passing run and of a failing one, in both roles.
#include <algorithm>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/cli_test_support.h"
#include "harness/ports.h"
#include "harness/readiness.h"
#include "harness/temp_dir.h"
#include "pcaps/reader/pcap_reader.h"
#include "report/catalogue.h"
#include "suite/runner_movies.h"

namespace tpc3::conform::cli {
namespace {

namespace fs = std::filesystem;
using namespace testing;
using namespace std::chrono_literals;

TEST(Cli, HelpReadsLikeAManPage)
{
    const CliRun r = run_cli({"--help"});
    EXPECT_EQ(r.status, 0) << r.err;
    for (const char* part : {"SYNOPSIS", "DESCRIPTION", "MODES", "CHECKS", "OUTPUT", "EXIT STATUS", "EXAMPLES",
                             "--target-server HOST:PORT", "--server-cmd COMMAND", "--pcap-mode", "--rate-tolerance"})
        EXPECT_NE(r.out.find(part), std::string::npos) << part;
}

TEST(Cli, VersionAndList)
{
    const CliRun v = run_cli({"--version"});
    EXPECT_EQ(v.status, 0);
    EXPECT_NE(v.out.find("tpc3-conform 0."), std::string::npos) << v.out;
    const CliRun l = run_cli({"--list"});
    EXPECT_EQ(l.status, 0) << l.err;
    for (const report::CheckInfo& c : report::all_checks()) EXPECT_NE(l.out.find(c.id), std::string::npos) << c.id;
}

struct UsageCase {
    std::vector<std::string> args;
    std::string says;
};

TEST(Cli, UsageErrorsExitWith2AndSayWhatIsWrong)
{
    harness::TempDir dir("tpc3-cli-test-");
    const std::string pcap = (dir / "never.pcap").string();
    const std::vector<UsageCase> cases{
        {{}, "say what to test"},
        {{"--target-server", "nonsense", "--file", "m.mpeg"}, "HOST:PORT"},
        {{"--target-server", "127.0.0.1:99999", "--file", "m.mpeg"}, "1..65535"},
        {{"--target-server", "127.0.0.1:5000"}, "--file"},
        {{"--target-server", "127.0.0.1:5000", "--file", "m.mpeg", "--server-cmd", "x {port}"}, "not both"},
        {{"--server-cmd", "python3 Server.py", "--workdir", kGoodExample}, "{port}"},
        {{"--server-cmd", "x {port}"}, "--workdir"},
        {{"--server-cmd", "x {port}", "--workdir", "/nonexistent/dir"}, "not a directory"},
        {{"--server-cmd", "x {port}", "--workdir", kGoodExample, "--only", "S-NOPE-*"}, "S-NOPE-*"},
        {{"--server-cmd", "x {port}", "--workdir", kGoodExample, "--movie", "/nonexistent.mpeg", "--pcap", pcap},
         "--movie"},
        {{"--server-cmd", "x {port}", "--workdir", kGoodExample, "--server-env", "NOEQUALS"}, "KEY=VALUE"},
        {{"--pcap-mode", "sideways"}, "sideways"},
        {{"--client-cmd", kGoodClientCmd, "--workdir", kGoodExample, "--server-cmd", "x {port}"}, "one role per run"},
        {{"--client-cmd", kGoodClientCmd, "--workdir", kGoodExample, "--target-server", "127.0.0.1:5000"},
         "one role per run"},
        {{"--client-cmd", kGoodClientCmd}, "--workdir"},
        {{"--client-cmd", kGoodClientCmd, "--workdir", kGoodExample, "--file", "m.mpeg"}, "not --client-cmd"},
        {{"--client-cmd", kGoodClientCmd, "--workdir", kGoodExample, "--client-env", "NOEQUALS", "--pcap", pcap},
         "NAME=VALUE"},
        {{"--client-cmd", kGoodClientCmd, "--workdir", kGoodExample, "--only", "C-NOPE-*"}, "C-NOPE-*"},
        {{"--bogus"}, "--bogus"},
    };
    for (const UsageCase& c : cases) {
        const CliRun r = run_cli(c.args);
        std::string line;
        for (const auto& a : c.args) line += " " + a;
        EXPECT_EQ(r.status, 2) << line << "\n" << r.out << r.err;
        EXPECT_NE(r.err.find(c.says), std::string::npos) << line << ": " << r.err;
    }
    EXPECT_FALSE(fs::exists(pcap)) << "a run that never started leaves no capture";
}

nlohmann::json read_json(const fs::path& p)
{
    std::ifstream in(p);
    return nlohmann::json::parse(in);
}

// The contract of CHECKS.md "JSON report".
void expect_report_contract(const nlohmann::json& j, report::Role role = report::Role::Server)
{
    for (const char* key : {"tool", "version", "role", "target", "dialect", "started", "duration_s", "checks",
                            "summary", "artifacts"})
        EXPECT_TRUE(j.contains(key)) << key;
    EXPECT_EQ(j.at("tool"), "tpc3-conform");
    EXPECT_EQ(j.at("role"), role == report::Role::Server ? "server" : "client");
    EXPECT_EQ(j.at("dialect"), "tpc3");
    EXPECT_TRUE(j.at("duration_s").is_number());
    EXPECT_EQ(j.at("checks").size(), report::checks_for(role).size());
    for (const auto& c : j.at("checks")) {
        for (const char* key : {"id", "title", "severity", "status", "message", "evidence"})
            EXPECT_TRUE(c.contains(key)) << key << " in " << c.dump();
        EXPECT_TRUE(c.at("evidence").is_object());
    }
    for (const char* key : {"pass", "fail", "skip", "error"}) EXPECT_TRUE(j.at("summary").at(key).is_number()) << key;
}

// Parses JUnit XML with a real XML parser; returns "testcases=N" or the parser's complaint.
std::string junit_summary(const fs::path& xml)
{
    harness::ProcessOptions o = harness::command(
        {TPC3_PYTHON, "-c",
         "import sys, xml.etree.ElementTree as ET\n"
         "root = ET.parse(sys.argv[1]).getroot()\n"
         "cases = root.findall('.//testcase')\n"
         "assert root.tag == 'testsuites', root.tag\n"
         "assert all(c.get('classname') and c.get('name') for c in cases)\n"
         "print('testcases=%d failures=%d errors=%d' % (len(cases), len(root.findall('.//testcase/failure')),"
         " len(root.findall('.//testcase/error'))))\n",
         xml.string()});
    harness::Process p(std::move(o));
    const auto exit = p.wait_for(30s);
    return p.read_output(harness::Stream::out) + p.read_output(harness::Stream::err) +
           (exit && exit->success() ? "" : " (parser failed)");
}

TEST(Cli, APassingRunWritesTheReportsAndTheCapture)
{
    harness::TempDir dir("tpc3-cli-test-");
    const CliRun r = run_cli({"--server-cmd", kGoodServerCmd, "--workdir", kGoodExample, "--json",
                              (dir / "r.json").string(), "--junit", (dir / "r.xml").string(), "--pcap",
                              (dir / "r.pcap").string()});
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("25 passed, 0 failed"), std::string::npos) << r.out;
    const nlohmann::json j = read_json(dir / "r.json");
    expect_report_contract(j);
    EXPECT_EQ(j.at("summary").at("pass"), 25);
    EXPECT_EQ(j.at("artifacts").at("pcap"), (dir / "r.pcap").string());
    EXPECT_EQ(junit_summary(dir / "r.xml"), "testcases=25 failures=0 errors=0\n");
    const pcap::CaptureContents c = pcap::read_capture(dir / "r.pcap");
    EXPECT_FALSE(c.error) << c.error->to_string("r.pcap");
    EXPECT_GT(c.udp.size(), 40u);
    EXPECT_GT(c.tcp.size(), 30u);

    // tshark decodes the main stream's RTP headers on the port the report names.
    std::uint16_t main_port = 0;
    for (const auto& s : j.at("extra").at("sessions"))
        if (s.at("label") == "main stream") main_port = s.at("udp_port").get<std::uint16_t>();
    ASSERT_NE(main_port, 0);
    harness::ProcessOptions o = harness::command({"tshark", "-r", (dir / "r.pcap").string(), "-d",
                                                  "udp.port==" + std::to_string(main_port) + ",rtp", "-Y",
                                                  "rtp.p_type == 26", "-T", "fields", "-e", "rtp.seq"});
    harness::Process tshark(std::move(o));
    ASSERT_TRUE(tshark.wait_for(60s)) << "tshark did not end";
    std::string expected;
    for (int seq = 1; seq <= 40; ++seq) expected += std::to_string(seq) + "\n";
    EXPECT_EQ(tshark.read_output(harness::Stream::out), expected) << tshark.read_output(harness::Stream::err);
}

TEST(Cli, AFailedRunStillWritesItsReportsAndCapture)
{
    harness::TempDir dir("tpc3-cli-test-");
    const CliRun r = run_cli({"--server-cmd", std::string(TPC3_PYTHON) + " -c 'import tpc3_no_such_module' {port}",
                              "--workdir", dir.path().string(), "--json", (dir / "r.json").string(), "--junit",
                              (dir / "r.xml").string(), "--pcap", (dir / "r.pcap").string()});
    EXPECT_EQ(r.status, 1) << r.out << r.err;
    EXPECT_NE(r.out.find("ModuleNotFoundError"), std::string::npos) << r.out;
    const nlohmann::json j = read_json(dir / "r.json");
    expect_report_contract(j);
    EXPECT_EQ(j.at("summary").at("error"), 25);
    EXPECT_EQ(junit_summary(dir / "r.xml"), "testcases=25 failures=0 errors=25\n");
    const pcap::CaptureContents c = pcap::read_capture(dir / "r.pcap");  // throws if it is not a capture
    EXPECT_FALSE(c.error);
    EXPECT_TRUE(c.udp.empty());
}

TEST(Cli, RemoteServerWithoutItsMovieSkipsThePayloadComparisons)
{
    harness::TempDir dir("tpc3-cli-test-");
    server::make_marker_movie(dir.path(), "movie.mpeg", server::main_movie_spec());
    const std::uint16_t port = harness::pick_free_tcp_port();
    harness::ProcessOptions o =
        harness::command({kReferenceServer, std::to_string(port), "--dir", dir.path().string()});
    o.label = "reference-server";
    harness::Process server(std::move(o));
    ASSERT_TRUE(harness::wait_for_tcp_listener(port, harness::deadline_after(10s), &server));

    const CliRun r = run_cli({"--target-server", "127.0.0.1:" + std::to_string(port), "--file", "movie.mpeg",
                              "--json", (dir / "r.json").string()});
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    const nlohmann::json j = read_json(dir / "r.json");
    expect_report_contract(j);
    EXPECT_EQ(j.at("target"), "127.0.0.1:" + std::to_string(port));
    for (const auto& c : j.at("checks")) {
        const std::string id = c.at("id");
        if (id == "S-PAY-02" || id == "S-PAY-03" || id == "S-SEC-01" || id == "S-BIG-01")
            EXPECT_EQ(c.at("status"), "skip") << c.dump();
        else
            EXPECT_EQ(c.at("status"), "pass") << c.dump();
    }
}

TEST(Cli, ClientRoleJudgesThePythonExampleClient)
{
    harness::TempDir dir("tpc3-cli-test-");
    const CliRun r = run_cli({"--client-cmd", kGoodClientCmd, "--workdir", kGoodExample, "--json",
                              (dir / "c.json").string(), "--junit", (dir / "c.xml").string(), "--pcap",
                              (dir / "c.pcap").string()});
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    const nlohmann::json j = read_json(dir / "c.json");
    expect_report_contract(j, report::Role::Client);
    for (const report::CheckInfo& c : report::checks_for(report::Role::Client)) {
        const auto it = std::find_if(j.at("checks").begin(), j.at("checks").end(),
                                     [&](const nlohmann::json& x) { return x.at("id") == c.id; });
        ASSERT_NE(it, j.at("checks").end()) << c.id;
        if (c.severity == report::Severity::Required) {
            EXPECT_EQ(it->at("status"), "pass") << it->dump();
        }
    }
    EXPECT_EQ(j.at("artifacts").at("json"), (dir / "c.json").string());
    EXPECT_EQ(j.at("artifacts").at("pcap"), (dir / "c.pcap").string());
    EXPECT_TRUE(fs::is_directory(dir / "c-artifacts")) << "evidence next to --json";
    const std::string junit = junit_summary(dir / "c.xml");
    EXPECT_EQ(junit.rfind("testcases=" + std::to_string(report::checks_for(report::Role::Client).size()) + " ", 0),
              0u)
        << junit;
    const pcap::CaptureContents c = pcap::read_capture(dir / "c.pcap");
    EXPECT_FALSE(c.error) << c.error->to_string("c.pcap");
    EXPECT_GT(c.udp.size(), 40u) << "the runner's datagrams to the client";
    EXPECT_GT(c.tcp.size(), 4u) << "the control exchange";
}

}  // namespace
}  // namespace tpc3::conform::cli
