// End to end: the Python example client and the reference client pass every
// check (required and advisory) of the client role; the runs leave no
// process, X server or temp dir behind; the reports (JSON, JUnit) and the
// evidence are written.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "client_role/suite/client_cli.h"
#include "client_role/suite/suite_test_support.h"

namespace tpc3::conform::client {
namespace {

using namespace testing;

void expect_every_check_passes(const ClientSuiteRun& run)
{
    EXPECT_EQ(run.harness_error, "");
    EXPECT_EQ(run.report.checks.size(), report::checks_for(report::Role::Client).size());
    for (const auto& r : run.report.checks) EXPECT_EQ(r.status(), report::Status::Pass) << describe(r);
    EXPECT_EQ(run.report.exit_status(), 0);
    EXPECT_TRUE(run.left_nothing);
    // The screen decoder never names a value that was not on the screen yet.
    for (const auto& r : run.report.extra.at("runs"))
        if (r.at("label") == "main run") {
            EXPECT_GT(r.at("screen").at("readings").get<int>(), 100) << r.dump();
            EXPECT_EQ(r.at("screen").at("misreadings"), 0) << r.dump();
        }
}

TEST(ClientSuite, PythonExampleClientPassesEveryCheckThroughTheCli)
{
    PrivateTmpdir tmp;
    const fs::path out = tmp.path() / "out";
    fs::create_directories(out);
    const std::string json = (out / "report.json").string();
    const std::string junit = (out / "report.xml").string();
    const std::string pcap = (out / "run.pcap").string();
    const std::string workdir = kGoodExample.string();
    const char* argv[] = {"tpc3-conform", "--client-cmd", kPythonClientCommand.c_str(), "--workdir", workdir.c_str(),
                          "--json", json.c_str(), "--junit", junit.c_str(), "--pcap", pcap.c_str(), "--no-color"};
    std::ostringstream console, errors;
    const int status = client_role_main(static_cast<int>(std::size(argv)), argv, console, errors);
    EXPECT_EQ(status, 0) << console.str() << errors.str();

    std::ifstream in(json);
    const nlohmann::json j = nlohmann::json::parse(in);
    EXPECT_EQ(j.at("role"), "client");
    EXPECT_EQ(j.at("target"), kPythonClientCommand);
    EXPECT_EQ(j.at("checks").size(), report::checks_for(report::Role::Client).size());
    for (const auto& c : j.at("checks")) EXPECT_EQ(c.at("status"), "pass") << c.dump(2);
    EXPECT_EQ(j.at("summary").at("fail"), 0);
    for (const auto& r : j.at("extra").at("runs"))
        if (r.at("label") == "main run") {
            EXPECT_GT(r.at("screen").at("readings").get<int>(), 100) << r.dump();
            EXPECT_EQ(r.at("screen").at("misreadings"), 0) << r.dump();
        }
    // Evidence next to the JSON report: the contact sheet at least, and the client's output.
    const fs::path sheet = j.at("artifacts").at("main.contact_sheet").get<std::string>();
    EXPECT_TRUE(fs::exists(sheet)) << sheet;
    EXPECT_EQ(sheet.parent_path(), out / "report-artifacts");
    EXPECT_EQ(j.at("artifacts").at("pcap"), pcap);
    EXPECT_GT(fs::file_size(pcap), 10'000u);
    // C-PLAY-01 reports what it saw.
    for (const auto& c : j.at("checks"))
        if (c.at("id") == "C-PLAY-01") {
            EXPECT_GT(c.at("evidence").at("frames_shown").get<int>(), 60) << c.dump(2);
            EXPECT_TRUE(c.at("evidence").contains("display_latency_ms")) << c.dump(2);
        }
    std::ifstream xml_in(junit);
    const std::string xml((std::istreambuf_iterator<char>(xml_in)), std::istreambuf_iterator<char>());
    EXPECT_NE(xml.find("<testsuite name=\"tpc3-conform client\""), std::string::npos) << xml.substr(0, 300);
    EXPECT_NE(xml.find("C-REJ-05"), std::string::npos);

    // Nothing left in the runs' TMPDIR but the test's own output.
    EXPECT_EQ(tmp.leftovers({"out"}), std::vector<std::string>{});
}

TEST(ClientSuite, ReferenceClientPassesEveryCheck)
{
    PrivateTmpdir tmp;
    const ClientSuiteRun run = run_client_suite(suite_options(kReferenceClientCommand, {}, tmp.path() / "artifacts"));
    expect_every_check_passes(run);
    if (HasFailure()) ADD_FAILURE() << all_results(run.report);
    EXPECT_EQ(tmp.leftovers({"artifacts"}), std::vector<std::string>{});
}

TEST(ClientSuite, UsageErrorsBeforeAnythingStarts)
{
    ClientSuiteOptions o;
    o.command = "python3 Client.py {host} {tcp_port}";
    EXPECT_THROW(run_client_suite(o), report::UsageError);
    o.command = kPythonClientCommand;
    o.workdir = "/nonexistent/dir";
    EXPECT_THROW(run_client_suite(o), report::UsageError);
    const char* argv[] = {"tpc3-conform", "--client-cmd", "x {host}", "--only", "C-NOPE-*"};
    std::ostringstream out, err;
    EXPECT_EQ(client_role_main(static_cast<int>(std::size(argv)), argv, out, err), 2);
    EXPECT_NE(err.str().find("C-NOPE"), std::string::npos) << err.str();
}

// A client that cannot even start: every check says error (never pass), the
// run is not a harness error, and nothing is left behind.
TEST(ClientSuite, ClientThatCannotStartIsErrorNotPass)
{
    PrivateTmpdir tmp;
    auto o = suite_options("/nonexistent/client {host} {tcp_port} {udp_port} {file}", {}, tmp.path() / "artifacts");
    o.connect_timeout = std::chrono::milliseconds(3000);
    const ClientSuiteRun run = run_client_suite(o);
    EXPECT_EQ(run.harness_error, "");
    for (const auto& r : run.report.checks) EXPECT_EQ(r.status(), report::Status::Error) << describe(r);
    EXPECT_EQ(run.report.exit_status(), 1);
    EXPECT_TRUE(run.left_nothing);
    EXPECT_EQ(tmp.leftovers({"artifacts"}), std::vector<std::string>{});
}

}  // namespace
}  // namespace tpc3::conform::client
