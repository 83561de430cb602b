// A hook that sees a session's traffic as it happens: every control chunk,
// every kept datagram, the opening and closing of the control connection.
// The pcap writer and the verbose printer are observers. Sessions may run in
// several threads at once and share one observer: implementations must be
// thread-safe and must not throw (ClientSession ignores what they throw).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "session/session_record.h"

namespace tpc3::conform::server {

// Which session an event belongs to: serial is unique in the process.
struct SessionTag {
    std::uint64_t serial = 0;
    std::string label;
};

enum class Side { Runner, Server };

class ConnectionObserver {
public:
    virtual ~ConnectionObserver() = default;

    // The runner's UDP socket is bound (before the request is sent).
    virtual void udp_bound(const SessionTag&, const net::Endpoint& /*local*/) {}
    // TCP connection established: runner = the client side.
    virtual void tcp_opened(const SessionTag&, const net::Endpoint& /*runner*/, const net::Endpoint& /*server*/,
                            WallTime) {}
    virtual void tcp_data(const SessionTag&, Direction, std::span<const std::uint8_t>, WallTime) {}
    // `closer` ended the connection: FIN (reset false) or RST. A runner's
    // half-close (FIN after the request) is reported as a close by the runner.
    virtual void tcp_closed(const SessionTag&, Side /*closer*/, bool /*reset*/, WallTime) {}
    // One kept datagram (to = the runner's UDP endpoint).
    virtual void datagram(const SessionTag&, const ReceivedPacket&, const net::Endpoint& /*to*/) {}
    // The session is over; the record is final.
    virtual void session_ended(const SessionTag&, const SessionRecord&) {}
};

// Passes every event to each of its observers, in order.
class ObserverList final : public ConnectionObserver {
public:
    ObserverList() = default;
    explicit ObserverList(std::vector<ConnectionObserver*> observers) : observers_(std::move(observers)) {}
    void add(ConnectionObserver* o)
    {
        if (o != nullptr) observers_.push_back(o);
    }
    bool empty() const { return observers_.empty(); }

    void udp_bound(const SessionTag& t, const net::Endpoint& local) override
    {
        for (auto* o : observers_) o->udp_bound(t, local);
    }
    void tcp_opened(const SessionTag& t, const net::Endpoint& runner, const net::Endpoint& server,
                    WallTime at) override
    {
        for (auto* o : observers_) o->tcp_opened(t, runner, server, at);
    }
    void tcp_data(const SessionTag& t, Direction d, std::span<const std::uint8_t> bytes, WallTime at) override
    {
        for (auto* o : observers_) o->tcp_data(t, d, bytes, at);
    }
    void tcp_closed(const SessionTag& t, Side closer, bool reset, WallTime at) override
    {
        for (auto* o : observers_) o->tcp_closed(t, closer, reset, at);
    }
    void datagram(const SessionTag& t, const ReceivedPacket& p, const net::Endpoint& to) override
    {
        for (auto* o : observers_) o->datagram(t, p, to);
    }
    void session_ended(const SessionTag& t, const SessionRecord& r) override
    {
        for (auto* o : observers_) o->session_ended(t, r);
    }

private:
    std::vector<ConnectionObserver*> observers_;
};

}  // namespace tpc3::conform::server
