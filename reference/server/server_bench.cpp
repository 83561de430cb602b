// server_bench: how many concurrent sessions a TPC3 server streams at 20 fps
// while the 99th percentile of its send-time error stays under 2 ms.
//
// Not a CTest test: a load benchmark run by hand, e.g.
//   build/reference/server/server_bench --server-cmd "build/reference/server/tpc3-server {port} --dir {dir}"
//   build/reference/server/server_bench --server-cmd "/usr/bin/python3 conformance/examples/good/Server.py {port}"
//
// It writes a movie of --frames small frames (2-5 KB each, fake JPEGs: FF D8
// ... FF D9) into a scratch directory {dir}, starts the server command there
// (cwd = {dir}; {port} is a free TCP port; a relative program path is taken
// from the bench's own working directory), waits until the port listens, then
// ramps N = 1, 2, 5, 10, 20, 50, 100, ... For each step it opens N control
// sessions (each with its own UDP socket), sends "Go" to all, and receives
// every datagram in one thread (epoll + recvmmsg) with kernel receive
// timestamps (SO_TIMESTAMPNS), so the bench's own lag does not count.
//
// Per session, the send-time error of packet k is |a_k - (a_0 + k*P) - c|,
// where a_k is the kernel arrival time, P the frame period and c the session's
// least-squares constant offset. A step passes when the p99 of that error over
// all packets is under --goal-ms and no packet was lost. It also reports the
// p99 of |inter-arrival - P| and the server's CPU use (utime+stime of every
// process in its process group, from /proc/PID/stat).
//
// With --attempts K a step is tried up to K times before it counts as failed.
// The ramp stops at the first failing step, or at --max-n; a step that would
// exceed the descriptor limit is replaced by the largest N the limit allows.
// The server (and its whole process group) is killed at the end, whatever
// happens: on return, on an exception, on SIGINT/SIGTERM/SIGHUP/SIGSEGV/SIGABRT
// (handler), and by PR_SET_PDEATHSIG if the bench itself is killed.
//
// On a busy machine the scheduler's wake-up latency (several ms under a load
// of a few runnable tasks per core) dominates; isolate the server with a
// real-time policy for both candidates alike, e.g. --server-cmd "chrt -f 10 ...".
#include "movie/movie_index.h"
#include "movie/movie_writer.h"
#include "net/socket.h"
#include "server.h"

#include <CLI/CLI.hpp>

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <linux/sock_diag.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// ------------------------------------------------------------------ the server under test

std::atomic<pid_t> g_server_pgid{0};

void kill_group(pid_t pgid, int sig) {
    if (pgid > 0) ::kill(-pgid, sig);
}

// The scratch directory and its movie, for removal from a signal handler
// (unlink and rmdir are async-signal-safe; std::filesystem is not).
char g_scratch_movie[4096];
char g_scratch_dir[4096];

extern "C" void on_fatal_signal(int sig) {
    kill_group(g_server_pgid.load(), SIGKILL);
    if (g_scratch_movie[0] != '\0') ::unlink(g_scratch_movie);
    if (g_scratch_dir[0] != '\0') ::rmdir(g_scratch_dir);
    ::signal(sig, SIG_DFL);
    ::raise(sig);
}

std::vector<std::string> split_command(const std::string& text) {
    std::vector<std::string> out;
    std::string cur;
    bool in_word = false;
    char quote = 0;
    for (char ch : text) {
        if (quote != 0) {
            if (ch == quote) quote = 0;
            else cur.push_back(ch);
        } else if (ch == '\'' || ch == '"') {
            quote = ch;
            in_word = true;
        } else if (std::isspace(static_cast<unsigned char>(ch))) {
            if (in_word) out.push_back(cur);
            cur.clear();
            in_word = false;
        } else {
            cur.push_back(ch);
            in_word = true;
        }
    }
    if (quote != 0) throw std::runtime_error("unbalanced quote in --server-cmd");
    if (in_word) out.push_back(cur);
    return out;
}

std::string substitute(std::string s, const std::string& key, const std::string& value) {
    for (auto pos = s.find(key); pos != std::string::npos; pos = s.find(key, pos + value.size()))
        s.replace(pos, key.size(), value);
    return s;
}

