#include "server.h"

#include "control/tpc3_dialect.h"
#include "movie_cache.h"
#include "movie_path.h"
#include "net/socket.h"
#include "rtp/rtp_header.h"
#include "session_ids.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/syscall.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>
#include <mutex>
#include <optional>
#include <queue>
#include <stdexcept>
#include <unordered_map>

namespace tpc3::server {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using net::Fd;

// ------------------------------------------------------------------ shared state

struct Server::Shared {
    ServerConfig config;
    fs::path served_dir;  // canonical
    Clock::duration period{};
    std::shared_ptr<ServerLog> log;
    control::Tpc3Dialect dialect;
    MovieCache movies;
    SessionIds ids;
    net::TcpListener listener;
    Fd stop_event;  // eventfd: wakes the acceptor on stop
    std::atomic<bool> stopping{false};

    std::atomic<std::uint64_t> accepted{0}, sessions_started{0}, sessions_streamed{0}, sessions_completed{0},
        sessions_client_gone{0}, refusals{0}, frames_sent{0}, late_frames{0};
    std::atomic<std::size_t> live_sessions{0};

    Shared(ServerConfig c, fs::path dir, std::shared_ptr<ServerLog> l, net::TcpListener lis)
        : config(std::move(c)), served_dir(std::move(dir)), log(std::move(l)), listener(std::move(lis)) {}
};

namespace {

Fd make_eventfd() {
    int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
    return Fd(fd);
}

void signal_eventfd(int fd) {
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(fd, &one, sizeof one);
}

void drain_eventfd(int fd) {
    std::uint64_t v;
    [[maybe_unused]] auto n = ::read(fd, &v, sizeof v);
}

std::string escaped(const std::vector<std::uint8_t>& bytes) { return control::escape(bytes, 256); }

std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) {
        if (!out.empty()) out += "; ";
        out += p;
    }
    return out;
}

double seconds_between(TimePoint a, TimePoint b) { return std::chrono::duration<double>(b - a).count(); }

}  // namespace

// ------------------------------------------------------------------ worker

class Server::Worker {
public:
    struct NewConnection {
        Fd tcp;
        sockaddr_in peer{};
        std::uint64_t conn_no = 0;
        TimePoint accepted;
    };

    explicit Worker(Shared& shared) : shared_(shared), wake_(make_eventfd()) {
        int ep = ::epoll_create1(EPOLL_CLOEXEC);
        if (ep < 0) throw std::runtime_error(std::string("epoll_create1: ") + std::strerror(errno));
        epoll_.reset(ep);
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = kWakeKey;
        ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, wake_.get(), &ev);
    }

    ~Worker() { stop(); }

    void start() { thread_ = std::thread([this] { loop(); }); }

    void stop() {
        if (!thread_.joinable()) return;
        quit_.store(true);
        signal_eventfd(wake_.get());
        thread_.join();
    }

    void post(NewConnection c) {
        {
            std::lock_guard lock(inbox_mutex_);
            incoming_.push_back(std::move(c));
        }
        signal_eventfd(wake_.get());
    }

