// The whole suite against servers that do everything right: every required
// check passes (and the advisory ones the server does), nothing is left behind.
#include <gtest/gtest.h>

#include "harness/temp_dir.h"
#include "suite/suite_test_support.h"

namespace tpc3::conform::server {
namespace {

using namespace testing;

TEST(ServerSuite, PythonExamplePassesEveryCheck)
{
    ServerSuiteRun run = run_server_suite(launched(python_command("Server.py"), kGoodExample));
    EXPECT_EQ(run.harness_error, "");
    EXPECT_EQ(required_not_passed(run.report), "") << all_results(run.report);
    for (const report::CheckResult& r : run.report.checks)
        EXPECT_EQ(r.status(), report::Status::Pass) << describe(r);
    EXPECT_EQ(run.report.exit_status(), 0);
    EXPECT_TRUE(run.report.extra.at("concurrent_server").get<bool>());
    std::cout << "plan: " << run.report.extra.at("plan").dump(1) << "\nduration " << run.report.duration_s << " s\n";
}

}  // namespace
}  // namespace tpc3::conform::server
