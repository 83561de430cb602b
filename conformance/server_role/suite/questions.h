// The suite's independent questions: one per thing CHECKS.md asks of a
// server, each playing its own sessions and storing its answer in the
// observations. The plan (server_suite.cpp) decides when each is asked:
// overlapped with others when the server has shown it serves sessions
// concurrently, otherwise one at a time.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "report/selection.h"
#include "suite/suite_context.h"

namespace tpc3::conform::server {

struct Question {
    std::string name;                    // "missing file", "S-ROB-01 garbage"
    std::vector<std::string> feeds;      // the check IDs its answer decides
    std::chrono::milliseconds estimate;  // time against a correct server, for balancing lanes
    // Asks (again): `suffix` is appended to every session label of a re-ask.
    std::function<void(SuiteContext&, const std::string& suffix)> ask;
    // The stored answer passes (or skips) every check it feeds; an unsettled
    // answer observed alongside other sessions, or while the server died, is
    // asked again alone.
    std::function<bool(const Observations&)> settled;
    // Robustness steps only: its own evidence shows the process died of its
    // hostile part. Asked alone, that answer is final (asking again would
    // only kill the server again).
    std::function<bool(const Observations&)> killed_by_it = {};
};

// The checks the main stream decides (S-SETUP-01/03, S-RTP-*, S-PAY-*, S-TIME-*).
bool fed_by_main_stream(const std::string& check_id);

// The main stream (Observations::main_stream). `watch` sees its events.
void ask_main_stream(SuiteContext& ctx, const std::string& suffix, SessionWatch* watch = nullptr);
Question main_stream_question();

// S-ROB-03: a second session after a first one. `first_was_main`: the main
// stream, already served, is the first one; otherwise the question plays its
// own first session (a whole liveness stream) before the second.
void ask_second_session(SuiteContext& ctx, const std::string& suffix, bool first_was_main);
Question second_session_question();

// The questions that need no particular moment (any order, any lane), the
// selected ones only: missing file, SessionIDs (three when the main stream is
// not asked), each malformed request, the vanishing client, the requests
// outside the directory (launched), the large frames (launched).
std::vector<Question> independent_questions(const SuiteInputs& inputs, const report::Selection& selection,
                                            bool main_stream_asked);

// Names and actions of the malformed-request steps, as unasked steps (their
// liveness missing until asked): the initial S-ROB-01 observation.
std::vector<RobustnessStep> unasked_malformed_steps(const std::string& file);

// Check statuses of an observation, judged now (pure).
bool all_pass_or_skip(const Observations& obs, const std::vector<std::string>& ids);
// A robustness step whose fresh session was valid and whose server did not die.
bool step_ok(const RobustnessStep& step, const Thresholds& limits);

}  // namespace tpc3::conform::server
