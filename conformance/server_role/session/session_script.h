// What one session does, as a value: the request, how it is cut, how long
// each wait lasts, when the session ends. ClientSession plays it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "control/dialect.h"

namespace tpc3::conform::server {

using Millis = std::chrono::milliseconds;
using Bytes = std::vector<std::uint8_t>;

// Builds the request bytes once the UDP port is known.
using RequestMaker = std::function<Bytes(std::uint16_t udp_port)>;

// A request that is exactly these bytes, whatever the UDP port (hostile steps).
RequestMaker raw_request(Bytes bytes);
RequestMaker raw_request(const std::string& text);
// "<file> <udp_port>" in `dialect` (tpc3 when null): the default request.
RequestMaker encoded_request(std::string file, const control::Dialect* dialect = nullptr);

struct SessionScript {
    std::string label;  // names the session in records, reports and verbose output
    std::string file;   // the file requested (recorded; used by the default request)

    // The request; empty: the dialect's encoding of "<file> <udp_port>".
    RequestMaker request;
    const control::Dialect* dialect = nullptr;  // null: tpc3 (also parses the reply, encodes Go)

    // The request is cut before each of these byte offsets (ascending, inside
    // the request) and each piece after the first is sent split_delay later.
    std::vector<std::size_t> split_at;
    Millis split_delay{100};
    // Half-close (FIN) after the request: "empty then close" sends no bytes
    // and then shuts its side down, and still reads what comes back.
    bool half_close_after_request = false;

    // Reading the reply: until the dialect's parser says Invalid, or Complete
    // with a line end; else until the server is quiet for reply_idle after some
    // bytes, closes, or reply_deadline passes (counted from the request's end).
    Millis reply_idle{300};
    Millis reply_deadline{5000};

    // Between the reply and Go (datagrams are recorded meanwhile: S-SETUP-03).
    // Counted from the arrival of the reply's last chunk.
    Millis wait_before_go{500};
    bool send_go = true;  // false: end after wait_before_go without Go (EndedBeforeGo)

    // After -1: how long to watch the UDP port for datagrams (S-SETUP-02).
    Millis watch_after_not_found{1000};

    // Ending a stream (whichever comes first):
    std::optional<std::size_t> expected_frames;  // all arrived, then frames_idle without more
    Millis frames_idle{300};
    Millis idle_end{500};      // the server closed TCP, then no datagram for this long
    Millis stall_limit{2000};  // no datagram for this long after Go (or the last one)
    // Vanish (S-ROB-02): after this many datagrams after Go, close the UDP
    // socket and reset (RST) the TCP connection.
    std::optional<std::size_t> vanish_after_packets;

    Millis connect_timeout{3000};
    Millis send_timeout{5000};
    Millis overall_deadline{60000};  // the whole session, whatever happens

    // The UDP socket: empty host = 127.0.0.1 for a loopback server, else
    // 0.0.0.0 (the server sends to the address it sees on the TCP connection).
    std::string udp_host;
    std::uint16_t udp_port = 0;  // 0: any free port
    int udp_receive_buffer = 4 * 1024 * 1024;  // SO_RCVBUF, best effort

    // Caps against hostile servers: beyond them, bytes and datagrams are counted only.
    std::size_t max_control_bytes_kept = 64 * 1024;  // bytes from the server
    std::size_t max_packets_kept = 20000;
};

}  // namespace tpc3::conform::server
