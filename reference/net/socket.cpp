#include "net/socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace tpc3::net {
namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void throw_errno(const std::string& what, int err = errno) {
    throw NetError(what + ": " + std::strerror(err));
}

// Milliseconds left until `deadline`, rounded up so a wait never ends early.
int remaining_ms(Clock::time_point deadline) {
    auto left = deadline - Clock::now();
    if (left <= Clock::duration::zero()) return 0;
    auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
    return ms > 1'000'000'000 ? 1'000'000'000 : static_cast<int>(ms);
}

// Waits until fd is ready for `events` or the deadline passes. Returns the
// revents (0 on timeout). EINTR is retried against the same deadline.
short wait_for(int fd, short events, Clock::time_point deadline) {
    for (;;) {
        pollfd p{fd, events, 0};
        int n = ::poll(&p, 1, remaining_ms(deadline));
        if (n > 0) return p.revents;
        if (n == 0) {
            if (Clock::now() >= deadline) return 0;
            continue;  // poll's millisecond rounding woke us a little early
        }
        if (errno != EINTR) throw_errno("poll");
    }
}

Fd make_socket(int type) {
    int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
    if (fd < 0) throw_errno("socket");
    return Fd(fd);
}

void set_flag(int fd, int flag, bool on) {
    int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0) throw_errno("fcntl(F_GETFL)");
    flags = on ? (flags | flag) : (flags & ~flag);
    if (::fcntl(fd, F_SETFL, flags) < 0) throw_errno("fcntl(F_SETFL)");
}

std::uint16_t bound_port(int fd) {
    sockaddr_in a{};
    socklen_t len = sizeof a;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) < 0) throw_errno("getsockname");
    return ntohs(a.sin_port);
}

void bind_to(int fd, const std::string& host, std::uint16_t port) {
    sockaddr_in a = resolve(host, port);
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) < 0)
        throw_errno("bind " + host + ":" + std::to_string(port));
}

}  // namespace

// ---------------------------------------------------------------- Fd

Fd& Fd::operator=(Fd&& o) noexcept {
    if (this != &o) reset(o.release());
    return *this;
}

Fd::~Fd() { reset(); }

void Fd::reset(int fd) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
}

// ---------------------------------------------------------------- addresses

sockaddr_in resolve(const std::string& host, std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    if (::inet_pton(AF_INET, host.c_str(), &a.sin_addr) == 1) return a;

    addrinfo hints{};
    hints.ai_family = AF_INET;
    addrinfo* res = nullptr;
    int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &res);
    if (rc != 0 || res == nullptr) {
        throw NetError("cannot resolve host '" + host + "': " + ::gai_strerror(rc));
    }
    a.sin_addr = reinterpret_cast<const sockaddr_in*>(res->ai_addr)->sin_addr;
    ::freeaddrinfo(res);
    return a;
}

Endpoint to_endpoint(const sockaddr_in& a) {
    char buf[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &a.sin_addr, buf, sizeof buf);
    return Endpoint{buf, ntohs(a.sin_port)};
}

Endpoint parse_endpoint(const std::string& text) {
    auto colon = text.rfind(':');
    if (colon == std::string::npos)
        throw NetError("endpoint '" + text + "' has no ':PORT'");
    std::string host = text.substr(0, colon);
    std::string port_text = text.substr(colon + 1);
    if (host.empty()) throw NetError("endpoint '" + text + "' has no host before ':'");
    if (port_text.empty()) throw NetError("endpoint '" + text + "' has no port after ':'");
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc{} || end != port_text.data() + port_text.size())
        throw NetError("endpoint '" + text + "': port '" + port_text + "' is not a number");
    if (value > 65535)
        throw NetError("endpoint '" + text + "': port " + port_text + " is out of range 0..65535");
    return Endpoint{host, static_cast<std::uint16_t>(value)};
}

// ---------------------------------------------------------------- UDP

UdpSocket UdpSocket::bind(const std::string& host, std::uint16_t port) {
    Fd fd = make_socket(SOCK_DGRAM);
    bind_to(fd.get(), host, port);
    return UdpSocket(std::move(fd));
}

UdpSocket UdpSocket::sender() { return UdpSocket(make_socket(SOCK_DGRAM)); }

std::uint16_t UdpSocket::local_port() const { return bound_port(fd_.get()); }

