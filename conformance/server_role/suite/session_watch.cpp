#include "suite/session_watch.h"

namespace tpc3::conform::server {

template <class Pred>
bool SessionWatch::wait(TimePoint until, Pred moment)
{
    std::unique_lock lock(mutex_);
    changed_.wait_until(lock, until, [&] { return moment() || ended_; });
    return moment();
}

bool SessionWatch::wait_for_reply(TimePoint until)
{
    return wait(until, [&] { return replied_at_.has_value(); });
}

bool SessionWatch::wait_for_datagram_after(WallTime after, TimePoint until)
{
    return wait(until, [&] { return last_received_ && *last_received_ > after; });
}

std::optional<WallTime> SessionWatch::replied_at() const
{
    std::lock_guard lock(mutex_);
    return replied_at_;
}

bool SessionWatch::wait_for_datagrams(std::size_t n, TimePoint until)
{
    return wait(until, [&] { return datagrams_ >= n; });
}

bool SessionWatch::wait_for_end(TimePoint until)
{
    return wait(until, [&] { return ended_; });
}

bool SessionWatch::replied() const
{
    std::lock_guard lock(mutex_);
    return replied_at_.has_value();
}

bool SessionWatch::ended() const
{
    std::lock_guard lock(mutex_);
    return ended_;
}

void SessionWatch::udp_bound(const SessionTag& t, const net::Endpoint& local)
{
    if (next_) next_->udp_bound(t, local);
}

void SessionWatch::tcp_opened(const SessionTag& t, const net::Endpoint& runner, const net::Endpoint& server,
                              WallTime at)
{
    if (next_) next_->tcp_opened(t, runner, server, at);
}

void SessionWatch::tcp_data(const SessionTag& t, Direction d, std::span<const std::uint8_t> bytes, WallTime at)
{
    if (next_) next_->tcp_data(t, d, bytes, at);
    if (d != Direction::FromServer || bytes.empty()) return;
    {
        std::lock_guard lock(mutex_);
        if (!replied_at_) replied_at_ = at;
    }
    changed_.notify_all();
}

void SessionWatch::tcp_closed(const SessionTag& t, Side closer, bool reset, WallTime at)
{
    if (next_) next_->tcp_closed(t, closer, reset, at);
}

void SessionWatch::datagram(const SessionTag& t, const ReceivedPacket& p, const net::Endpoint& to)
{
    if (next_) next_->datagram(t, p, to);
    {
        std::lock_guard lock(mutex_);
        ++datagrams_;
        if (!last_received_ || p.received > *last_received_) last_received_ = p.received;
    }
    changed_.notify_all();
}

void SessionWatch::session_ended(const SessionTag& t, const SessionRecord& r)
{
    if (next_) next_->session_ended(t, r);
    {
        std::lock_guard lock(mutex_);
        ended_ = true;
    }
    changed_.notify_all();
}

}  // namespace tpc3::conform::server
