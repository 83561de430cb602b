// From observations to the run's check results: judge_server, the long
// movie's stream (--full) added to the checks the main stream decides, and
// --only/--skip applied (a check not selected is `skip`, with that reason).
#pragma once

#include <optional>
#include <vector>

#include "checks/observations.h"
#include "report/check_result.h"
#include "report/selection.h"

namespace tpc3::conform::server {

// The stream of the long movie (--full) and the movie it streamed.
struct LongStream {
    Observed<SessionRecord> session;
    MovieUnderTest movie;
};

// For each check the main stream decides, the worse of the two verdicts
// (fail, then error, then pass, then skip); the long movie's verdict is named
// in the message when it is the one kept, and always in the evidence
// ("long_movie").
std::vector<report::CheckResult> judge_run(const Observations& obs, const std::optional<LongStream>& long_stream,
                                           const report::Selection& selection);

}  // namespace tpc3::conform::server
