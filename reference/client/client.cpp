#include "client/client.h"

#include "client/control_exchange.h"
#include "client/frame_sink.h"
#include "client/packet_checker.h"
#include "client/report.h"
#include "control/tpc3_dialect.h"
#include "movie/movie_format.h"
#include "net/socket.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <ostream>

#include <arpa/inet.h>

namespace tpc3::client {

namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr net::Millis kReceiveSlice{50};  // longest wait before looking at the stop flag and TCP

// The client's clock in whole seconds, as the server computes its timestamps.
std::uint32_t wall_seconds(Clock::time_point t) {
    const auto s = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
    return static_cast<std::uint32_t>(static_cast<std::uint64_t>(s));
}

std::string seconds_text(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g s", s);
    return buf;
}

SteadyClock::duration seconds(double s) {
    return std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(s));
}

// The data socket listens on loopback when the server is on loopback, else on
// every interface (the server sends to the address it saw on TCP).
std::string bind_address_for(const std::string& host) {
    const sockaddr_in a = net::resolve(host, 0);
    const std::uint32_t ip = ntohl(a.sin_addr.s_addr);
    return (ip >> 24) == 127 ? "127.0.0.1" : "0.0.0.0";
}

int exit_status_of(const SessionReport& r) {
    if (!r.error.empty()) return kExitError;
    if (r.refused || r.stream.accepted == 0) return kExitFailed;
    if (r.movie && !r.movie->matched()) return kExitFailed;
    return kExitOk;
}

// Everything that happens between "Go" and the end of the stream.
class StreamReceiver {
public:
    StreamReceiver(const ClientOptions& o, std::uint32_t session_id, net::UdpSocket& udp, ControlExchange& control,
                   const std::atomic<bool>& stop, std::ostream& err, SessionReport& report)
        : o_(o), udp_(udp), control_(control), stop_(stop), err_(err), report_(report),
          checker_(session_id, o.ts_tolerance_s), stats_(o.rate) {
        if (o.out_dir) writer_.emplace(*o.out_dir);
        if (o.movie) matcher_.emplace(*o.movie);
    }

    // Opens the window now, before Go: creating it takes a few hundred ms, and
    // frames that arrive meanwhile would never be on screen long enough to see.
    void open_window() { window_ = std::make_unique<FrameWindow>("tpc3-client: " + o_.file); }

    void run() {
        const auto started = SteadyClock::now();
        const auto overall_deadline = started + seconds(o_.timeout_s);
        const auto idle_limit = seconds(o_.idle_timeout_s);
        auto last_datagram = started;
        bool any_datagram = false;
        try {
            for (;;) {
                if (stop_) {
                    report_.end_reason = "interrupted";
                    break;
                }
                const auto now = SteadyClock::now();
                if (now >= overall_deadline) {
                    report_.end_reason = "overall timeout (" + seconds_text(o_.timeout_s) + ")";
                    break;
                }
                const bool closed = control_.server_closed();
                // A server may keep TCP open after the last frame, so once the stream
                // has started, silence alone ends it; before the first datagram only
                // a closed control connection plus silence does (the server may be slow).
                if ((closed || any_datagram) && now - last_datagram >= idle_limit) {
                    report_.end_reason = closed ? "server closed the control connection; no datagram for " +
                                                      seconds_text(o_.idle_timeout_s)
                                                : "no datagram for " + seconds_text(o_.idle_timeout_s) +
                                                      " (control connection still open)";
                    break;
                }
                auto wait = std::min<SteadyClock::duration>(
                    {kReceiveSlice, overall_deadline - now, last_datagram + idle_limit - now});
                wait = std::max<SteadyClock::duration>(wait, net::Millis{1});
                auto datagram = udp_.receive(std::chrono::ceil<net::Millis>(wait));
                if (datagram) {
                    any_datagram = true;
                    last_datagram = SteadyClock::now();
                    handle(*datagram);
                } else if (window_) {
                    window_->pump();
                }
            }
        } catch (const std::exception& e) {
            report_.error = e.what();
            report_.end_reason = "error";
        }
        report_.duration_s = std::chrono::duration<double>(SteadyClock::now() - started).count();
        report_.server_closed_control = control_.server_closed();
        report_.stream = stats_.result();
        report_.frames_written = writer_ ? writer_->written() : 0;
        if (matcher_) report_.movie = matcher_->result();
        if (control_.unexpected_bytes() > 0)
            err_ << "tpc3-client: note: the server sent " << control_.unexpected_bytes()
                 << " unexpected bytes on the control connection after its reply\n";
    }

private:
    void handle(const net::Datagram& d) {
        ++datagram_index_;
        const PacketVerdict v = checker_.check(d.bytes, wall_seconds(d.received));
        stats_.on_datagram(v, d.received, d.kernel_timestamp);
        if (!v.accepted()) {
            if (o_.verbose) {
                err_ << "datagram " << datagram_index_ << " from " << d.from.str() << " (" << d.bytes.size()
                     << " bytes";
                if (v.header) err_ << ", seq " << v.header->sequence;
                err_ << "): dropped: " << v.summary() << '\n';
            }
            return;
        }
        const std::uint16_t seq = v.header->sequence;
        const auto payload = std::span<const std::uint8_t>(d.bytes).subspan(v.payload_offset());
        if (writer_) writer_->write(seq, payload);
        if (matcher_) matcher_->on_accepted(*stats_.last_extended_seq(), payload);
        const cv::Mat image = decode_jpeg(payload);
        if (image.empty()) {
            stats_.on_undecodable();
            if (o_.verbose) err_ << "datagram " << datagram_index_ << " (seq " << seq << "): JPEG does not decode\n";
            return;
        }
        if (window_) {
            window_->show(image);
            ++report_.frames_shown;
        }
    }