// The server in its own process group; killed (group-wide) on destruction.
class ServerProcess {
public:
    ServerProcess(std::vector<std::string> argv, const fs::path& cwd, const fs::path& log_path) {
        std::vector<char*> args;
        for (auto& a : argv) args.push_back(a.data());
        args.push_back(nullptr);
        const pid_t parent = ::getpid();
        pid_ = ::fork();
        if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
        if (pid_ == 0) {
            ::setpgid(0, 0);
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // the bench dying takes the server with it
            if (::getppid() != parent) ::_exit(127);
            sigset_t none;
            sigemptyset(&none);
            ::sigprocmask(SIG_SETMASK, &none, nullptr);
            if (::chdir(cwd.c_str()) != 0) ::_exit(127);
            int null_in = ::open("/dev/null", O_RDONLY);
            int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (null_in >= 0) ::dup2(null_in, 0);
            if (log >= 0) {
                ::dup2(log, 1);
                ::dup2(log, 2);
            }
            ::execvp(args[0], args.data());
            std::fprintf(stderr, "server_bench: cannot run %s: %s\n", args[0], std::strerror(errno));
            ::_exit(127);
        }
        ::setpgid(pid_, pid_);  // also from the parent: no race with kill below
        g_server_pgid.store(pid_);
    }
    ~ServerProcess() { stop(); }
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    pid_t pid() const { return pid_; }

    bool running() {
        if (reaped_) return false;
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            reaped_ = true;
            return false;
        }
        return true;
    }

    void stop() {
        if (pid_ <= 0) return;
        kill_group(pid_, SIGTERM);
        const auto deadline = Clock::now() + 3s;
        while (running() && Clock::now() < deadline) std::this_thread::sleep_for(20ms);
        kill_group(pid_, SIGKILL);  // the leader and anything it left behind
        if (!reaped_) ::waitpid(pid_, nullptr, 0);
        reaped_ = true;
        g_server_pgid.store(0);
        pid_ = -1;
    }

private:
    pid_t pid_ = -1;
    bool reaped_ = false;
};

// Is 127.0.0.1:port or 0.0.0.0:port listening? (/proc/net/tcp, passive: no probe connection.)
bool port_listening(std::uint16_t port) {
    std::ifstream in("/proc/net/tcp");
    std::string line;
    std::getline(in, line);
    char want[8];
    std::snprintf(want, sizeof want, ":%04X", port);
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string slot, local, remote, state;
        ls >> slot >> local >> remote >> state;
        if (state == "0A" && local.size() > 5 && local.substr(local.size() - 5) == want) return true;
    }
    return false;
}

// utime + stime (clock ticks) of every process in process group `pgid`.
std::uint64_t group_cpu_ticks(pid_t pgid) {
    std::uint64_t total = 0;
    DIR* d = ::opendir("/proc");
    if (d == nullptr) return 0;
    while (dirent* e = ::readdir(d)) {
        if (!std::isdigit(static_cast<unsigned char>(e->d_name[0]))) continue;
        std::ifstream in(std::string("/proc/") + e->d_name + "/stat");
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        const auto close = text.rfind(')');
        if (close == std::string::npos) continue;
        std::istringstream rest(text.substr(close + 2));
        // Fields after the command: 3 state, 4 ppid, 5 pgrp, ..., 14 utime, 15 stime.
        std::string state;
        long ppid = 0, pgrp = 0;
        rest >> state >> ppid >> pgrp;
        if (pgrp != pgid) continue;
        std::string skip;
        for (int i = 6; i <= 13; ++i) rest >> skip;
        std::uint64_t utime = 0, stime = 0;
        rest >> utime >> stime;
        total += utime + stime;
    }
    ::closedir(d);
    return total;
}

// ------------------------------------------------------------------ one step

struct SessionData {
    tpc3::net::UdpSocket udp;
    std::optional<tpc3::net::TcpStream> tcp;
    std::uint32_t ssrc = 0;
    std::vector<std::int64_t> arrival_ns;  // by frame index; -1 = not received
    std::size_t received = 0;
    std::size_t duplicates = 0;
    std::size_t foreign = 0;  // wrong SSRC, bad header, out-of-range sequence
};

