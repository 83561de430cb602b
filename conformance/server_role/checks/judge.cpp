#include "checks/judge.h"

#include <chrono>
#include <map>
#include <string_view>

#include "checks/check_support.h"

namespace tpc3::conform::server {
namespace {

// The labels of the sessions a check judges: a non-pass result says when the
// launched server died during one of them (the robustness steps carry their
// own process evidence).
std::vector<std::string> sessions_judged_by(std::string_view id, const Observations& obs)
{
    std::vector<std::string> labels;
    auto add = [&](const SessionRecord& r) { labels.push_back(r.label); };
    const std::string_view group = report::group_of(id);
    if (id == "S-SETUP-02") {
        if (obs.missing_file) add(*obs.missing_file);
    } else if (id == "S-SETUP-04") {
        if (obs.main_stream) add(*obs.main_stream);
        if (obs.id_sessions)
            for (const SessionRecord& r : *obs.id_sessions) add(r);
    } else if (id == "S-ROB-04") {
        if (obs.concurrency) {
            add(obs.concurrency->first);
            add(obs.concurrency->second);
        }
    } else if (group == "S-SEC") {
        if (obs.traversal)
            for (const TraversalAttempt& a : *obs.traversal) add(a.session);
    } else if (group == "S-BIG") {
        if (obs.big_frames) add(obs.big_frames->session);
    } else if (group != "S-ROB") {
        if (obs.main_stream) add(*obs.main_stream);
    }
    return labels;
}

report::CheckResult with_process_note(report::CheckResult result, const Observations& obs)
{
    if (result.status() != report::Status::Fail && result.status() != report::Status::Error) return result;
    const auto labels = sessions_judged_by(result.info().id, obs);
    const std::string note = process_note(obs, labels);
    if (note.empty()) return result;
    nlohmann::json evidence = result.evidence();
    evidence["process"] = process_evidence(obs, labels);
    const std::string message = result.message() + note;
    return result.status() == report::Status::Fail ? report::fail(result.info(), message, evidence)
                                                   : report::error(result.info(), message, evidence);
}

}  // namespace

std::vector<report::CheckResult> judge_server(const Observations& obs)
{
    std::map<std::string, ServerCheck, std::less<>> by_id;
    for (auto group : {setup_checks, rtp_checks, payload_checks, timing_checks, robustness_checks, security_checks,
                       big_frame_checks})
        for (const ServerCheck& c : group()) by_id.emplace(c.id, c);

    const MainStream main = prepare_main_stream(obs);
    const JudgeContext ctx{obs, main};
    std::vector<report::CheckResult> results;
    for (const report::CheckInfo& info : report::checks_for(report::Role::Server)) {
        const auto started = std::chrono::steady_clock::now();
        const auto it = by_id.find(info.id);
        report::CheckResult result = [&] {
            if (it == by_id.end()) return report::error(info, "this runner has no implementation of " + info.id);
            try {
                return with_process_note(it->second.judge(ctx), obs);
            } catch (const std::exception& e) {
                return report::error(info, std::string("the runner failed while judging: ") + e.what());
            }
        }();
        result.with_duration(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        results.push_back(std::move(result));
    }
    return results;
}

}  // namespace tpc3::conform::server
