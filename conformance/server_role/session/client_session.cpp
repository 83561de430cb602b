#include "session/client_session.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <optional>
#include <thread>

#include <arpa/inet.h>
#include <poll.h>

#include "control/tpc3_dialect.h"

namespace tpc3::conform::server {

namespace {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

WallTime wall_now() { return std::chrono::system_clock::now(); }

std::string seconds_text(Clock::duration d)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f s", std::chrono::duration<double>(d).count());
    return buf;
}

bool is_loopback_host(const std::string& host)
{
    try {
        const sockaddr_in a = net::resolve(host, 0);
        return (ntohl(a.sin_addr.s_addr) >> 24) == 127;
    } catch (const net::NetError&) {
        return false;
    }
}

// The request cut before each offset of split_at that falls inside it.
std::vector<std::span<const std::uint8_t>> cut(const Bytes& request, std::vector<std::size_t> split_at)
{
    std::sort(split_at.begin(), split_at.end());
    std::vector<std::span<const std::uint8_t>> pieces;
    std::size_t begin = 0;
    for (const std::size_t at : split_at) {
        if (at <= begin || at >= request.size()) continue;
        pieces.emplace_back(request.data() + begin, at - begin);
        begin = at;
    }
    pieces.emplace_back(request.data() + begin, request.size() - begin);
    return pieces;
}

bool ends_with_line_end(const Bytes& bytes, std::size_t consumed)
{
    return consumed > 0 && consumed <= bytes.size() && bytes[consumed - 1] == '\n';
}

std::atomic<std::uint64_t> g_next_serial{1};

struct Outcome {
    SessionEnd end;
    std::string error;
};

// One run of a script: the sockets, the record being filled, the clocks.
class SessionRun {
public:
    SessionRun(const net::Endpoint& server, const SessionScript& script, ConnectionObserver* observer,
               const SessionTag& tag)
        : server_(server),
          script_(script),
          dialect_(script.dialect != nullptr ? *script.dialect : control::default_dialect()),
          observer_(observer),
          tag_(tag),
          deadline_(Clock::now() + script.overall_deadline)
    {
        rec_.label = script.label;
        rec_.server = server;
        rec_.file = script.file;
    }

    SessionRecord run()
    {
        if (auto o = open_sockets()) return finish(std::move(*o));
        if (auto o = send_request()) return finish(std::move(*o));
        if (auto o = read_reply()) return finish(std::move(*o));
        if (auto o = go()) return finish(std::move(*o));
        return finish(stream());
    }

private:
    template <class F>
    void notify(F&& f)
    {
        if (observer_ == nullptr) return;
        try {
            f(*observer_);
        } catch (...) {
            // An observer's failure must not change what the session records.
        }
    }

    TimePoint clipped(TimePoint t) const { return std::min(t, deadline_); }
    net::Millis left(Clock::duration wanted) const
    {
        const auto until_deadline = std::chrono::ceil<net::Millis>(deadline_ - Clock::now());
        return std::max(net::Millis(1), std::min(std::chrono::ceil<net::Millis>(wanted), until_deadline));
    }
    bool past_deadline() const { return Clock::now() >= deadline_; }

    // ------------------------------------------------------------ phases

    std::optional<Outcome> open_sockets()
    {
        const bool loopback = is_loopback_host(server_.host);
        const std::string udp_host = !script_.udp_host.empty() ? script_.udp_host
                                     : loopback                 ? "127.0.0.1"
                                                                : "0.0.0.0";
        try {
            udp_.emplace(net::UdpSocket::bind(udp_host, script_.udp_port));
            udp_->set_receive_buffer(script_.udp_receive_buffer);
        } catch (const net::NetError& e) {
            return Outcome{SessionEnd::ControlError, "cannot bind the runner's UDP port on " + udp_host + ":" +
                                                         std::to_string(script_.udp_port) + ": " + e.what()};
        }
        try {
            udp_->enable_kernel_timestamps();
        } catch (const net::NetError&) {
            // Receive times are then taken when recvmsg returns (ReceivedPacket::kernel_timestamp false).
        }
        rec_.udp_port = udp_->local_port();

        try {
            tcp_.emplace(net::TcpStream::connect(server_.host, server_.port, left(script_.connect_timeout)));
        } catch (const net::NetError& e) {
            return Outcome{SessionEnd::ConnectFailed, e.what()};
        }
        rec_.connected_at = wall_now();
        tcp_open_ = true;
        tcp_readable_ = true;
        tcp_->set_nodelay(true);
        try {
            rec_.control_local = tcp_->local();
            rec_.server = tcp_->peer();
        } catch (const net::NetError&) {
            // The connection already failed; the next read or send reports it.
        }
        udp_local_ = {udp_host == "0.0.0.0" ? rec_.control_local.host : udp_host, rec_.udp_port};
        notify([&](ConnectionObserver& o) { o.tcp_opened(tag_, rec_.control_local, rec_.server, *rec_.connected_at); });
        notify([&](ConnectionObserver& o) { o.udp_bound(tag_, udp_local_); });
        return std::nullopt;
    }