void UdpSocket::enable_kernel_timestamps() {
    int on = 1;
    if (::setsockopt(fd_.get(), SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) < 0)
        throw_errno("setsockopt(SO_TIMESTAMPNS)");
}

void UdpSocket::set_receive_buffer(int bytes) {
    ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
}

void UdpSocket::set_send_buffer(int bytes) {
    ::setsockopt(fd_.get(), SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes);
}

void UdpSocket::set_nonblocking(bool on) { set_flag(fd_.get(), O_NONBLOCK, on); }

void UdpSocket::connect(const sockaddr_in& to) {
    if (::connect(fd_.get(), reinterpret_cast<const sockaddr*>(&to), sizeof to) < 0)
        throw_errno("connect UDP to " + to_endpoint(to).str());
}

void UdpSocket::connect(const Endpoint& to) { connect(resolve(to.host, to.port)); }

bool UdpSocket::send(std::span<const std::uint8_t> bytes) {
    for (;;) {
        ssize_t n = ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n >= 0) return true;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return false;
        if (errno == ECONNREFUSED) { refused_ = true; return false; }
        throw_errno("send UDP datagram of " + std::to_string(bytes.size()) + " bytes");
    }
}

bool UdpSocket::send_to(const sockaddr_in& to, std::span<const std::uint8_t> bytes) {
    for (;;) {
        ssize_t n = ::sendto(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL,
                             reinterpret_cast<const sockaddr*>(&to), sizeof to);
        if (n >= 0) return true;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return false;
        if (errno == ECONNREFUSED) { refused_ = true; return false; }
        throw_errno("send UDP datagram of " + std::to_string(bytes.size()) + " bytes to " +
                    to_endpoint(to).str());
    }
}

bool UdpSocket::send_to(const Endpoint& to, std::span<const std::uint8_t> bytes) {
    return send_to(resolve(to.host, to.port), bytes);
}

std::optional<Datagram> UdpSocket::receive(Millis timeout, std::size_t max_size) {
    const auto deadline = Clock::now() + timeout;
    Datagram d;
    d.bytes.resize(max_size);
    for (;;) {
        if (wait_for(fd_.get(), POLLIN, deadline) == 0) return std::nullopt;

        sockaddr_in from{};
        iovec iov{d.bytes.data(), d.bytes.size()};
        alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))] = {};
        msghdr msg{};
        msg.msg_name = &from;
        msg.msg_namelen = sizeof from;
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;

        // MSG_TRUNC makes recvmsg return the real datagram size.
        ssize_t n = ::recvmsg(fd_.get(), &msg, MSG_DONTWAIT | MSG_TRUNC);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
            if (errno == ECONNREFUSED) { refused_ = true; continue; }
            throw_errno("recvmsg UDP");
        }
        d.received = std::chrono::system_clock::now();
        for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                timespec ts{};
                std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
                d.received = std::chrono::system_clock::time_point(
                    std::chrono::duration_cast<std::chrono::system_clock::duration>(
                        std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec)));
                d.kernel_timestamp = true;
            }
        }
        d.truncated = (msg.msg_flags & MSG_TRUNC) != 0;
        d.bytes.resize(std::min(static_cast<std::size_t>(n), max_size));
        d.from = to_endpoint(from);
        return d;
    }
}

// ---------------------------------------------------------------- TCP stream

TcpStream TcpStream::connect(const std::string& host, std::uint16_t port, Millis timeout) {
    const auto deadline = Clock::now() + timeout;
    const std::string where = host + ":" + std::to_string(port);
    sockaddr_in a = resolve(host, port);
    Fd fd = make_socket(SOCK_STREAM | SOCK_NONBLOCK);
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&a), sizeof a) < 0) {
        if (errno != EINPROGRESS) throw_errno("connect to " + where);
        if (wait_for(fd.get(), POLLOUT, deadline) == 0)
            throw NetError("connect to " + where + ": no answer within " +
                           std::to_string(timeout.count()) + " ms");
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) throw_errno("connect to " + where, err);
    }
    set_flag(fd.get(), O_NONBLOCK, false);
    return TcpStream(std::move(fd));
}

TcpStream TcpStream::adopt(Fd fd) { return TcpStream(std::move(fd)); }

