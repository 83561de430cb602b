// The outcome of a fuzz run (or of one replayed case), as text for a person
// and as JSON for a tool (--json FILE).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/finding.h"

namespace tpc3::fuzz::net {

struct FuzzSummary {
    std::uint64_t cases_run = 0;
    double wall_s = 0.0;
    double cases_per_s = 0.0;
    std::vector<Finding> findings;
    std::string stopped_because;  // "50 iterations done", "time budget of 30 s used", "first finding (--stop-at-first)"
    // [extension] what was fuzzed ("python3 Server.py {port}", "127.0.0.1:5000") and with which seed.
    std::string target;
    std::uint64_t seed = 0;

    // Sets cases_per_s from cases_run and wall_s.
    void finish_rates();
};

// "fuzzed <target> with seed S: 50 cases in 12.3 s (4.1 cases/s); stopped: ...; 1 finding:\n..."
std::string to_text(const FuzzSummary& s);
// {"format": "tpc3-fuzz-summary/1", "target", "seed", "cases_run", "wall_s", "cases_per_s", "stopped_because", "findings": [...]}
nlohmann::json to_json(const FuzzSummary& s);

// Exit status of `tpc3-conform fuzz`: 0 nothing found, 1 a finding, 2 usage/harness error.
inline constexpr int kExitNothingFound = 0;
inline constexpr int kExitFinding = 1;
inline constexpr int kExitUsageOrHarness = 2;
inline int exit_code_for(const FuzzSummary& s) { return s.findings.empty() ? kExitNothingFound : kExitFinding; }

}  // namespace tpc3::fuzz::net
