#include "suite/plan_log.h"

#include <cmath>
#include <cstdio>

namespace tpc3::conform::server {

namespace {
double round_ms(double s) { return std::round(s * 1000.0) / 1000.0; }

std::string seconds(double s)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%6.2f s", s);
    return buf;
}
}  // namespace

void PlanLog::add(PlanEntry entry)
{
    std::lock_guard lock(mutex_);
    if (progress_)
        *progress_ << "[plan " << seconds(entry.started_s) << "] " << entry.question << " (" << entry.mode << "): "
                   << (entry.settled ? "settled" : "not settled") << " in " << round_ms(entry.duration_s) << " s"
                   << (entry.note.empty() ? "" : "; " + entry.note) << '\n';
    entries_.push_back(std::move(entry));
}

void PlanLog::event(const std::string& text)
{
    std::lock_guard lock(mutex_);
    const double at = now_s();
    if (progress_) *progress_ << "[plan " << seconds(at) << "] " << text << '\n';
    events_.emplace_back(at, text);
}

nlohmann::json PlanLog::to_json() const
{
    std::lock_guard lock(mutex_);
    nlohmann::json questions = nlohmann::json::array();
    for (const PlanEntry& e : entries_) {
        nlohmann::json j{{"question", e.question}, {"mode", e.mode}, {"started_s", round_ms(e.started_s)},
                         {"duration_s", round_ms(e.duration_s)}, {"settled", e.settled}};
        if (!e.note.empty()) j["note"] = e.note;
        questions.push_back(j);
    }
    nlohmann::json events = nlohmann::json::array();
    for (const auto& [at, text] : events_) events.push_back({{"at_s", round_ms(at)}, {"event", text}});
    return {{"questions", questions}, {"events", events}};
}

}  // namespace tpc3::conform::server