struct StepResult {
    std::size_t n = 0;
    double p50_ms = 0, p99_ms = 0, max_ms = 0, ia_p99_ms = 0;
    std::size_t expected = 0, lost = 0, setup_failures = 0, bad_packets = 0;
    double cpu_percent = 0;
    bool passed = false;
    std::string note;
};

double percentile(std::vector<double>& v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const double rank = p / 100.0 * static_cast<double>(v.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(rank));
    const auto hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (rank - static_cast<double>(lo));
}

std::optional<std::string> read_reply(tpc3::net::TcpStream& tcp, std::chrono::milliseconds timeout) {
    std::string got;
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()) + 1ms;
        auto chunk = tcp.receive_some(left);
        if (!chunk || chunk->empty()) break;
        got.append(chunk->begin(), chunk->end());
        // A reply is digits (or -1); the server sends it in one send.
        const auto end = got.find_last_not_of(" \r\n\t");
        if (end != std::string::npos && std::isdigit(static_cast<unsigned char>(got[end]))) return got;
    }
    if (got.empty()) return std::nullopt;
    return got;
}

// Reads every datagram queued on one session's socket (recvmmsg batches) and
// records its kernel arrival time by sequence number.
class SessionDrain {
public:
    explicit SessionDrain(std::size_t frames) : frames_(frames) {
        std::memset(msgs_, 0, sizeof msgs_);
        for (unsigned i = 0; i < kBatch; ++i) {
            iovs_[i] = {heads_[i], kHead};
            msgs_[i].msg_hdr.msg_iov = &iovs_[i];
            msgs_[i].msg_hdr.msg_iovlen = 1;
            msgs_[i].msg_hdr.msg_control = controls_[i];
        }
    }

    // Returns true when this call completed the session (all frames seen).
    bool drain(SessionData& s) {
        const bool was_complete = s.received == frames_;
        for (;;) {
            for (unsigned i = 0; i < kBatch; ++i) msgs_[i].msg_hdr.msg_controllen = sizeof controls_[i];  // the kernel shrinks it
            const int got = ::recvmmsg(s.udp.fd(), msgs_, kBatch, MSG_DONTWAIT | MSG_TRUNC, nullptr);
            if (got <= 0) break;
            for (int i = 0; i < got; ++i) record(s, msgs_[i], heads_[i]);
            if (got < static_cast<int>(kBatch)) break;
        }
        return !was_complete && s.received == frames_;
    }

private:
    static constexpr unsigned kBatch = 64;
    static constexpr std::size_t kHead = 16;  // only the RTP header is read; MSG_TRUNC gives the real size

    void record(SessionData& s, mmsghdr& m, const std::uint8_t* h) {
        std::int64_t at = -1;
        for (cmsghdr* c = CMSG_FIRSTHDR(&m.msg_hdr); c != nullptr; c = CMSG_NXTHDR(&m.msg_hdr, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                timespec ts{};
                std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
                at = static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
            }
        }
        if (m.msg_len < 12 || h[0] != 0x80 || (h[1] & 0x7f) != 26 || at < 0) {
            ++s.foreign;
            return;
        }
        const auto seq = static_cast<std::uint16_t>(h[2] << 8 | h[3]);
        const std::uint32_t ssrc = static_cast<std::uint32_t>(h[8]) << 24 | static_cast<std::uint32_t>(h[9]) << 16 |
                                   static_cast<std::uint32_t>(h[10]) << 8 | h[11];
        if (ssrc != s.ssrc || seq == 0 || seq > frames_) {
            ++s.foreign;
            return;
        }
        auto& slot = s.arrival_ns[seq - 1u];
        if (slot >= 0) {
            ++s.duplicates;
            return;
        }
        slot = at;
        ++s.received;
    }

    std::size_t frames_;
    std::uint8_t heads_[kBatch][kHead];
    alignas(cmsghdr) char controls_[kBatch][CMSG_SPACE(sizeof(timespec))];
    iovec iovs_[kBatch];
    mmsghdr msgs_[kBatch];
};

// Receives until every session has every frame or the deadline passes, then
// takes what is still queued (a lagging receiver loses nothing: the arrival
// times are the kernel's).
struct ReceiveSummary {
    std::size_t late_reads = 0;  // datagrams still queued when the deadline passed
    bool all_complete = false;
};

