// C-ROB: no datagram, however malformed, stops playback (PROTOCOL.md section 5).
//
// C-ROB-01/02/03 judge their own injections (short datagrams, random bytes,
// a corrupt JPEG): each fails when the client showed valid frames right before
// it and none sent after it; it is `error` when the client had already stopped
// showing frames before it. C-ROB-04 judges the C-REJ poisons the client
// dropped: valid frames sent after each must still be shown. A crash on a
// malformed datagram is the business of C-ROB-01/02/03, not of C-ROB-04.
#include <algorithm>
#include <string>

#include "client_role/checks/check_support.h"

namespace tpc3::conform::client {
namespace {

using report::CheckResult;

struct InjectionVerdict {
    Verdict verdict = Verdict::Pass;
    std::string message;
    nlohmann::json evidence;
};

InjectionVerdict judge_survival(const Playback& pb, std::size_t i)
{
    InjectionVerdict v;
    v.evidence = datagram_evidence(pb, i);
    const std::string name = name_of(pb, i);
    if (!pb.was_sent(i)) {
        v.verdict = Verdict::Error;
        v.message = name + " was not sent (the stream ended before it)";
        return v;
    }
    const bool before = shown_before(pb, i);
    const auto after = shown_after_list(pb, i);
    v.evidence["shown_before"] = before;
    v.evidence["valid_frames_shown_after"] = frame_list(pb, after, 5);
    if (!after.empty()) return v;
    if (before) {
        std::size_t later = 0;
        for (std::size_t k : pb.plan().expected_shown()) later += k > i && pb.was_sent(k) ? 1 : 0;
        v.verdict = Verdict::Fail;
        v.message = "playback stopped at " + name + ", sent at " + fixed(v.evidence.value("sent_s", 0.0), 2) +
                    " s: the client played the valid frames right before it and showed none of the " + std::to_string(later) +
                    " valid frames sent after it";
        return v;
    }
    v.verdict = Verdict::Error;
    v.message = "the client played no valid frame right before " + name + " nor showed one after it: it had stopped " +
                "earlier, so this datagram's effect cannot be told";
    return v;
}

CheckResult survival(const std::string& id, const JudgeContext& ctx)
{
    const report::CheckInfo& info = report::lookup(id);
    const Playback& pb = ctx.main;
    if (auto unjudgeable = playback_unjudgeable(info, ctx)) return *unjudgeable;
    const auto injections = pb.plan().for_check(id);
    if (injections.empty()) return report::skip(info, "the injection plan has no datagram for " + id);
    if (!pb.screen_observed) return report::error(info, pb.why_no_screen);

    Verdict overall = Verdict::Pass;
    std::vector<InjectionVerdict> verdicts;
    nlohmann::json evidence{{"injections", nlohmann::json::array()}};
    for (std::size_t i : injections) {
        verdicts.push_back(judge_survival(pb, i));
        overall = worse(overall, verdicts.back().verdict);
        evidence["injections"].push_back(verdicts.back().evidence);
    }
    const std::string note = process_note(pb.run->process);
    if (overall != Verdict::Pass && !note.empty()) evidence["process"] = process_evidence(pb.run->process);
    for (const auto& v : verdicts)
        if (v.verdict == overall && overall == Verdict::Fail) return report::fail(info, v.message + note, evidence);
    for (const auto& v : verdicts)
        if (v.verdict == overall && overall == Verdict::Error) return report::error(info, v.message + note, evidence);
    std::string what;
    for (std::size_t k = 0; k < injections.size(); ++k) {
        if (k > 0) what += k + 1 == injections.size() ? " and " : ", ";
        what += pb.plan().at(injections[k]).description;
    }
    return report::pass(info, "valid frames were shown after " + what, evidence);
}

// C-ROB-01: a datagram shorter than 12 bytes does not stop playback.
CheckResult rob_01(const JudgeContext& ctx)
{
    return survival("C-ROB-01", ctx);
}

// C-ROB-02: a datagram of random bytes does not stop playback.
CheckResult rob_02(const JudgeContext& ctx)
{
    return survival("C-ROB-02", ctx);
}

// C-ROB-03 (advisory): a valid header with a corrupt JPEG payload does not
// stop playback.
CheckResult rob_03(const JudgeContext& ctx)
{
    return survival("C-ROB-03", ctx);
}

// C-ROB-04: valid frames after rejected packets are still shown. Judged over
// the C-REJ poisons the client did not show (a client that writes a poison
// before checking it still rejects it from playback; C-REJ-* judge the
// write) while it was playing (valid frames right before the poison played).
CheckResult rob_04(const JudgeContext& ctx)
{
    const report::CheckInfo& info = report::lookup("C-ROB-04");
    const Playback& pb = ctx.main;
    if (auto unjudgeable = playback_unjudgeable(info, ctx)) return *unjudgeable;
    if (!pb.screen_observed) return report::error(info, pb.why_no_screen);
    const InjectionPlan& plan = pb.plan();
    std::size_t judged = 0, accepted = 0, not_playing = 0;
    nlohmann::json evidence{{"rejected", nlohmann::json::array()}};
    for (std::size_t i = 0; i < plan.size(); ++i) {
        const PlannedDatagram& d = plan.at(i);
        if (d.kind != DatagramKind::Poison || !pb.was_sent(i)) continue;
        if (pb.is_shown(i)) {
            ++accepted;  // played: not a rejected packet (C-REJ-* judge it)
            continue;
        }
        // Not shown: rejected by the player, even when written (C-REJ-* judge the write).
        if (!shown_before(pb, i)) {
            ++not_playing;
            continue;
        }
        ++judged;
        const auto after = shown_after_list(pb, i);
        nlohmann::json e = datagram_evidence(pb, i);
        e["valid_frames_shown_after"] = frame_list(pb, after, 5);
        evidence["rejected"].push_back(e);
        if (after.empty()) {
            const std::string note = process_note(pb.run->process);
            if (!note.empty()) evidence["process"] = process_evidence(pb.run->process);
            return report::fail(info,
                                "after dropping " + name_of(pb, i) + ", sent at " +
                                    fixed(e.value("sent_s", 0.0), 2) +
                                    " s, the client showed no valid frame any more (it had played the valid frames "
                                    "right before it)" + note,
                                evidence);
        }
    }
    evidence["accepted_poisons"] = accepted;
    if (judged == 0)
        return report::error(info,
                             "no rejected poison to judge: " + std::to_string(accepted) + " shown, " +
                                 std::to_string(not_playing) + " sent while the client showed no frame",
                             evidence);
    return report::pass(info,
                        "valid frames were shown after each of the " + std::to_string(judged) + " poisons not played",
                        evidence);
}

}  // namespace

std::vector<ClientCheck> robustness_checks()
{
    return {{"C-ROB-01", rob_01}, {"C-ROB-02", rob_02}, {"C-ROB-03", rob_03}, {"C-ROB-04", rob_04}};
}

}  // namespace tpc3::conform::client
