#include "checks/check_support.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "analysis/session_facts.h"

namespace tpc3::conform::server {

MainStream prepare_main_stream(const Observations& obs)
{
    MainStream m;
    if (!obs.main_stream) {
        m.why_missing = why_missing(obs.main_stream, obs);
        return m;
    }
    m.record = &*obs.main_stream;
    m.session_id = analysis::granted_session_id(*m.record);
    m.packets = analysis::view_packets(*m.record, m.session_id);
    m.with_header = static_cast<std::size_t>(
        std::count_if(m.packets.begin(), m.packets.end(), [](const analysis::PacketView& p) { return p.header; }));
    return m;
}

const analysis::PacketView& packet_at(const MainStream& main, std::size_t index)
{
    if (index < main.packets.size() && main.packets[index].index == index) return main.packets[index];
    for (const analysis::PacketView& p : main.packets)
        if (p.index == index) return p;
    throw std::out_of_range("no packet with index " + std::to_string(index) + " in the main stream");
}

std::optional<report::CheckResult> main_stream_unusable(const report::CheckInfo& info, const JudgeContext& ctx,
                                                        const std::string& what)
{
    const MainStream& m = ctx.main;
    if (!m.record)
        return report::error(info, "the main stream session was not observed (" + m.why_missing + "), so " + what +
                                       " could not be judged");
    if (m.with_header > 0) return std::nullopt;
    const SessionRecord& r = *m.record;
    const std::string why = m.packets.empty() ? "received no datagram"
                                              : "received only datagrams shorter than the 12-byte RTP header";
    std::string detail;
    if (!m.session_id)
        detail = "it got no SessionID: the reply was " + analysis::describe_reply(r);
    else if (!r.go_at)
        detail = "the runner never sent Go: " + analysis::describe_end(r.end);
    else
        detail = analysis::describe_end(r.end);
    if (!r.error.empty() && detail.find(r.error) == std::string::npos) detail += ": " + r.error;
    return report::error(info, "the main stream session " + why + " (" + detail + "), so " + what +
                                   " could not be judged",
                         {{"session", r.label}, {"datagrams", m.packets.size()}, {"end", analysis::describe_end(r.end)}});
}

nlohmann::json packet_evidence(const analysis::PacketView& p)
{
    nlohmann::json j{{"index", p.index},
                     {"size", p.size},
                     {"header_hex", p.header_hex},
                     {"received_unix_s", analysis::unix_seconds(p.received)}};
    if (p.header) {
        j["seq"] = p.header->sequence;
        j["timestamp"] = p.header->timestamp;
        j["ssrc"] = p.header->ssrc;
    }
    if (p.truncated) j["truncated"] = true;
    return j;
}

std::string count_of(std::size_t n, std::size_t total, const std::string& noun)
{
    return std::to_string(n) + " of " + std::to_string(total) + (noun.empty() ? "" : " " + noun);
}

std::string count_noun(std::size_t n, const std::string& noun, const std::string& plural)
{
    return std::to_string(n) + " " + (n == 1 ? noun : (plural.empty() ? noun + "s" : plural));
}

std::string fixed(double value, int decimals)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    std::string out = buf;
    if (out.front() == '-' && out.find_first_not_of("-0.") == std::string::npos) out.erase(0, 1);
    return out;
}

namespace {

std::vector<const ProcessEvidence*> deaths_during(const Observations& obs, const std::vector<std::string>& labels)
{
    std::vector<const ProcessEvidence*> out;
    for (const ProcessEvidence& p : obs.process_events)
        if (p.died && std::find(labels.begin(), labels.end(), p.during) != labels.end()) out.push_back(&p);
    return out;
}

// The last non-empty lines of a traceback: "ZeroDivisionError: division by zero".
std::string last_line(const std::string& text)
{
    std::size_t end = text.find_last_not_of(" \t\r\n");
    if (end == std::string::npos) return {};
    const std::size_t start = text.rfind('\n', end);
    return text.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
}

}  // namespace

std::string describe_process(const ProcessEvidence& p)
{
    std::string out = p.exit_status.empty() ? std::string("it died") : p.exit_status;
    if (!p.traceback.empty())
        out += "; traceback ends: " + last_line(p.traceback);
    else if (!p.stderr_excerpt.empty())
        out += "; stderr ends: " + last_line(p.stderr_excerpt);
    if (p.restarted) out += " (the runner restarted it)";
    if (!p.restart_problem.empty()) out += " (restarting it failed: " + p.restart_problem + ")";
    return out;
}

nlohmann::json to_json(const ProcessEvidence& p)
{
    nlohmann::json j{{"during", p.during}, {"died", p.died}, {"restarted", p.restarted}};
    if (!p.exit_status.empty()) j["exit_status"] = p.exit_status;
    if (!p.traceback.empty()) j["traceback"] = p.traceback;
    if (!p.stderr_excerpt.empty()) j["stderr_excerpt"] = p.stderr_excerpt;
    if (p.when) j["when_unix_s"] = analysis::unix_seconds(*p.when);
    if (!p.restart_problem.empty()) j["restart_problem"] = p.restart_problem;
    return j;
}

std::string process_note(const Observations& obs, const std::vector<std::string>& labels)
{
    const auto deaths = deaths_during(obs, labels);
    if (deaths.empty()) return {};
    return "; the server process died during \"" + deaths.front()->during + "\": " + describe_process(*deaths.front());
}

nlohmann::json process_evidence(const Observations& obs, const std::vector<std::string>& labels)
{
    const auto deaths = deaths_during(obs, labels);
    if (deaths.empty()) return nullptr;
    nlohmann::json list = nlohmann::json::array();
    for (const ProcessEvidence* p : deaths) list.push_back(to_json(*p));
    return list;
}

}  // namespace tpc3::conform::server
