#include "client_role/checks/judge.h"

#include <map>
#include <stdexcept>
#include <string>

#include "client_role/checks/check_support.h"
#include "report/catalogue.h"

namespace tpc3::conform::client {

std::vector<report::CheckResult> judge_client(const ClientObservations& obs)
{
    std::map<std::string, ClientCheck, std::less<>> by_id;
    for (auto group : {setup_checks, play_checks, rejection_checks, robustness_checks, big_frame_checks})
        for (const ClientCheck& c : group()) by_id.emplace(c.id, c);

    const Playback main = prepare_playback(obs);
    const JudgeContext ctx{obs, main};
    std::vector<report::CheckResult> results;
    for (const report::CheckInfo& info : report::checks_for(report::Role::Client)) {
        const auto it = by_id.find(info.id);
        if (it == by_id.end()) {
            results.push_back(report::error(info, "the runner has no judge for " + info.id));
            continue;
        }
        try {
            results.push_back(it->second.judge(ctx));
        } catch (const std::exception& e) {
            // A judge that throws is a bug of the runner: say so, never pass.
            results.push_back(report::error(info, std::string("the runner failed to judge this check: ") + e.what()));
        }
    }
    return results;
}

}  // namespace tpc3::conform::client
