#include "suite/observed_sessions.h"

namespace tpc3::conform::server {

std::vector<const SessionRecord*> observed_sessions(const Observations& obs)
{
    std::vector<const SessionRecord*> out;
    auto add = [&](const SessionRecord& r) {
        for (const SessionRecord* seen : out)
            if (seen->label == r.label && seen->udp_port == r.udp_port) return;
        out.push_back(&r);
    };
    // By reference into `obs` only: the pointers returned must stay valid.
    auto add_step = [&](const RobustnessStep& s) {
        for (const SessionRecord& h : s.hostile) add(h);
        if (s.liveness) add(*s.liveness);
    };
    auto add_steps = [&](const std::vector<RobustnessStep>& steps) {
        for (const RobustnessStep& s : steps) add_step(s);
    };
    if (obs.main_stream) add(*obs.main_stream);
    if (obs.concurrency) {
        add(obs.concurrency->first);
        add(obs.concurrency->second);
    }
    if (obs.missing_file) add(*obs.missing_file);
    if (obs.id_sessions)
        for (const SessionRecord& r : *obs.id_sessions) add(r);
    if (obs.malformed_requests) add_steps(*obs.malformed_requests);
    if (obs.vanishing_clients) add_steps(*obs.vanishing_clients);
    if (obs.second_session) add_step(*obs.second_session);
    if (obs.traversal)
        for (const TraversalAttempt& t : *obs.traversal) add(t.session);
    if (obs.big_frames) add(obs.big_frames->session);
    return out;
}

}  // namespace tpc3::conform::server
