// S-ROB: the server keeps serving after hostile clients, serves a second
// session, and (advisory) two at once.
#include <algorithm>
#include <array>

#include "analysis/movie_match.h"
#include "analysis/packet_view.h"
#include "analysis/sequence.h"
#include "analysis/session_facts.h"
#include "checks/check_support.h"

namespace tpc3::conform::server {
namespace {

using report::CheckResult;
using namespace analysis;

struct StepVerdict {
    enum class Outcome { Ok, Failed, Unobserved } outcome = Outcome::Ok;
    std::string text;
    nlohmann::json evidence;
};

// A hostile step passes when the fresh session after it is valid; a launched
// server that died fails it whatever came after (the runner restarted it).
StepVerdict judge_step(const RobustnessStep& step, const Observations& obs)
{
    StepVerdict v;
    v.evidence = {{"step", step.name}, {"action", step.action}, {"hostile_sessions", step.hostile.size()}};
    const std::string after = "after \"" + step.name + "\"" + (step.action.empty() ? "" : " (" + step.action + ")");
    std::optional<Liveness> live;
    if (step.liveness) {
        live = judge_liveness(*step.liveness, obs.thresholds.liveness_min_packets);
        v.evidence["liveness"] = {{"session", step.liveness->label}, {"valid", live->valid},
                                  {"explanation", live->explanation}, {"reply", describe_reply(*step.liveness)}};
    }
    if (step.process) v.evidence["process"] = to_json(*step.process);

    if (step.process && step.process->died) {
        v.outcome = StepVerdict::Outcome::Failed;
        v.text = after + " the server process died: " + describe_process(*step.process);
        return v;
    }
    if (!live) {
        v.outcome = StepVerdict::Outcome::Unobserved;
        v.text = after + ", no fresh session was observed: " + why_missing(step.liveness, obs);
        return v;
    }
    if (!live->valid) {
        v.outcome = StepVerdict::Outcome::Failed;
        v.text = after + ", the next session " + live->explanation;
        return v;
    }
    v.text = after + ": " + live->explanation;
    return v;
}

CheckResult judge_steps(const report::CheckInfo& info, const Observed<std::vector<RobustnessStep>>& steps,
                        const Observations& obs, const std::string& what)
{
    if (!steps) return unobserved(info, steps, obs, what);
    if (steps->empty()) return report::error(info, what + " were not run: the suite recorded no step");
    nlohmann::json list = nlohmann::json::array();
    std::vector<StepVerdict> failed, unobserved_steps;
    std::vector<std::string> names;
    for (const RobustnessStep& s : *steps) {
        StepVerdict v = judge_step(s, obs);
        list.push_back(v.evidence);
        names.push_back(s.name);
        if (v.outcome == StepVerdict::Outcome::Failed) failed.push_back(std::move(v));
        else if (v.outcome == StepVerdict::Outcome::Unobserved) unobserved_steps.push_back(std::move(v));
    }
    nlohmann::json evidence{{"steps", list}};
    if (!failed.empty()) {
        std::string text = failed.front().text;
        if (failed.size() > 1) text += " (" + count_of(failed.size(), steps->size(), "steps") + " failed)";
        return report::fail(info, text, evidence);
    }
    if (!unobserved_steps.empty()) return report::error(info, unobserved_steps.front().text, evidence);
    std::string all;
    for (std::size_t k = 0; k < names.size(); ++k) all += (k ? ", " : "") + names[k];
    return report::pass(info, "a valid session followed each of: " + all, evidence);
}

// S-ROB-01: after malformed requests (garbage, empty, one word, non-numeric
// port, a 64 KiB line, non-UTF-8) the server still serves a valid session
// (PROTOCOL.md 3).
CheckResult rob_01(const JudgeContext& ctx)
{
    return judge_steps(report::lookup("S-ROB-01"), ctx.obs.malformed_requests, ctx.obs, "the malformed requests");
}

// S-ROB-02: after a client vanishes mid-stream (UDP port closed, TCP reset)
// the server still serves a valid session.
CheckResult rob_02(const JudgeContext& ctx)
{
    return judge_steps(report::lookup("S-ROB-02"), ctx.obs.vanishing_clients, ctx.obs, "the vanishing clients");
}

// S-ROB-03: the server serves a second session after the first one.
CheckResult rob_03(const JudgeContext& ctx)
{
    const report::CheckInfo& info = report::lookup("S-ROB-03");
    if (!ctx.obs.second_session) return unobserved(info, ctx.obs.second_session, ctx.obs, "the second session");
    const StepVerdict v = judge_step(*ctx.obs.second_session, ctx.obs);
    switch (v.outcome) {
    case StepVerdict::Outcome::Ok: return report::pass(info, v.text, v.evidence);
    case StepVerdict::Outcome::Failed: return report::fail(info, v.text, v.evidence);
    case StepVerdict::Outcome::Unobserved: break;
    }
    return report::error(info, v.text, v.evidence);
}

// One stream of the concurrent pair: what is wrong with it, if anything.
std::optional<std::string> stream_problem(const SessionRecord& r, std::uint32_t id,
                                          const std::optional<MovieUnderTest>& movie)
{
    const auto views = view_packets(r, id);
    if (views.empty()) return "received no datagram (" + describe_end(r.end) + ")";
    for (const PacketView& p : views) {
        if (!p.header) return p.name() + " is shorter than an RTP header";
        if (const rtp::Deviation* d = p.deviation(rtp::Field::Ssrc))
            return p.name() + ": SSRC was " + std::to_string(d->seen) + ", expected its own SessionID " +
                   std::to_string(id) + " (streams mixed up?)";
    }
    if (movie) {
        const MovieComparison c = compare_with_movie(views, movie->frames);
        if (!c.missing.empty())
            return c.missing.front().describe() + " never arrived (" +
                   count_of(c.missing_count(), c.frames, "frames") + " missing)";
        if (!c.all_frames_in_order() || !c.mismatches.empty())
            return "its payloads are not the movie's frames once each in order (" +
                   std::to_string(c.mismatches.size()) + " differ)";
    } else {
        const SequenceAnalysis s = analyse_sequence(views);
        if (!s.in_order()) return s.faults.front().describe();
    }
    return std::nullopt;
}

// S-ROB-04 (advisory): two sessions at the same time are both served
// correctly: two SessionIDs, streams that overlap in time, each stream whole
// with its own SSRC.
CheckResult rob_04(const JudgeContext& ctx)
{
    const report::CheckInfo& info = report::lookup("S-ROB-04");
    if (!ctx.obs.concurrency) return unobserved(info, ctx.obs.concurrency, ctx.obs, "the concurrent sessions");
    const ConcurrentSessions& pair = *ctx.obs.concurrency;
    const std::array<const SessionRecord*, 2> sessions{&pair.first, &pair.second};
    nlohmann::json evidence = nlohmann::json::array();
    std::array<std::uint32_t, 2> ids{};
    for (std::size_t k = 0; k < 2; ++k) {
        const SessionRecord& r = *sessions[k];
        nlohmann::json e{{"session", r.label}, {"reply", describe_reply(r)}, {"datagrams", r.packets.size()}};
        if (!r.packets.empty()) {
            e["first_datagram_unix_s"] = unix_seconds(r.packets.front().received);
            e["last_datagram_unix_s"] = unix_seconds(r.packets.back().received);
        }
        evidence.push_back(e);
    }
    nlohmann::json ev{{"sessions", evidence}};
    for (std::size_t k = 0; k < 2; ++k) {
        const SessionRecord& r = *sessions[k];
        if (r.end == SessionEnd::ConnectFailed)
            return report::error(info, "\"" + r.label + "\": " + describe_reply(r), ev);
        const auto id = granted_session_id(r);
        if (!id)
            return report::fail(info,
                                "\"" + r.label + "\" got no SessionID while the other session was open: the reply was " +
                                    describe_reply(r),
                                ev);
        ids[k] = *id;
    }
    if (ids[0] == ids[1])
        return report::fail(info, "both sessions got SessionID " + std::to_string(ids[0]) + ", expected two different",
                            ev);
    for (std::size_t k = 0; k < 2; ++k)
        if (auto problem = stream_problem(*sessions[k], ids[k], pair.movie))
            return report::fail(info, "\"" + sessions[k]->label + "\" " + *problem, ev);
    const WallTime first_end = pair.first.packets.back().received;
    const WallTime second_start = pair.second.packets.front().received;
    const WallTime second_end = pair.second.packets.back().received;
    const WallTime first_start = pair.first.packets.front().received;
    if (second_start > first_end || first_start > second_end) {
        const bool first_earlier = second_start > first_end;
        const SessionRecord& earlier = first_earlier ? pair.first : pair.second;
        const SessionRecord& later = first_earlier ? pair.second : pair.first;
        const double wait = seconds_between(first_earlier ? first_end : second_end,
                                            first_earlier ? second_start : first_start);
        return report::fail(info,
                            "the streams did not overlap: \"" + later.label + "\" started " + fixed(wait, 2) +
                                " s after \"" + earlier.label + "\" ended (served one after the other)",
                            ev);
    }
    return report::pass(info,
                        "SessionIDs " + std::to_string(ids[0]) + " and " + std::to_string(ids[1]) +
                            ", both streams whole, overlapping in time",
                        ev);
}

}  // namespace

std::vector<ServerCheck> robustness_checks()
{
    return {{"S-ROB-01", rob_01}, {"S-ROB-02", rob_02}, {"S-ROB-03", rob_03}, {"S-ROB-04", rob_04}};
}

}  // namespace tpc3::conform::server
