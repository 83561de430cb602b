// The server under test shared by the suite's threads: where to connect, the
// state of a launched process after each session or step, and its restarts.
//
// Every call to the ServerTarget goes through one mutex (a launched target
// and its harness::Process are not thread-safe). Each death of a launched
// process is reported once, to the first caller that notices it, with the
// label of the session or step after which it was noticed; restart() belongs
// to the thread that started the target (the process is tied to it).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "checks/observations.h"
#include "target/server_target.h"

namespace tpc3::conform::server {

class ServerKeeper {
public:
    // `on_endpoint` is told the server's control endpoint now and after each
    // restart (the live capture adds the port before any session connects).
    ServerKeeper(ServerTarget& target, std::function<void(const net::Endpoint&)> on_endpoint = {});

    net::Endpoint endpoint() const;
    bool launched() const { return launched_; }
    std::string describe() const;

    // The length of the process's stderr now (0 when remote): evidence taken
    // later is about what happened after this mark.
    std::uint64_t stderr_mark() const;

    struct Check {
        // Launched: the process now (died or not). Remote: nullopt.
        std::optional<ProcessEvidence> evidence;
        // This call is the first to see this process dead: the caller records
        // the death (a robustness step's evidence, or a process event).
        bool newly_dead = false;
    };
    // The process after `during` (a session or step label). `grace`: when the
    // process still runs, wait up to this long for it to end (a crash that
    // follows a closed connection by a few milliseconds).
    Check check(const std::string& during, std::uint64_t stderr_from = 0,
                std::chrono::milliseconds grace = std::chrono::milliseconds(0));

    // Launched and the process has ended on its own.
    bool dead() const;

    // Starts a dead launched process again (new port). Returns false with
    // `problem` when it could not (remote, or the start failed). Every death
    // recorded so far is marked restarted (or given the problem): see deaths().
    bool restart(std::string& problem);

    // Every death noticed, with its restart outcome; match an evidence copy
    // kept elsewhere with same_death().
    std::vector<ProcessEvidence> deaths() const;
    static bool same_death(const ProcessEvidence& a, const ProcessEvidence& b);
    int restarts() const;

private:
    ServerTarget& target_;
    std::function<void(const net::Endpoint&)> on_endpoint_;
    const bool launched_;
    mutable std::mutex mutex_;
    bool death_reported_ = false;          // the current process's death has been reported
    std::vector<ProcessEvidence> deaths_;  // in order
    int restarts_ = 0;
};

// Copies the restart outcome of the keeper's records into evidence copies
// kept in the observations (robustness steps, process events).
void apply_restart_outcomes(const ServerKeeper& keeper, Observations& obs);

}  // namespace tpc3::conform::server
