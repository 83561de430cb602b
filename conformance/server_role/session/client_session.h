// Plays one scripted session as a client against a server under test and
// records everything it saw (SessionRecord). I/O only: it judges nothing.
//
// Order: bind the UDP socket (kernel timestamps, big receive buffer), connect,
// send the request (in pieces if the script says so), read the reply, wait
// before Go while recording datagrams, send Go, record the stream until it
// ends. Every wait has a deadline and a hostile server cannot make it hang or
// exhaust memory: no reply, endless bytes, a datagram flood, a reset, a
// server that never closes all end in a record (see SessionScript caps).
//
// One ClientSession per thread; several may run at once.
#pragma once

#include "net/socket.h"
#include "session/connection_observer.h"
#include "session/session_record.h"
#include "session/session_script.h"

namespace tpc3::conform::server {

class ClientSession {
public:
    // `observer` (optional) sees the traffic as it happens; it must outlive run().
    ClientSession(net::Endpoint server, SessionScript script, ConnectionObserver* observer = nullptr);

    // Plays the script once. Never throws for what the server does; the
    // record says how the session ended.
    SessionRecord run();

    const SessionTag& tag() const { return tag_; }

private:
    net::Endpoint server_;
    SessionScript script_;
    ConnectionObserver* observer_;
    SessionTag tag_;
};

// ClientSession(server, script, observer).run().
SessionRecord run_session(const net::Endpoint& server, const SessionScript& script,
                          ConnectionObserver* observer = nullptr);

}  // namespace tpc3::conform::server
