// Plays a server-role FuzzCase against a server's control endpoint.
//
// Meaning of the steps here: Connect opens TCP connection `connection` to the
// server (TCP_NODELAY, so each Send is its own segment); Send is one send of
// `bytes` on it; Pause sleeps; ExpectReply reads until some bytes came and
// the server then stayed quiet for a short idle time, or it closed, or
// `pause` passed; ShutdownWrite sends FIN and keeps reading; Close drains
// what arrived and closes (FIN); Reset closes with SO_LINGER 0 (RST);
// Datagram sends `bytes` to the server's host and control port over UDP.
//
// For the whole case a UDP socket is bound on 127.0.0.1 at every port of
// FuzzCase::udp_ports, so a correct server streaming to it gets no ICMP
// error. Every wait is bounded by the case deadline; a step that fails (a
// refused connect, a send into a reset connection) is recorded and the case
// goes on. Everything is closed when the function returns.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/fuzz_case.h"
#include "net/socket.h"

namespace tpc3::fuzz::net {

struct ServerExecutorOptions {
    std::chrono::milliseconds case_deadline{5000};
    std::chrono::milliseconds connect_timeout{1000};
    std::chrono::milliseconds reply_idle{50};  // ExpectReply: quiet this long after some bytes = done
};

struct ServerCaseOutcome {
    std::vector<std::string> events;  // what did not go as scripted: "connect #0: refused", ...
    bool connect_refused = false;     // a Connect step was refused (the server may be gone)
    bool deadline_hit = false;        // the case deadline cut it short
    std::uint64_t bytes_received = 0; // from the server, all connections
    std::uint64_t datagrams_received = 0;
    std::vector<std::uint16_t> udp_ports_not_bound;  // taken by someone else
    std::chrono::steady_clock::duration took{};
};

ServerCaseOutcome execute_server_case(const FuzzCase& c, const tpc3::net::Endpoint& server,
                                      const ServerExecutorOptions& options = {});

}  // namespace tpc3::fuzz::net
