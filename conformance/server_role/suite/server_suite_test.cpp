// The whole suite against servers that do everything right (every check
// passes), against a remote server with and without a local copy of its
// movie, and against servers that never start or never answer: the run ends
// in time, says why, and leaves nothing behind.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <gtest/gtest.h>

#include "harness/ports.h"
#include "harness/process.h"
#include "harness/readiness.h"
#include "harness/temp_dir.h"
#include "suite/runner_movies.h"
#include "suite/suite_test_support.h"

namespace tpc3::conform::server {
namespace {

namespace fs = std::filesystem;
using namespace testing;
using namespace std::chrono_literals;

// Points TMPDIR at a private directory while it lives: every temporary
// directory of the run lands there, so a test sees what the run left behind.
class PrivateTmp {
public:
    PrivateTmp() : dir_("tpc3-suite-test-")
    {
        if (const char* old = std::getenv("TMPDIR")) old_ = old;
        ::setenv("TMPDIR", dir_.path().c_str(), 1);
    }
    ~PrivateTmp()
    {
        if (old_)
            ::setenv("TMPDIR", old_->c_str(), 1);
        else
            ::unsetenv("TMPDIR");
    }
    const fs::path& path() const { return dir_.path(); }

    // "" when the run left nothing: no file or directory here, no process
    // whose working directory is (or was) in here.
    std::string leftovers() const
    {
        std::string out;
        for (const auto& e : fs::directory_iterator(dir_.path())) out += " file " + e.path().string();
        for (const auto& p : fs::directory_iterator("/proc")) {
            std::error_code ec;
            const fs::path cwd = fs::read_symlink(p.path() / "cwd", ec);
            if (!ec && cwd.string().rfind(dir_.path().string(), 0) == 0)
                out += " process " + p.path().filename().string() + " in " + cwd.string();
        }
        return out;
    }

private:
    harness::TempDir dir_;
    std::optional<std::string> old_;
};

const report::CheckResult& result(const report::Report& r, const std::string& id)
{
    for (const report::CheckResult& c : r.checks)
        if (c.info().id == id) return c;
    throw std::out_of_range(id);
}

TEST(ServerSuite, PythonExamplePassesEveryCheckAndLeavesNothingBehind)
{
    PrivateTmp tmp;
    ServerSuiteRun run = run_server_suite(launched(python_command("Server.py"), kGoodExample));
    std::cout << plan_lines(run.report);
    EXPECT_EQ(run.harness_error, "");
    for (const report::CheckResult& r : run.report.checks)
        EXPECT_EQ(r.status(), report::Status::Pass) << describe(r);
    EXPECT_EQ(run.report.exit_status(), 0);
    EXPECT_TRUE(run.report.extra.at("concurrent_server").get<bool>());
    EXPECT_EQ(tmp.leftovers(), "");
}

TEST(ServerSuite, ReferenceServerPassesEveryCheck)
{
    harness::TempDir empty("tpc3-suite-empty-");
    ServerSuiteRun run = run_server_suite(launched(kReferenceServer + " {port}", empty.path()));
    std::cout << plan_lines(run.report);
    EXPECT_EQ(run.harness_error, "");
    for (const report::CheckResult& r : run.report.checks)
        EXPECT_EQ(r.status(), report::Status::Pass) << describe(r);
    EXPECT_TRUE(fs::is_empty(empty.path())) << "the runner must work in a copy of --workdir";
}

// A reference server the test starts itself, serving one runner-made movie.
class RemoteReferenceServer {
public:
    RemoteReferenceServer() : dir_("tpc3-suite-remote-")
    {
        movie_ = make_marker_movie(dir_.path(), "movie.mpeg", main_movie_spec());
        port_ = harness::pick_free_tcp_port();
        harness::ProcessOptions o = harness::command({kReferenceServer, std::to_string(port_), "--dir", dir_.path()});
        o.label = "reference-server";
        process_.emplace(std::move(o));
        const auto ready = harness::wait_for_tcp_listener(port_, harness::deadline_after(10s), &*process_);
        if (!ready) throw std::runtime_error(ready.describe());
    }
    ServerSuiteOptions options(bool with_movie) const
    {
        ServerSuiteOptions o;
        o.target = RemoteSpec{{"127.0.0.1", port_}, "movie.mpeg", false};
        if (with_movie) o.movie = movie_.path;
        o.timeout = 60s;
        return o;
    }

private:
    harness::TempDir dir_;
    MovieUnderTest movie_;
    std::uint16_t port_ = 0;
    std::optional<harness::Process> process_;
};

TEST(ServerSuite, RemoteServerWithoutALocalCopySkipsThePayloadComparisons)
{
    RemoteReferenceServer server;
    ServerSuiteRun run = run_server_suite(server.options(false));
    std::cout << plan_lines(run.report);
    EXPECT_EQ(run.harness_error, "");
    for (const std::string id : {"S-PAY-02", "S-PAY-03"}) {
        const report::CheckResult& r = result(run.report, id);
        EXPECT_EQ(r.status(), report::Status::Skip) << describe(r);
        EXPECT_NE(r.message().find("--movie"), std::string::npos) << describe(r);
    }
    for (const std::string id : {"S-SEC-01", "S-BIG-01"})
        EXPECT_EQ(result(run.report, id).status(), report::Status::Skip) << describe(result(run.report, id));
    for (const report::CheckResult& r : run.report.checks)
        if (r.status() != report::Status::Skip) {
            EXPECT_EQ(r.status(), report::Status::Pass) << describe(r);
        }
    EXPECT_EQ(result(run.report, "S-PAY-01").status(), report::Status::Pass);
    EXPECT_EQ(run.report.exit_status(), 0);
}

TEST(ServerSuite, RemoteServerWithALocalCopyComparesThePayloads)
{
    RemoteReferenceServer server;
    ServerSuiteRun run = run_server_suite(server.options(true));
    std::cout << plan_lines(run.report);
    for (const report::CheckResult& r : run.report.checks) {
        if (r.info().id == "S-SEC-01" || r.info().id == "S-BIG-01")
            EXPECT_EQ(r.status(), report::Status::Skip) << describe(r);
        else
            EXPECT_EQ(r.status(), report::Status::Pass) << describe(r);
    }
}

TEST(ServerSuite, AServerThatCannotStartIsReportedPlainlyAsErrors)
{
    harness::TempDir empty("tpc3-suite-empty-");
    PrivateTmp tmp;
    ServerSuiteRun run = run_server_suite(
        launched(std::string(TPC3_PYTHON) + " -c 'import tpc3_no_such_module' {port}", empty.path()));
    EXPECT_EQ(run.harness_error, "");  // the server's fault, not the runner's
    EXPECT_EQ(run.report.exit_status(), 1);
    for (const report::CheckResult& r : run.report.checks) {
        EXPECT_EQ(r.status(), report::Status::Error) << describe(r);
        EXPECT_NE(r.message().find("ModuleNotFoundError"), std::string::npos) << describe(r);
    }
    EXPECT_EQ(tmp.leftovers(), "");
}

TEST(ServerSuite, AServerThatNeverAnswersCannotHoldTheRunnerPastItsTimeout)
{
    harness::TempDir dir("tpc3-suite-silent-");
    PrivateTmp tmp;
    // Accepts every connection and never says a word.
    std::ofstream(dir / "Silent.py") << "import socket, sys, time\n"
                                        "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
                                        "s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen(64)\n"
                                        "held = []\n"
                                        "while True:\n"
                                        "    c, _ = s.accept(); held.append(c)\n";
    ServerSuiteOptions o = launched(python_command("Silent.py"), dir.path());
    o.timeout = 6s;
    const auto start = std::chrono::steady_clock::now();
    ServerSuiteRun run = run_server_suite(o);
    const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << plan_lines(run.report);
    EXPECT_LT(took, 6.0 + 4.0);
    EXPECT_EQ(run.report.exit_status(), 1);
    for (const report::CheckResult& r : run.report.checks) {
        EXPECT_NE(r.status(), report::Status::Pass) << describe(r);
        EXPECT_FALSE(r.message().empty()) << describe(r);
    }
    EXPECT_EQ(result(run.report, "S-SETUP-01").status(), report::Status::Fail) << describe(result(run.report, "S-SETUP-01"));
    EXPECT_EQ(tmp.leftovers(), "");
}

TEST(ServerSuite, OnlyTheSessionsOfTheSelectedChecksRun)
{
    ServerSuiteOptions o = launched(python_command("Server.py"), kGoodExample);
    o.selection = report::Selection::parse("S-SETUP-02", "");
    ServerSuiteRun run = run_server_suite(o);
    std::cout << plan_lines(run.report);
    for (const report::CheckResult& r : run.report.checks) {
        if (r.info().id == "S-SETUP-02") {
            EXPECT_EQ(r.status(), report::Status::Pass) << describe(r);
        } else {
            EXPECT_EQ(r.status(), report::Status::Skip) << describe(r);
            EXPECT_NE(r.message().find("not selected"), std::string::npos) << describe(r);
        }
    }
    EXPECT_EQ(run.report.extra.at("plan").at("questions").size(), 1u) << run.report.extra.at("plan").dump();
    EXPECT_LT(run.report.duration_s, 3.0);
}

TEST(ServerSuite, UsageErrorsComeBeforeAnythingStarts)
{
    EXPECT_THROW(run_server_suite(launched(python_command("Server.py").substr(0, 10), kGoodExample)), report::UsageError);
    EXPECT_THROW(run_server_suite(launched(python_command("Server.py"), "/nonexistent/dir")), report::UsageError);
    ServerSuiteOptions bad_movie = launched(python_command("Server.py"), kGoodExample);
    bad_movie.movie = "/nonexistent/movie.mpeg";
    EXPECT_THROW(run_server_suite(bad_movie), report::UsageError);
    ServerSuiteOptions remote_full;
    remote_full.target = RemoteSpec{{"127.0.0.1", 5000}, "movie.mpeg", false};
    remote_full.full = true;
    EXPECT_THROW(run_server_suite(remote_full), report::UsageError);
    ServerSuiteOptions not_here;
    not_here.target = RemoteSpec{{"192.0.2.1", 5000}, "movie.mpeg", false};
    EXPECT_THROW(run_server_suite(not_here), report::UsageError);
}

}  // namespace
}  // namespace tpc3::conform::server
