// The results of one conformance run and the three ways it is told: the JSON
// report (the machine-readable contract of CHECKS.md), JUnit XML (for any CI)
// and the console table (for the student).
#pragma once

#include <cstdio>
#include <map>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/check.h"
#include "report/check_result.h"

namespace tpc3::report {

// The project version (CMake project(VERSION)), e.g. "0.1.0".
std::string_view tool_version();

// Exit statuses of tpc3-conform (CHECKS.md).
namespace exit_code {
inline constexpr int all_required_passed = 0;
inline constexpr int required_failed = 1;  // a required check failed or errored
inline constexpr int usage_or_harness = 2; // set by the runner itself, never by a Report
}  // namespace exit_code

struct Summary {
    int pass = 0;
    int fail = 0;
    int skip = 0;
    int error = 0;
    int required_fail = 0;   // of `fail`, the required checks
    int required_error = 0;  // of `error`, the required checks

    int total() const { return pass + fail + skip + error; }
    friend bool operator==(const Summary&, const Summary&) = default;
};

// Counts of a list of results.
Summary summarise(std::span<const CheckResult> results);

struct Report {
    std::string tool = "tpc3-conform";
    std::string version = std::string(tool_version());
    Role role = Role::Server;  // of the implementation under test
    std::string target;        // "127.0.0.1:5000" or the client's command line
    std::string dialect = "tpc3";
    std::string started;       // ISO 8601 UTC with milliseconds (see timestamp.h)
    double duration_s = 0.0;
    std::vector<CheckResult> checks;
    std::map<std::string, std::string> artifacts;  // "pcap" -> "out/run.pcap", ...
    nlohmann::json extra;  // written as "extra" in the JSON when not null

    Summary summary() const;

    // 0 when no required check failed or errored; 1 otherwise. Decided: a
    // skipped required check does not count against the run (it did not
    // apply, or the user deselected it), and advisory checks never decide the
    // exit status, whatever their outcome. A run with no checks exits 0.
    int exit_status() const;

    // The CHECKS.md contract: tool, version, role, target, dialect, started,
    // duration_s, checks [{id, title, severity, status, message, evidence,
    // + group, requirement, duration_s}], summary {pass, fail, skip, error,
    // + required_fail, required_error}, artifacts; + exit_status, extra.
    // Keys keep that order.
    nlohmann::ordered_json to_json() const;

    // JUnit XML: <testsuites> holding one <testsuite name="tpc3-conform server">
    // per role present (the report's role when there are no checks), one
    // <testcase name="ID title" classname="group"> per check.
    std::string to_junit_xml() const;

    // Write to a file ("-" means standard output). Invalid UTF-8 in strings is
    // replaced, never an exception. Throws std::runtime_error naming the path
    // when the file cannot be written.
    void write_json(const std::string& path) const;
    void write_junit(const std::string& path) const;

    // The table for people: checks grouped by group, one line each with a
    // status tag, failures explained underneath, then a one-line summary.
    // `verbose` adds pass messages, requirements and evidence.
    void print_console(std::ostream& out, bool colour, bool verbose) const;
};

// Whether console output to `stream` should be coloured: it is a terminal,
// TERM is set and not "dumb", and NO_COLOR is unset or empty (no-color.org).
bool colour_default(std::FILE* stream);
// The same rule on given facts, for tests.
bool colour_wanted(bool is_terminal, const char* term, const char* no_color);

}  // namespace tpc3::report
