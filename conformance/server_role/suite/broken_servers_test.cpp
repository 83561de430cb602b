// Every deliberately broken server of fixtures/broken_servers fails exactly
// the checks its expected.json names (fixtures/README.md, "The verdict
// rule"), so a check that misses a bug, or blames it on another check, fails
// here. One CTest test per fixture.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "testing/fixture_expectation.h"
#include "suite/suite_test_support.h"

namespace tpc3::conform::server {
namespace {

namespace fs = std::filesystem;
using namespace testing;
using fixture_support::Expectation;
using fixture_support::matches_any;
using fixture_support::read_expectation;

const fs::path kFixtures = TPC3_SOURCE_DIR "/conformance/server_role/fixtures/broken_servers";

class BrokenServer : public ::testing::TestWithParam<std::string> {};

TEST_P(BrokenServer, FailsExactlyTheChecksOfItsBug)
{
    const fs::path dir = kFixtures / GetParam();
    const Expectation expected = read_expectation(dir / "expected.json");
    ServerSuiteRun run =
        run_server_suite(launched(python_command("Server.py"), dir, {{"TPC3_GOOD_EXAMPLE", kGoodExample}}));
    ASSERT_EQ(run.harness_error, "");
    const std::string all = all_results(run.report);
    std::cout << plan_lines(run.report);
    for (const report::CheckResult& r : run.report.checks) {
        const std::string& id = r.info().id;
        const report::Status s = r.status();
        if (matches_any(expected.fails, id)) {
            EXPECT_EQ(s, report::Status::Fail) << "expected fail: " << describe(r);
        } else if (matches_any(expected.may_error, id)) {
            EXPECT_TRUE(s == report::Status::Error || s == report::Status::Pass)
                << "expected error or pass: " << describe(r);
        } else {
            EXPECT_EQ(s, report::Status::Pass) << "expected pass: " << describe(r);
        }
    }
    if (HasFailure()) ADD_FAILURE() << "all results:" << all;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, BrokenServer, ::testing::ValuesIn(fixture_support::fixture_names(kFixtures, "Server.py")),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace tpc3::conform::server
