// Lets the suite wait for moments inside a session that runs in another
// thread: the first reply bytes, the n-th datagram, the end. It sits in front
// of the run's shared observer (pcap, --verbose) and forwards everything.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>

#include "session/connection_observer.h"

namespace tpc3::conform::server {

class SessionWatch final : public ConnectionObserver {
public:
    explicit SessionWatch(ConnectionObserver* next = nullptr) : next_(next) {}

    using TimePoint = std::chrono::steady_clock::time_point;

    // Each waits until the moment came or the session ended (true only for
    // the moment itself), or `until` passed.
    bool wait_for_reply(TimePoint until);
    bool wait_for_datagrams(std::size_t n, TimePoint until);
    bool wait_for_end(TimePoint until);
    // A datagram that the kernel received after `after` (wall clock).
    bool wait_for_datagram_after(WallTime after, TimePoint until);

    bool replied() const;
    // When the first reply bytes came (wall clock), once they have.
    std::optional<WallTime> replied_at() const;
    bool ended() const;

    void udp_bound(const SessionTag& t, const net::Endpoint& local) override;
    void tcp_opened(const SessionTag& t, const net::Endpoint& runner, const net::Endpoint& server,
                    WallTime at) override;
    void tcp_data(const SessionTag& t, Direction d, std::span<const std::uint8_t> bytes, WallTime at) override;
    void tcp_closed(const SessionTag& t, Side closer, bool reset, WallTime at) override;
    void datagram(const SessionTag& t, const ReceivedPacket& p, const net::Endpoint& to) override;
    void session_ended(const SessionTag& t, const SessionRecord& r) override;

private:
    template <class Pred>
    bool wait(TimePoint until, Pred moment);

    ConnectionObserver* next_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::optional<WallTime> replied_at_;
    std::size_t datagrams_ = 0;
    std::optional<WallTime> last_received_;  // the latest kernel receive time
    bool ended_ = false;
};

}  // namespace tpc3::conform::server
