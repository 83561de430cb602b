// S-SETUP: the control exchange (PROTOCOL.md section 3).
#include <map>
#include <set>

#include "analysis/session_facts.h"
#include "checks/check_support.h"

namespace tpc3::conform::server {
namespace {

using report::CheckResult;
using namespace analysis;

nlohmann::json exchange_evidence(const SessionRecord& r)
{
    nlohmann::json j{{"session", r.label},
                     {"file", r.file},
                     {"request", control::escape(r.request)},
                     {"reply", reply_bytes_escaped(r)},
                     {"end", describe_end(r.end)}};
    if (!r.error.empty()) j["error"] = r.error;
    if (r.reply && !r.reply->problems.empty()) j["reply_problems"] = r.reply->problems;
    return j;
}

// S-SETUP-01: a request for a file the server has gets a SessionID: an
// integer in 0..2^32-1, not -1 (PROTOCOL.md 3).
CheckResult setup_01(const JudgeContext& ctx)
{
    const report::CheckInfo& info = report::lookup("S-SETUP-01");
    if (!ctx.main.record)
        return report::error(info, "the main stream session was not observed: " + ctx.main.why_missing);
    const SessionRecord& r = *ctx.main.record;
    nlohmann::json evidence = exchange_evidence(r);
    if (r.end == SessionEnd::ConnectFailed)
        return report::error(info, "the runner could not ask for \"" + r.file + "\": " + describe_reply(r), evidence);
    const std::string asked = "the reply to \"" + control::escape(r.request) + "\" (a file the server has)";
    if (const auto id = granted_session_id(r)) {
        evidence["session_id"] = *id;
        return report::pass(info, "SessionID " + std::to_string(*id), evidence);
    }
    if (replied_not_found(r))
        return report::fail(info, report::expected_actual(asked, "a SessionID (0..4294967295)", "-1"), evidence);
    return report::fail(info, report::expected_actual(asked, "a SessionID (0..4294967295)", describe_reply(r)),
                        evidence);
}

// S-SETUP-02: a request for a file the server lacks gets -1, and no datagram
// follows (PROTOCOL.md 3).
CheckResult setup_02(const JudgeContext& ctx)
{
    const report::CheckInfo& info = report::lookup("S-SETUP-02");
    if (!ctx.obs.missing_file) return unobserved(info, ctx.obs.missing_file, ctx.obs, "the missing-file session");
    const SessionRecord& r = *ctx.obs.missing_file;
    nlohmann::json evidence = exchange_evidence(r);
    if (r.end == SessionEnd::ConnectFailed)
        return report::error(info, "the runner could not ask for \"" + r.file + "\": " + describe_reply(r), evidence);
    const std::string asked = "the reply to \"" + control::escape(r.request) + "\" (a file the server lacks)";
    if (!replied_not_found(r))
        return report::fail(info, report::expected_actual(asked, "-1", describe_reply(r)), evidence);

    if (!r.packets.empty()) {
        const ReceivedPacket& first = r.packets.front();
        const auto views = view_packets(r);
        evidence["datagrams"] = r.packets.size();
        evidence["first_datagram"] = packet_evidence(views.front());
        std::string after;
        if (r.reply_at) after = " " + fixed(seconds_between(*r.reply_at, first.received), 3) + " s after the -1";
        return report::fail(info,
                            "the server replied -1 but " + std::to_string(r.packets.size()) + " datagram" +
                                (r.packets.size() == 1 ? "" : "s") + " followed (" + views.front().name() +
                                " arrived" + after + "), expected none",
                            evidence);
    }
    if (!r.reply_at || !r.ended_at)
        return report::error(info, "the -1 came, but the record does not say how long the runner watched for datagrams",
                             evidence);
    const double watched = seconds_between(*r.reply_at, *r.ended_at);
    evidence["watched_s"] = watched;
    if (watched < ctx.limits().min_not_found_watch_s)
        return report::error(info,
                             "the -1 came, but the runner watched for datagrams only " + fixed(watched, 3) +
                                 " s, less than " + fixed(ctx.limits().min_not_found_watch_s, 1) + " s",
                             evidence);
    return report::pass(info, "-1, and no datagram in " + fixed(watched, 1) + " s", evidence);
}

// S-SETUP-03: no datagram arrives between the SessionID reply and "Go"; the
// runner waits at least 0.5 s before sending Go (PROTOCOL.md 3).
CheckResult setup_03(const JudgeContext& ctx)
{
    const report::CheckInfo& info = report::lookup("S-SETUP-03");
    if (!ctx.main.record)
        return report::error(info, "the main stream session was not observed: " + ctx.main.why_missing);
    const SessionRecord& r = *ctx.main.record;
    nlohmann::json evidence = exchange_evidence(r);
    if (!ctx.main.session_id)
        return report::error(info, "the main stream session never got a SessionID (" + describe_reply(r) +
                                       "), so the time before Go could not be watched",
                             evidence);
    if (!r.reply_at)
        return report::error(info, "the record of the main stream has no time for the reply", evidence);
    const WallTime go = r.go_at ? *r.go_at : (r.ended_at ? *r.ended_at : *r.reply_at);
    const double waited = seconds_between(*r.reply_at, go);
    evidence["waited_before_go_s"] = waited;
    evidence["go_sent"] = r.go_at.has_value();

    std::size_t before = 0;
    const PacketView* first = [&]() -> const PacketView* {
        for (const PacketView& p : ctx.main.packets)
            if (p.received < go) return &p;
        return nullptr;
    }();
    for (const PacketView& p : ctx.main.packets)
        if (p.received < go) ++before;
    if (first) {
        evidence["datagrams_before_go"] = before;
        evidence["first_datagram"] = packet_evidence(*first);
        return report::fail(info,
                            first->name() + " arrived " + fixed(seconds_between(*r.reply_at, first->received), 3) +
                                " s after the SessionID reply, before Go (sent " + fixed(waited, 3) +
                                " s after the reply); expected no datagram before Go (" +
                                std::to_string(before) + " datagram" + (before == 1 ? "" : "s") + " before Go)",
                            evidence);
    }
    if (waited + 1e-3 < ctx.limits().min_wait_before_go_s)  // 1 ms: rounding of the recorded times
        return report::error(info,
                             "no datagram before Go, but the runner waited only " + fixed(waited, 3) +
                                 " s before Go, less than " + fixed(ctx.limits().min_wait_before_go_s, 1) + " s",
                             evidence);
    return report::pass(info, "no datagram in the " + fixed(waited, 2) + " s between the SessionID and Go", evidence);
}

// S-SETUP-04: three sessions get three different SessionIDs (PROTOCOL.md 3).
CheckResult setup_04(const JudgeContext& ctx)
{
    const report::CheckInfo& info = report::lookup("S-SETUP-04");
    std::vector<const SessionRecord*> sessions;
    if (ctx.main.record) sessions.push_back(ctx.main.record);
    if (ctx.obs.id_sessions)
        for (const SessionRecord& r : *ctx.obs.id_sessions) sessions.push_back(&r);
    if (!ctx.obs.id_sessions && sessions.size() < 3)
        return unobserved(info, ctx.obs.id_sessions, ctx.obs, "the sessions that ask for a SessionID");

    nlohmann::json list = nlohmann::json::array();
    std::map<std::uint32_t, std::vector<std::string>> by_id;
    std::vector<std::string> without_id;
    for (const SessionRecord* r : sessions) {
        const auto id = granted_session_id(*r);
        list.push_back({{"session", r->label}, {"reply", describe_reply(*r)}});
        if (id)
            by_id[*id].push_back(r->label);
        else
            without_id.push_back("\"" + r->label + "\" (" + describe_reply(*r) + ")");
    }
    nlohmann::json evidence{{"sessions", list}};
    for (const auto& [id, labels] : by_id) {
        if (labels.size() < 2) continue;
        std::string names;
        for (std::size_t k = 0; k < labels.size(); ++k)
            names += std::string(k == 0 ? "" : (k + 1 == labels.size() ? " and " : ", ")) + "\"" + labels[k] + "\"";
        return report::fail(info,
                            "sessions " + names + (labels.size() == 2 ? " both" : " all") + " got SessionID " + std::to_string(id) +
                                ", expected a different SessionID for each session",
                            evidence);
    }
    std::size_t granted = 0;
    for (const auto& [id, labels] : by_id) granted += labels.size();
    if (granted < 3) {
        std::string who;
        for (std::size_t k = 0; k < without_id.size(); ++k) who += (k ? "; " : "") + without_id[k];
        return report::error(info,
                             "only " + std::to_string(granted) + " of " + std::to_string(sessions.size()) +
                                 " sessions got a SessionID, three are needed" + (who.empty() ? "" : ": " + who),
                             evidence);
    }
    std::string ids;
    for (const auto& [id, labels] : by_id) ids += (ids.empty() ? "" : ", ") + std::to_string(id);
    return report::pass(info, std::to_string(granted) + " sessions, " + std::to_string(by_id.size()) +
                                  " different SessionIDs (" + ids + ")",
                        evidence);
}

}  // namespace

std::vector<ServerCheck> setup_checks()
{
    return {{"S-SETUP-01", setup_01}, {"S-SETUP-02", setup_02}, {"S-SETUP-03", setup_03}, {"S-SETUP-04", setup_04}};
}

}  // namespace tpc3::conform::server
