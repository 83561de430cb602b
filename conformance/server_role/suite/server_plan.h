// The order of the suite's sessions (the plan):
//
//  1. The main stream starts. Once its first datagram is in, a short probe
//     session asks for a SessionID: a reply while the main stream still runs
//     shows a concurrent server (the pair is S-ROB-04's evidence).
//  2. Concurrent server: the independent questions run in lanes alongside
//     the main stream, and the second session of S-ROB-03 starts once the
//     main stream's frames are in. Otherwise (one session at a time) they
//     run one after the other once the main stream and the probe are done.
//  3. Before each question asked alone, a launched server found dead is
//     started again (the death stays in the evidence).
//  4. A question whose answer did not pass, and that was observed alongside
//     other sessions or while the server died, is asked again alone; that
//     answer is final. So no required check depends on concurrency, and one
//     crash does not decide the other verdicts.
//  5. --full: the long movie, alone, at the end.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "report/selection.h"
#include "suite/plan_log.h"
#include "suite/suite_context.h"

namespace tpc3::conform::server {

struct PlanSettings {
    report::Selection selection;
    std::size_t max_lanes = 6;
};

struct PlanOutcome {
    bool concurrent = false;                    // the probe was answered during the main stream
    std::vector<std::string> harness_problems;  // the runner's own failures (never the server's)
    std::string stopped;                        // why the plan stopped early (deadline, no restart), or empty
    std::optional<SessionRecord> full_stream;   // --full
    double verdicts_cpu_s = 0;  // CPU spent judging answers during the plan (not receiving)
};

PlanOutcome run_plan(SuiteContext& ctx, const PlanSettings& settings, PlanLog& log);

// The checks the plan's main stream serves (any selected: the main stream is asked).
bool main_stream_wanted(const report::Selection& selection);

}  // namespace tpc3::conform::server