private:
    static constexpr std::uint64_t kWakeKey = 0;

    enum class Phase { Request, AwaitGo, Streaming, Draining };

    struct Connection {
        std::uint64_t key = 0;
        std::uint64_t conn_no = 0;
        Fd tcp;
        sockaddr_in peer{};
        std::string peer_text;
        Phase phase = Phase::Request;
        std::vector<std::uint8_t> inbox;
        TimePoint phase_deadline;                // request / Go / drain deadline
        std::optional<TimePoint> idle_deadline;  // set while a partial message waits
        TimePoint timer;                         // the heap entry that is current

        // Session (from the SessionID reply on).
        std::optional<std::uint32_t> id;
        std::string file;
        std::uint16_t udp_port = 0;
        std::shared_ptr<const LoadedMovie> movie;
        Fd udp;
        std::size_t next_frame = 0;
        std::size_t frames_sent = 0;
        std::size_t late_frames = 0;  // sent a whole period or more after their slot
        TimePoint origin;   // send time of frame k = origin + k * period
        TimePoint go_time;
        bool client_fin = false;
    };

    struct TimerEntry {
        TimePoint when;
        std::uint64_t key;
        bool operator>(const TimerEntry& o) const { return when > o.when; }
    };

    // ---------------------------------------------------------------- loop

    // Ask the scheduler for prompt wake-ups: 1 us timer slack instead of 50 us,
    // and (EEVDF, Linux 6.12+) a short time slice, which lets a waking worker
    // preempt a CPU-bound task at once instead of waiting up to a few ms for
    // its slice to end. Both are unprivileged; older kernels ignore the slice.
    // A real-time policy inherited from the process (chrt) is kept as is.
    static void request_low_latency() {
        ::prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
        if (::sched_getscheduler(0) != SCHED_OTHER) return;
        // struct sched_attr of <linux/sched/types.h>, which clashes with <sched.h>.
        struct {
            std::uint32_t size, sched_policy;
            std::uint64_t sched_flags;
            std::int32_t sched_nice;
            std::uint32_t sched_priority;
            std::uint64_t sched_runtime, sched_deadline, sched_period;
        } attr{};
        attr.size = sizeof attr;
        attr.sched_policy = SCHED_OTHER;
        attr.sched_runtime = 100'000;  // ns: the shortest slice EEVDF accepts
        ::syscall(SYS_sched_setattr, 0, &attr, 0);
    }

    void loop() {
        request_low_latency();
        constexpr int kMaxEvents = 256;
        epoll_event events[kMaxEvents];
        while (!quit_.load()) {
            const int n = wait(events, kMaxEvents);
            for (int i = 0; i < n; ++i) {
                if (events[i].data.u64 == kWakeKey) {
                    drain_eventfd(wake_.get());
                    adopt_incoming();
                    continue;
                }
                auto it = connections_.find(events[i].data.u64);
                if (it != connections_.end()) on_io(*it->second, events[i].events);
            }
            run_due_timers();
        }
        for (auto& [key, c] : connections_) {
            if (c->id) release_session(*c);
        }
        connections_.clear();
    }

    int wait(epoll_event* events, int max) {
        timespec ts{1, 0};  // nothing scheduled: wake now and then anyway
        if (!timers_.empty()) {
            auto left = timers_.top().when - Clock::now();
            if (left < Clock::duration::zero()) left = Clock::duration::zero();
            const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
            ts.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
            ts.tv_nsec = static_cast<long>(ns % 1'000'000'000);
        }
        int n;
        if (!no_pwait2_) {
            n = ::epoll_pwait2(epoll_.get(), events, max, &ts, nullptr);
            if (n < 0 && errno == ENOSYS) no_pwait2_ = true;
        }
        if (no_pwait2_) {
            const long ms = ts.tv_sec * 1000 + (ts.tv_nsec + 999'999) / 1'000'000;
            n = ::epoll_wait(epoll_.get(), events, max, static_cast<int>(ms));
        }
        return n < 0 ? 0 : n;  // EINTR: just run the timers
    }

    void adopt_incoming() {
        std::vector<NewConnection> batch;
        {
            std::lock_guard lock(inbox_mutex_);
            batch.swap(incoming_);
        }
        for (auto& nc : batch) {
            auto c = std::make_unique<Connection>();
            c->key = next_key_++;
            c->conn_no = nc.conn_no;
            c->tcp = std::move(nc.tcp);
            c->peer = nc.peer;
            c->peer_text = net::to_endpoint(nc.peer).str();
            c->phase_deadline = nc.accepted + shared_.config.request_timeout;
            epoll_event ev{};
            ev.events = EPOLLIN | EPOLLRDHUP;
            ev.data.u64 = c->key;
            if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, c->tcp.get(), &ev) < 0) {
                shared_.log->event("error", {{"conn", c->conn_no}, {"peer", c->peer_text},
                                             {"reason", std::string("epoll_ctl: ") + std::strerror(errno)}});
                continue;
            }
            Connection& ref = *c;
            connections_.emplace(c->key, std::move(c));
            arm(ref, ref.phase_deadline);
            // Bytes may have arrived before the socket joined this epoll set.
            on_io(ref, EPOLLIN);
        }
    }

    void arm(Connection& c, TimePoint when) {
        c.timer = when;
        timers_.push(TimerEntry{when, c.key});
    }

    // Sends due within the coalescing window of now go out in this wake-up
    // (slightly early) instead of each costing a wake-up of its own; with
    // thousands of sessions that halves the CPU spent sleeping and waking.
    // Other deadlines (timeouts) are only acted on once they have passed.
    void run_due_timers() {
        const auto window = shared_.config.send_coalescing;
        std::vector<TimerEntry> not_yet;
        while (!timers_.empty()) {
            const TimePoint now = Clock::now();
            const TimerEntry top = timers_.top();
            if (top.when > now + window) break;
            timers_.pop();
            auto it = connections_.find(top.key);
            if (it == connections_.end() || it->second->timer != top.when) continue;  // stale entry
            if (top.when > now && it->second->phase != Phase::Streaming) {
                not_yet.push_back(top);
                continue;
            }
            on_timer(*it->second, now);
        }
        for (const auto& t : not_yet) timers_.push(t);
    }

    void close_connection(Connection& c) {
        // Erasing destroys the Fds (close removes them from the epoll set).
        connections_.erase(c.key);
    }

    // ---------------------------------------------------------------- I/O

    enum class ReadResult { Data, WouldBlock, Eof, Reset };

    // Reads what is available (until EAGAIN) into c.inbox, at most `limit`
    // bytes in the inbox; or discards it when `keep` is false.
    ReadResult read_available(Connection& c, bool keep, std::size_t limit) {
        std::uint8_t buf[8192];
        bool got = false;
        for (;;) {
            if (keep && c.inbox.size() > limit) return ReadResult::Data;
            ssize_t n = ::recv(c.tcp.get(), buf, sizeof buf, MSG_DONTWAIT);
            if (n > 0) {
                got = true;
                if (keep) c.inbox.insert(c.inbox.end(), buf, buf + n);
                continue;
            }
            if (n == 0) return ReadResult::Eof;
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return got ? ReadResult::Data : ReadResult::WouldBlock;
            return ReadResult::Reset;  // ECONNRESET, ETIMEDOUT, ...
        }
    }

    void on_io(Connection& c, std::uint32_t events) {
        switch (c.phase) {
            case Phase::Request: return on_request_bytes(c, events);
            case Phase::AwaitGo: return on_go_bytes(c, events);
            case Phase::Streaming: return on_streaming_io(c, events);
            case Phase::Draining: return on_drain_io(c);
        }
    }

    void on_request_bytes(Connection& c, std::uint32_t) {
        const std::size_t limit = shared_.config.max_request_bytes;
        const ReadResult r = read_available(c, true, limit);
        if (r == ReadResult::Reset) {
            log_gone(c, "tcp reset before request");
            return close_connection(c);
        }
        if (c.inbox.size() > limit) {
            return refuse_bad_request(c, "request over " + std::to_string(limit) + " bytes without a complete message");
        }
        if (!c.inbox.empty()) {
            auto parsed = shared_.dialect.parse_request(c.inbox);
            if (parsed.status == control::ParseStatus::Complete && parsed.value) {
                std::vector<std::uint8_t> rest(c.inbox.begin() + static_cast<std::ptrdiff_t>(parsed.consumed),
                                               c.inbox.end());
                return on_request(c, *parsed.value, std::move(rest), r == ReadResult::Eof);
            }
            if (parsed.status == control::ParseStatus::Invalid) {
                return refuse_bad_request(c, parsed.problems.empty() ? "invalid request" : join(parsed.problems));
            }
        }
        if (r == ReadResult::Eof) {
            if (c.inbox.empty()) {
                shared_.log->event("bad_request", {{"conn", c.conn_no}, {"peer", c.peer_text},
                                                   {"bytes", ""}, {"reason", "closed without a request"}});
                return close_connection(c);
            }
            return refuse_bad_request(c, "connection closed inside an incomplete request");
        }
        if (r == ReadResult::Data && !c.inbox.empty()) {
            c.idle_deadline = Clock::now() + shared_.config.idle_timeout;
            arm(c, std::min(*c.idle_deadline, c.phase_deadline));
        }
    }

    void on_request(Connection& c, const control::Request& req, std::vector<std::uint8_t> rest, bool eof) {
        c.file = req.file;
        c.udp_port = req.udp_port;
        c.idle_deadline.reset();
        const std::string file_text = control::escape(req.file, 256);

        auto refuse = [&](const char* event, const std::string& reason) {
            if (reason.empty()) {
                shared_.log->event(event, {{"conn", c.conn_no}, {"peer", c.peer_text}, {"file", file_text},
                                           {"udp_port", c.udp_port}});
            } else {
                shared_.log->event(event, {{"conn", c.conn_no}, {"peer", c.peer_text}, {"file", file_text},
                                           {"udp_port", c.udp_port}, {"reason", reason}});
            }
            reply_refusal(c);
        };

        if (req.udp_port == 0) return refuse("refused", "UDP port 0");
        const MoviePathResult where = resolve_movie_path(shared_.served_dir, req.file);
        if (const auto* no = std::get_if<MoviePathRefused>(&where)) return refuse("refused", no->reason);
        if (std::holds_alternative<MoviePathMissing>(where)) return refuse("not_found", "");
        if (shared_.live_sessions.load() >= shared_.config.max_sessions)
            return refuse("refused", "too many sessions (max " + std::to_string(shared_.config.max_sessions) + ")");
        try {
            c.movie = shared_.movies.get(std::get<fs::path>(where));
        } catch (const std::exception& e) {
            return refuse("refused", std::string("malformed movie: ") + e.what());
        }

        const std::uint32_t id = shared_.ids.allocate();
        c.id = id;
        ++shared_.live_sessions;
        ++shared_.sessions_started;
        if (!send_text(c, shared_.dialect.encode(control::Reply{id}))) {
            log_gone(c, "tcp reset before reply");
            release_session(c);
            return close_connection(c);
        }
        shared_.log->event("setup", {{"session", id}, {"conn", c.conn_no}, {"peer", c.peer_text},
                                     {"file", file_text}, {"udp_port", c.udp_port},
                                     {"frames", c.movie->frame_count()}});
        c.phase = Phase::AwaitGo;
        c.inbox = std::move(rest);
        c.phase_deadline = Clock::now() + shared_.config.go_timeout;
        arm(c, c.phase_deadline);
        if (!c.inbox.empty()) return check_go(c, eof);
        if (eof) {
            log_gone(c, "closed before Go");
            release_session(c);
            return close_connection(c);
        }
    }

    void on_go_bytes(Connection& c, std::uint32_t) {
        const ReadResult r = read_available(c, true, shared_.config.max_request_bytes);
        if (r == ReadResult::Reset) {
            log_gone(c, "tcp reset before Go");
            release_session(c);
            return close_connection(c);
        }
        if (r == ReadResult::WouldBlock) return;
        check_go(c, r == ReadResult::Eof);
    }

    void check_go(Connection& c, bool eof) {
        if (c.inbox.size() > shared_.config.max_request_bytes) return refuse_go(c, "over 4 KiB instead of Go");
        if (!c.inbox.empty()) {
            auto parsed = shared_.dialect.parse_go(c.inbox);
            if (parsed.status == control::ParseStatus::Complete) return start_streaming(c, eof);
            if (parsed.status == control::ParseStatus::Invalid)
                return refuse_go(c, parsed.problems.empty() ? "expected Go" : join(parsed.problems));
        }
        if (eof) {
            if (c.inbox.empty()) {
                log_gone(c, "closed before Go");
                release_session(c);
                return close_connection(c);
            }
            return refuse_go(c, "connection closed inside an incomplete Go");
        }
        c.idle_deadline = Clock::now() + shared_.config.idle_timeout;
        arm(c, std::min(*c.idle_deadline, c.phase_deadline));
    }

    void refuse_go(Connection& c, const std::string& reason) {
        shared_.log->event("bad_request", {{"session", *c.id}, {"conn", c.conn_no}, {"peer", c.peer_text},
                                           {"bytes", escaped(c.inbox)}, {"reason", reason}});
        release_session(c);
        close_connection(c);
    }

    void start_streaming(Connection& c, bool client_fin) {
        c.idle_deadline.reset();
        c.inbox.clear();
        c.inbox.shrink_to_fit();
        // A connected socket per session: the kernel reports the client's
        // closed UDP port (ICMP) as ECONNREFUSED on a later send.
        int u = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        sockaddr_in to = c.peer;
        to.sin_port = htons(c.udp_port);
        if (u < 0 || ::connect(u, reinterpret_cast<const sockaddr*>(&to), sizeof to) < 0) {
            const std::string why = std::strerror(errno);
            if (u >= 0) ::close(u);
            shared_.log->event("client_gone", {{"session", *c.id}, {"conn", c.conn_no}, {"peer", c.peer_text},
                                               {"reason", "cannot open UDP socket: " + why}});
            ++shared_.sessions_client_gone;
            release_session(c);
            return close_connection(c);
        }
        c.udp.reset(u);
        c.phase = Phase::Streaming;
        c.go_time = Clock::now();
        c.origin = c.go_time;
        c.next_frame = 0;
        ++shared_.sessions_streamed;
        shared_.log->event("go", {{"session", *c.id}, {"conn", c.conn_no}, {"peer", c.peer_text},
                                  {"udp_port", c.udp_port}});
        if (client_fin) stop_watching_input(c);
        send_due(c, c.go_time);
    }

    void on_streaming_io(Connection& c, std::uint32_t events) {
        const ReadResult r = read_available(c, false, 0);
        if (r == ReadResult::Reset) return end_gone(c, "tcp reset");
        // Only a dead connection hangs up while our side is still open; a
        // level-triggered EPOLLHUP would otherwise wake this loop forever.
        if ((events & (EPOLLHUP | EPOLLERR)) != 0) return end_gone(c, "tcp connection closed");
        if (r == ReadResult::Eof) {
            // A FIN may be a half-close: the client still listens on UDP.
            c.client_fin = true;
            stop_watching_input(c);
        }
    }

    void stop_watching_input(Connection& c) {
        epoll_event ev{};
        ev.events = 0;  // EPOLLERR/EPOLLHUP are still reported: an RST still ends the session
        ev.data.u64 = c.key;
        ::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, c.tcp.get(), &ev);
    }

    void on_drain_io(Connection& c) {
        const ReadResult r = read_available(c, false, 0);
        if (r == ReadResult::Eof || r == ReadResult::Reset) close_connection(c);
    }

    // ---------------------------------------------------------------- timers

    void on_timer(Connection& c, TimePoint now) {
        switch (c.phase) {
            case Phase::Request:
                if (now >= c.phase_deadline) {
                    shared_.log->event("timeout", {{"conn", c.conn_no}, {"peer", c.peer_text}, {"which", "request"},
                                                   {"bytes", escaped(c.inbox)}});
                    return close_connection(c);
                }
                if (c.idle_deadline && now >= *c.idle_deadline)
                    return refuse_bad_request(c, "incomplete request, then no byte for " +
                                                     std::to_string(shared_.config.idle_timeout.count()) + " ms");
                return;
            case Phase::AwaitGo:
                if (now >= c.phase_deadline) {
                    shared_.log->event("timeout", {{"session", *c.id}, {"conn", c.conn_no}, {"peer", c.peer_text},
                                                   {"which", "go"}});
                    release_session(c);
                    return close_connection(c);
                }
                if (c.idle_deadline && now >= *c.idle_deadline)
                    return refuse_go(c, "incomplete Go, then no byte for " +
                                            std::to_string(shared_.config.idle_timeout.count()) + " ms");
                return;
            case Phase::Streaming: return send_due(c, now);
            case Phase::Draining:
                if (now >= c.phase_deadline) close_connection(c);
                return;
        }
    }

    // ---------------------------------------------------------------- streaming

    TimePoint slot(const Connection& c, std::size_t k) const {
        return c.origin + shared_.period * static_cast<Clock::rep>(k);
    }

    void send_due(Connection& c, TimePoint now) {
        const std::size_t count = c.movie->frame_count();
        while (c.next_frame < count) {
            const std::size_t k = c.next_frame;
            const TimePoint due = slot(c, k);
            if (due > now + shared_.config.send_coalescing) return arm(c, due);
            if (now - due >= shared_.period) {
                // A whole slot missed: send this one now and restart the
                // schedule here rather than burst the missed ones.
                c.origin = now - shared_.period * static_cast<Clock::rep>(k);
                ++c.late_frames;
                ++shared_.late_frames;
            }
            const auto frame = c.movie->frame(k);
            rtp::RtpHeader h;
            h.sequence = static_cast<std::uint16_t>(k + 1);
            h.timestamp = static_cast<std::uint32_t>(static_cast<std::uint64_t>(std::time(nullptr)) & 0xffffffffu);
            h.ssrc = *c.id;
            const auto header = rtp::encode(h);
            iovec iov[2] = {{const_cast<std::uint8_t*>(header.data()), header.size()},
                            {const_cast<std::uint8_t*>(frame.data()), frame.size()}};
            msghdr msg{};
            msg.msg_iov = iov;
            msg.msg_iovlen = 2;
            if (::sendmsg(c.udp.get(), &msg, MSG_NOSIGNAL) < 0) {
                const int err = errno;
                if (err == EINTR) continue;
                if (err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS) {
                    // Socket buffer full for a moment: retry this frame shortly.
                    return arm(c, now + std::chrono::milliseconds(1));
                }
                if (err == ECONNREFUSED) return end_gone(c, "udp port closed");
                // EMSGSIZE and the like concern this frame only: skip it.
                shared_.log->event("send_error", {{"session", *c.id}, {"conn", c.conn_no}, {"frame", k},
                                                  {"bytes", frame.size() + rtp::kHeaderSize},
                                                  {"reason", std::strerror(err)}});
            } else {
                ++c.frames_sent;
                ++shared_.frames_sent;
            }
            ++c.next_frame;
        }
        // Every frame sent: the stream ends, and so does the control connection.
        shared_.log->event("end", {{"session", *c.id}, {"conn", c.conn_no}, {"peer", c.peer_text},
                                   {"frames", c.frames_sent}, {"duration", seconds_between(c.go_time, now)},
                                   {"late", c.late_frames}});
        ++shared_.sessions_completed;
        release_session(c);
        close_connection(c);
    }

    void end_gone(Connection& c, const std::string& reason) {
        log_gone(c, reason);
        release_session(c);
        close_connection(c);
    }

    // ---------------------------------------------------------------- helpers

    void log_gone(Connection& c, const std::string& reason) {
        ++shared_.sessions_client_gone;
        if (c.id) {
            shared_.log->event("client_gone", {{"session", *c.id}, {"conn", c.conn_no}, {"peer", c.peer_text},
                                               {"reason", reason}, {"frames", c.frames_sent}});
        } else {
            shared_.log->event("client_gone", {{"conn", c.conn_no}, {"peer", c.peer_text}, {"reason", reason}});
        }
    }

    void release_session(Connection& c) {
        if (!c.id) return;
        shared_.ids.release(*c.id);
        --shared_.live_sessions;
        c.id.reset();
    }

    bool send_text(Connection& c, const std::vector<std::uint8_t>& bytes) {
        // A few bytes on a fresh connection: the socket buffer takes them at once.
        ssize_t n = ::send(c.tcp.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        return n == static_cast<ssize_t>(bytes.size());
    }

    void refuse_bad_request(Connection& c, const std::string& reason) {
        shared_.log->event("bad_request", {{"conn", c.conn_no}, {"peer", c.peer_text},
                                           {"bytes", escaped(c.inbox)}, {"reason", reason}});
        reply_refusal(c);
    }

    // Replies -1, half-closes, and reads what the client still sends until it
    // closes too (closing with unread bytes would send an RST that may destroy
    // the -1 before the client reads it).
    void reply_refusal(Connection& c) {
        ++shared_.refusals;
        c.idle_deadline.reset();
        c.inbox.clear();
        if (!send_text(c, shared_.dialect.encode(control::Reply{control::Reply::kNotFound})))
            return close_connection(c);
        ::shutdown(c.tcp.get(), SHUT_WR);
        c.phase = Phase::Draining;
        c.phase_deadline = Clock::now() + shared_.config.drain_timeout;
        arm(c, c.phase_deadline);
        on_drain_io(c);
    }

    Shared& shared_;
    Fd epoll_;
    Fd wake_;
    std::thread thread_;
    std::atomic<bool> quit_{false};
    bool no_pwait2_ = false;

    std::mutex inbox_mutex_;
    std::vector<NewConnection> incoming_;

    std::uint64_t next_key_ = 1;
    std::unordered_map<std::uint64_t, std::unique_ptr<Connection>> connections_;
    std::priority_queue<TimerEntry, std::vector<TimerEntry>, std::greater<>> timers_;
};

