// Plain facts about one SessionRecord, worded for reports: the SessionID it
// was granted, what the reply was, which datagrams came before Go, and whether
// it was a valid session (the liveness proof of the S-ROB checks).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "session/session_record.h"

namespace tpc3::conform::server::analysis {

// The SessionID of a reply that parsed as one (0..2^32-1, not -1).
std::optional<std::uint32_t> granted_session_id(const SessionRecord& record);
// The reply parsed as -1.
bool replied_not_found(const SessionRecord& record);
// The reply in words: "SessionID 483920", "-1", "\"abc\" (not a SessionID or
// -1: ...)", "no reply: the server closed the connection", "no reply: could
// not connect to 127.0.0.1:5000 (connection refused)".
std::string describe_reply(const SessionRecord& record);
// The server's control bytes, escaped ("483920\n").
std::string reply_bytes_escaped(const SessionRecord& record);
// How the session ended, in words ("the server closed TCP, then no datagram for the idle time").
std::string describe_end(SessionEnd end);

// Datagrams received before `when` (kernel receive time), in arrival order.
std::vector<const ReceivedPacket*> datagrams_before(const SessionRecord& record, WallTime when);
// Datagrams at or after Go (none when Go was never sent).
std::size_t datagrams_after_go(const SessionRecord& record);

// A valid session: a SessionID, then at least min_datagrams datagrams of at
// least 12 bytes after Go. Header fields and payloads are not judged here
// (their own checks do that), so a header bug does not fail liveness.
struct Liveness {
    bool valid = false;
    std::optional<std::uint32_t> session_id;
    std::size_t datagrams = 0;  // datagrams of >= 12 bytes after Go
    std::string explanation;    // why not valid; for a valid one "SessionID 483920, 40 datagrams"
};
Liveness judge_liveness(const SessionRecord& record, std::size_t min_datagrams);

}  // namespace tpc3::conform::server::analysis