sockaddr_in TcpStream::peer_address() const {
    sockaddr_in a{};
    socklen_t len = sizeof a;
    if (::getpeername(fd_.get(), reinterpret_cast<sockaddr*>(&a), &len) < 0) throw_errno("getpeername");
    return a;
}

Endpoint TcpStream::peer() const { return to_endpoint(peer_address()); }

Endpoint TcpStream::local() const {
    sockaddr_in a{};
    socklen_t len = sizeof a;
    if (::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&a), &len) < 0) throw_errno("getsockname");
    return to_endpoint(a);
}

void TcpStream::send_all(std::span<const std::uint8_t> bytes, Millis timeout) {
    const auto deadline = Clock::now() + timeout;
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        ssize_t n = ::send(fd_.get(), bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n >= 0) {
            sent += static_cast<std::size_t>(n);
            continue;
        }
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            throw_errno("TCP send (" + std::to_string(sent) + " of " + std::to_string(bytes.size()) +
                        " bytes sent)");
        if (wait_for(fd_.get(), POLLOUT, deadline) == 0)
            throw NetError("TCP send: timed out after " + std::to_string(timeout.count()) + " ms with " +
                           std::to_string(sent) + " of " + std::to_string(bytes.size()) + " bytes sent");
    }
}

void TcpStream::send_all(const std::string& text, Millis timeout) {
    send_all(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()), timeout);
}

std::optional<std::vector<std::uint8_t>> TcpStream::receive_some(Millis timeout, std::size_t max_size) {
    const auto deadline = Clock::now() + timeout;
    std::vector<std::uint8_t> buf(max_size);
    for (;;) {
        if (wait_for(fd_.get(), POLLIN, deadline) == 0) return std::nullopt;
        ssize_t n = ::recv(fd_.get(), buf.data(), buf.size(), MSG_DONTWAIT);
        if (n > 0) {
            buf.resize(static_cast<std::size_t>(n));
            return buf;
        }
        if (n == 0) {
            peer_close_ = PeerClose::Eof;
            return std::vector<std::uint8_t>{};
        }
        if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
        if (errno == ECONNRESET || errno == EPIPE || errno == ETIMEDOUT) {
            peer_close_ = PeerClose::Reset;
            return std::vector<std::uint8_t>{};
        }
        throw_errno("TCP recv");
    }
}

void TcpStream::set_nodelay(bool on) {
    int v = on ? 1 : 0;
    ::setsockopt(fd_.get(), IPPROTO_TCP, TCP_NODELAY, &v, sizeof v);
}

void TcpStream::shutdown_write() {
    if (fd_ && ::shutdown(fd_.get(), SHUT_WR) < 0 && errno != ENOTCONN) throw_errno("shutdown(SHUT_WR)");
}

void TcpStream::reset() {
    if (!fd_) return;
    linger l{1, 0};
    ::setsockopt(fd_.get(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
    fd_.reset();
}

// ---------------------------------------------------------------- TCP listener

TcpListener TcpListener::listen(const std::string& host, std::uint16_t port, int backlog) {
    Fd fd = make_socket(SOCK_STREAM);
    int on = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    bind_to(fd.get(), host, port);
    if (::listen(fd.get(), backlog) < 0) throw_errno("listen on " + host + ":" + std::to_string(port));
    return TcpListener(std::move(fd));
}

std::uint16_t TcpListener::local_port() const { return bound_port(fd_.get()); }

void TcpListener::set_nonblocking(bool on) { set_flag(fd_.get(), O_NONBLOCK, on); }

std::optional<TcpStream> TcpListener::accept(Millis timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        if (wait_for(fd_.get(), POLLIN, deadline) == 0) return std::nullopt;
        int fd = ::accept4(fd_.get(), nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0) return TcpStream::adopt(Fd(fd));
        // The connection may have been reset between poll and accept.
        if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNABORTED) continue;
        throw_errno("accept");
    }
}

// ---------------------------------------------------------------- free ports

std::uint16_t pick_free_tcp_port() {
    Fd fd = make_socket(SOCK_STREAM);
    bind_to(fd.get(), "127.0.0.1", 0);
    return bound_port(fd.get());
}

std::uint16_t pick_free_udp_port() {
    Fd fd = make_socket(SOCK_DGRAM);
    bind_to(fd.get(), "127.0.0.1", 0);
    return bound_port(fd.get());
}

}  // namespace tpc3::net
