// Shared by the suite's tests: running the suite against a launched server
// and saying which checks did not come out as expected.
#pragma once

#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "report/catalogue.h"
#include "suite/server_suite.h"

namespace tpc3::conform::server::testing {

inline const std::string kGoodExample = TPC3_SOURCE_DIR "/conformance/examples/good";
inline const std::string kReferenceServer = TPC3_BINARY_DIR "/reference/server/tpc3-server";

inline ServerSuiteOptions launched(const std::string& command, const std::filesystem::path& workdir,
                                   std::map<std::string, std::string> env = {})
{
    ServerSuiteOptions o;
    o.target = LaunchSpec{command, workdir, std::move(env), std::chrono::milliseconds(10000)};
    o.timeout = std::chrono::seconds(90);
    return o;
}

inline std::string python_command(const std::string& server_py)
{
    return std::string(TPC3_PYTHON) + " " + server_py + " {port}";
}

// "S-RTP-06 fail: packet 1: PT was 96, expected 26" for each result not in `ok`.
inline std::string describe(const report::CheckResult& r)
{
    return r.info().id + " " + std::string(report::to_string(r.status())) + ": " + r.message();
}

// Every required check passed: "" or the list of those that did not.
inline std::string required_not_passed(const report::Report& report)
{
    std::ostringstream out;
    for (const report::CheckResult& r : report.checks)
        if (r.info().severity == report::Severity::Required && r.status() != report::Status::Pass)
            out << "\n  " << describe(r);
    return out.str();
}

// The plan the run followed, one line per question (printed by the tests: a
// slow or surprising run is then explained in the test log).
inline std::string plan_lines(const report::Report& report)
{
    std::ostringstream out;
    const nlohmann::json plan = report.extra.value("plan", nlohmann::json::object());
    for (const auto& e : plan.value("events", nlohmann::json::array()))
        out << "  [" << e.value("at_s", 0.0) << " s] " << e.value("event", "") << "\n";
    for (const auto& q : plan.value("questions", nlohmann::json::array()))
        out << "  [" << q.value("started_s", 0.0) << " s +" << q.value("duration_s", 0.0) << " s] "
            << q.value("question", "") << " (" << q.value("mode", "") << ")" << (q.value("settled", false) ? "" : " NOT SETTLED")
            << "\n";
    out << "  duration " << report.duration_s << " s\n";
    return out.str();
}

inline std::string all_results(const report::Report& report)
{
    std::ostringstream out;
    for (const report::CheckResult& r : report.checks) out << "\n  " << describe(r);
    out << "\n" << plan_lines(report);
    return out.str();
}

}  // namespace tpc3::conform::server::testing
