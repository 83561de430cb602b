#include "harness/readiness.h"

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace tpc3::harness {
namespace {

std::string seconds_text(Clock::duration d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f s", std::chrono::duration<double>(d).count());
    return buf;
}

// One connect attempt, at most `limit` long. True when accepted.
bool try_connect(const sockaddr_in& addr, Clock::duration limit) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    bool ok = false;
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) {
        ok = true;
    } else if (errno == EINPROGRESS) {
        pollfd p{fd, POLLOUT, 0};
        auto ms = std::chrono::ceil<std::chrono::milliseconds>(limit).count();
        if (::poll(&p, 1, static_cast<int>(std::max<long long>(ms, 1))) == 1) {
            int err = 0;
            socklen_t len = sizeof err;
            ok = ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
        }
    }
    ::close(fd);
    return ok;
}

bool resolve_ipv4(const std::string& host, std::uint16_t port, sockaddr_in& out) {
    addrinfo hints{};
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (::getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0 || res == nullptr) return false;
    out = *reinterpret_cast<const sockaddr_in*>(res->ai_addr);
    out.sin_port = htons(port);
    ::freeaddrinfo(res);
    return true;
}

bool port_listed_as_listening(const char* table, std::uint16_t port) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
        // "  0: 0100007F:1F90 00000000:0000 0A ..."
        std::istringstream fields(line);
        std::string slot, local, remote, state;
        fields >> slot >> local >> remote >> state;
        auto colon = local.rfind(':');
        if (colon == std::string::npos || state != "0A") continue;
        if (std::stoul(local.substr(colon + 1), nullptr, 16) == port) return true;
    }
    return false;
}

// The common poll loop: `probe` returns true when ready.
template <typename Result>
void poll_until(Result& r, Deadline deadline, const Process* watch, Clock::duration interval,
                const std::function<bool(bool final_try)>& probe) {
    const auto start = Clock::now();
    for (;;) {
        // Read the exit first: a process that printed and exited is still ready.
        std::optional<ExitStatus> exited = watch != nullptr ? watch->exit_status() : std::nullopt;
        if (probe(exited.has_value())) {
            r.outcome = Readiness::ready;
            break;
        }
        if (exited) {
            r.outcome = Readiness::process_exited;
            r.exit = exited;
            break;
        }
        auto now = Clock::now();
        if (now >= deadline) {
            r.outcome = Readiness::timed_out;
            break;
        }
        auto next = std::min(deadline, now + interval);
        if (watch != nullptr) watch->wait_for(next);  // wakes early if it exits
        else std::this_thread::sleep_until(next);
    }
    r.waited = Clock::now() - start;
}

// Incremental line scanner over a growing byte source.
LineMatch scan_lines(const std::function<std::string(std::uint64_t offset)>& read_from, std::string what,
                     const std::regex& pattern, Deadline deadline, const Process* watch) {
    LineMatch m;
    m.what = std::move(what);
    std::uint64_t offset = 0;
    std::string pending;  // bytes after the last '\n'
    auto try_line = [&](const std::string& line) {
        std::smatch sm;
        if (!std::regex_search(line, sm, pattern)) return false;
        m.line = line;
        for (const auto& g : sm) m.groups.push_back(g.str());
        return true;
    };
    poll_until(m, deadline, watch, 10ms, [&](bool final_try) {
        for (;;) {
            std::string chunk = read_from(offset);
            if (chunk.empty()) break;
            offset += chunk.size();
            pending += chunk;
            std::size_t nl;
            while ((nl = pending.find('\n')) != std::string::npos) {
                std::string line = pending.substr(0, nl);
                pending.erase(0, nl + 1);
                if (!line.empty() && line.back() == '\r') line.pop_back();
                if (try_line(line)) return true;
            }
        }
        return final_try && !pending.empty() && try_line(pending);
    });
    return m;
}

}  // namespace

std::string ReadinessResult::describe() const {
    switch (outcome) {
        case Readiness::ready:
            return what + ": ready after " + seconds_text(waited);
        case Readiness::process_exited:
            return what + ": the process " + (exit ? exit->describe() : std::string("ended")) + " first (after " +
                   seconds_text(waited) + ")";
        case Readiness::timed_out:
            break;
    }
    return what + ": timed out after " + seconds_text(waited);
}

ReadinessResult wait_for_tcp_port(const std::string& host, std::uint16_t port, Deadline deadline,
                                  const Process* watch) {
    ReadinessResult r;
    r.what = "TCP " + host + ":" + std::to_string(port) + " to accept a connection";
    sockaddr_in addr{};
    bool resolved = false;
    poll_until(r, deadline, watch, 20ms, [&](bool) {
        if (!resolved) resolved = resolve_ipv4(host, port, addr);
        if (!resolved) return false;
        auto left = deadline - Clock::now();
        return try_connect(addr, std::clamp<Clock::duration>(left, 1ms, 250ms));
    });
    return r;
}

ReadinessResult wait_for_tcp_listener(std::uint16_t port, Deadline deadline, const Process* watch) {
    ReadinessResult r;
    r.what = "a socket listening on TCP port " + std::to_string(port);
    poll_until(r, deadline, watch, 10ms, [&](bool) {
        return port_listed_as_listening("/proc/net/tcp", port) || port_listed_as_listening("/proc/net/tcp6", port);
    });
    return r;
}

LineMatch wait_for_output_line(const fs::path& path, const std::regex& pattern, Deadline deadline,
                               const Process* watch) {
    auto read_from = [&path](std::uint64_t offset) -> std::string {
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) return {};
        std::string buf(64 * 1024, '\0');
        ssize_t n = ::pread(fd, buf.data(), buf.size(), static_cast<off_t>(offset));
        ::close(fd);
        buf.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
        return buf;
    };
    return scan_lines(read_from, "a line matching the pattern in " + path.string(), pattern, deadline, watch);
}

LineMatch wait_for_output_line(const Process& process, Stream stream, const std::regex& pattern,
                               Deadline deadline) {
    auto read_from = [&](std::uint64_t offset) { return process.read_output(stream, offset, 64 * 1024); };
    std::string what = "a line matching the pattern on the " + std::string(stream == Stream::out ? "stdout" : "stderr") +
                       " of " + process.describe();
    return scan_lines(read_from, std::move(what), pattern, deadline, &process);
}

}  // namespace tpc3::harness
