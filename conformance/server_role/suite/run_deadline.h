// The deadline of the whole run (--timeout): every session's own deadline is
// clipped to it, and nothing new starts once it has passed, so a server that
// hangs turns into `error` checks, never into a runner that hangs.
#pragma once

#include <algorithm>
#include <chrono>
#include <string>

namespace tpc3::conform::server {

class RunDeadline {
public:
    using Clock = std::chrono::steady_clock;
    explicit RunDeadline(std::chrono::milliseconds budget) : budget_(budget), until_(Clock::now() + budget) {}

    bool passed() const { return Clock::now() >= until_; }
    std::chrono::milliseconds left() const
    {
        return std::max(std::chrono::milliseconds(0),
                        std::chrono::duration_cast<std::chrono::milliseconds>(until_ - Clock::now()));
    }
    // `wanted`, or less when the run ends sooner (at least 1 ms).
    std::chrono::milliseconds clip(std::chrono::milliseconds wanted) const
    {
        return std::max(std::chrono::milliseconds(1), std::min(wanted, left()));
    }
    Clock::time_point until() const { return until_; }
    // "the run's time limit (--timeout 300 s) passed before <what>"
    std::string passed_before(const std::string& what) const
    {
        return "the run's time limit (--timeout " + std::to_string(budget_.count() / 1000) + " s) passed before " +
               what;
    }

private:
    std::chrono::milliseconds budget_;
    Clock::time_point until_;
};

}  // namespace tpc3::conform::server
