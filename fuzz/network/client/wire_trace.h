// What really went over the wire during one client launch (both directions,
// exact bytes, times), so a finding's pcap holds the bytes as sent (with the
// real timestamps, not the offsets of the case file) and the client's own
// request and Go too.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "pcaps/packet/capture_time.h"

namespace tpc3::fuzz::net {

struct TraceEndpoint {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
};

struct TraceEvent {
    enum class Kind {
        TcpOpen,       // the client connected (from = client, to = runner)
        FromClient,    // bytes the client sent on the control connection
        FromRunner,    // bytes the runner sent on it
        RunnerClosed,  // the runner's FIN
        RunnerReset,   // the runner's RST
        ClientClosed,  // the client's FIN (or RST) seen by the runner
        Udp,           // a datagram the runner sent (from -> to)
    };
    Kind kind = Kind::Udp;
    pcap::CaptureTime time{};
    TraceEndpoint from, to;
    std::vector<std::uint8_t> bytes;
};

class WireTrace {
public:
    void add(TraceEvent e) { events_.push_back(std::move(e)); }
    const std::vector<TraceEvent>& events() const { return events_; }
    bool empty() const { return events_.empty(); }
    void clear() { events_.clear(); }

    // Ethernet/IPv4 pcap of the trace (SyntheticRecorder). Events before the
    // TCP connection opened, or after it closed, that need it are skipped.
    // Throws pcap::PcapError / std::runtime_error naming the file.
    void write_pcap(const std::filesystem::path& path) const;

private:
    std::vector<TraceEvent> events_;
};

}  // namespace tpc3::fuzz::net
