#include "harness/xvfb_display.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>
#include <fstream>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <X11/Xlib.h>

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace tpc3::harness {
namespace {

// Reads the display number Xvfb writes to -displayfd ("N\n"). Returns -1 if
// the server exits or the deadline passes first.
int read_display_number(int fd, const Process& server, Deadline deadline) {
    std::string text;
    while (Clock::now() < deadline) {
        auto ms = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
        pollfd p{fd, POLLIN, 0};
        int r = ::poll(&p, 1, static_cast<int>(std::clamp<long long>(ms, 1, 100)));
        if (r < 0 && errno != EINTR) return -1;
        if (r > 0) {
            char buf[32];
            ssize_t n = ::read(fd, buf, sizeof buf);
            if (n <= 0) return -1;  // EOF: Xvfb exited without a display
            text.append(buf, static_cast<std::size_t>(n));
            if (text.find('\n') != std::string::npos) {
                try {
                    return std::stoi(text);
                } catch (...) {
                    return -1;
                }
            }
        }
        if (!server.running()) return -1;
    }
    return -1;
}

bool unix_socket_accepts(const fs::path& path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

std::string tail(const std::string& s, std::size_t n) { return s.size() <= n ? s : "..." + s.substr(s.size() - n); }

}  // namespace

bool x_display_accepts_clients(const std::string& display, Deadline deadline) {
    // Xlib's default I/O error handler exits the process; this connection is
    // opened and closed at once so it never gets the chance.
    for (;;) {
        if (Display* d = ::XOpenDisplay(display.c_str())) {
            ::XCloseDisplay(d);
            return true;
        }
        if (Clock::now() >= deadline) return false;
        std::this_thread::sleep_for(20ms);
    }
}

XvfbDisplay::XvfbDisplay(XvfbOptions options) {
    std::string failures;
    for (int attempt = 1; attempt <= std::max(1, options.attempts); ++attempt) {
        int pipe_fds[2];
        if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw XvfbError("XvfbDisplay: pipe: " + std::string(strerror(errno)));
        int read_end = pipe_fds[0];
        int write_end = pipe_fds[1];

        ProcessOptions po = command({options.program, "-displayfd", std::to_string(write_end), "-screen", "0",
                                     std::to_string(options.width) + "x" + std::to_string(options.height) + "x" +
                                         std::to_string(options.depth),
                                     "-nolisten", "tcp", "-noreset"});
        po.argv.insert(po.argv.end(), options.extra_args.begin(), options.extra_args.end());
        po.label = "Xvfb";
        po.output_dir = options.log_dir;
        po.stdout_sink = OutputSink::capture();
        po.stderr_sink = OutputSink::capture();
        po.inherit_fds = {write_end};
        if (!options.log_dir.empty()) {
            // One file per attempt so nothing is overwritten.
            po.label = "Xvfb-" + std::to_string(::getpid()) + "-" + std::to_string(attempt);
        }
        std::unique_ptr<Process> server;
        try {
            server = std::make_unique<Process>(std::move(po));
        } catch (const SpawnError& e) {
            ::close(read_end);
            ::close(write_end);
            throw XvfbError(std::string("XvfbDisplay: ") + e.what());
        }
        ::close(write_end);  // only Xvfb holds it now: EOF when it dies
        const Deadline deadline = deadline_after(options.start_timeout);
        int number = read_display_number(read_end, *server, deadline);
        ::close(read_end);
        if (number >= 0 && x_display_accepts_clients(":" + std::to_string(number), deadline)) {
            server_ = std::move(server);
            number_ = number;
            name_ = ":" + std::to_string(number);
            return;
        }
        std::string why = number < 0 ? "no display number reported" : "display :" + std::to_string(number) + " refused clients";
        ExitStatus st = server->stop(1s);
        failures += "\n  attempt " + std::to_string(attempt) + ": " + why + "; Xvfb " + st.describe() + "; stderr: " +
                    tail(server->read_output(Stream::err), 600);
        if (number >= 0) {
            number_ = number;  // clean what the failed server left
            server_ = std::move(server);
            cleanup_files();
            server_.reset();
            number_ = -1;
        }
    }
    throw XvfbError("XvfbDisplay: could not start " + options.program + ":" + failures);
}

XvfbDisplay::XvfbDisplay(XvfbDisplay&& o) noexcept
    : server_(std::move(o.server_)), name_(std::move(o.name_)), number_(std::exchange(o.number_, -1)) {}

XvfbDisplay& XvfbDisplay::operator=(XvfbDisplay&& o) noexcept {
    if (this != &o) {
        stop();
        server_ = std::move(o.server_);
        name_ = std::move(o.name_);
        number_ = std::exchange(o.number_, -1);
    }
    return *this;
}

XvfbDisplay::~XvfbDisplay() { stop(); }

pid_t XvfbDisplay::pid() const { return server_ ? server_->pid() : -1; }

bool XvfbDisplay::running() const { return server_ && server_->running(); }

void XvfbDisplay::stop() {
    if (!server_) return;
    server_->stop(2s);
    cleanup_files();
    server_.reset();
}

void XvfbDisplay::cleanup_files() const {
    if (number_ < 0 || !server_) return;
    const std::string n = std::to_string(number_);
    // With -displayfd Xvfb takes no lock file; remove one only if it names our server.
    const fs::path lock = "/tmp/.X" + n + "-lock";
    std::ifstream in(lock);
    long owner = -1;
    if (in >> owner && owner == server_->pid()) {
        std::error_code ec;
        fs::remove(lock, ec);
    }
    // A killed server leaves its socket file; remove it unless a live server
    // (one that took the number since) answers on it.
    const fs::path socket = "/tmp/.X11-unix/X" + n;
    std::error_code ec;
    if (fs::is_socket(fs::symlink_status(socket, ec)) && !unix_socket_accepts(socket)) fs::remove(socket, ec);
}

}  // namespace tpc3::harness