    std::optional<Outcome> send_request()
    {
        const RequestMaker make = script_.request ? script_.request : encoded_request(script_.file, &dialect_);
        rec_.request = make(rec_.udp_port);
        rec_.request_at = wall_now();
        const auto pieces = cut(rec_.request, script_.split_at);
        for (std::size_t i = 0; i < pieces.size(); ++i) {
            if (i > 0) wait_until(clipped(Clock::now() + script_.split_delay));
            if (past_deadline()) return Outcome{SessionEnd::Deadline, "the overall deadline passed while sending the request"};
            if (pieces[i].empty()) continue;
            try {
                send_control(pieces[i]);
            } catch (const net::NetError& e) {
                return Outcome{SessionEnd::ControlError,
                               "sending the request (piece " + std::to_string(i + 1) + " of " +
                                   std::to_string(pieces.size()) + "): " + e.what()};
            }
        }
        if (script_.half_close_after_request) {
            try {
                tcp_->shutdown_write();
            } catch (const net::NetError& e) {
                return Outcome{SessionEnd::ControlError, std::string("half-closing after the request: ") + e.what()};
            }
            runner_closed_ = true;
            notify([&](ConnectionObserver& o) { o.tcp_closed(tag_, Side::Runner, false, wall_now()); });
        }
        request_done_ = Clock::now();
        return std::nullopt;
    }

    std::optional<Outcome> read_reply()
    {
        const TimePoint until = clipped(request_done_ + script_.reply_deadline);
        control::Parsed<control::Reply> parsed = dialect_.parse_reply(server_bytes_);
        std::size_t parsed_size = server_bytes_.size();
        for (;;) {
            if (server_bytes_.size() != parsed_size) {
                parsed = dialect_.parse_reply(server_bytes_);
                parsed_size = server_bytes_.size();
            }
            if (parsed.status == control::ParseStatus::Invalid && !server_bytes_.empty()) break;
            if (parsed.status == control::ParseStatus::Complete && ends_with_line_end(server_bytes_, parsed.consumed))
                break;
            if (!tcp_readable_) break;  // closed or reset: decide on what came
            const TimePoint now = Clock::now();
            if (last_server_chunk_ && now >= *last_server_chunk_ + script_.reply_idle) break;
            if (now >= until) break;
            TimePoint wake = until;
            if (last_server_chunk_) wake = std::min(wake, *last_server_chunk_ + script_.reply_idle);
            poll_once(wake);
        }
        parsed = dialect_.parse_reply(server_bytes_);
        rec_.reply = parsed;
        if (last_server_chunk_wall_) rec_.reply_at = last_server_chunk_wall_;

        if (parsed.status == control::ParseStatus::Complete && parsed.value) return std::nullopt;

        const std::string seen = server_bytes_.empty()
                                     ? "no bytes"
                                     : std::to_string(server_bytes_.size()) + " bytes \"" +
                                           control::escape(server_bytes_, 64) + "\"";
        if (rec_.server_reset)
            return Outcome{SessionEnd::ControlError,
                           "the server reset the connection before a complete reply (" + seen + ")"};
        if (rec_.server_closed_at)
            return Outcome{SessionEnd::BadReply, "the server closed the connection without a complete reply (" +
                                                     seen + ")"};
        if (server_bytes_.empty()) {
            if (past_deadline()) return Outcome{SessionEnd::Deadline, "the overall deadline passed before a reply"};
            return Outcome{SessionEnd::BadReply,
                           "no reply within " + seconds_text(script_.reply_deadline) + " after the request"};
        }
        std::string why = parsed.status == control::ParseStatus::Invalid ? "the reply is not valid"
                                                                          : "the reply is incomplete";
        for (std::size_t i = 0; i < parsed.problems.size(); ++i) why += (i == 0 ? ": " : "; ") + parsed.problems[i];
        return Outcome{SessionEnd::BadReply, why + " (" + seen + ")"};
    }

    std::optional<Outcome> go()
    {
        if (rec_.reply->value->not_found()) {
            wait_until(clipped(Clock::now() + script_.watch_after_not_found));
            return Outcome{SessionEnd::NotFound, {}};
        }
        const TimePoint reply_time = last_server_chunk_.value_or(Clock::now());
        const TimePoint go_time = reply_time + script_.wait_before_go;
        wait_until(clipped(go_time));
        if (Clock::now() < go_time)
            return Outcome{SessionEnd::Deadline, "the overall deadline passed while waiting to send Go"};
        if (!script_.send_go) return Outcome{SessionEnd::EndedBeforeGo, {}};
        if (rec_.server_reset)
            return Outcome{SessionEnd::ControlError, "the server reset the connection before Go was sent"};
        const control::Bytes go_bytes = dialect_.encode(control::Go{});
        rec_.go_at = wall_now();
        go_steady_ = Clock::now();
        try {
            send_control(go_bytes);
        } catch (const net::NetError& e) {
            rec_.go_at.reset();
            return Outcome{SessionEnd::ControlError, std::string("sending Go: ") + e.what()};
        }
        return std::nullopt;
    }

