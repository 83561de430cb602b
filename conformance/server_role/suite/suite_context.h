// What every question of the suite shares while it asks its sessions: the
// server (keeper), the run's deadline, the traffic observer (pcap,
// --verbose), the names of the movies to ask for, and the observations being
// filled (questions in several threads store through one mutex).
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "checks/observations.h"
#include "session/connection_observer.h"
#include "session/hostile_connection.h"
#include "suite/run_deadline.h"
#include "suite/server_keeper.h"
#include "suite/session_scripts.h"
#include "suite/session_watch.h"

namespace tpc3::conform::server {

// What the sessions ask for; decided once the target and the movies are known.
struct SuiteInputs {
    bool launched = false;
    std::string main_file;                    // the main stream's movie
    std::optional<std::size_t> main_frames;   // its frame count, when the runner has a local copy
    std::string live_file;                    // liveness, probe, SessionID and malformed sessions
    StreamLength live_length;                 // the whole liveness movie, or hang up (remote)
    std::string vanish_file;                  // a movie long enough to vanish in
    std::optional<std::size_t> vanish_frames;
    std::optional<MovieUnderTest> big;        // S-BIG-01 (launched only)
    std::optional<MovieUnderTest> full;       // --full (launched, or remote with the file)
    std::string outside_relative;             // "../tpc3conform-outside.mpeg" (launched only)
    std::string outside_absolute;             // its absolute path (launched only)
    std::string missing_file;                 // a name no server has
    Thresholds thresholds;
};

class SuiteContext {
public:
    SuiteContext(ServerKeeper& keeper, const RunDeadline& deadline, ConnectionObserver* observer,
                 const SuiteInputs& inputs, Observations& obs)
        : keeper_(keeper), deadline_(deadline), observer_(observer), inputs_(inputs), obs_(obs)
    {
    }

    ServerKeeper& keeper() { return keeper_; }
    const RunDeadline& deadline() const { return deadline_; }
    const SuiteInputs& inputs() const { return inputs_; }

    // Plays `script` against the server's current endpoint, its deadline
    // clipped to the run's; nullopt when the run's deadline has passed.
    // `watch` (optional) sees the session's events before the observer.
    std::optional<SessionRecord> session(SessionScript script, SessionWatch* watch = nullptr);
    // One malformed request (S-ROB-01); nullopt when the run's deadline has passed.
    std::optional<SessionRecord> hostile(std::string label, const MalformedRequest& request);

    // After a session that is not a robustness step's: the death of a
    // launched server it reveals becomes a process event (checks that judge
    // that session cite it).
    void note_process(const std::string& during, std::uint64_t stderr_mark,
                      std::chrono::milliseconds grace = std::chrono::milliseconds(0));

    template <class F>
    void store(F&& write)
    {
        std::lock_guard lock(obs_mutex_);
        write(obs_);
    }
    // A copy of the observations so far (for judging while others write).
    Observations snapshot() const;

    ConnectionObserver* observer() const { return observer_; }

private:
    ServerKeeper& keeper_;
    const RunDeadline& deadline_;
    ConnectionObserver* observer_;
    const SuiteInputs& inputs_;
    Observations& obs_;
    mutable std::mutex obs_mutex_;
};

}  // namespace tpc3::conform::server
