// Wall and CPU time of the run's phases (movies, server start, sessions,
// judging), for the report's "extra" and the bench: the runner's CPU cost per
// datagram is the sessions' CPU over the datagrams received. CPU is the whole
// process's (every thread), so phases must not overlap.
#pragma once

#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

namespace tpc3::conform::server {

class PhaseTimer {
public:
    PhaseTimer() { mark(); }

    // Ends the phase that began at the previous mark (or construction).
    void end(const std::string& phase)
    {
        const auto wall = std::chrono::steady_clock::now();
        const double cpu = cpu_seconds();
        phases_[phase] = {{"wall_s", rounded(std::chrono::duration<double>(wall - wall_).count())},
                          {"cpu_s", rounded(cpu - cpu_)}};
        wall_ = wall;
        cpu_ = cpu;
    }
    void mark()
    {
        wall_ = std::chrono::steady_clock::now();
        cpu_ = cpu_seconds();
    }
    const nlohmann::json& to_json() const { return phases_; }

    static double cpu_seconds()
    {
        rusage u{};
        ::getrusage(RUSAGE_SELF, &u);
        auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
        return s(u.ru_utime) + s(u.ru_stime);
    }

private:
    static double rounded(double s) { return std::round(s * 1e4) / 1e4; }

    std::chrono::steady_clock::time_point wall_;
    double cpu_ = 0;
    nlohmann::json phases_ = nlohmann::json::object();
};

}  // namespace tpc3::conform::server
