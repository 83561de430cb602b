// Hooks that see a served session as it happens (the runner plays the
// server): connection, control bytes, each datagram sent, closes, the end.
// RunnerServer calls them from its own thread; an observer shared by several
// servers running at once must be thread-safe. Observers must not throw
// (RunnerServer ignores what they throw).
//
// ConnectionObserverAdapter passes the events on to a server-role
// ConnectionObserver, so the existing pcap writer (SyntheticPcapObserver) and
// live-capture port list (LiveCapturePorts) record client runs too. That
// interface is written from the TCP client's view; for a client under test
// the TCP client is the IUT, so the adapter maps:
//   tcp_opened(runner = the client's endpoint, server = the runner's listen endpoint)
//   tcp_data(Direction::ToServer = client -> runner)
//   tcp_closed(Side::Runner = the client closed, Side::Server = the runner closed)
//   udp_bound(the client's data endpoint), once the request names it
//   datagram(ReceivedPacket{from = runner's UDP endpoint, received = send time}, to = client's data endpoint)
//   session_ended(a SessionRecord holding only label, endpoints and ended_at)
// SessionTag serials come from RunnerServer's own counter; do not share one
// ConnectionObserver between server-role sessions and served sessions.
#pragma once

#include <cstdint>
#include <span>

#include "serve/served_session.h"
#include "session/connection_observer.h"

namespace tpc3::conform::client {

using server::SessionTag;

enum class Closer { Runner, Client };

class ServeObserver {
public:
    virtual ~ServeObserver() = default;
    virtual void connected(const SessionTag&, const net::Endpoint& /*client*/, const net::Endpoint& /*runner*/,
                           WallTime) {}
    virtual void control(const SessionTag&, Direction, std::span<const std::uint8_t>, WallTime) {}
    // The request named where datagrams go (before the first one is sent).
    virtual void stream_target(const SessionTag&, const net::Endpoint& /*from*/, const net::Endpoint& /*to*/) {}
    virtual void datagram_sent(const SessionTag&, const SentDatagram&, const net::Endpoint& /*from*/,
                               const net::Endpoint& /*to*/) {}
    virtual void closed(const SessionTag&, Closer, bool /*reset*/, WallTime) {}
    virtual void extra_connection(const SessionTag&, const ExtraConnection&) {}
    virtual void session_ended(const SessionTag&, const ServedSession&) {}
};

class ConnectionObserverAdapter final : public ServeObserver {
public:
    // `target` must outlive the adapter.
    explicit ConnectionObserverAdapter(server::ConnectionObserver& target) : target_(target) {}

    void connected(const SessionTag& tag, const net::Endpoint& client, const net::Endpoint& runner,
                   WallTime at) override;
    void control(const SessionTag& tag, Direction d, std::span<const std::uint8_t> bytes, WallTime at) override;
    void stream_target(const SessionTag& tag, const net::Endpoint& from, const net::Endpoint& to) override;
    void datagram_sent(const SessionTag& tag, const SentDatagram& d, const net::Endpoint& from,
                       const net::Endpoint& to) override;
    void closed(const SessionTag& tag, Closer closer, bool reset, WallTime at) override;
    void session_ended(const SessionTag& tag, const ServedSession& s) override;

private:
    server::ConnectionObserver& target_;
};

}  // namespace tpc3::conform::client
