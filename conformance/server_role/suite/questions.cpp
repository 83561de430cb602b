#include "suite/questions.h"

#include <algorithm>
#include <memory>

#include "analysis/session_facts.h"
#include "checks/judge.h"
#include "report/catalogue.h"
#include "session/hostile_connection.h"

namespace tpc3::conform::server {

using std::chrono::milliseconds;

namespace {

// A crash on a request closes the connection as the process dies: give the
// exit a moment to become visible before judging the process.
constexpr milliseconds kGraceAfterClose{50};
// A server learns that a client vanished on its next send or read (one frame
// period) and may die of it then.
constexpr milliseconds kGraceAfterVanish{250};
constexpr std::size_t kVanishAfterPackets = 3;
constexpr const char* kVanishStep = "client vanished mid-stream";

std::string deadline_reason(const SuiteContext& ctx, const std::string& what)
{
    return ctx.deadline().passed_before(what + " was observed");
}

// The fresh session of a robustness step, and what the process did meanwhile:
// a death noticed after a fresh session that got no SessionID belongs to the
// step (the server died of the hostile part before it could serve again); one
// after a session that was served is a process event (e.g. a server that
// exits after each whole stream), not the step's fault.
void prove_alive(SuiteContext& ctx, RobustnessStep& step, const std::string& label)
{
    const auto& in = ctx.inputs();
    const std::uint64_t mark = ctx.keeper().stderr_mark();
    std::optional<SessionRecord> live = ctx.session(liveness_script(label, in.live_file, in.live_length));
    if (!live) {
        step.liveness = Observed<SessionRecord>::missing(deadline_reason(ctx, "the session after \"" + step.name + "\""));
        return;
    }
    const bool served = analysis::granted_session_id(*live).has_value();
    step.liveness = std::move(*live);
    ServerKeeper::Check c = ctx.keeper().check(label, mark);
    if (!c.newly_dead) return;
    if (!served)
        step.process = c.evidence;
    else
        ctx.store([&](Observations& o) { o.process_events.push_back(*c.evidence); });
}

// After the hostile part of a step: the process then is the step's evidence.
// Returns false when it died (no fresh session can prove anything then).
bool process_survived(SuiteContext& ctx, RobustnessStep& step, const std::string& during, std::uint64_t mark,
                      milliseconds grace)
{
    ServerKeeper::Check c = ctx.keeper().check(during, mark, grace);
    step.process = c.evidence;
    if (!c.evidence || !c.evidence->died) return true;
    step.liveness = Observed<SessionRecord>::missing("the server process died after \"" + step.name +
                                                     "\": no fresh session could be served by it");
    return false;
}

void ask_malformed(SuiteContext& ctx, const std::string& suffix, std::size_t k, const MalformedRequest& request)
{
    RobustnessStep step;
    step.name = request.name;
    step.action = request.action;
    const std::string label = "malformed: " + request.name + suffix;
    const std::uint64_t mark = ctx.keeper().stderr_mark();
    std::optional<SessionRecord> hostile = ctx.hostile(label, request);
    if (!hostile) {
        step.liveness = Observed<SessionRecord>::missing(deadline_reason(ctx, "the malformed request \"" + request.name + "\""));
    } else {
        const milliseconds grace = hostile->server_closed_at ? kGraceAfterClose : milliseconds(0);
        step.hostile.push_back(std::move(*hostile));
        if (process_survived(ctx, step, label, mark, grace))
            prove_alive(ctx, step, "liveness after " + request.name + suffix);
    }
    ctx.store([&](Observations& o) {
        if (!o.malformed_requests) o.malformed_requests = unasked_malformed_steps(ctx.inputs().live_file);
        if (k < o.malformed_requests->size()) (*o.malformed_requests)[k] = std::move(step);
    });
}

void ask_vanishing_client(SuiteContext& ctx, const std::string& suffix)
{
    const auto& in = ctx.inputs();
    RobustnessStep step;
    step.name = kVanishStep;
    step.action = "after " + std::to_string(kVanishAfterPackets) +
                  " datagrams the runner closed its UDP port and reset the TCP connection";
    const std::string label = "vanishing client" + suffix;
    const std::uint64_t mark = ctx.keeper().stderr_mark();
    std::optional<SessionRecord> hostile =
        ctx.session(vanishing_script(label, in.vanish_file, kVanishAfterPackets, in.vanish_frames));
    if (!hostile) {
        step.liveness = Observed<SessionRecord>::missing(deadline_reason(ctx, "the vanishing client"));
    } else {
        step.hostile.push_back(std::move(*hostile));
        if (process_survived(ctx, step, label, mark, kGraceAfterVanish))
            prove_alive(ctx, step, "liveness after the vanished client" + suffix);
    }
    ctx.store([&](Observations& o) { o.vanishing_clients = std::vector<RobustnessStep>{std::move(step)}; });
}

void ask_missing_file(SuiteContext& ctx, const std::string& suffix)
{
    const std::string label = "missing file" + suffix;
    const std::uint64_t mark = ctx.keeper().stderr_mark();
    std::optional<SessionRecord> r = ctx.session(missing_file_script(label, ctx.inputs().missing_file));
    if (r) ctx.note_process(label, mark);
    ctx.store([&](Observations& o) {
        o.missing_file = r ? Observed<SessionRecord>(std::move(*r))
                           : Observed<SessionRecord>::missing(deadline_reason(ctx, "the missing-file session"));
    });
}

void ask_session_ids(SuiteContext& ctx, const std::string& suffix, std::size_t count)
{
    std::vector<SessionRecord> sessions;
    for (std::size_t k = 1; k <= count; ++k) {
        const std::string label = "SessionID " + std::to_string(k) + suffix;
        const std::uint64_t mark = ctx.keeper().stderr_mark();
        std::optional<SessionRecord> r = ctx.session(id_only_script(label, ctx.inputs().live_file));
        if (!r) {
            ctx.store([&](Observations& o) {
                o.id_sessions = Observed<std::vector<SessionRecord>>::missing(
                    deadline_reason(ctx, "the sessions that ask for a SessionID"));
            });
            return;
        }
        ctx.note_process(label, mark);
        sessions.push_back(std::move(*r));
    }
    ctx.store([&](Observations& o) { o.id_sessions = std::move(sessions); });
}

void ask_traversal(SuiteContext& ctx, const std::string& suffix)
{
    const auto& in = ctx.inputs();
    std::vector<TraversalAttempt> attempts;
    const std::pair<const char*, std::string> requests[] = {{"../name", in.outside_relative},
                                                            {"absolute path", in.outside_absolute}};
    for (const auto& [kind, file] : requests) {
        const std::string label = std::string("outside the directory: ") + kind + suffix;
        const std::uint64_t mark = ctx.keeper().stderr_mark();
        std::optional<SessionRecord> r = ctx.session(id_only_script(label, file));
        if (!r) {
            ctx.store([&](Observations& o) {
                o.traversal = Observed<std::vector<TraversalAttempt>>::missing(
                    deadline_reason(ctx, "the requests outside the served directory"));
            });
            return;
        }
        ctx.note_process(label, mark);
        attempts.push_back({kind, in.outside_absolute, std::move(*r)});
    }
    ctx.store([&](Observations& o) { o.traversal = std::move(attempts); });
}

void ask_big_frames(SuiteContext& ctx, const std::string& suffix)
{
    const MovieUnderTest& big = *ctx.inputs().big;
    const std::string label = "large frames" + suffix;
    const std::uint64_t mark = ctx.keeper().stderr_mark();
    std::optional<SessionRecord> r = ctx.session(big_frames_script(label, big.name, big.frames.size()));
    if (r) ctx.note_process(label, mark);
    ctx.store([&](Observations& o) {
        o.big_frames = r ? Observed<BigFrameSession>(BigFrameSession{std::move(*r), big})
                         : Observed<BigFrameSession>::missing(deadline_reason(ctx, "the large-frame session"));
    });
}

const RobustnessStep* find_step(const Observed<std::vector<RobustnessStep>>& steps, const std::string& name)
{
    if (!steps) return nullptr;
    for (const RobustnessStep& s : *steps)
        if (s.name == name) return &s;
    return nullptr;
}

bool steps_ok(const Observed<std::vector<RobustnessStep>>& steps, const std::string& name, const Thresholds& limits)
{
    const RobustnessStep* s = find_step(steps, name);
    return s != nullptr && step_ok(*s, limits);
}

bool died_of(const RobustnessStep* step)
{
    return step != nullptr && step->process && step->process->died;
}

}  // namespace

bool fed_by_main_stream(const std::string& id)
{
    const std::string_view group = report::group_of(id);
    return id == "S-SETUP-01" || id == "S-SETUP-03" || group == "S-RTP" || group == "S-PAY" || group == "S-TIME";
}

bool all_pass_or_skip(const Observations& obs, const std::vector<std::string>& ids)
{
    // Judging the main stream decodes every payload: skip that work when none
    // of these checks needs its datagrams (S-SETUP-04 needs only its reply).
    const bool main_needed = std::any_of(ids.begin(), ids.end(), [](const std::string& id) { return fed_by_main_stream(id); });
    std::optional<Observations> lean;
    if (!main_needed && obs.main_stream) {
        lean = obs;
        lean->main_stream->packets.clear();
    }
    for (const report::CheckResult& r : judge_server(lean ? *lean : obs)) {
        if (std::find(ids.begin(), ids.end(), r.info().id) == ids.end()) continue;
        if (r.status() != report::Status::Pass && r.status() != report::Status::Skip) return false;
    }
    return true;
}

bool step_ok(const RobustnessStep& step, const Thresholds& limits)
{
    if (step.process && step.process->died) return false;
    return step.liveness && analysis::judge_liveness(*step.liveness, limits.liveness_min_packets).valid;
}

std::vector<RobustnessStep> unasked_malformed_steps(const std::string& file)
{
    std::vector<RobustnessStep> steps;
    for (const MalformedRequest& m : malformed_requests(file)) {
        RobustnessStep s;
        s.name = m.name;
        s.action = m.action;
        s.liveness = Observed<SessionRecord>::missing({});  // the run fills in why, if never asked
        steps.push_back(std::move(s));
    }
    return steps;
}

void ask_main_stream(SuiteContext& ctx, const std::string& suffix, SessionWatch* watch)
{
    const auto& in = ctx.inputs();
    const std::string label = "main stream" + suffix;
    const std::uint64_t mark = ctx.keeper().stderr_mark();
    const Millis deadline = stream_deadline(in.main_frames, ctx.deadline().left());
    std::optional<SessionRecord> r = ctx.session(main_stream_script(label, in.main_file, in.main_frames, deadline), watch);
    if (r) ctx.note_process(label, mark);
    ctx.store([&](Observations& o) {
        o.main_stream = r ? Observed<SessionRecord>(std::move(*r))
                          : Observed<SessionRecord>::missing(deadline_reason(ctx, "the main stream"));
    });
}

Question main_stream_question()
{
    std::vector<std::string> feeds;
    for (const report::CheckInfo& c : report::checks_for(report::Role::Server))
        if (fed_by_main_stream(c.id)) feeds.push_back(c.id);
    return {"main stream", feeds, milliseconds(3000),
            [](SuiteContext& ctx, const std::string& suffix) { ask_main_stream(ctx, suffix); },
            [feeds](const Observations& o) { return all_pass_or_skip(o, feeds); }};
}

void ask_second_session(SuiteContext& ctx, const std::string& suffix, bool first_was_main)
{
    const auto& in = ctx.inputs();
    RobustnessStep step;
    step.name = "second session";
    if (first_was_main) {
        step.action = "a new session once the main stream had been served";
        // The process after the first session is the step's evidence.
        step.process = ctx.keeper().check("main stream", 0).evidence;
    } else {
        step.action = "a whole stream of \"" + in.live_file + "\", then a new session";
        const std::string label = "first session" + suffix;
        const std::uint64_t mark = ctx.keeper().stderr_mark();
        std::optional<SessionRecord> first = ctx.session(liveness_script(label, in.live_file, in.live_length));
        if (!first) {
            step.liveness = Observed<SessionRecord>::missing(deadline_reason(ctx, "the first session"));
            ctx.store([&](Observations& o) { o.second_session = std::move(step); });
            return;
        }
        step.hostile.push_back(std::move(*first));
        if (!process_survived(ctx, step, label, mark, milliseconds(0))) {
            ctx.store([&](Observations& o) { o.second_session = std::move(step); });
            return;
        }
    }
    prove_alive(ctx, step, "second session" + suffix);
    ctx.store([&](Observations& o) { o.second_session = std::move(step); });
}

Question second_session_question()
{
    return {"second session (S-ROB-03)", {"S-ROB-03"}, milliseconds(1600),
            [](SuiteContext& ctx, const std::string& suffix) { ask_second_session(ctx, suffix, false); },
            [](const Observations& o) { return o.second_session && step_ok(*o.second_session, o.thresholds); },
            [](const Observations& o) { return o.second_session && died_of(&*o.second_session); }};
}

std::vector<Question> independent_questions(const SuiteInputs& inputs, const report::Selection& selection,
                                            bool main_stream_asked)
{
    std::vector<Question> out;
    if (selection.selected("S-SETUP-02"))
        out.push_back({"missing file (S-SETUP-02)", {"S-SETUP-02"}, milliseconds(1400), ask_missing_file,
                       [](const Observations& o) { return all_pass_or_skip(o, {"S-SETUP-02"}); }});
    if (selection.selected("S-SETUP-04")) {
        // S-SETUP-04 wants three SessionIDs; the main stream's is one of them.
        const std::size_t count = main_stream_asked ? 2 : 3;
        out.push_back({"SessionIDs (S-SETUP-04)", {"S-SETUP-04"}, milliseconds(350 * static_cast<long>(count)),
                       [count](SuiteContext& ctx, const std::string& suffix) { ask_session_ids(ctx, suffix, count); },
                       [](const Observations& o) { return all_pass_or_skip(o, {"S-SETUP-04"}); }});
    }
    if (selection.selected("S-ROB-01")) {
        const std::vector<MalformedRequest> requests = malformed_requests(inputs.live_file);
        for (std::size_t k = 0; k < requests.size(); ++k) {
            const std::string name = requests[k].name;
            out.push_back({"malformed request: " + name + " (S-ROB-01)", {"S-ROB-01"}, milliseconds(1100),
                           [k, request = requests[k]](SuiteContext& ctx, const std::string& suffix) {
                               ask_malformed(ctx, suffix, k, request);
                           },
                           [name](const Observations& o) { return steps_ok(o.malformed_requests, name, o.thresholds); },
                           [name](const Observations& o) { return died_of(find_step(o.malformed_requests, name)); }});
        }
    }
    if (selection.selected("S-ROB-02"))
        out.push_back({"vanishing client (S-ROB-02)", {"S-ROB-02"}, milliseconds(1300), ask_vanishing_client,
                       [](const Observations& o) {
                           return steps_ok(o.vanishing_clients, kVanishStep, o.thresholds);
                       },
                       [](const Observations& o) { return died_of(find_step(o.vanishing_clients, kVanishStep)); }});
    if (inputs.launched && selection.selected("S-SEC-01"))
        out.push_back({"outside the directory (S-SEC-01)", {"S-SEC-01"}, milliseconds(700), ask_traversal,
                       [](const Observations& o) { return all_pass_or_skip(o, {"S-SEC-01"}); }});
    if (inputs.big && selection.selected("S-BIG-01"))
        out.push_back({"large frames (S-BIG-01)", {"S-BIG-01"}, milliseconds(800), ask_big_frames,
                       [](const Observations& o) { return all_pass_or_skip(o, {"S-BIG-01"}); }});
    return out;
}

}  // namespace tpc3::conform::server