ReceiveSummary receive_all(std::vector<SessionData>& sessions, std::size_t frames,
                           const std::atomic<Clock::rep>& deadline_ticks) {
    tpc3::net::Fd epoll(::epoll_create1(EPOLL_CLOEXEC));
    for (std::size_t i = 0; i < sessions.size(); ++i) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = i;
        ::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, sessions[i].udp.fd(), &ev);
    }
    auto drain = std::make_unique<SessionDrain>(frames);
    epoll_event events[256];
    std::size_t complete = 0;
    while (complete < sessions.size()) {
        const auto now = Clock::now();
        const Clock::time_point deadline{Clock::duration(deadline_ticks.load())};
        if (now >= deadline) break;
        const int wait_ms = static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count());
        const int n = ::epoll_wait(epoll.get(), events, 256, std::min(wait_ms, 100));
        for (int e = 0; e < n; ++e) {
            if (drain->drain(sessions[events[e].data.u64])) ++complete;
        }
    }
    ReceiveSummary summary;
    summary.all_complete = complete == sessions.size();
    for (auto& s : sessions) {
        const std::size_t before = s.received;
        drain->drain(s);
        summary.late_reads += s.received - before;
    }
    return summary;
}

StepResult evaluate(std::vector<SessionData>& sessions, std::size_t frames, double period_ns) {
    StepResult r;
    r.n = sessions.size();
    std::vector<double> errors_ms, ia_ms;
    for (auto& s : sessions) {
        r.expected += frames;
        r.lost += frames - s.received;
        r.bad_packets += s.foreign + s.duplicates;
        if (s.received == 0) continue;
        // Residuals d_k = a_k - k*P; the least-squares constant offset is their mean.
        std::int64_t base = -1;
        for (auto a : s.arrival_ns) if (a >= 0) { base = a; break; }
        double sum = 0;
        std::size_t count = 0;
        for (std::size_t k = 0; k < frames; ++k) {
            if (s.arrival_ns[k] < 0) continue;
            sum += static_cast<double>(s.arrival_ns[k] - base) - static_cast<double>(k) * period_ns;
            ++count;
        }
        const double offset = sum / static_cast<double>(count);
        for (std::size_t k = 0; k < frames; ++k) {
            if (s.arrival_ns[k] < 0) continue;
            const double d = static_cast<double>(s.arrival_ns[k] - base) - static_cast<double>(k) * period_ns;
            errors_ms.push_back(std::abs(d - offset) / 1e6);
            if (k > 0 && s.arrival_ns[k - 1] >= 0)
                ia_ms.push_back(std::abs(static_cast<double>(s.arrival_ns[k] - s.arrival_ns[k - 1]) - period_ns) / 1e6);
        }
    }
    r.p50_ms = percentile(errors_ms, 50);
    r.p99_ms = percentile(errors_ms, 99);
    r.max_ms = errors_ms.empty() ? 0 : errors_ms.back();
    r.ia_p99_ms = percentile(ia_ms, 99);
    return r;
}

struct Options {
    std::string server_cmd;
    std::string movie;  // optional existing movie file
    std::size_t frames = 100;
    double rate = 20.0;
    double goal_ms = 2.0;
    std::size_t max_n = 10000;
    std::string steps;  // custom comma list
    std::string server_log;
    double setup_timeout_s = 10.0;
    unsigned attempts = 1;
    std::size_t setup_window = 64;
};

std::vector<std::size_t> ramp(const Options& o) {
    std::vector<std::size_t> out;
    if (!o.steps.empty()) {
        std::stringstream ss(o.steps);
        std::string item;
        while (std::getline(ss, item, ',')) out.push_back(std::stoul(item));
        return out;
    }
    for (std::size_t decade = 1; decade <= o.max_n; decade *= 10) {
        for (std::size_t m : {1, 2, 5}) {
            if (decade * m <= o.max_n) out.push_back(decade * m);
        }
    }
    return out;
}

