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

#include "report/selection.h"
#include "suite/suite_test_support.h"

namespace tpc3::conform::server {
namespace {

namespace fs = std::filesystem;
using namespace testing;

const fs::path kFixtures = TPC3_SOURCE_DIR "/conformance/server_role/fixtures/broken_servers";

std::vector<std::string> fixture_names()
{
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(kFixtures, ec))
        if (entry.is_directory() && fs::exists(entry.path() / "expected.json") && fs::exists(entry.path() / "Server.py"))
            names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

struct Expectation {
    std::vector<std::string> fails;      // patterns
    std::vector<std::string> may_error;  // patterns
};

Expectation read_expectation(const fs::path& file)
{
    std::ifstream in(file);
    const nlohmann::json j = nlohmann::json::parse(in);
    return {j.at("fails").get<std::vector<std::string>>(), j.at("may_error").get<std::vector<std::string>>()};
}

bool matches_any(const std::vector<std::string>& patterns, const std::string& id)
{
    return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& p) { return report::glob_match(p, id); });
}

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

INSTANTIATE_TEST_SUITE_P(Fixtures, BrokenServer, ::testing::ValuesIn(fixture_names()),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace tpc3::conform::server
