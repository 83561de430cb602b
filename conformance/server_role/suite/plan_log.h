// What the plan did, for the report's "extra" and for --verbose: each
// question asked, when, for how long, alongside what, and whether its answer
// settled or was asked again. Thread-safe.
#pragma once

#include <chrono>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tpc3::conform::server {

struct PlanEntry {
    std::string question;
    std::string mode;       // "alone", "alongside the main stream", "again, alone"
    double started_s = 0;   // since the plan started
    double duration_s = 0;
    bool settled = false;   // its answer passed every check it feeds
    std::string note;       // why it was asked again, why not asked...
};

class PlanLog {
public:
    using Clock = std::chrono::steady_clock;
    explicit PlanLog(std::ostream* progress = nullptr) : progress_(progress), start_(Clock::now()) {}

    double now_s() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }
    void add(PlanEntry entry);
    // A free-form line: the concurrency verdict, a restart, a give-up.
    void event(const std::string& text);

    nlohmann::json to_json() const;

private:
    void write(const std::string& line);

    std::ostream* progress_;
    Clock::time_point start_;
    mutable std::mutex mutex_;
    std::vector<PlanEntry> entries_;
    std::vector<std::pair<double, std::string>> events_;
};

}  // namespace tpc3::conform::server
