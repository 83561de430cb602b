#include "suite/server_keeper.h"

#include <thread>

#include "target/process_evidence.h"

namespace tpc3::conform::server {

ServerKeeper::ServerKeeper(ServerTarget& target, std::function<void(const net::Endpoint&)> on_endpoint)
    : target_(target), on_endpoint_(std::move(on_endpoint)), launched_(target.launched())
{
    if (on_endpoint_) on_endpoint_(target_.endpoint());
}

net::Endpoint ServerKeeper::endpoint() const
{
    std::lock_guard lock(mutex_);
    return target_.endpoint();
}

std::string ServerKeeper::describe() const
{
    std::lock_guard lock(mutex_);
    return target_.describe();
}

std::uint64_t ServerKeeper::stderr_mark() const
{
    std::lock_guard lock(mutex_);
    return target_.stderr_mark();
}

ServerKeeper::Check ServerKeeper::check(const std::string& during, std::uint64_t stderr_from,
                                        std::chrono::milliseconds grace)
{
    Check out;
    if (!launched_) return out;
    const auto until = std::chrono::steady_clock::now() + grace;
    std::unique_lock lock(mutex_);
    // Polled rather than waited on: the lock must not be held for the grace.
    while (target_.alive() && std::chrono::steady_clock::now() < until) {
        lock.unlock();
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        lock.lock();
    }
    const std::optional<ServerProcessReport> report = target_.process_report(stderr_from);
    if (!report) return out;
    out.evidence = to_process_evidence(*report, during);
    if (out.evidence->died && !death_reported_) {
        death_reported_ = true;
        out.newly_dead = true;
        deaths_.push_back(*out.evidence);
    }
    return out;
}

bool ServerKeeper::dead() const
{
    if (!launched_) return false;
    std::lock_guard lock(mutex_);
    return !target_.alive();  // the runner stops it only at the very end
}

bool ServerKeeper::restart(std::string& problem)
{
    std::unique_lock lock(mutex_);
    if (!launched_) {
        problem = "a remote server cannot be restarted";
        return false;
    }
    const StartOutcome started = target_.restart();
    ++restarts_;
    death_reported_ = false;
    for (ProcessEvidence& d : deaths_) {
        if (d.restarted || !d.restart_problem.empty()) continue;
        d.restarted = started.started;
        if (!started.started) d.restart_problem = started.describe();
    }
    if (!started.started) {
        problem = started.describe();
        // A server that could not start again is dead from here on; its
        // (start-up) death is not reported again as a new one.
        death_reported_ = true;
        return false;
    }
    const net::Endpoint now = target_.endpoint();
    lock.unlock();
    if (on_endpoint_) on_endpoint_(now);
    return true;
}

std::vector<ProcessEvidence> ServerKeeper::deaths() const
{
    std::lock_guard lock(mutex_);
    return deaths_;
}

int ServerKeeper::restarts() const
{
    std::lock_guard lock(mutex_);
    return restarts_;
}

bool ServerKeeper::same_death(const ProcessEvidence& a, const ProcessEvidence& b)
{
    return a.died && b.died && a.during == b.during && a.when == b.when;
}

void apply_restart_outcomes(const ServerKeeper& keeper, Observations& obs)
{
    const std::vector<ProcessEvidence> deaths = keeper.deaths();
    auto patch = [&](ProcessEvidence& e) {
        for (const ProcessEvidence& d : deaths)
            if (ServerKeeper::same_death(d, e)) {
                e.restarted = d.restarted;
                e.restart_problem = d.restart_problem;
            }
    };
    auto patch_steps = [&](Observed<std::vector<RobustnessStep>>& steps) {
        if (!steps) return;
        for (RobustnessStep& s : *steps)
            if (s.process) patch(*s.process);
    };
    patch_steps(obs.malformed_requests);
    patch_steps(obs.vanishing_clients);
    if (obs.second_session && obs.second_session->process) patch(*obs.second_session->process);
    for (ProcessEvidence& e : obs.process_events) patch(e);
}

}  // namespace tpc3::conform::server
