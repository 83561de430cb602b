#include "serve/runner_server.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
#include <optional>
#include <thread>
#include <utility>

#include <poll.h>
#include <sys/socket.h>

#include "control/dialect.h"

namespace tpc3::conform::client {

namespace {

using SteadyClock = std::chrono::steady_clock;
using Bytes = std::vector<std::uint8_t>;

constexpr Millis kReplySendTimeout{2'000};
// The request buffer stops growing here (the tpc3 parser calls anything over
// 4 KiB without a newline Invalid long before).
constexpr std::size_t kMaxRequestBytes = 64 * 1024;

WallTime wall_now() { return std::chrono::system_clock::now(); }

std::atomic<std::uint64_t> g_next_serial{1};

bool ends_with_newline(const Bytes& b) { return std::find(b.begin(), b.end(), '\n') != b.end(); }

std::uint32_t rtp_seconds(WallTime t)
{
    const auto s = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
    return static_cast<std::uint32_t>(static_cast<std::uint64_t>(s));  // mod 2^32
}

// Parses bytes that are over (silence, close or deadline): an unterminated
// prefix the parser calls Incomplete is parsed again as if a newline followed,
// as ControlExchange does; `seen` keeps the bytes as received.
template <typename Parse>
auto final_parse(const Bytes& bytes, Parse parse)
{
    auto parsed = parse(bytes);
    if (parsed.status == control::ParseStatus::Incomplete && !bytes.empty()) {
        Bytes terminated = bytes;
        terminated.push_back('\n');
        parsed = parse(terminated);
        parsed.seen = control::escape(bytes);
        parsed.consumed = std::min(parsed.consumed, bytes.size());
    }
    return parsed;
}

enum class Pump { Data, Closed, Timeout, GaveUp };

// One served session: the state serve() needs between its phases.
class Session {
public:
    Session(const ServeOptions& o, net::TcpListener& listener, const InjectionPlan& plan, ServeObserver* observer)
        : o_(o), listener_(listener), plan_(plan), observer_(observer)
    {
        tag_.serial = g_next_serial.fetch_add(1);
        tag_.label = o.label;
    }

    ServedSession run(const net::Endpoint& listen, WallTime listening_at);

private:
    template <typename F>
    void notify(F f)
    {
        if (observer_ == nullptr) return;
        try {
            f(*observer_);
        } catch (...) {  // an observer's failure must not end the session
        }
    }

    bool give_up_now();
    bool accept_client();
    Pump pump(SteadyTime until, Bytes* into);
    void accept_extra();
    void record_client_bytes(const Bytes& chunk, WallTime at);
    void record_client_close(bool reset, WallTime at);
    bool read_request();
    void send_reply();
    void wait_for_go(Millis how_long, bool stop_at_go);
    void stream();
    void send_datagram(int fd, std::size_t index, SteadyTime scheduled);
    void close_connection();
    void finish(ServeEnd end, std::string error = "");

    const ServeOptions& o_;
    net::TcpListener& listener_;
    const InjectionPlan& plan_;
    ServeObserver* observer_;
    SessionTag tag_;
    ServedSession r_;
    std::optional<net::TcpStream> tcp_;
    bool client_closed_ = false;
    std::uint64_t client_bytes_kept_ = 0;
    const control::Dialect* dialect_ = nullptr;
    std::uint16_t udp_port_ = 0;  // where to stream: the request's port, or the fallback
    WallTime last_data_at_{};  // when the last client chunk arrived
    SteadyTime next_give_up_check_{};
    bool gave_up_ = false;
};

bool Session::give_up_now()
{
    if (gave_up_) return true;
    if (!o_.give_up) return false;
    const auto now = SteadyClock::now();
    if (now < next_give_up_check_) return false;
    next_give_up_check_ = now + o_.poll_slice;
    gave_up_ = o_.give_up();
    return gave_up_;
}

bool Session::accept_client()
{
    const auto deadline = SteadyClock::now() + o_.accept_timeout;
    for (;;) {
        if (give_up_now()) return false;
        const auto now = SteadyClock::now();
        if (now >= deadline) return false;
        const auto slice =
            std::min<SteadyClock::duration>(o_.poll_slice, deadline - now);
        auto stream = listener_.accept(std::chrono::ceil<Millis>(slice));
        if (!stream) continue;
        r_.connected_at = wall_now();
        r_.client = stream->peer();
        stream->set_nodelay(true);
        tcp_.emplace(std::move(*stream));
        notify([&](ServeObserver& ob) { ob.connected(tag_, *r_.client, r_.listen, *r_.connected_at); });
        return true;
    }
}

void Session::accept_extra()
{
    auto extra = listener_.accept(Millis{0});
    if (!extra) return;
    ExtraConnection c{extra->peer(), wall_now()};
    extra->close();
    r_.extra_connections.push_back(c);
    notify([&](ServeObserver& ob) { ob.extra_connection(tag_, c); });
}

void Session::record_client_bytes(const Bytes& chunk, WallTime at)
{
    const std::uint64_t room =
        client_bytes_kept_ >= o_.max_control_bytes_kept ? 0 : o_.max_control_bytes_kept - client_bytes_kept_;
    const std::size_t keep = static_cast<std::size_t>(std::min<std::uint64_t>(room, chunk.size()));
    r_.control_bytes_not_kept += chunk.size() - keep;
    if (keep == 0) return;
    client_bytes_kept_ += keep;
    ControlChunk c{Direction::ToServer, Bytes(chunk.begin(), chunk.begin() + static_cast<long>(keep)), at};
    notify([&](ServeObserver& ob) { ob.control(tag_, Direction::ToServer, c.bytes, at); });
    r_.control.push_back(std::move(c));
}

void Session::record_client_close(bool reset, WallTime at)
{
    if (client_closed_) return;
    client_closed_ = true;
    r_.client_closed_at = at;
    r_.client_reset = reset;
    notify([&](ServeObserver& ob) { ob.closed(tag_, Closer::Client, reset, at); });
}

// Waits until `until` for client bytes (appended to *into when given),
// the client's close, or give_up; serves extra connections meanwhile.
Pump Session::pump(SteadyTime until, Bytes* into)
{
    for (;;) {
        if (give_up_now()) return Pump::GaveUp;
        const auto now = SteadyClock::now();
        if (now >= until) return Pump::Timeout;
        const auto wait = std::min<SteadyClock::duration>(until - now, o_.poll_slice);
        pollfd fds[2] = {{listener_.fd(), POLLIN, 0}, {-1, POLLIN, 0}};
        const bool watch_tcp = tcp_ && tcp_->is_open() && !client_closed_;
        if (watch_tcp) fds[1].fd = tcp_->fd();
        // poll counts whole milliseconds: the last fraction is slept precisely.
        const int ms = static_cast<int>(std::chrono::floor<Millis>(wait).count());
        const int n = ::poll(fds, 2, ms);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw net::NetError(std::string("poll: ") + std::strerror(errno));
        }
        if (n == 0) {
            if (ms == 0) std::this_thread::sleep_until(now + wait);
            continue;
        }
        if (fds[0].revents != 0) accept_extra();
        if (watch_tcp && fds[1].revents != 0) {
            auto chunk = tcp_->receive_some(Millis{0});
            if (!chunk) continue;
            const WallTime at = wall_now();
            if (chunk->empty()) {
                record_client_close(tcp_->peer_close() == net::PeerClose::Reset, at);
                return Pump::Closed;
            }
            record_client_bytes(*chunk, at);
            last_data_at_ = at;
            if (into != nullptr) into->insert(into->end(), chunk->begin(), chunk->end());
            return Pump::Data;
        }
    }
}

bool Session::read_request()
{
    Bytes& buffer = r_.request_bytes;
    const auto deadline = SteadyClock::now() + o_.request_timeout;
    auto last_bytes = SteadyClock::now();
    auto detect = [&]() -> const control::Dialect& {
        if (!o_.dialect.empty()) {
            if (const auto* d = control::find_dialect(o_.dialect)) return *d;
        }
        return control::detect_dialect(buffer);
    };
    auto parse = [&](const Bytes& b) { return detect().parse_request(b); };
    RequestEnd end = RequestEnd::Deadline;
    for (;;) {
        std::optional<Millis> quiet;
        if (!buffer.empty()) {
            const auto parsed = parse(buffer);
            if (parsed.status == control::ParseStatus::Invalid) {
                end = RequestEnd::Invalid;
                break;
            }
            if (parsed.status == control::ParseStatus::Complete && ends_with_newline(buffer)) {
                end = RequestEnd::Complete;
                break;
            }
            quiet = parsed.status == control::ParseStatus::Complete ? o_.request_settle : o_.request_idle;
        }
        const auto until = quiet ? std::min(deadline, last_bytes + *quiet) : deadline;
        Bytes chunk;
        const Pump p = pump(until, &chunk);
        if (p == Pump::Data) {
            if (!r_.request_first_byte_at) r_.request_first_byte_at = last_data_at_;
            const std::size_t room = kMaxRequestBytes - std::min(kMaxRequestBytes, buffer.size());
            buffer.insert(buffer.end(), chunk.begin(), chunk.begin() + static_cast<long>(std::min(room, chunk.size())));
            last_bytes = SteadyClock::now();
            continue;
        }
        if (p == Pump::Closed) {
            end = RequestEnd::ClientClosed;
            break;
        }
        if (p == Pump::GaveUp) {
            end = RequestEnd::GaveUp;
            break;
        }
        // Timeout: the deadline, or silence after some bytes.
        if (SteadyClock::now() >= deadline) {
            end = RequestEnd::Deadline;
            break;
        }
        if (quiet) {
            end = parse(buffer).status == control::ParseStatus::Complete ? RequestEnd::Complete : RequestEnd::Idle;
            break;
        }
    }
    r_.request_end = end;
    r_.request_at = wall_now();
    dialect_ = &detect();
    r_.dialect = std::string(dialect_->name());
    if (!buffer.empty()) r_.request = final_parse(buffer, parse);
    const auto value = r_.request_value();
    if (end == RequestEnd::GaveUp) {
        finish(ServeEnd::GaveUp, "gave up while waiting for the request");
        return false;
    }
    std::string why;
    if (!value) {
        if (buffer.empty()) {
            why = end == RequestEnd::ClientClosed ? "the client closed the connection without a request"
                                                  : "no request within " + std::to_string(o_.request_timeout.count()) +
                                                        " ms";
            finish(ServeEnd::BadRequest, why);
            return false;
        }
        why = "the request \"" + control::escape(buffer) + "\" does not parse";
        if (!r_.request->problems.empty()) why += ": " + r_.request->problems.front();
    } else if (value->udp_port == 0) {
        why = "the request names UDP port 0";
    } else {
        udp_port_ = value->udp_port;
        return true;
    }
    if (!o_.fallback_udp_port || client_closed_) {
        finish(ServeEnd::BadRequest, why);
        return false;
    }
    r_.unusable_request = why;
    udp_port_ = *o_.fallback_udp_port;
    return true;
}

void Session::send_reply()
{
    control::Reply reply;
    reply.session_id = plan_.session_id() ? static_cast<std::int64_t>(*plan_.session_id()) : control::Reply::kNotFound;
    r_.reply_bytes = dialect_->encode(reply);
    const WallTime at = wall_now();
    tcp_->send_all(r_.reply_bytes, kReplySendTimeout);
    r_.reply_at = at;
    notify([&](ServeObserver& ob) { ob.control(tag_, Direction::FromServer, r_.reply_bytes, at); });
    r_.control.push_back(ControlChunk{Direction::FromServer, r_.reply_bytes, at});
}

// Collects the client's bytes after the request and parses them as Go, for
// at most `how_long`; ends at a Go when stop_at_go, at bytes that cannot be
// Go, at the client's close, or at give_up. Bytes the parser calls
// incomplete are taken as whole after request_idle of silence.
void Session::wait_for_go(Millis how_long, bool stop_at_go)
{
    const Bytes& req = r_.request_bytes;
    const std::size_t consumed = r_.request ? std::min(r_.request->consumed, req.size()) : req.size();
    // Bytes after the request arrived with it (a client that did not wait for the reply).
    r_.go_bytes.assign(req.begin() + static_cast<long>(consumed), req.end());
    const auto parse = [&](const Bytes& b) { return dialect_->parse_go(b); };
    const auto note_go = [&] {
        if (r_.go && r_.go->status == control::ParseStatus::Complete && !r_.go_at) r_.go_at = last_data_at_;
    };
    const auto deadline = SteadyClock::now() + how_long;
    auto last_bytes = SteadyClock::now();
    bool settled = false;  // the bytes were taken as whole after silence: r_.go holds that parse
    for (;;) {
        if (client_closed_) {  // nothing more can come
            if (!r_.go_bytes.empty() && !settled) {
                r_.go = final_parse(r_.go_bytes, parse);
                note_go();
            }
            return;
        }
        bool incomplete = false;
        if (!r_.go_bytes.empty() && !settled) {
            r_.go = parse(r_.go_bytes);
            note_go();
            if (r_.go->status == control::ParseStatus::Complete && stop_at_go) return;
            if (r_.go->status == control::ParseStatus::Invalid) return;
            incomplete = r_.go->status == control::ParseStatus::Incomplete;
        }
        const auto until = incomplete ? std::min(deadline, last_bytes + o_.request_idle) : deadline;
        Bytes chunk;
        const Pump p = pump(until, &chunk);
        if (p == Pump::Data) {
            r_.go_bytes.insert(r_.go_bytes.end(), chunk.begin(), chunk.end());
            if (r_.go_bytes.size() > kMaxRequestBytes) r_.go_bytes.resize(kMaxRequestBytes);
            last_bytes = SteadyClock::now();
            settled = false;
            continue;
        }
        if (p == Pump::Timeout && incomplete && SteadyClock::now() < deadline) {
            r_.go = final_parse(r_.go_bytes, parse);
            note_go();
            if (stop_at_go || r_.go->status != control::ParseStatus::Complete) return;
            settled = true;
            continue;
        }
        if (incomplete) {  // closed, gave up or the deadline, with a partial message
            r_.go = final_parse(r_.go_bytes, parse);
            note_go();
        }
        return;
    }
}

void Session::send_datagram(int fd, std::size_t index, SteadyTime scheduled)
{
    SentDatagram d;
    d.plan_index = index;
    d.scheduled = scheduled;
    d.bytes = plan_.at(index).bytes_at(rtp_seconds(o_.wall_clock()));
    d.sent_steady = SteadyClock::now();
    d.sent_wall = wall_now();
    for (int attempt = 0; attempt < 2; ++attempt) {
        const ssize_t n = ::send(fd, d.bytes.data(), d.bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n >= 0) {
            d.sent = true;
            d.error.clear();
            break;
        }
        const int err = errno;
        d.sent = false;
        if (err == ECONNREFUSED) {
            // The error belongs to an earlier datagram (ICMP port unreachable);
            // reporting it consumed it, so this one can go now.
            d.port_unreachable = true;
            d.error = "the client's UDP port was unreachable (ICMP) before this datagram";
            continue;
        }
        if (err == EINTR) {
            continue;
        }
        d.error = std::string("send: ") + std::strerror(err);
        break;
    }
    if (d.sent) {
        notify([&](ServeObserver& ob) { ob.datagram_sent(tag_, d, *r_.stream_from, *r_.stream_to); });
    }
    r_.sent.push_back(std::move(d));
}

void Session::stream()
{
    r_.stream_to = net::Endpoint{r_.client->host, udp_port_};
    net::UdpSocket udp = net::UdpSocket::bind(o_.host, 0);
    udp.connect(*r_.stream_to);
    udp.set_send_buffer(1 << 20);
    r_.stream_from = net::Endpoint{o_.host, udp.local_port()};
    notify([&](ServeObserver& ob) { ob.stream_target(tag_, *r_.stream_from, *r_.stream_to); });

    const auto interval = std::chrono::duration_cast<SteadyClock::duration>(plan_.interval());
    SteadyTime origin = SteadyClock::now();
    r_.stream_started = origin;
    for (std::size_t i = 0; i < plan_.size(); ++i) {
        SteadyTime due = origin + interval * static_cast<std::int64_t>(i);
        for (;;) {
            const Pump p = pump(due, nullptr);
            if (p == Pump::GaveUp) {
                finish(ServeEnd::GaveUp, "gave up after " + std::to_string(i) + " of " +
                                             std::to_string(plan_.size()) + " datagrams");
                return;
            }
            if (p == Pump::Timeout) break;
        }
        const auto now = SteadyClock::now();
        if (now - due > o_.max_lag) {  // stalled: restart the schedule rather than burst
            origin = now - interval * static_cast<std::int64_t>(i);
            due = now;
        }
        send_datagram(udp.fd(), i, due);
    }
    finish(ServeEnd::StreamSent);
}

void Session::close_connection()
{
    if (!tcp_ || !tcp_->is_open()) return;
    try {
        tcp_->shutdown_write();
        r_.runner_closed_at = wall_now();
        notify([&](ServeObserver& ob) { ob.closed(tag_, Closer::Runner, false, *r_.runner_closed_at); });
        const auto until = SteadyClock::now() + o_.close_watch;
        while (!client_closed_) {
            const Pump p = pump(until, nullptr);
            if (p == Pump::Timeout || p == Pump::GaveUp) break;
        }
        // Read what is left so that close() sends no RST for unread bytes
        // (bounded: a client that floods gets its RST).
        std::size_t drained = 0;
        while (!client_closed_ && drained < kMaxRequestBytes) {
            auto chunk = tcp_->receive_some(Millis{0});
            if (!chunk) break;
            if (chunk->empty()) {
                record_client_close(tcp_->peer_close() == net::PeerClose::Reset, wall_now());
                break;
            }
            record_client_bytes(*chunk, wall_now());
            drained += chunk->size();
        }
    } catch (const std::exception&) {  // closing anyway
    }
    tcp_->close();
}

void Session::finish(ServeEnd end, std::string error)
{
    r_.end = end;
    if (r_.error.empty()) r_.error = std::move(error);
}

ServedSession Session::run(const net::Endpoint& listen, WallTime listening_at)
{
    r_.label = o_.label;
    r_.listen = listen;
    r_.listening_at = listening_at;
    r_.session_id = plan_.session_id();
    try {
        if (!accept_client()) {
            if (gave_up_) {
                finish(ServeEnd::GaveUp, "gave up before a client connected");
            } else {
                finish(ServeEnd::NoConnection,
                       "no client connected within " + std::to_string(o_.accept_timeout.count()) + " ms");
            }
        } else if (read_request()) {
            send_reply();
            if (plan_.refuses()) {
                wait_for_go(o_.refusal_watch, false);
                finish(gave_up_ ? ServeEnd::GaveUp : ServeEnd::Refused);
            } else {
                wait_for_go(o_.go_timeout, true);
                if (gave_up_) {
                    finish(ServeEnd::GaveUp, "gave up while waiting for Go");
                } else if (!r_.go_received()) {
                    std::string why = "no Go within " + std::to_string(o_.go_timeout.count()) + " ms";
                    if (r_.go && r_.go->status == control::ParseStatus::Invalid) {
                        why = "the client sent \"" + control::escape(r_.go_bytes) + "\" instead of Go";
                    } else if (client_closed_) {
                        why = "the client closed the connection before Go";
                    }
                    finish(ServeEnd::NoGo, why);
                } else {
                    stream();
                }
            }
        }
    } catch (const std::exception& e) {
        finish(ServeEnd::ControlError, e.what());
    }
    close_connection();
    r_.ended_at = wall_now();
    notify([&](ServeObserver& ob) { ob.session_ended(tag_, r_); });
    return std::move(r_);
}

}  // namespace

const char* to_string(RequestEnd e)
{
    switch (e) {
    case RequestEnd::None: return "none";
    case RequestEnd::Complete: return "complete";
    case RequestEnd::Invalid: return "invalid";
    case RequestEnd::Idle: return "idle";
    case RequestEnd::ClientClosed: return "client closed";
    case RequestEnd::Deadline: return "deadline";
    case RequestEnd::GaveUp: return "gave up";
    }
    return "?";
}

const char* to_string(ServeEnd e)
{
    switch (e) {
    case ServeEnd::StreamSent: return "stream sent";
    case ServeEnd::Refused: return "refused";
    case ServeEnd::NoConnection: return "no connection";
    case ServeEnd::BadRequest: return "bad request";
    case ServeEnd::NoGo: return "no Go";
    case ServeEnd::GaveUp: return "gave up";
    case ServeEnd::ControlError: return "control error";
    }
    return "?";
}

std::optional<control::Request> ServedSession::request_value() const
{
    if (!request || request->status != control::ParseStatus::Complete) return std::nullopt;
    return request->value;
}

const SentDatagram* ServedSession::sent_for(std::size_t plan_index) const
{
    for (const auto& d : sent) {
        if (d.plan_index == plan_index && d.sent) return &d;
    }
    return nullptr;
}

RunnerServer::RunnerServer(ServeOptions options)
    : options_(std::move(options)),
      listener_(net::TcpListener::listen(options_.host, options_.port, 16)),
      listen_{options_.host, listener_.local_port()},
      listening_at_(wall_now())
{
}

ServedSession RunnerServer::serve(const InjectionPlan& plan, ServeObserver* observer)
{
    Session session(options_, listener_, plan, observer);
    return session.run(listen_, listening_at_);
}

}  // namespace tpc3::conform::client