// ------------------------------------------------------------------ server

namespace {

ServerConfig validated(ServerConfig c) {
    if (!(c.rate > 0.0) || c.rate > 10'000.0)
        throw std::invalid_argument("rate must be in (0, 10000] datagrams per second, got " + std::to_string(c.rate));
    if (c.workers == 0) c.workers = std::max(1u, std::thread::hardware_concurrency());
    if (c.max_sessions == 0) throw std::invalid_argument("max sessions must be at least 1");
    return c;
}

fs::path canonical_dir(const fs::path& dir) {
    std::error_code ec;
    fs::path p = fs::canonical(dir, ec);
    if (ec || !fs::is_directory(p)) throw std::invalid_argument("served directory '" + dir.string() + "' is not a directory");
    return p;
}

}  // namespace

Server::Server(ServerConfig config, std::shared_ptr<ServerLog> log) {
    config = validated(std::move(config));
    fs::path dir = canonical_dir(config.dir);
    auto listener = net::TcpListener::listen(config.bind, config.port, 1024);
    listener.set_nonblocking(true);
    shared_ = std::make_unique<Shared>(std::move(config), std::move(dir), std::move(log), std::move(listener));
    shared_->period = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / shared_->config.rate));
    shared_->stop_event = make_eventfd();
    for (unsigned i = 0; i < shared_->config.workers; ++i) workers_.push_back(std::make_unique<Worker>(*shared_));
}

