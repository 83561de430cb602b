// Hostile control connections for S-ROB-01: connect, send malformed bytes,
// read whatever comes back within a deadline, close; recorded like any
// session (a SessionRecord whose end says what the server answered:
// NotFound for "-1", EndedBeforeGo for a SessionID, BadReply for silence or a
// close, ControlError for a reset). No Go is ever sent.
#pragma once

#include <string>
#include <vector>

#include "net/socket.h"
#include "session/connection_observer.h"
#include "session/session_record.h"
#include "session/session_script.h"

namespace tpc3::conform::server {

struct MalformedRequest {
    std::string name;     // "garbage", "empty then close", ... (stable, short)
    std::string action;   // what the runner does, in words, for the report
    RequestMaker request;  // the bytes (may use the runner's UDP port)
    bool half_close = false;  // FIN after the bytes (the server reads end-of-stream)
};

// The six malformed requests of CHECKS.md S-ROB-01, naming `file` where a
// request names a file: garbage (64 binary bytes), empty then close, one word
// ("<file>"), non-numeric port ("<file> port"), a 64 KiB line, non-UTF-8
// ("\xff\xfe<file> <udp_port>").
std::vector<MalformedRequest> malformed_requests(const std::string& file);

struct HostileOptions {
    Millis read_for{1000};  // how long to wait for an answer after sending
    Millis idle{300};       // after some bytes, this much quiet ends the read
    Millis connect_timeout{3000};
    Millis overall_deadline{10000};
    std::size_t max_control_bytes_kept = 64 * 1024;
};

class HostileConnection {
public:
    HostileConnection(net::Endpoint server, std::string label, MalformedRequest request, HostileOptions options = {},
                      ConnectionObserver* observer = nullptr);
    SessionRecord run();

    // The script it plays (a ClientSession that never sends Go).
    const SessionScript& script() const { return script_; }

private:
    net::Endpoint server_;
    SessionScript script_;
    ConnectionObserver* observer_;
};

// A script that sends `request`, reads the answer and closes without Go.
SessionScript hostile_script(std::string label, const MalformedRequest& request, const HostileOptions& options = {});

}  // namespace tpc3::conform::server
