// `--verbose`: prints each session's exchange as it happens, one line per
// event: the control bytes escaped, one line per datagram (size, RTP header
// fields, arrival time since Go), how the session ended. Lines of concurrent
// sessions interleave whole (each starts with the session's label).
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <ostream>
#include <string>

#include "session/connection_observer.h"

namespace tpc3::conform::server {

struct VerboseOptions {
    bool packets = true;                 // one line per datagram
    std::size_t max_control_bytes = 256; // shown per chunk, then "...(N more bytes)"
};

class VerbosePrinter final : public ConnectionObserver {
public:
    explicit VerbosePrinter(std::ostream& out, VerboseOptions options = {}) : out_(out), options_(options) {}

    void udp_bound(const SessionTag& tag, const net::Endpoint& local) override;
    void tcp_opened(const SessionTag& tag, const net::Endpoint& runner, const net::Endpoint& server,
                    WallTime at) override;
    void tcp_data(const SessionTag& tag, Direction d, std::span<const std::uint8_t> bytes, WallTime at) override;
    void tcp_closed(const SessionTag& tag, Side closer, bool reset, WallTime at) override;
    void datagram(const SessionTag& tag, const ReceivedPacket& p, const net::Endpoint& to) override;
    void session_ended(const SessionTag& tag, const SessionRecord& record) override;

private:
    void line(const SessionTag& tag, WallTime at, const std::string& text);

    std::ostream& out_;
    VerboseOptions options_;
    std::mutex mutex_;
    std::map<std::uint64_t, WallTime> started_;  // by serial: times are shown since the connection
};

// One datagram as a line: "#3 1234 B seq=4 ts=1700000000 ssrc=483920 V=2 PT=26 M=0" (or why it has no header).
std::string describe_datagram(const ReceivedPacket& p);

}  // namespace tpc3::conform::server
