#include "session/session_record.h"

#include <algorithm>

namespace tpc3::conform::server {

const char* to_string(SessionEnd e)
{
    switch (e) {
    case SessionEnd::AllFramesAndIdle: return "AllFramesAndIdle";
    case SessionEnd::ServerClosedIdle: return "ServerClosedIdle";
    case SessionEnd::Idle: return "Idle";
    case SessionEnd::Deadline: return "Deadline";
    case SessionEnd::EndedBeforeGo: return "EndedBeforeGo";
    case SessionEnd::Vanished: return "Vanished";
    case SessionEnd::NotFound: return "NotFound";
    case SessionEnd::BadReply: return "BadReply";
    case SessionEnd::ConnectFailed: return "ConnectFailed";
    case SessionEnd::ControlError: return "ControlError";
    }
    return "unknown";
}

std::size_t SessionRecord::packets_before_go() const
{
    if (!go_at) return packets.size();
    // By kernel receive time: a datagram that arrived before Go but was read
    // after it still counts as before Go.
    return static_cast<std::size_t>(
        std::count_if(packets.begin(), packets.end(), [&](const ReceivedPacket& p) { return p.received < *go_at; }));
}

std::optional<std::int64_t> SessionRecord::session_id() const
{
    if (!reply || reply->status != control::ParseStatus::Complete || !reply->value) return std::nullopt;
    return reply->value->session_id;
}

}  // namespace tpc3::conform::server
