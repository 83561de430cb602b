// Observers that put the sessions' traffic into a pcap file:
//  - SyntheticPcapObserver writes it from the runner's own view through
//    pcaps' SyntheticRecorder (real endpoints and times, correct headers);
//  - LiveCapturePorts tells a LiveCapture which ports belong to the run: each
//    session's UDP port before the request is sent, and the server's control
//    port once connected (add it to the capture before the first session so
//    that the first handshake is kept too).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "pcaps/capture/live_capture.h"
#include "pcaps/capture/synthetic_recorder.h"
#include "session/connection_observer.h"

namespace tpc3::conform::server {

class SyntheticPcapObserver final : public ConnectionObserver {
public:
    // `recorder` must outlive this observer. Thread-safe.
    explicit SyntheticPcapObserver(pcap::SyntheticRecorder& recorder) : recorder_(recorder) {}

    void tcp_opened(const SessionTag& tag, const net::Endpoint& runner, const net::Endpoint& server,
                    WallTime at) override;
    void tcp_data(const SessionTag& tag, Direction d, std::span<const std::uint8_t> bytes, WallTime at) override;
    void tcp_closed(const SessionTag& tag, Side closer, bool reset, WallTime at) override;
    void datagram(const SessionTag& tag, const ReceivedPacket& p, const net::Endpoint& to) override;
    void session_ended(const SessionTag& tag, const SessionRecord& record) override;

    // The first problem met while writing (an unwritable file, an endpoint
    // that is not IPv4), empty when none: the capture may then be incomplete.
    std::string first_error() const;

private:
    struct Connection {
        pcap::TcpConnectionId id = 0;
        bool open = true;
        // The runner's FIN is written when the connection is over (the server
        // closed too, or the session ended): after a half-close the server may
        // still answer, and those bytes belong in the capture.
        std::optional<WallTime> runner_fin;
    };
    void note_error(const std::string& what);
    void write_close(const SessionTag& tag, Connection& c, Side closer, bool reset, WallTime at);

    pcap::SyntheticRecorder& recorder_;
    mutable std::mutex mutex_;
    std::map<std::uint64_t, Connection> connections_;  // by SessionTag::serial
    std::string first_error_;
};

class LiveCapturePorts final : public ConnectionObserver {
public:
    explicit LiveCapturePorts(pcap::LiveCapture& capture) : capture_(capture) {}
    void udp_bound(const SessionTag& tag, const net::Endpoint& local) override;
    void tcp_opened(const SessionTag& tag, const net::Endpoint& runner, const net::Endpoint& server,
                    WallTime at) override;

private:
    pcap::LiveCapture& capture_;
};

// A WallTime as a pcap capture time.
pcap::CaptureTime capture_time(WallTime t);
pcap::Endpoint pcap_endpoint(const net::Endpoint& e);  // throws std::invalid_argument for a non-IPv4 host

}  // namespace tpc3::conform::server
