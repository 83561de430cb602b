#include "harness/process.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <random>
#include <set>
#include <thread>
#include <utility>

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/proc_table.h"

extern char** environ;

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace tpc3::harness {
namespace {

constexpr const char* kTokenName = "TPC3_HARNESS_TOKEN";
constexpr auto kKillTimeout = 5s;  // how long SIGKILL sweeps may go on

std::string errno_text(int err) { return std::strerror(err); }

int pidfd_open(pid_t pid) {
#ifdef SYS_pidfd_open
    return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
    (void)pid;
    errno = ENOSYS;
    return -1;
#endif
}

// Moves fd above 2 so it can never collide with the child's stdio numbers.
int high_fd(int fd) {
    if (fd < 0 || fd > 2) return fd;
    int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
    ::close(fd);
    return moved;
}

std::string make_token_value() {
    static std::atomic<unsigned> counter{0};
    std::random_device rd;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%d-%u-%08x%08x", static_cast<int>(::getpid()), counter.fetch_add(1), rd(), rd());
    return buf;
}

fs::path find_on_path(const std::string& name, const std::string& path_var) {
    std::size_t pos = 0;
    while (pos <= path_var.size()) {
        std::size_t end = path_var.find(':', pos);
        if (end == std::string::npos) end = path_var.size();
        std::string dir = path_var.substr(pos, end - pos);
        if (dir.empty()) dir = ".";
        fs::path candidate = fs::path(dir) / name;
        struct stat st {};
        if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0)
            return candidate;
        pos = end + 1;
    }
    return {};
}

// What the child reports through the close-on-exec pipe when it cannot exec.
struct ChildFailure {
    int stage;
    int err;
};
enum Stage : int { kSigmask, kSetsid, kPdeathsig, kOrphaned, kDup, kChdir, kRlimit, kKeepFd, kExec };
const char* stage_name(int stage) {
    switch (stage) {
        case kSigmask: return "sigprocmask";
        case kSetsid: return "setsid";
        case kPdeathsig: return "prctl(PR_SET_PDEATHSIG)";
        case kOrphaned: return "runner died during start";
        case kDup: return "dup2 of stdio";
        case kChdir: return "chdir";
        case kRlimit: return "setrlimit(RLIMIT_FSIZE)";
        case kKeepFd: return "keeping an inherited fd";
        case kExec: return "execve";
    }
    return "?";
}

// Everything the child needs, prepared before fork() so the child only makes
// async-signal-safe calls.
struct ChildPlan {
    std::string exe;
    std::vector<char*> argv;
    std::vector<char*> envp;
    int stdio[3] = {-1, -1, -1};  // -1: inherit
    const char* cwd = nullptr;
    std::vector<int> keep_fds;
    bool die_with_parent = true;
    pid_t parent = 0;
    bool limit_fsize = false;
    rlimit fsize{};
    int report_fd = -1;
};

[[noreturn]] void child_fail(int report_fd, int stage) {
    ChildFailure f{stage, errno};
    ssize_t ignored = ::write(report_fd, &f, sizeof f);
    (void)ignored;
    ::_exit(127);
}

[[noreturn]] void run_child(const ChildPlan& p) {
    // Start from a clean signal state: the runner may block or ignore signals
    // (SIGPIPE, SIGTERM) and those settings survive exec.
    sigset_t all;
    ::sigemptyset(&all);
    if (::sigprocmask(SIG_SETMASK, &all, nullptr) != 0) child_fail(p.report_fd, kSigmask);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);  // fails harmlessly for KILL/STOP

    if (::setsid() < 0) child_fail(p.report_fd, kSetsid);
    if (p.die_with_parent) {
        if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) child_fail(p.report_fd, kPdeathsig);
        if (::getppid() != p.parent) child_fail(p.report_fd, kOrphaned);
    }
    for (int i = 0; i < 3; ++i) {
        if (p.stdio[i] >= 0 && ::dup2(p.stdio[i], i) < 0) child_fail(p.report_fd, kDup);
    }
    if (p.cwd != nullptr && ::chdir(p.cwd) != 0) child_fail(p.report_fd, kChdir);
    if (p.limit_fsize && ::setrlimit(RLIMIT_FSIZE, &p.fsize) != 0) child_fail(p.report_fd, kRlimit);
    // Nothing of the runner (sockets, files opened by other threads without
    // O_CLOEXEC) leaks into the child.
