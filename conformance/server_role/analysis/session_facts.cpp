#include "analysis/session_facts.h"

#include "rtp/rtp_header.h"

namespace tpc3::conform::server::analysis {

std::optional<std::uint32_t> granted_session_id(const SessionRecord& record)
{
    if (!record.reply || record.reply->status != control::ParseStatus::Complete || !record.reply->value)
        return std::nullopt;
    const std::int64_t id = record.reply->value->session_id;
    if (id < 0 || id > 0xFFFFFFFFLL) return std::nullopt;
    return static_cast<std::uint32_t>(id);
}

bool replied_not_found(const SessionRecord& record)
{
    return record.reply && record.reply->status == control::ParseStatus::Complete && record.reply->value &&
           record.reply->value->not_found();
}

std::string reply_bytes_escaped(const SessionRecord& record)
{
    std::vector<std::uint8_t> bytes;
    for (const ControlChunk& c : record.control)
        if (c.direction == Direction::FromServer) bytes.insert(bytes.end(), c.bytes.begin(), c.bytes.end());
    return control::escape(bytes);
}

std::string describe_end(SessionEnd end)
{
    switch (end) {
    case SessionEnd::AllFramesAndIdle: return "all frames arrived, then no more datagrams";
    case SessionEnd::ServerClosedIdle: return "the server closed the connection, then no more datagrams";
    case SessionEnd::Idle: return "the stream stopped (no datagram for the runner's stall limit)";
    case SessionEnd::Deadline: return "the session's overall deadline passed";
    case SessionEnd::EndedBeforeGo: return "the runner ended the session after the reply, before Go";
    case SessionEnd::Vanished: return "the runner vanished mid-stream on purpose";
    case SessionEnd::NotFound: return "the server replied -1";
    case SessionEnd::BadReply: return "the reply did not parse or never came";
    case SessionEnd::ConnectFailed: return "the runner could not connect";
    case SessionEnd::ControlError: return "the control connection failed";
    }
    return "?";
}

std::string describe_reply(const SessionRecord& record)
{
    if (record.end == SessionEnd::ConnectFailed)
        return "no reply: could not connect to " + record.server.str() +
               (record.error.empty() ? std::string() : " (" + record.error + ")");
    if (const auto id = granted_session_id(record)) return "SessionID " + std::to_string(*id);
    if (replied_not_found(record)) return "-1";
    const std::string bytes = reply_bytes_escaped(record);
    if (record.reply && record.reply->status == control::ParseStatus::Invalid) {
        std::string out = "\"" + record.reply->seen + "\", neither a SessionID (0..4294967295) nor -1";
        for (const std::string& p : record.reply->problems) out += "; " + p;
        return out;
    }
    std::string out = "no reply";
    if (!bytes.empty()) out = "an incomplete reply \"" + bytes + "\"";
    if (record.server_closed_at)
        out += record.server_reset ? ": the server reset the connection" : ": the server closed the connection";
    else if (record.end == SessionEnd::ControlError)
        out += ": the control connection failed";
    else
        out += " within the runner's wait";
    if (!record.error.empty()) out += " (" + record.error + ")";
    return out;
}

std::vector<const ReceivedPacket*> datagrams_before(const SessionRecord& record, WallTime when)
{
    std::vector<const ReceivedPacket*> out;
    for (const ReceivedPacket& p : record.packets)
        if (p.received < when) out.push_back(&p);
    return out;
}

std::size_t datagrams_after_go(const SessionRecord& record)
{
    if (!record.go_at) return 0;
    std::size_t n = 0;
    for (const ReceivedPacket& p : record.packets)
        if (p.received >= *record.go_at) ++n;
    return n;
}

Liveness judge_liveness(const SessionRecord& record, std::size_t min_datagrams)
{
    Liveness l;
    l.session_id = granted_session_id(record);
    if (!l.session_id) {
        l.explanation = "got no SessionID for \"" + record.file + "\": the reply was " + describe_reply(record);
        return l;
    }
    if (!record.go_at) {
        l.explanation = "got SessionID " + std::to_string(*l.session_id) + " but the runner never sent Go (" +
                        describe_end(record.end) + (record.error.empty() ? "" : ": " + record.error) + ")";
        return l;
    }
    for (const ReceivedPacket& p : record.packets)
        if (p.received >= *record.go_at && p.bytes.size() >= rtp::kHeaderSize) ++l.datagrams;
    if (l.datagrams < min_datagrams) {
        l.explanation = "got SessionID " + std::to_string(*l.session_id) + " and sent Go, but received " +
                        std::to_string(l.datagrams) + " RTP datagram" + (l.datagrams == 1 ? "" : "s") +
                        ", expected at least " + std::to_string(min_datagrams) + " (" + describe_end(record.end) +
                        ")";
        return l;
    }
    l.valid = true;
    l.explanation = "SessionID " + std::to_string(*l.session_id) + ", " + std::to_string(l.datagrams) + " datagrams";
    return l;
}

}  // namespace tpc3::conform::server::analysis
