// tpc3-server: the TPC3 reference server (see server.h and PROTOCOL.md).
#include "server.h"

#include "net/socket.h"

#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <pthread.h>

namespace {

constexpr const char* kDescription = R"(NAME
    tpc3-server - reference server of the TPC3 protocol (MJPEG over RTP/UDP)

SYNOPSIS
    tpc3-server PORT [--dir DIR] [--rate R] [--bind ADDR] [--workers N]
                     [--max-sessions N] [--log-format text|json] [--coalesce-us US]

DESCRIPTION
    Serves the movie files of DIR exactly as PROTOCOL.md describes. For each TCP
    connection on PORT it reads "<fileName> <UDPDataPort>", replies a random
    SessionID (0..2^32-1, unique among live sessions) or "-1", waits for "Go",
    then sends frame k of the file as one datagram: a 12-byte RTP header (V=2,
    PT=26, sequence k+1, timestamp = wall-clock seconds, SSRC = SessionID) and
    the frame's JPEG bytes, to the client's TCP address at UDPDataPort, R
    datagrams per second on an absolute schedule (a worker that wakes up to send
    also sends what is due within --coalesce-us, 250 us by default, so that
    thousands of sessions cost fewer wake-ups). After the last frame it closes
    the control connection.

    "-1" answers: an unknown file, a malformed request, a malformed movie file,
    a name with '/', '.' or '..', an absolute path, or a name that resolves
    outside DIR. A request must arrive within 10 s of the connection (a partial
    one that stays silent for 500 ms, or that grows over 4 KiB, is malformed);
    "Go" within 30 s of the reply. A TCP reset or a closed UDP port ends a
    session; a clean FIN from the client does not (it may have half-closed).

    On start it prints one line "listening on ADDR:PORT" to standard output.
    PORT 0 picks a free port. SIGINT or SIGTERM stops it cleanly.

LOG
    One line per session event on standard error, e.g.
      2026-11-26T10:00:00.123Z event=setup session=483920 conn=1 peer=127.0.0.1:51234 file=movie.mpeg udp_port=25000
    Events: accept, setup, not_found, refused (reason), bad_request (bytes,
    reason), go, end (frames, duration), client_gone (reason), timeout (which),
    send_error. --log-format json writes one JSON object per line instead.

EXIT STATUS
    0 after a clean stop, 1 when it cannot start (port busy, no such DIR),
    2 for a usage error.

EXAMPLES
    tpc3-server 5000 --dir movies
    tpc3-server 0 --workers 1 --log-format json 2>server.log
)";

}  // namespace

int main(int argc, char** argv) {
    using namespace tpc3::server;
    ServerConfig config;
    std::string dir = ".";
    std::string log_format = "text";
    unsigned port = 0;

    CLI::App app{kDescription, "tpc3-server"};
    app.add_option("PORT", port, "TCP control port (0: any free port)")->required()->check(CLI::Range(0, 65535));
    app.add_option("--dir", dir, "directory of the served movie files")->capture_default_str();
    app.add_option("--rate", config.rate, "datagrams per second per session")
        ->capture_default_str()
        ->check(CLI::Range(0.001, 10000.0));
    app.add_option("--bind", config.bind, "IPv4 address to listen on")->capture_default_str();
    app.add_option("--workers", config.workers, "event-loop threads (0: one per core)")->capture_default_str();
    app.add_option("--max-sessions", config.max_sessions, "live sessions at most; more get -1")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    unsigned coalesce_us = static_cast<unsigned>(config.send_coalescing.count());
    app.add_option("--coalesce-us", coalesce_us,
                   "a wake-up also sends what is due within this many microseconds (0: each send on its own)")
        ->capture_default_str()
        ->check(CLI::Range(0u, 5000u));
    app.add_option("--log-format", log_format, "text or json")
        ->capture_default_str()
        ->check(CLI::IsMember({"text", "json"}));
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? 0 : 2;
    }
    config.port = static_cast<std::uint16_t>(port);
    config.send_coalescing = std::chrono::microseconds(coalesce_us);
    config.dir = dir;

    // Signals are taken by sigwait below; the worker threads inherit the mask.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    raise_fd_limit();
    auto log = std::make_shared<ServerLog>(log_format == "json" ? LogFormat::Json : LogFormat::Text, stderr_sink());
    try {
        Server server(config, log);
        server.start();
        std::printf("listening on %s\n", server.listen_address().c_str());
        std::fflush(stdout);
        int sig = 0;
        sigwait(&stop_signals, &sig);
        log->event("shutdown", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
        server.stop();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "tpc3-server: %s\n", e.what());
        return 1;
    }
    return 0;
}
