// RAII sockets for loopback/LAN use by the reference server, the reference
// client and the conformance runner. IPv4 only (PROTOCOL.md addresses are
// IPv4 in practice). Every blocking call takes a timeout: nothing waits forever.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <netinet/in.h>

namespace tpc3::net {

using Millis = std::chrono::milliseconds;

class NetError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Owns a file descriptor; closes it on destruction. Move-only.
class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(Fd&& o) noexcept : fd_(o.release()) {}
    Fd& operator=(Fd&& o) noexcept;
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd();
    int get() const { return fd_; }
    int release() { int f = fd_; fd_ = -1; return f; }
    void reset(int fd = -1);
    explicit operator bool() const { return fd_ >= 0; }

private:
    int fd_ = -1;
};

struct Endpoint {
    std::string host;  // dotted IPv4, e.g. "127.0.0.1"
    std::uint16_t port = 0;
    std::string str() const { return host + ":" + std::to_string(port); }
    friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

// Resolves a host name or dotted address (getaddrinfo, IPv4). Throws NetError.
sockaddr_in resolve(const std::string& host, std::uint16_t port);
Endpoint to_endpoint(const sockaddr_in& a);
// Parses "HOST:PORT". Throws NetError with the offending text.
Endpoint parse_endpoint(const std::string& text);

struct Datagram {
    std::vector<std::uint8_t> bytes;
    Endpoint from;
    // Kernel receive time (SO_TIMESTAMPNS, CLOCK_REALTIME) when timestamps are
    // enabled, else the time recv returned.
    std::chrono::system_clock::time_point received;
    bool kernel_timestamp = false;
    bool truncated = false;  // datagram was larger than the buffer (MSG_TRUNC)
};

class UdpSocket {
public:
    // Binds to host:port (port 0 = any free port). Throws NetError.
    static UdpSocket bind(const std::string& host = "127.0.0.1", std::uint16_t port = 0);
    // An unbound socket for sending only.
    static UdpSocket sender();

    std::uint16_t local_port() const;
    int fd() const { return fd_.get(); }
    void enable_kernel_timestamps();       // SO_TIMESTAMPNS
    void set_receive_buffer(int bytes);    // SO_RCVBUF (best effort)
    void set_send_buffer(int bytes);       // SO_SNDBUF (best effort)
    void set_nonblocking(bool on);
    // Fixes the peer (connect(2)): send() then needs no address, datagrams from
    // other addresses are dropped by the kernel, and an ICMP port unreachable
    // from the peer surfaces as ECONNREFUSED on the next send or receive.
    void connect(const sockaddr_in& to);
    void connect(const Endpoint& to);
    // Sends on a connected socket; false on EAGAIN or ECONNREFUSED (see
    // connection_refused()), throws NetError otherwise.
    bool send(std::span<const std::uint8_t> bytes);
    // True once a send or receive saw ECONNREFUSED (the peer's port is closed).
    bool connection_refused() const { return refused_; }

    // Sends one datagram; returns false on EAGAIN (non-blocking) and throws
    // NetError on other errors, except ECONNREFUSED which returns false.
    bool send_to(const sockaddr_in& to, std::span<const std::uint8_t> bytes);
    bool send_to(const Endpoint& to, std::span<const std::uint8_t> bytes);

    // Waits at most `timeout` for one datagram (max_size bytes of buffer,
    // default 65,536 so any UDP datagram fits). nullopt on timeout.
    std::optional<Datagram> receive(Millis timeout, std::size_t max_size = 65536);

private:
    explicit UdpSocket(Fd fd) : fd_(std::move(fd)) {}
    Fd fd_;
    bool refused_ = false;
};

// How the peer ended a TCP stream, as far as this side has seen.
enum class PeerClose { None, Eof, Reset };

class TcpStream {
public:
    // Connects with a deadline. Throws NetError (refused, timeout, unreachable).
    static TcpStream connect(const std::string& host, std::uint16_t port, Millis timeout);
    static TcpStream adopt(Fd fd);

    int fd() const { return fd_.get(); }
    Endpoint peer() const;
    Endpoint local() const;
    sockaddr_in peer_address() const;

    // Sends everything or throws NetError (peer closed, timeout).
    void send_all(std::span<const std::uint8_t> bytes, Millis timeout);
    void send_all(const std::string& text, Millis timeout);

    // Waits at most `timeout` for bytes. Returns: nullopt on timeout; an empty
    // vector when the peer closed (EOF) or reset; else the bytes one recv gave.
    std::optional<std::vector<std::uint8_t>> receive_some(Millis timeout, std::size_t max_size = 65536);
    // After receive_some returned an empty vector: whether it was a FIN (Eof) or an RST (Reset).
    PeerClose peer_close() const { return peer_close_; }

    void set_nodelay(bool on);  // TCP_NODELAY

    // Half-close our side (FIN).
    void shutdown_write();
    // Abortive close: RST instead of FIN (SO_LINGER 0).
    void reset();
    void close() { fd_.reset(); }
    bool is_open() const { return static_cast<bool>(fd_); }

private:
    explicit TcpStream(Fd fd) : fd_(std::move(fd)) {}
    Fd fd_;
    PeerClose peer_close_ = PeerClose::None;
};

class TcpListener {
public:
    // Listens on host:port (port 0 = any free port), SO_REUSEADDR. Throws NetError.
    static TcpListener listen(const std::string& host, std::uint16_t port, int backlog = 128);
    std::uint16_t local_port() const;
    int fd() const { return fd_.get(); }
    void set_nonblocking(bool on);
    // Waits at most `timeout` for a connection; nullopt on timeout.
    std::optional<TcpStream> accept(Millis timeout);

private:
    explicit TcpListener(Fd fd) : fd_(std::move(fd)) {}
    Fd fd_;
};

// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read, close).
std::uint16_t pick_free_tcp_port();
std::uint16_t pick_free_udp_port();

}  // namespace tpc3::net
