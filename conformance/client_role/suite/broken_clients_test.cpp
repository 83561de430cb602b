// Every deliberately broken client of fixtures/broken_clients fails exactly
// the checks its expected.json names (fixtures/README.md, "The verdict
// rule"): in `fails` fail; in `may_error` error or pass; any other pass. So a
// check that misses a bug, or blames it on another check, fails here. One
// CTest test per fixture; each also proves its runs left nothing behind.
#include <algorithm>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "client_role/suite/suite_test_support.h"
#include "testing/fixture_expectation.h"

namespace tpc3::conform::client {
namespace {

using namespace testing;
using fixture_support::Expectation;
using fixture_support::matches_any;
using fixture_support::read_expectation;

const fs::path kFixtures = TPC3_SOURCE_DIR "/conformance/client_role/fixtures/broken_clients";

class BrokenClient : public ::testing::TestWithParam<std::string> {};

TEST_P(BrokenClient, FailsExactlyTheChecksOfItsBug)
{
    const fs::path dir = kFixtures / GetParam();
    const Expectation expected = read_expectation(dir / "expected.json");
    PrivateTmpdir tmp;
    ClientSuiteOptions o = suite_options(kPythonClientCommand, dir, tmp.path() / "artifacts");
    o.env["TPC3_GOOD_EXAMPLE"] = kGoodExample.string();
    const ClientSuiteRun run = run_client_suite(o);
    ASSERT_EQ(run.harness_error, "");
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
    EXPECT_TRUE(run.left_nothing);
    EXPECT_EQ(tmp.leftovers({"artifacts"}), std::vector<std::string>{});
    if (HasFailure()) ADD_FAILURE() << "all results:" << all_results(run.report);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, BrokenClient, ::testing::ValuesIn(fixture_support::fixture_names(kFixtures, "Client.py")),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace tpc3::conform::client