    const ClientOptions& o_;
    net::UdpSocket& udp_;
    ControlExchange& control_;
    const std::atomic<bool>& stop_;
    std::ostream& err_;
    SessionReport& report_;
    PacketChecker checker_;
    StatsCollector stats_;
    std::optional<FrameWriter> writer_;
    std::optional<MovieMatcher> matcher_;
    std::unique_ptr<FrameWindow> window_;
    std::uint64_t datagram_index_ = 0;
};

bool want_window(DisplayMode mode, std::string& error) {
    switch (mode) {
    case DisplayMode::Off: return false;
    case DisplayMode::Auto: return x_display_available();
    case DisplayMode::On:
        if (x_display_available()) return true;
        error = "--display: cannot open the X display (DISPLAY is " +
                std::string(std::getenv("DISPLAY") ? std::string("\"") + std::getenv("DISPLAY") + "\"" : "not set") +
                ")";
        return false;
    }
    return false;
}

}  // namespace

SessionReport run_client(const ClientOptions& o, const std::atomic<bool>& stop, std::ostream& out,
                         std::ostream& err) {
    SessionReport report;
    report.server = o.host + ":" + std::to_string(o.tcp_port);
    report.file = o.file;
    report.udp_port = o.udp_port;
    bool session_started = false;

    auto finish = [&]() -> SessionReport {
        report.exit_status = exit_status_of(report);
        if (!report.error.empty()) err << "tpc3-client: " << report.error << '\n';
        if (session_started) print_report(out, report);
        if (o.json_path) {
            try {
                write_json(*o.json_path, report);
            } catch (const std::exception& e) {
                err << "tpc3-client: " << e.what() << '\n';
                report.exit_status = kExitError;
            }
        }
        return report;
    };

    try {
        std::string display_error;
        const bool show_window = want_window(o.display, display_error);
        if (!display_error.empty()) {
            report.error = display_error;
            return finish();
        }
        const control::Tpc3Dialect dialect;
        // Bound before the request goes out, so not even the first datagram can be lost.
        net::UdpSocket udp = net::UdpSocket::bind(bind_address_for(o.host), o.udp_port);
        udp.enable_kernel_timestamps();
        udp.set_receive_buffer(4 << 20);

        ControlExchange control(o.host, o.tcp_port,
                                std::chrono::ceil<net::Millis>(std::chrono::duration<double>(o.connect_timeout_s)),
                                dialect, stop);
        control.send_request(control::Request{o.file, o.udp_port});
        const ReceivedReply reply = control.receive_reply();
        if (o.verbose) {
            err << "tpc3-client: reply \"" << reply.seen << "\"";
            for (const std::string& p : reply.problems) err << " (" << p << ")";
            err << '\n';
        }
        if (reply.reply.not_found()) {
            report.refused = true;
            err << "server has no file " << o.file << '\n';
            return finish();
        }
        if (reply.reply.session_id < 0 || reply.reply.session_id > 0xFFFFFFFFLL) {
            report.error = "the server's reply \"" + reply.seen + "\" is not a SessionID in 0..2^32-1";
            return finish();
        }
        report.session_id = static_cast<std::uint32_t>(reply.reply.session_id);

        // Opened before Go: a bad --out or --movie must not cost the server a session.
        StreamReceiver receiver(o, *report.session_id, udp, control, stop, err, report);
        if (show_window) receiver.open_window();
        control.send_go();
        session_started = true;
        receiver.run();
    } catch (const Interrupted&) {
        report.end_reason = "interrupted";
    } catch (const movie::MovieError& e) {
        report.error = std::string("--movie: ") + e.what();
    } catch (const std::exception& e) {
        report.error = e.what();
    }
    return finish();
}

}  // namespace tpc3::client