    Outcome stream()
    {
        for (;;) {
            const TimePoint now = Clock::now();
            if (vanish_due()) return vanish();
            const TimePoint last = std::max(*go_steady_, last_packet_.value_or(*go_steady_));
            TimePoint wake = deadline_;
            if (script_.expected_frames && packets_after_go_ >= *script_.expected_frames) {
                const TimePoint t = last_packet_.value_or(last) + script_.frames_idle;
                if (now >= t) return {SessionEnd::AllFramesAndIdle, {}};
                wake = std::min(wake, t);
            }
            if (server_closed_) {
                const TimePoint t = std::max(*server_closed_, last) + script_.idle_end;
                if (now >= t) return {SessionEnd::ServerClosedIdle, {}};
                wake = std::min(wake, t);
            }
            const TimePoint stall = last + script_.stall_limit;
            if (now >= stall) return {SessionEnd::Idle, {}};
            wake = std::min(wake, stall);
            if (now >= deadline_) return {SessionEnd::Deadline, {}};
            poll_once(wake);
        }
    }

    bool vanish_due() const
    {
        return script_.vanish_after_packets && packets_after_go_ >= *script_.vanish_after_packets;
    }

    Outcome vanish()
    {
        udp_.reset();
        if (tcp_open_) {
            tcp_->reset();
            tcp_open_ = false;
            notify([&](ConnectionObserver& o) { o.tcp_closed(tag_, Side::Runner, true, wall_now()); });
        }
        return {SessionEnd::Vanished, {}};
    }

    SessionRecord finish(Outcome outcome)
    {
        if (tcp_open_) {
            tcp_->close();
            tcp_open_ = false;
            if (!runner_closed_) notify([&](ConnectionObserver& o) { o.tcp_closed(tag_, Side::Runner, false, wall_now()); });
        }
        udp_.reset();
        rec_.end = outcome.end;
        rec_.error = std::move(outcome.error);
        rec_.ended_at = wall_now();
        notify([&](ConnectionObserver& o) { o.session_ended(tag_, rec_); });
        return std::move(rec_);
    }

    // ------------------------------------------------------------ I/O

    void send_control(std::span<const std::uint8_t> bytes)
    {
        const WallTime at = wall_now();
        tcp_->send_all(bytes, left(script_.send_timeout));
        rec_.control.push_back({Direction::ToServer, Bytes(bytes.begin(), bytes.end()), at});
        notify([&](ConnectionObserver& o) { o.tcp_data(tag_, Direction::ToServer, bytes, at); });
    }

    void wait_until(TimePoint t)
    {
        while (Clock::now() < t) poll_once(t);
    }

    // Waits for a datagram or control bytes until `wake_at` and handles what came.
    void poll_once(TimePoint wake_at)
    {
        pollfd fds[2];
        nfds_t n = 0;
        int udp_slot = -1;
        int tcp_slot = -1;
        if (udp_) {
            udp_slot = static_cast<int>(n);
            fds[n++] = {udp_->fd(), POLLIN, 0};
        }
        if (tcp_open_ && tcp_readable_) {
            tcp_slot = static_cast<int>(n);
            fds[n++] = {tcp_->fd(), POLLIN, 0};
        }
        const auto wait = std::chrono::ceil<std::chrono::milliseconds>(wake_at - Clock::now());
        const int timeout_ms = static_cast<int>(std::clamp<long long>(wait.count(), 0, 1000));
        if (n == 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(timeout_ms));
            return;
        }
        if (::poll(fds, n, timeout_ms) <= 0) return;  // timeout or EINTR: the caller re-checks its clock
        if (udp_slot >= 0 && fds[udp_slot].revents != 0) drain_udp();
        if (tcp_slot >= 0 && fds[tcp_slot].revents != 0) read_tcp();
    }

    void drain_udp()
    {
        // Bounded so that a flood of datagrams cannot starve the control connection.
        for (int i = 0; i < 256 && udp_; ++i) {
            if (vanish_due()) return;
            std::optional<net::Datagram> d;
            try {
                d = udp_->receive(net::Millis(0), 65536);
            } catch (const net::NetError& e) {
                if (rec_.error.empty()) rec_.error = std::string("UDP receive failed: ") + e.what();
                udp_.reset();
                return;
            }
            if (!d) return;
            on_datagram(std::move(*d));
        }
    }