#ifdef SYS_close_range
    ::syscall(SYS_close_range, 3U, ~0U, 4U /* CLOSE_RANGE_CLOEXEC */);
#endif
    for (int fd : p.keep_fds) {
        if (::fcntl(fd, F_SETFD, 0) != 0) child_fail(p.report_fd, kKeepFd);
    }
    ::execve(p.exe.c_str(), p.argv.data(), p.envp.data());
    child_fail(p.report_fd, kExec);
}

class FdGuard {
public:
    explicit FdGuard(int fd = -1) : fd_(fd) {}
    FdGuard(const FdGuard&) = delete;
    FdGuard& operator=(const FdGuard&) = delete;
    ~FdGuard() { reset(); }
    int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }
    void reset(int fd = -1) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }

private:
    int fd_;
};

std::optional<ExitStatus> status_from_siginfo(const siginfo_t& info) {
    switch (info.si_code) {
        case CLD_EXITED: return ExitStatus::exited(info.si_status);
        case CLD_KILLED: return ExitStatus::signaled(info.si_status, false);
        case CLD_DUMPED: return ExitStatus::signaled(info.si_status, true);
        default: return std::nullopt;
    }
}

}  // namespace

ProcessOptions command(std::vector<std::string> argv) {
    ProcessOptions o;
    o.argv = std::move(argv);
    if (!o.argv.empty()) o.label = fs::path(o.argv.front()).filename().string();
    return o;
}

ProcessOptions shell_command(const std::string& line) {
    ProcessOptions o;
    o.argv = {"/bin/sh", "-c", line};
    o.label = "sh";
    return o;
}

struct Process::State {
    ProcessOptions options;
    pid_t pid = -1;
    FdGuard pidfd;
    std::string token_entry;
    std::array<FdGuard, 2> output_fds;  // readable fds of captured/file streams
    std::array<std::optional<fs::path>, 2> output_paths;
    Clock::time_point started{};
    std::chrono::system_clock::time_point started_wall{};
    Clock::time_point ended{};
    std::optional<ExitStatus> status;  // observed (child may still be an unreaped zombie)
    bool reaped = false;

    // Observes the exit without reaping (waitid WNOWAIT), so the pid and the
    // process group id stay reserved until reap().
    bool peek_exit() {
        if (status) return true;
        siginfo_t info{};
        for (;;) {
            int r = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
            if (r == 0) break;
            if (errno == EINTR) continue;
            status = ExitStatus::unknown();  // ECHILD: someone else reaped it
            reaped = true;
            ended = Clock::now();
            return true;
        }
        if (info.si_pid == 0) return false;
        status = status_from_siginfo(info);
        if (!status) return false;
        ended = Clock::now();
        return true;
    }

    void reap() {
        if (reaped) return;
        int st = 0;
        pid_t r;
        do {
            r = ::waitpid(pid, &st, WNOHANG);
        } while (r < 0 && errno == EINTR);
        if (r == pid) {
            if (!status) {
                status = ExitStatus::from_wait_status(st);
                ended = Clock::now();
            }
            reaped = true;
            pidfd.reset();
        } else if (r < 0) {
            reaped = true;
            if (!status) status = ExitStatus::unknown();
        }
    }

    std::optional<ExitStatus> wait_until(Deadline deadline) {
        for (;;) {
            if (peek_exit()) return status;
            auto left = deadline - Clock::now();
            if (left <= Clock::duration::zero()) return std::nullopt;
            auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
            if (pidfd.get() >= 0) {
                pollfd p{pidfd.get(), POLLIN, 0};
                ::poll(&p, 1, static_cast<int>(std::min<long long>(ms, 1000)));
            } else {
                std::this_thread::sleep_for(std::min<Clock::duration>(left, 5ms));
            }
        }
    }

