#include "session/pcap_observer.h"

#include <exception>

namespace tpc3::conform::server {

pcap::CaptureTime capture_time(WallTime t) { return std::chrono::time_point_cast<std::chrono::nanoseconds>(t); }

pcap::Endpoint pcap_endpoint(const net::Endpoint& e) { return {pcap::Ipv4Address(e.host), e.port}; }

void SyntheticPcapObserver::note_error(const std::string& what)
{
    if (first_error_.empty()) first_error_ = what;
}

std::string SyntheticPcapObserver::first_error() const
{
    std::lock_guard lock(mutex_);
    return first_error_;
}

void SyntheticPcapObserver::tcp_opened(const SessionTag& tag, const net::Endpoint& runner,
                                       const net::Endpoint& server, WallTime at)
{
    std::lock_guard lock(mutex_);
    try {
        const auto id = recorder_.tcp_open(pcap_endpoint(runner), pcap_endpoint(server), capture_time(at));
        connections_[tag.serial] = Connection{id, true, std::nullopt};
    } catch (const std::exception& e) {
        note_error("session \"" + tag.label + "\": recording the TCP connection: " + e.what());
    }
}

void SyntheticPcapObserver::tcp_data(const SessionTag& tag, Direction d, std::span<const std::uint8_t> bytes,
                                     WallTime at)
{
    std::lock_guard lock(mutex_);
    const auto it = connections_.find(tag.serial);
    if (it == connections_.end() || !it->second.open) return;
    try {
        recorder_.tcp_data(it->second.id,
                           d == Direction::ToServer ? pcap::TcpDirection::client_to_server
                                                    : pcap::TcpDirection::server_to_client,
                           bytes, capture_time(at));
    } catch (const std::exception& e) {
        note_error("session \"" + tag.label + "\": recording control bytes: " + e.what());
    }
}

void SyntheticPcapObserver::write_close(const SessionTag& tag, Connection& c, Side closer, bool reset, WallTime at)
{
    c.open = false;
    const pcap::TcpSide side = closer == Side::Runner ? pcap::TcpSide::client : pcap::TcpSide::server;
    try {
        if (reset) {
            recorder_.tcp_reset(c.id, side, capture_time(at));
        } else {
            recorder_.tcp_close(c.id, side, capture_time(at));
        }
    } catch (const std::exception& e) {
        note_error("session \"" + tag.label + "\": recording the close: " + e.what());
    }
}

void SyntheticPcapObserver::tcp_closed(const SessionTag& tag, Side closer, bool reset, WallTime at)
{
    std::lock_guard lock(mutex_);
    const auto it = connections_.find(tag.serial);
    if (it == connections_.end() || !it->second.open) return;
    Connection& c = it->second;
    if (closer == Side::Runner && !reset) {
        if (!c.runner_fin) c.runner_fin = at;
        return;
    }
    // The runner's earlier FIN, if any, started the close.
    if (c.runner_fin && !reset) {
        write_close(tag, c, Side::Runner, false, at);
    } else {
        write_close(tag, c, closer, reset, at);
    }
}

void SyntheticPcapObserver::datagram(const SessionTag& tag, const ReceivedPacket& p, const net::Endpoint& to)
{
    std::lock_guard lock(mutex_);
    try {
        recorder_.udp(pcap_endpoint(p.from), pcap_endpoint(to), p.bytes, capture_time(p.received));
    } catch (const std::exception& e) {
        note_error("session \"" + tag.label + "\": recording datagram " + std::to_string(p.index) + ": " + e.what());
    }
}

void SyntheticPcapObserver::session_ended(const SessionTag& tag, const SessionRecord& record)
{
    std::lock_guard lock(mutex_);
    const auto it = connections_.find(tag.serial);
    if (it == connections_.end()) return;
    Connection& c = it->second;
    if (c.open && c.runner_fin) {
        write_close(tag, c, Side::Runner, false, record.ended_at.value_or(*c.runner_fin));
    }
    connections_.erase(it);
}

void LiveCapturePorts::udp_bound(const SessionTag&, const net::Endpoint& local) { capture_.add_port(local.port); }

void LiveCapturePorts::tcp_opened(const SessionTag&, const net::Endpoint&, const net::Endpoint& server, WallTime)
{
    capture_.add_port(server.port);
}

}  // namespace tpc3::conform::server
