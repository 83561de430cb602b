// tpc3-client: the reference TPC3 client (command line; the logic is in client.cpp).
#include "client/client.h"

#include <atomic>
#include <csignal>
#include <iostream>

#include <CLI/CLI.hpp>

namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_signal(int) { g_stop = true; }

void install_signal_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

constexpr const char* kDescription = R"(NAME
  tpc3-client - reference client of the TPC3 protocol (MJPEG over RTP/UDP)

SYNOPSIS
  tpc3-client HOST TCPPORT UDPPORT FILE [--out DIR] [--display|--headless]
              [--movie LOCAL_COPY] [--json FILE] [--idle-timeout S] [--timeout S]
              [--ts-tolerance S] [--rate FPS] [--verbose]

DESCRIPTION
  Connects to the TPC3 server at HOST:TCPPORT, binds UDP port UDPPORT (before
  asking, so no datagram is lost), sends "FILE UDPPORT", reads the SessionID and
  sends "Go". Every datagram is then checked as PROTOCOL.md section 5 asks:
  at least 12 bytes; V=2, P=0, X=0, CC=0, M=0, PT=26; SSRC = SessionID; sequence
  number newer than the last accepted one (16-bit serial arithmetic: newer when
  (seq - last) mod 65536 is 1..32767); timestamp within --ts-tolerance seconds
  of this machine's clock (mod 2^32); payload a JPEG (FF D8 ... FF D9). A packet
  failing any check is dropped (every reason is counted) and playback goes on.
  Accepted frames are written to --out and/or shown in a window.

  The stream ends when no datagram has arrived for --idle-timeout seconds after
  the first one (or after the server closed the control connection), after
  --timeout seconds overall, or on SIGINT/SIGTERM; the statistics are printed
  in every case.
)";

constexpr const char* kFooter = R"(OUTPUT
  Standard output: a table of the session: session id, datagrams received,
  frames accepted, datagrams dropped (per reason: short, version, padding,
  extension, csrc_count, marker, payload_type, ssrc, old_seq, duplicate_seq,
  timestamp, not_jpeg; a datagram with several faults counts under each),
  undecodable frames, first/last seq, missing seqs, duration, mean rate
  ((accepted - 1) / time from first to last arrival), inter-arrival
  p50/p95/p99/max from kernel receive timestamps, RFC 3550 jitter against the
  nominal schedule (seq / --rate: the TPC3 timestamp has 1 s resolution), and
  with --movie whether the stream matched the local copy.
  --out DIR: frame-<seq, 5 digits>.jpg per accepted frame (written as .tmp,
  then renamed). --json FILE: the same numbers as one JSON object.
  Standard error: diagnostics; with --verbose one line per dropped datagram.

EXIT STATUS
  0  stream received (and, with --movie, identical to the local copy)
  1  session refused (server replied -1), no frame accepted, or mismatch
  2  usage, connection or protocol error

EXAMPLES
  tpc3-client 127.0.0.1 5000 25000 movie.mpeg --headless --out frames
  tpc3-client localhost 5000 25000 movie.mpeg --movie ./movie.mpeg --json run.json
  tpc3-client 127.0.0.1 5000 25000 movie.mpeg --display --verbose)";

}  // namespace

int main(int argc, char** argv) {
    using tpc3::client::DisplayMode;
    tpc3::client::ClientOptions o;

    CLI::App app{kDescription, "tpc3-client"};
    app.footer(kFooter);
    app.get_formatter()->column_width(30);
    app.get_formatter()->label("Positionals", "ARGUMENTS");
    app.get_formatter()->label("Usage", "USAGE");
    app.option_defaults()->group("OPTIONS");
    app.set_help_flag("-h,--help", "print this help and exit");

    std::string out_dir, json_path;
    app.add_option("HOST", o.host, "server host name or IPv4 address")->required()->type_name("");
    app.add_option("TCPPORT", o.tcp_port, "server's TCP control port (1..65535)")->required()->type_name("")->check(
        CLI::Range(1, 65535).description(""));
    app.add_option("UDPPORT", o.udp_port, "local UDP port to receive the stream on (1..65535)")
        ->required()
        ->type_name("")
        ->check(CLI::Range(1, 65535).description(""));
    app.add_option("FILE", o.file, "movie file name to ask the server for")->required()->type_name("");
    app.add_option("--out", out_dir, "write accepted frames to DIR (created if missing)")->type_name("DIR");
    bool want_display = false, want_headless = false;
    auto* display = app.add_flag("--display", want_display, "show frames in a window (error without an X display)");
    auto* headless =
        app.add_flag("--headless", want_headless, "never open a window (default: a window when DISPLAY works)");
    display->excludes(headless);
    std::string movie;
    app.add_option("--movie", movie, "local copy of the movie: check each payload against it")
        ->type_name("LOCAL_COPY")
        ->check(CLI::ExistingFile.description(""));
    app.add_option("--json", json_path, "write the statistics as JSON to FILE")->type_name("FILE");
    app.add_option("--idle-timeout", o.idle_timeout_s, "seconds of silence that end the stream")
        ->type_name("S")
        ->capture_default_str()
        ->check(CLI::PositiveNumber.description(""));
    app.add_option("--timeout", o.timeout_s, "overall limit in seconds after Go")
        ->type_name("S")
        ->capture_default_str()
        ->check(CLI::PositiveNumber.description(""));
    app.add_option("--ts-tolerance", o.ts_tolerance_s, "seconds a timestamp may differ from this clock")
        ->type_name("S")
        ->capture_default_str();
    app.add_option("--rate", o.rate, "nominal frames per second (jitter reference)")
        ->type_name("FPS")
        ->capture_default_str()
        ->check(CLI::PositiveNumber.description(""));
    app.add_flag("-v,--verbose", o.verbose, "one line per dropped datagram on standard error");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : tpc3::client::kExitError;
    }

    if (!out_dir.empty()) o.out_dir = out_dir;
    if (!json_path.empty()) o.json_path = json_path;
    if (!movie.empty()) o.movie = movie;
    o.display = want_display ? DisplayMode::On : want_headless ? DisplayMode::Off : DisplayMode::Auto;

    install_signal_handlers();
    const auto report = tpc3::client::run_client(o, g_stop, std::cout, std::cerr);
    return report.exit_status;
}