    std::vector<pid_t> family() {
        const pid_t self = ::getpid();
        std::vector<ProcInfo> table = list_processes();
        std::set<pid_t> found;
        const bool leader_alive = !peek_exit();
        for (const auto& p : table) {
            if (p.gone() || p.pid == self) continue;
            // The group id is safe to trust until reaping (see header).
            if (!reaped && p.pgid == pid) found.insert(p.pid);
            else if (environ_has_entry(p.pid, token_entry)) found.insert(p.pid);
        }
        std::vector<pid_t> roots(found.begin(), found.end());
        if (leader_alive) roots.push_back(pid);
        for (pid_t root : roots) {
            for (pid_t d : descendants_of(table, root)) found.insert(d);
        }
        found.erase(self);
        std::vector<pid_t> live;
        for (pid_t p : found) {
            auto it = std::find_if(table.begin(), table.end(), [p](const ProcInfo& i) { return i.pid == p; });
            if (it != table.end() && !it->gone()) live.push_back(p);
        }
        return live;
    }

    // Signals the group and every family member; returns the members found.
    std::vector<pid_t> signal_family(int sig) {
        std::vector<pid_t> members = family();
        if (!reaped) ::kill(-pid, sig);
        for (pid_t p : members) ::kill(p, sig);
        return members;
    }
};

