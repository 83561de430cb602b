#include "suite/plan_log.h"

#include <cmath>
#include <cstdio>
#include <sstream>

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

// One whole line per write (and flushed): the session lines of --verbose,
// written by other threads, do not cut into it.
void PlanLog::write(const std::string& line)
{
    progress_->write(line.data(), static_cast<std::streamsize>(line.size()));
    progress_->flush();
}

void PlanLog::add(PlanEntry entry)
{
    std::lock_guard lock(mutex_);
    if (progress_) {
        std::ostringstream line;
        line << "[plan " << seconds(entry.started_s) << "] " << entry.question << " (" << entry.mode
             << "): " << (entry.settled ? "settled" : "not settled") << " in " << round_ms(entry.duration_s) << " s"
             << (entry.note.empty() ? "" : "; " + entry.note) << '\n';
        write(line.str());
    }
    entries_.push_back(std::move(entry));
}

void PlanLog::event(const std::string& text)
{
    std::lock_guard lock(mutex_);
    const double at = now_s();
    if (progress_) write("[plan " + seconds(at) + "] " + text + "\n");
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