StepResult run_step(std::size_t n, std::uint16_t port, const Options& o, pid_t server_pid) {
    const double period_ns = 1e9 / o.rate;
    std::vector<SessionData> sessions;
    sessions.reserve(n);
    StepResult fail;
    fail.n = n;
    // Control exchange in windows of --setup-window sessions: connect and send
    // every request of the window, then read the replies. (A server may wait
    // an idle time before it takes a request without newline as complete, and
    // its listen backlog may be small.)
    const auto setup_deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                   std::chrono::duration<double>(o.setup_timeout_s + 0.01 * static_cast<double>(n)));
    for (std::size_t first = 0; first < n; first += o.setup_window) {
        const std::size_t last = std::min(n, first + o.setup_window);
        for (std::size_t i = first; i < last; ++i) {
            SessionData s{tpc3::net::UdpSocket::bind("127.0.0.1", 0), std::nullopt, 0,
                          std::vector<std::int64_t>(o.frames, -1)};
            s.udp.enable_kernel_timestamps();
            // Room for a receiver that lags (its kernel timestamps stay exact as
            // long as nothing is dropped). SO_RCVBUFFORCE passes net.core.rmem_max
            // when privileged; otherwise the kernel's cap applies.
            int rcvbuf = 2 << 20;
            if (::setsockopt(s.udp.fd(), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0)
                s.udp.set_receive_buffer(rcvbuf);
            s.udp.set_nonblocking(true);
            try {
                s.tcp = tpc3::net::TcpStream::connect("127.0.0.1", port, 5000ms);
                s.tcp->send_all("bench.mpeg " + std::to_string(s.udp.local_port()), 2000ms);
            } catch (const std::exception& e) {
                fail.setup_failures = n - i;
                fail.note = "session " + std::to_string(i) + " setup failed: " + e.what();
                return fail;
            }
            sessions.push_back(std::move(s));
        }
        for (std::size_t i = first; i < last; ++i) {
            auto reply = read_reply(*sessions[i].tcp, 5000ms);
            long long id = -1;
            try {
                if (reply) id = std::stoll(*reply);
            } catch (const std::exception&) {
            }
            if (!reply || id < 0 || id > 0xFFFFFFFFll) {
                fail.setup_failures = n - i;
                fail.note = "session " + std::to_string(i) + " setup failed: " +
                            (reply ? "reply '" + *reply + "'" : std::string("no reply"));
                return fail;
            }
            sessions[i].ssrc = static_cast<std::uint32_t>(id);
        }
        if (Clock::now() > setup_deadline) {
            fail.setup_failures = n - last;
            fail.note = "setup of " + std::to_string(n) + " sessions took too long";
            return fail;
        }
    }

    const auto stream_time = std::chrono::duration<double>(static_cast<double>(o.frames) / o.rate);
    const auto stream_ticks = std::chrono::duration_cast<Clock::duration>(stream_time);
    // Provisional deadline while the Go loop runs; then the last Go + the stream + 3 s.
    std::atomic<Clock::rep> deadline_ticks{
        (Clock::now() + stream_ticks + 10s + std::chrono::milliseconds(n)).time_since_epoch().count()};
    const std::uint64_t ticks0 = group_cpu_ticks(server_pid);
    const auto t0 = Clock::now();
    ReceiveSummary summary;
    std::thread receiver([&] { summary = receive_all(sessions, o.frames, deadline_ticks); });
    for (auto& s : sessions) {
        try {
            s.tcp->send_all(std::string("Go"), 2000ms);
        } catch (const std::exception&) {
            ++fail.setup_failures;
        }
    }
    deadline_ticks.store((Clock::now() + stream_ticks + 3s).time_since_epoch().count());
    receiver.join();
    // Datagrams the kernel dropped at the bench's own sockets (receive memory
    // full because this receiver fell behind): loss of the instrument, not of the server.
    std::uint64_t socket_drops = 0;
    for (auto& s : sessions) {
        std::uint32_t mem[SK_MEMINFO_VARS] = {};
        socklen_t len = sizeof mem;
        if (::getsockopt(s.udp.fd(), SOL_SOCKET, SO_MEMINFO, mem, &len) == 0) socket_drops += mem[SK_MEMINFO_DROPS];
    }
    const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
    const std::uint64_t ticks1 = group_cpu_ticks(server_pid);

    StepResult r = evaluate(sessions, o.frames, period_ns);
    r.setup_failures = fail.setup_failures;
    r.cpu_percent = 100.0 * static_cast<double>(ticks1 - ticks0) / static_cast<double>(::sysconf(_SC_CLK_TCK)) / wall;
    r.passed = r.p99_ms < o.goal_ms && r.lost == 0 && r.setup_failures == 0;
    if (r.lost > 0) r.note = std::to_string(r.lost) + " of " + std::to_string(r.expected) + " packets lost";
    if (socket_drops > 0)
        r.note += (r.note.empty() ? "" : "; ") + std::to_string(socket_drops) +
                  " of them dropped at the bench's sockets (receiver too slow: run the bench with more CPU or chrt)";
    if (summary.late_reads > 0)
        r.note += (r.note.empty() ? "" : "; ") + std::string("receiver lagged: ") + std::to_string(summary.late_reads) +
                  " datagrams read after the deadline";
    if (r.bad_packets > 0) r.note += (r.note.empty() ? "" : "; ") + std::to_string(r.bad_packets) + " bad/duplicate packets";
    return r;
}