Process::Process(ProcessOptions options) : s_(std::make_unique<State>()) {
    State& s = *s_;
    s.options = std::move(options);
    const ProcessOptions& o = s.options;
    if (o.argv.empty()) throw SpawnError("Process: empty argv");

    // Environment.
    std::vector<std::string> env;
    if (!o.clear_env) {
        for (char** e = environ; e != nullptr && *e != nullptr; ++e) env.emplace_back(*e);
    }
    auto drop = [&env](const std::string& name) {
        std::erase_if(env, [&](const std::string& kv) { return kv.compare(0, name.size() + 1, name + "=") == 0; });
    };
    for (const auto& name : o.unset_env) drop(name);
    for (const auto& [name, value] : o.set_env) {
        drop(name);
        env.push_back(name + "=" + value);
    }
    drop(kTokenName);
    s.token_entry = std::string(kTokenName) + "=" + make_token_value();
    env.push_back(s.token_entry);

    // Program.
    ChildPlan plan;
    const std::string& prog = o.argv.front();
    if (prog.find('/') != std::string::npos) {
        plan.exe = prog;  // relative paths resolve against the child's cwd, like a shell after cd
    } else {
        std::string path_var = "/usr/local/bin:/usr/bin:/bin";
        for (const auto& kv : env) {
            if (kv.rfind("PATH=", 0) == 0) path_var = kv.substr(5);
        }
        plan.exe = find_on_path(prog, path_var).string();
        if (plan.exe.empty()) throw SpawnError("cannot start " + o.label + ": '" + prog + "' not found on PATH");
    }
    std::vector<std::string> argv_store = o.argv;
    for (auto& a : argv_store) plan.argv.push_back(a.data());
    plan.argv.push_back(nullptr);
    for (auto& kv : env) plan.envp.push_back(kv.data());
    plan.envp.push_back(nullptr);

    // Files.
    FdGuard stdin_fd(high_fd(::open(o.stdin_file.empty() ? "/dev/null" : o.stdin_file.c_str(), O_RDONLY | O_CLOEXEC)));
    if (stdin_fd.get() < 0)
        throw SpawnError("cannot start " + o.label + ": open stdin " +
                         (o.stdin_file.empty() ? std::string("/dev/null") : o.stdin_file.string()) + ": " +
                         errno_text(errno));
    std::array<FdGuard, 2> child_out;
    const OutputSink* sinks[2] = {&o.stdout_sink, &o.stderr_sink};
    const char* suffix[2] = {".stdout.log", ".stderr.log"};
    for (int i = 0; i < 2; ++i) {
        const OutputSink& sink = *sinks[i];
        int fd = -1;
        switch (sink.kind) {
            case OutputSink::Kind::inherit:
                continue;
            case OutputSink::Kind::discard:
                fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
                break;
            case OutputSink::Kind::file:
            case OutputSink::Kind::capture: {
                fs::path p = sink.kind == OutputSink::Kind::file ? sink.path
                             : o.output_dir.empty()          ? fs::path()
                                                              : o.output_dir / (o.label + suffix[i]);
                if (i == 1 && !p.empty() && s.output_paths[0] && *s.output_paths[0] == p) {
                    fd = ::fcntl(s.output_fds[0].get(), F_DUPFD_CLOEXEC, 3);  // 2>&1 into the same file
                } else if (p.empty()) {
                    fs::path dir = std::getenv("TMPDIR") != nullptr ? std::getenv("TMPDIR") : "/tmp";
                    fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
                    if (fd < 0) {
                        std::string tmpl = (dir / "tpc3-output-XXXXXX").string();
                        fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
                        if (fd >= 0) ::unlink(tmpl.c_str());
                    }
                    if (fd < 0) p = dir;  // for the error message
                } else {
                    int flags = O_RDWR | O_CREAT | O_CLOEXEC | (sink.append ? O_APPEND : O_TRUNC);
                    fd = ::open(p.c_str(), flags, 0644);
                }
                if (fd < 0)
                    throw SpawnError("cannot start " + o.label + ": open output file " + p.string() + ": " +
                                     errno_text(errno));
                fd = high_fd(fd);
                if (!p.empty()) s.output_paths[i] = p;
                s.output_fds[i].reset(::fcntl(fd, F_DUPFD_CLOEXEC, 3));
                break;
            }
        }
        if (fd < 0) throw SpawnError("cannot start " + o.label + ": open /dev/null: " + errno_text(errno));
        child_out[i].reset(high_fd(fd));
    }
    plan.stdio[0] = stdin_fd.get();
    plan.stdio[1] = child_out[0].get();
    plan.stdio[2] = child_out[1].get();
    std::string cwd_store = o.cwd.string();
    plan.cwd = o.cwd.empty() ? nullptr : cwd_store.c_str();
    plan.keep_fds = o.inherit_fds;
    plan.die_with_parent = o.die_with_runner;
    plan.parent = ::getpid();
    if (o.max_file_bytes) {
        plan.limit_fsize = true;
        plan.fsize.rlim_cur = plan.fsize.rlim_max = static_cast<rlim_t>(*o.max_file_bytes);
    }

    int report[2];
    if (::pipe2(report, O_CLOEXEC) != 0) throw SpawnError("cannot start " + o.label + ": pipe: " + errno_text(errno));
    FdGuard report_read(report[0]);
    FdGuard report_write(report[1]);
    plan.report_fd = report_write.get();

    s.started_wall = std::chrono::system_clock::now();
    s.started = Clock::now();
    pid_t pid = ::fork();
    if (pid < 0) throw SpawnError("cannot start " + o.label + ": fork: " + errno_text(errno));
    if (pid == 0) run_child(plan);

    s.pid = pid;
    report_write.reset();
    ChildFailure failure{};
    ssize_t n;
    do {
        n = ::read(report_read.get(), &failure, sizeof failure);
    } while (n < 0 && errno == EINTR);
    if (n == static_cast<ssize_t>(sizeof failure)) {
        int st = 0;
        while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
        }
        s.reaped = true;
        std::string what = std::string(stage_name(failure.stage));
        if (failure.stage == kChdir) what += " " + o.cwd.string();
        if (failure.stage == kExec) what += " " + plan.exe;
        throw SpawnError("cannot start " + o.label + ": " + what + ": " + errno_text(failure.err));
    }
    s.pidfd.reset(pidfd_open(pid));
}

Process::Process(Process&& other) noexcept = default;

