// C-REJ: packets that fail a check of PROTOCOL.md section 5 are dropped: not
// written, not shown. Each poison of the plan differs from a valid packet in
// one field only and carries a poison marker frame, so it is recognisable on
// the screen and byte for byte in a written file.
//
// A rejection check passes only if none of its poisons was written nor shown
// AND the client demonstrably played around each: a valid frame of the run
// right before the poison (since the previous injection) was shown, and a
// valid frame sent after it was shown. A client that shows nothing cannot
// pass: its checks are `error` (a poison it wrote still fails).
#include <string>

#include "client_role/checks/check_support.h"

namespace tpc3::conform::client {
namespace {

using report::CheckResult;

// What one poison says about its check.
struct PoisonVerdict {
    Verdict verdict = Verdict::Pass;
    std::string message;  // for Fail and Error
    nlohmann::json evidence;
};

std::string seconds_text(double s)
{
    return fixed(s, 2) + " s";
}

PoisonVerdict judge_poison(const Playback& pb, std::size_t i)
{
    PoisonVerdict v;
    v.evidence = datagram_evidence(pb, i);
    const std::string name = name_of(pb, i);
    if (!pb.was_sent(i)) {
        v.verdict = Verdict::Error;
        v.message = name + " was not sent (the stream ended before it)";
        return v;
    }
    const double sent_s = v.evidence.value("sent_s", 0.0);
    const bool shown = pb.is_shown(i);
    const bool written = pb.is_written(i);
    if (shown || written) {
        v.verdict = Verdict::Fail;
        v.message = name + ", sent at " + seconds_text(sent_s) + ", was accepted:";
        if (shown) {
            v.evidence["shown"] = shown_evidence(pb, i);
            v.message += " shown on the screen at " + seconds_text(pb.seconds(pb.shown[i]->first_seen));
            if (v.evidence["shown"].contains("screenshot"))
                v.message += " (screenshot " + v.evidence["shown"]["screenshot"].get<std::string>() + ")";
        }
        if (written) {
            // Name the write under its final name when there is one (not the .tmp before a rename).
            const WrittenFile* shown_file = pb.written[i].front();
            for (const WrittenFile* w : pb.written[i])
                if (w->final) {
                    shown_file = w;
                    break;
                }
            const WrittenFile& f = *shown_file;
            v.evidence["written"] = written_evidence(pb, i);
            v.message += std::string(shown ? " and" : "") + " written to " + f.name + " at " +
                         seconds_text(pb.seconds(f.when)) + " (" + observe::describe(f.match) + ")";
        }
        return v;
    }
    if (!pb.files_observed) {
        v.verdict = Verdict::Error;
        v.message = name + " was not shown, but " + pb.why_no_files;
        return v;
    }
    if (!pb.screen_observed) {
        v.verdict = Verdict::Error;
        v.message = name + " was not written, but " + pb.why_no_screen;
        return v;
    }
    const bool before = shown_before(pb, i);
    const auto after = shown_after_list(pb, i);
    v.evidence["valid_frames_before"] = frame_list(pb, pb.plan().valid_before(i));
    v.evidence["shown_before"] = before;
    v.evidence["valid_frames_shown_after"] = frame_list(pb, after, 5);
    if (!before || after.empty()) {
        std::string where;
        if (!before && after.empty())
            where = "played no valid frame right before it nor showed one after it";
        else if (!before)
            where = "neither showed nor wrote any of the valid frames right before it (frames " +
                    frame_list(pb, pb.plan().valid_before(i)) + ")";
        else
            where = "showed no valid frame sent after it";
        v.verdict = Verdict::Error;
        v.message = name + " was neither written nor shown, but the client " + where + ", so its drop proves nothing";
        return v;
    }
    return v;
}

// The verdict of one C-REJ check over its poisons.
CheckResult rejection(const std::string& id, const JudgeContext& ctx)
{
    const report::CheckInfo& info = report::lookup(id);
    const Playback& pb = ctx.main;
    if (pb.run == nullptr || pb.served == nullptr) return report::error(info, pb.why_no_run);
    const auto poisons = pb.plan().for_check(id);
    if (poisons.empty()) return report::skip(info, "the injection plan has no datagram for " + id);

    std::vector<PoisonVerdict> verdicts;
    Verdict overall = Verdict::Pass;
    for (std::size_t i : poisons) {
        verdicts.push_back(judge_poison(pb, i));
        overall = worse(overall, verdicts.back().verdict);
    }
    nlohmann::json evidence{{"poisons", nlohmann::json::array()}};
    for (const auto& v : verdicts) evidence["poisons"].push_back(v.evidence);

    const auto first = [&](Verdict which) -> const PoisonVerdict& {
        for (const auto& v : verdicts)
            if (v.verdict == which) return v;
        return verdicts.front();
    };
    if (overall == Verdict::Fail) {
        std::size_t failed = 0;
        for (const auto& v : verdicts) failed += v.verdict == Verdict::Fail ? 1 : 0;
        std::string message = first(Verdict::Fail).message;
        if (verdicts.size() > 1) message += " (" + count_of(failed, verdicts.size(), "poisons") + " accepted)";
        return report::fail(info, message + ", expected it dropped", evidence);
    }
    if (auto unjudgeable = playback_unjudgeable(info, ctx)) return *unjudgeable;
    if (overall == Verdict::Error) {
        std::string message = first(Verdict::Error).message;
        const std::string note = process_note(pb.run->process);
        if (!note.empty()) evidence["process"] = process_evidence(pb.run->process);
        return report::error(info, message + note, evidence);
    }
    std::string what;
    for (std::size_t k = 0; k < poisons.size(); ++k) {
        if (k > 0) what += k + 1 == poisons.size() ? " and " : ", ";
        what += pb.plan().at(poisons[k]).description;
    }
    return report::pass(info,
                        (poisons.size() == 1 ? "dropped " : "dropped all " + std::to_string(poisons.size()) + ": ") +
                            what + "; never written nor shown, valid frames shown before and after",
                        evidence);
}

template <int N>
CheckResult rej(const JudgeContext& ctx)
{
    const std::string id = std::string(N < 10 ? "C-REJ-0" : "C-REJ-") + std::to_string(N);
    return rejection(id, ctx);
}

}  // namespace

std::vector<ClientCheck> rejection_checks()
{
    return {{"C-REJ-01", rej<1>}, {"C-REJ-02", rej<2>}, {"C-REJ-03", rej<3>}, {"C-REJ-04", rej<4>},
            {"C-REJ-05", rej<5>}, {"C-REJ-06", rej<6>}, {"C-REJ-07", rej<7>}, {"C-REJ-08", rej<8>},
            {"C-REJ-09", rej<9>}, {"C-REJ-10", rej<10>}};
}

}  // namespace tpc3::conform::client
