// The last line of defence behind the run's own deadline: if the run has not
// finished `limit` after it started (a bug in the runner, not the server),
// `on_expiry` runs on the watchdog's thread and the process exits with
// status 2. Children launched through harness::Process die with it
// (PR_SET_PDEATHSIG).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace tpc3::conform::cli {

class Watchdog {
public:
    Watchdog(std::chrono::milliseconds limit, std::function<void()> on_expiry);
    ~Watchdog();  // disarms
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;

private:
    std::mutex mutex_;
    std::condition_variable done_cv_;
    bool done_ = false;
    std::thread thread_;
};

}  // namespace tpc3::conform::cli
