#include "suite/suite_context.h"

#include "session/client_session.h"

namespace tpc3::conform::server {

std::optional<SessionRecord> SuiteContext::session(SessionScript script, SessionWatch* watch)
{
    if (deadline_.passed()) return std::nullopt;
    script.overall_deadline = deadline_.clip(script.overall_deadline);
    if (watch == nullptr) return run_session(keeper_.endpoint(), script, observer_);
    return run_session(keeper_.endpoint(), script, watch);
}

std::optional<SessionRecord> SuiteContext::hostile(std::string label, const MalformedRequest& request)
{
    if (deadline_.passed()) return std::nullopt;
    HostileOptions options = hostile_options();
    options.overall_deadline = deadline_.clip(options.overall_deadline);
    options.read_for = deadline_.clip(options.read_for);
    return HostileConnection(keeper_.endpoint(), std::move(label), request, options, observer_).run();
}

void SuiteContext::note_process(const std::string& during, std::uint64_t stderr_mark, std::chrono::milliseconds grace)
{
    ServerKeeper::Check c = keeper_.check(during, stderr_mark, grace);
    if (c.newly_dead) store([&](Observations& o) { o.process_events.push_back(*c.evidence); });
}

Observations SuiteContext::snapshot() const
{
    std::lock_guard lock(obs_mutex_);
    return obs_;
}

}  // namespace tpc3::conform::server