    void on_datagram(net::Datagram d)
    {
        const std::size_t index = static_cast<std::size_t>(packets_seen_++);
        if (rec_.go_at && d.received >= *rec_.go_at) ++packets_after_go_;
        last_packet_ = Clock::now();
        if (rec_.packets.size() >= script_.max_packets_kept) {
            ++rec_.packets_not_kept;
            return;
        }
        ReceivedPacket p;
        p.index = index;
        p.bytes.assign(d.bytes.begin(), d.bytes.end());  // exact size: the receive buffer is 64 KiB
        p.received = d.received;
        p.kernel_timestamp = d.kernel_timestamp;
        p.from = std::move(d.from);
        p.truncated = d.truncated;
        rec_.packets.push_back(std::move(p));
        notify([&](ConnectionObserver& o) { o.datagram(tag_, rec_.packets.back(), udp_local_); });
    }

    void read_tcp()
    {
        std::optional<std::vector<std::uint8_t>> got;
        try {
            got = tcp_->receive_some(net::Millis(0), 65536);
        } catch (const net::NetError& e) {
            if (rec_.error.empty()) rec_.error = std::string("TCP receive failed: ") + e.what();
            on_server_closed(true);
            return;
        }
        if (!got) return;
        if (got->empty()) {
            on_server_closed(tcp_->peer_close() == net::PeerClose::Reset);
            return;
        }
        const WallTime at = wall_now();
        last_server_chunk_ = Clock::now();
        last_server_chunk_wall_ = at;
        const std::size_t room = script_.max_control_bytes_kept - std::min(script_.max_control_bytes_kept, server_bytes_.size());
        const std::size_t keep = std::min(room, got->size());
        rec_.control_bytes_not_kept += got->size() - keep;
        if (keep == 0) return;
        const std::span<const std::uint8_t> kept(got->data(), keep);
        rec_.control.push_back({Direction::FromServer, Bytes(kept.begin(), kept.end()), at});
        server_bytes_.insert(server_bytes_.end(), kept.begin(), kept.end());
        notify([&](ConnectionObserver& o) { o.tcp_data(tag_, Direction::FromServer, kept, at); });
    }

    void on_server_closed(bool reset)
    {
        tcp_readable_ = false;
        server_closed_ = Clock::now();
        rec_.server_closed_at = wall_now();
        rec_.server_reset = reset;
        notify([&](ConnectionObserver& o) { o.tcp_closed(tag_, Side::Server, reset, *rec_.server_closed_at); });
    }

    const net::Endpoint& server_;
    const SessionScript& script_;
    const control::Dialect& dialect_;
    ConnectionObserver* observer_;
    const SessionTag& tag_;
    const TimePoint deadline_;
    SessionRecord rec_;

    std::optional<net::UdpSocket> udp_;
    net::Endpoint udp_local_;
    std::optional<net::TcpStream> tcp_;
    bool tcp_open_ = false;      // our socket is open
    bool tcp_readable_ = false;  // the server has not closed its side
    bool runner_closed_ = false; // we half-closed (and told the observer)

    Bytes server_bytes_;  // the kept bytes from the server, in order (the reply is parsed from them)
    std::optional<TimePoint> last_server_chunk_;
    std::optional<WallTime> last_server_chunk_wall_;
    std::optional<TimePoint> server_closed_;
    TimePoint request_done_{};
    std::optional<TimePoint> go_steady_;

    std::uint64_t packets_seen_ = 0;
    std::size_t packets_after_go_ = 0;
    std::optional<TimePoint> last_packet_;
};

}  // namespace

RequestMaker raw_request(Bytes bytes)
{
    return [bytes = std::move(bytes)](std::uint16_t) { return bytes; };
}

RequestMaker raw_request(const std::string& text) { return raw_request(Bytes(text.begin(), text.end())); }

RequestMaker encoded_request(std::string file, const control::Dialect* dialect)
{
    const control::Dialect& d = dialect != nullptr ? *dialect : control::default_dialect();
    return [file = std::move(file), &d](std::uint16_t udp_port) { return d.encode(control::Request{file, udp_port}); };
}

ClientSession::ClientSession(net::Endpoint server, SessionScript script, ConnectionObserver* observer)
    : server_(std::move(server)), script_(std::move(script)), observer_(observer)
{
    tag_.serial = g_next_serial.fetch_add(1);
    tag_.label = script_.label;
}

SessionRecord ClientSession::run()
{
    SessionRun run(server_, script_, observer_, tag_);
    return run.run();
}

SessionRecord run_session(const net::Endpoint& server, const SessionScript& script, ConnectionObserver* observer)
{
    return ClientSession(server, script, observer).run();
}

}  // namespace tpc3::conform::server
