// The liveness check run after every case: a fresh valid session must still
// work. Connect, request `file` ("<file> <port>", the canonical form), read
// the SessionID, send Go, receive at least one datagram, close (FIN). Every
// wait is bounded by `deadline` (the connect, the reply and the first
// datagram each get at most that long).
#pragma once

#include <chrono>
#include <string>

#include "core/finding.h"
#include "net/socket.h"

namespace tpc3::fuzz::net {

struct LivenessResult {
    bool ok = false;
    Finding::Kind kind = Finding::Kind::LivenessFailed;  // when not ok: Hung (accepted, never replied) or LivenessFailed
    std::string evidence;  // when not ok: "a fresh valid session got no datagram within 3.0 s after Go"
    bool connect_failed = false;
    std::chrono::steady_clock::duration took{};
};

LivenessResult check_liveness(const tpc3::net::Endpoint& server, const std::string& file,
                              std::chrono::milliseconds deadline);

}  // namespace tpc3::fuzz::net