void write_movie(const fs::path& path, std::size_t frames) {
    std::mt19937 rng(20);
    std::uniform_int_distribution<std::size_t> size(2000, 5000);
    std::uniform_int_distribution<int> byte(0, 255);
    tpc3::movie::MovieWriter w(path.string());
    for (std::size_t k = 0; k < frames; ++k) {
        std::vector<std::uint8_t> f(size(rng));
        for (auto& b : f) b = static_cast<std::uint8_t>(byte(rng));
        f[0] = 0xFF, f[1] = 0xD8, f[f.size() - 2] = 0xFF, f[f.size() - 1] = 0xD9;
        w.write(f);
    }
    w.close();
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    CLI::App app{
        "server_bench: how many concurrent sessions a TPC3 server streams at 20 fps while the p99 of the\n"
        "send-time error (measured at the receiver with kernel timestamps) stays under 2 ms.\n"
        "Ramps N = 1, 2, 5, 10, ... and stops at the first failing step. Starts and kills the server itself.\n\n"
        "Examples:\n"
        "  server_bench --server-cmd \"build/reference/server/tpc3-server {port} --dir {dir}\"\n"
        "  server_bench --server-cmd \"/usr/bin/python3 conformance/examples/good/Server.py {port}\"\n",
        "server_bench"};
    app.add_option("--server-cmd", o.server_cmd,
                   "server command; {port} = a free TCP port, {dir} = the movie directory (also its cwd)")
        ->required();
    app.add_option("--movie", o.movie, "use this movie file instead of a generated one (copied as bench.mpeg)");
    app.add_option("--frames", o.frames, "frames of the generated movie")->capture_default_str();
    app.add_option("--rate", o.rate, "the server's frame rate")->capture_default_str();
    app.add_option("--goal-ms", o.goal_ms, "pass when p99 send-time error is under this")->capture_default_str();
    app.add_option("--max-n", o.max_n, "largest N to try")->capture_default_str();
    app.add_option("--steps", o.steps, "comma-separated list of N instead of the 1-2-5 ramp");
    app.add_option("--attempts", o.attempts,
                   "tries per step before it counts as failed (a shared, busy machine adds scheduling noise)")
        ->capture_default_str()
        ->check(CLI::Range(1u, 10u));
    app.add_option("--setup-window", o.setup_window, "requests sent before their replies are read")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000));
    app.add_option("--server-log", o.server_log, "file for the server's stdout/stderr (default: discarded)");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? 0 : 2;
    }

    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGSEGV, SIGABRT}) ::signal(sig, on_fatal_signal);
    ::signal(SIGPIPE, SIG_IGN);
    const std::uint64_t fd_limit = tpc3::server::raise_fd_limit();

    // Scratch directory with the movie.
    std::string tmpl = (fs::temp_directory_path() / "tpc3-bench-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
        std::perror("mkdtemp");
        return 1;
    }
    const fs::path dir = tmpl;
    struct Cleanup {
        fs::path dir;
        ~Cleanup() {
            std::error_code ec;
            fs::remove_all(dir, ec);
        }
    } cleanup{dir};

    std::snprintf(g_scratch_dir, sizeof g_scratch_dir, "%s", dir.c_str());
    std::snprintf(g_scratch_movie, sizeof g_scratch_movie, "%s", (dir / "bench.mpeg").c_str());
    std::size_t frames = o.frames;
    if (!o.movie.empty()) {
        fs::copy_file(o.movie, dir / "bench.mpeg");
        frames = tpc3::movie::MovieIndex::build((dir / "bench.mpeg").string()).size();
    } else {
        write_movie(dir / "bench.mpeg", frames);
    }
    o.frames = frames;

    const std::uint16_t port = tpc3::net::pick_free_tcp_port();
    std::vector<std::string> argv_server;
    for (auto& a : split_command(o.server_cmd)) {
        argv_server.push_back(substitute(substitute(a, "{port}", std::to_string(port)), "{dir}", dir.string()));
    }
    if (argv_server.empty()) {
        std::fprintf(stderr, "server_bench: empty --server-cmd\n");
        return 2;
    }
    // The server runs in {dir}: anchor relative paths (program and arguments that name existing files) here.
    for (auto& a : argv_server) {
        if (a.find('/') != std::string::npos && fs::path(a).is_relative() && fs::exists(a)) a = fs::absolute(a).string();
    }

    int rc = 0;
    try {
        const fs::path log_path = o.server_log.empty() ? fs::path("/dev/null") : fs::absolute(o.server_log);
        ServerProcess server(argv_server, dir, log_path);
        const auto ready_deadline = Clock::now() + 10s;
        while (!port_listening(port)) {
            if (!server.running() || Clock::now() > ready_deadline) {
                std::fprintf(stderr, "server_bench: server did not listen on port %u within 10 s\n", port);
                return 1;
            }
            std::this_thread::sleep_for(50ms);
        }
        std::printf("server: %s (pid %d), movie: %zu frames, rate %.1f/s, goal p99 < %.2f ms, fd limit %llu\n",
                    o.server_cmd.c_str(), server.pid(), frames, o.rate, o.goal_ms,
                    static_cast<unsigned long long>(fd_limit));
        std::printf("%7s %9s %9s %9s %11s %8s %7s  %s\n", "N", "p50_ms", "p99_ms", "max_ms", "ia_p99_ms", "lost",
                    "cpu%", "result");
        std::fflush(stdout);
        std::size_t best = 0;
        std::vector<std::size_t> steps = ramp(o);
        for (std::size_t i = 0; i < steps.size(); ++i) {
            std::size_t n = steps[i];
            // Each session needs a TCP and a UDP descriptor here, and as many in the server.
            if (2 * n + 64 > fd_limit) {
                std::printf("stop: N=%zu needs %zu descriptors, the limit is %llu\n", n, 2 * n + 64,
                            static_cast<unsigned long long>(fd_limit));
                // One last step at the largest N the limit allows, when that is new ground.
                const std::size_t feasible = (fd_limit - 64) / 2 / 100 * 100;
                if (o.steps.empty() && feasible > best && (i == 0 || feasible > steps[i - 1])) {
                    steps.resize(i);
                    steps.push_back(feasible);
                    n = feasible;
                } else {
                    break;
                }
            }
            if (!server.running()) {
                std::printf("stop: the server exited\n");
                rc = 1;
                break;
            }
            StepResult r;
            for (unsigned attempt = 1; attempt <= o.attempts; ++attempt) {
                r = run_step(n, port, o, server.pid());
                if (r.passed || !server.running()) break;
                if (attempt < o.attempts) {
                    std::printf("%7zu %9.3f %9.3f %9.3f %11.3f %8zu %7.1f  fail (attempt %u of %u)\n", r.n, r.p50_ms,
                                r.p99_ms, r.max_ms, r.ia_p99_ms, r.lost, r.cpu_percent, attempt, o.attempts);
                    std::this_thread::sleep_for(500ms);
                }
            }
            std::printf("%7zu %9.3f %9.3f %9.3f %11.3f %8zu %7.1f  %s%s%s\n", r.n, r.p50_ms, r.p99_ms, r.max_ms,
                        r.ia_p99_ms, r.lost, r.cpu_percent, r.passed ? "pass" : "FAIL", r.note.empty() ? "" : "  ",
                        r.note.c_str());
            std::fflush(stdout);
            if (!r.passed) break;
            best = n;
            std::this_thread::sleep_for(500ms);  // let the server close the finished sessions
        }
        std::printf("max N that passed: %zu\n", best);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "server_bench: %s\n", e.what());
        rc = 1;
    }
    return rc;
}
