#include "serve/serve_observer.h"

namespace tpc3::conform::client {

void ConnectionObserverAdapter::connected(const SessionTag& tag, const net::Endpoint& client,
                                          const net::Endpoint& runner, WallTime at)
{
    target_.tcp_opened(tag, client, runner, at);
}

void ConnectionObserverAdapter::control(const SessionTag& tag, Direction d, std::span<const std::uint8_t> bytes,
                                        WallTime at)
{
    target_.tcp_data(tag, d, bytes, at);
}

void ConnectionObserverAdapter::stream_target(const SessionTag& tag, const net::Endpoint&, const net::Endpoint& to)
{
    target_.udp_bound(tag, to);
}

void ConnectionObserverAdapter::datagram_sent(const SessionTag& tag, const SentDatagram& d,
                                              const net::Endpoint& from, const net::Endpoint& to)
{
    server::ReceivedPacket p;
    p.index = d.plan_index;
    p.bytes = d.bytes;
    p.received = d.sent_wall;
    p.from = from;
    target_.datagram(tag, p, to);
}

void ConnectionObserverAdapter::closed(const SessionTag& tag, Closer closer, bool reset, WallTime at)
{
    target_.tcp_closed(tag, closer == Closer::Client ? server::Side::Runner : server::Side::Server, reset, at);
}

void ConnectionObserverAdapter::session_ended(const SessionTag& tag, const ServedSession& s)
{
    server::SessionRecord r;
    r.label = s.label;
    r.server = s.listen;
    if (s.client) r.control_local = *s.client;
    if (s.stream_to) r.udp_port = s.stream_to->port;
    r.ended_at = s.ended_at;
    target_.session_ended(tag, r);
}

}  // namespace tpc3::conform::client
