// The client's side of the TCP control exchange (PROTOCOL.md section 3):
// request, reply, Go, then watching for the server to close the connection.
#pragma once

#include "control/dialect.h"
#include "net/socket.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace tpc3::client {

// The server's reply could not be read or understood. The message quotes the
// bytes seen.
class ControlError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// SIGINT (or the caller's stop flag) arrived while waiting.
class Interrupted : public std::runtime_error {
public:
    Interrupted() : std::runtime_error("interrupted") {}
};

struct ReplyTiming {
    net::Millis idle{500};       // a partial reply is taken as whole after this much silence
    net::Millis deadline{10000}; // the whole reply must arrive within this
    // A reply that parses but has no newline ("4839" of "483920" sent in two
    // writes parses too) is taken once this much silence follows it. Short: the
    // classic server sends no newline, and pieces of one message written back
    // to back arrive within a few ms on loopback or a LAN.
    net::Millis settle{50};
};

struct ReceivedReply {
    control::Reply reply;
    std::string seen;                   // the bytes, escaped (control::escape)
    std::vector<std::string> problems;  // deviations the parser tolerated
};

class ControlExchange {
public:
    // Connects to host:port within `timeout`. Throws net::NetError.
    ControlExchange(const std::string& host, std::uint16_t port, net::Millis timeout,
                    const control::Dialect& dialect, const std::atomic<bool>& stop);

    // One send() of the encoded request. Throws net::NetError.
    void send_request(const control::Request& r);

    // Accumulates bytes until the dialect parses a whole reply, the server goes
    // quiet for timing.idle after some bytes, or closes. Throws ControlError
    // (nothing, or nothing parsable, within the deadline) or Interrupted.
    ReceivedReply receive_reply(ReplyTiming timing = {});

    void send_go();  // throws net::NetError

    // Non-blocking: true once the server has closed (or reset) the connection.
    // Bytes the server sends after the reply are counted and ignored.
    bool server_closed();
    std::size_t unexpected_bytes() const { return unexpected_bytes_; }
    net::Endpoint local() const { return stream_.local(); }

private:
    const control::Dialect& dialect_;
    const std::atomic<bool>& stop_;
    net::TcpStream stream_;
    bool closed_ = false;
    std::size_t unexpected_bytes_ = 0;
};

}  // namespace tpc3::client