Process& Process::operator=(Process&& other) noexcept {
    if (this != &other) {
        if (s_) stop();
        s_ = std::move(other.s_);
    }
    return *this;
}

Process::~Process() {
    if (!s_) return;
    try {
        stop();
    } catch (...) {
        // stop() does not throw by design; never let a destructor throw.
    }
}

pid_t Process::pid() const { return s_->pid; }
const std::string& Process::label() const { return s_->options.label; }
const std::string& Process::token_entry() const { return s_->token_entry; }

std::string Process::command_line() const {
    std::string out;
    for (const auto& a : s_->options.argv) {
        if (!out.empty()) out += ' ';
        out += a;
    }
    return out;
}

std::string Process::describe() const { return s_->options.label + " (pid " + std::to_string(s_->pid) + ")"; }

std::chrono::system_clock::time_point Process::started_wall() const { return s_->started_wall; }
Clock::time_point Process::started() const { return s_->started; }

Clock::duration Process::lifetime() const {
    return (s_->peek_exit() ? s_->ended : Clock::now()) - s_->started;
}

std::optional<ExitStatus> Process::exit_status() const {
    if (s_->peek_exit()) return s_->status;
    return std::nullopt;
}

std::optional<ExitStatus> Process::wait_for(Deadline deadline) const { return s_->wait_until(deadline); }

void Process::send_signal(int signal) const {
    if (!s_->reaped) ::kill(-s_->pid, signal);
}

std::vector<pid_t> Process::family() const { return s_->family(); }

ExitStatus Process::stop(Clock::duration grace) {
    if (!s_) return ExitStatus::unknown();  // moved-from
    State& s = *s_;
    if (grace > Clock::duration::zero()) {
        if (!s.signal_family(SIGTERM).empty()) {
            s.signal_family(SIGCONT);  // a stopped process must run to act on SIGTERM
            const Deadline until = deadline_after(grace);
            while (Clock::now() < until) {
                // Wakes at once when the child exits, else every 20 ms to rescan.
                const Deadline tick = std::min(until, deadline_after(20ms));
                if (s.peek_exit()) std::this_thread::sleep_until(tick);
                else s.wait_until(tick);
                if (s.family().empty()) break;
            }
        }
    }
    const Deadline kill_until = deadline_after(kKillTimeout);
    for (;;) {
        std::vector<pid_t> left = s.signal_family(SIGKILL);
        if (left.empty()) break;
        if (Clock::now() >= kill_until) {
            std::fprintf(stderr, "tpc3 harness: %s: %zu process(es) survived SIGKILL for %lld s\n",
                         describe().c_str(), left.size(),
                         static_cast<long long>(std::chrono::duration_cast<std::chrono::seconds>(kKillTimeout).count()));
            break;
        }
        std::this_thread::sleep_for(2ms);
    }
    if (!s.reaped) {
        s.wait_until(deadline_after(1s));
        if (s.status) s.reap();
    }
    return s.status.value_or(ExitStatus::unknown());
}

std::optional<fs::path> Process::output_path(Stream st) const { return s_->output_paths[st == Stream::out ? 0 : 1]; }

std::string Process::read_output(Stream st, std::uint64_t offset, std::size_t max_bytes) const {
    int fd = s_->output_fds[st == Stream::out ? 0 : 1].get();
    if (fd < 0) return {};
    std::string out(max_bytes, '\0');
    std::size_t got = 0;
    while (got < max_bytes) {
        ssize_t n = ::pread(fd, out.data() + got, max_bytes - got, static_cast<off_t>(offset + got));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += static_cast<std::size_t>(n);
    }
    out.resize(got);
    return out;
}

std::uint64_t Process::output_size(Stream st) const {
    int fd = s_->output_fds[st == Stream::out ? 0 : 1].get();
    struct stat sb {};
    if (fd < 0 || ::fstat(fd, &sb) != 0) return 0;
    return static_cast<std::uint64_t>(sb.st_size);
}

}  // namespace tpc3::harness
