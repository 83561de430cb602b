// The TPC3 reference server (PROTOCOL.md): per TCP connection it reads
// "<file> <port>", replies a SessionID or -1, waits for "Go", then streams the
// movie's frames as RTP datagrams at a fixed rate on an absolute schedule.
//
// Threads: one acceptor hands connections round-robin to a few event-loop
// workers; each worker owns its connections outright (no locks on the data
// path) and multiplexes them with epoll plus a min-heap of deadlines (next send
// time, request/Go timeouts). Movies come from a shared immutable cache.
#pragma once

#include "server_log.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace tpc3::server {

struct ServerConfig {
    std::uint16_t port = 0;                  // 0: any free port
    std::filesystem::path dir = ".";         // served directory
    double rate = 20.0;                      // datagrams per second per session
    std::string bind = "127.0.0.1";
    unsigned workers = 0;                    // event-loop threads; 0: one per core
    std::size_t max_sessions = 10000;        // live sessions (SessionID given, not ended); more get -1
    std::chrono::milliseconds request_timeout{10'000};  // accept -> complete request
    std::chrono::milliseconds go_timeout{30'000};       // reply -> "Go"
    std::chrono::milliseconds idle_timeout{500};        // a partial message with no new byte for this long is invalid
    std::chrono::milliseconds drain_timeout{1'000};     // after a -1: how long to read the client's leftovers before closing
    std::size_t max_request_bytes = 4096;               // more than this without a complete message: -1
    // A worker that wakes up to send also sends what is due within this window
    // (early by at most this much): fewer wake-ups per packet under load.
    std::chrono::microseconds send_coalescing{250};
};

struct ServerStats {
    std::uint64_t accepted = 0;
    std::uint64_t sessions_started = 0;   // SessionID replied
    std::uint64_t sessions_streamed = 0;  // "Go" received
    std::uint64_t sessions_completed = 0; // every frame sent
    std::uint64_t sessions_client_gone = 0;
    std::uint64_t refusals = 0;           // -1 replies of any cause
    std::uint64_t frames_sent = 0;
    std::uint64_t late_frames = 0;        // sent a whole period or more after their slot
    std::size_t live_sessions = 0;
};

class Server {
public:
    // Validates the configuration and listens (so port() is known). Throws
    // std::invalid_argument for a bad configuration, net::NetError when the
    // port cannot be bound.
    Server(ServerConfig config, std::shared_ptr<ServerLog> log);
    ~Server();  // stop()
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    std::uint16_t port() const;
    std::string listen_address() const;  // "127.0.0.1:PORT"

    void start();  // starts the acceptor and workers; returns at once
    void stop();   // idempotent: stops the threads and closes every connection
    ServerStats stats() const;

    struct Shared;  // state shared by the acceptor and workers (server.cpp)
    class Worker;

private:
    void accept_loop();

    std::unique_ptr<Shared> shared_;
    std::vector<std::unique_ptr<Worker>> workers_;
    std::thread acceptor_;
    bool started_ = false;
    bool stopped_ = false;
};

// Raises the soft RLIMIT_NOFILE to the hard limit (thousands of sessions need
// two descriptors each). Returns the new soft limit.
std::uint64_t raise_fd_limit();

}  // namespace tpc3::server