Server::~Server() { stop(); }

std::uint16_t Server::port() const { return shared_->listener.local_port(); }

std::string Server::listen_address() const { return shared_->config.bind + ":" + std::to_string(port()); }

void Server::start() {
    if (started_) return;
    started_ = true;
    for (auto& w : workers_) w->start();
    acceptor_ = std::thread([this] { accept_loop(); });
}

void Server::stop() {
    if (stopped_ || !shared_) return;
    stopped_ = true;
    shared_->stopping.store(true);
    signal_eventfd(shared_->stop_event.get());
    if (acceptor_.joinable()) acceptor_.join();
    for (auto& w : workers_) w->stop();
}

ServerStats Server::stats() const {
    ServerStats s;
    s.accepted = shared_->accepted.load();
    s.sessions_started = shared_->sessions_started.load();
    s.sessions_streamed = shared_->sessions_streamed.load();
    s.sessions_completed = shared_->sessions_completed.load();
    s.sessions_client_gone = shared_->sessions_client_gone.load();
    s.refusals = shared_->refusals.load();
    s.frames_sent = shared_->frames_sent.load();
    s.late_frames = shared_->late_frames.load();
    s.live_sessions = shared_->live_sessions.load();
    return s;
}

void Server::accept_loop() {
    std::size_t next_worker = 0;
    std::uint64_t conn_no = 0;
    const int lfd = shared_->listener.fd();
    while (!shared_->stopping.load()) {
        pollfd fds[2] = {{lfd, POLLIN, 0}, {shared_->stop_event.get(), POLLIN, 0}};
        if (::poll(fds, 2, 1000) < 0 && errno != EINTR) break;
        if (shared_->stopping.load()) break;
        for (;;) {
            sockaddr_in peer{};
            socklen_t len = sizeof peer;
            int fd = ::accept4(lfd, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) {
                if (errno == EINTR || errno == ECONNABORTED) continue;
                if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                    shared_->log->event("accept_error", {{"reason", std::strerror(errno)}});
                    // Out of descriptors: back off instead of spinning on a readable listener.
                    pollfd stop_only{shared_->stop_event.get(), POLLIN, 0};
                    ::poll(&stop_only, 1, 50);
                }
                break;  // EAGAIN or an error: back to poll
            }
            ++conn_no;
            ++shared_->accepted;
            const auto peer_text = net::to_endpoint(peer).str();
            shared_->log->event("accept", {{"conn", conn_no}, {"peer", peer_text}});
            workers_[next_worker]->post(Worker::NewConnection{Fd(fd), peer, conn_no, Clock::now()});
            next_worker = (next_worker + 1) % workers_.size();
        }
    }
}

std::uint64_t raise_fd_limit() {
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return 0;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &rl);
        ::getrlimit(RLIMIT_NOFILE, &rl);
    }
    return static_cast<std::uint64_t>(rl.rlim_cur);
}

}  // namespace tpc3::server
