#include "client/client_launch.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "client/client_datagrams.h"
#include "client_role/suite/client_command.h"
#include "client_role/suite/client_sandbox.h"
#include "control/dialect.h"
#include "harness/ports.h"
#include "harness/temp_dir.h"
#include "net/socket.h"
#include "target/process_report.h"

namespace tpc3::fuzz::net {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
namespace tnet = tpc3::net;

namespace {

constexpr Millis kTracebackSettle{60};
constexpr std::size_t kMaxTraceback = 3000;  // bytes of a traceback kept in the evidence (its end)

pcap::CaptureTime now_capture() { return pcap::capture_now(); }

std::uint32_t now_seconds()
{
    const auto s = std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::system_clock::now().time_since_epoch());
    return static_cast<std::uint32_t>(static_cast<std::uint64_t>(s.count()) & 0xFFFFFFFF);
}

std::string describe_exit(const harness::ExitStatus& st)
{
    std::string text = st.describe();
    // /bin/sh reports a child killed by signal N as status 128 + N.
    if (st.is_exited() && st.code() > 128 && st.code() < 128 + 65)
        text += " (the shell's report of " + harness::signal_name(st.code() - 128) + ")";
    return text;
}

bool is_crash_status(const harness::ExitStatus& st)
{
    return st.is_signaled() || (st.is_exited() && st.code() > 128);
}

}  // namespace

std::optional<std::uint64_t> udp_receive_queue(std::uint16_t port)
{
    std::optional<std::uint64_t> total;
    for (const char* file : {"/proc/net/udp", "/proc/net/udp6"}) {
        std::ifstream in(file);
        std::string line;
        std::getline(in, line);  // header
        while (std::getline(in, line)) {
            std::istringstream fields(line);
            std::string slot, local, remote, state, queues;
            if (!(fields >> slot >> local >> remote >> state >> queues)) continue;
            const auto colon = local.rfind(':');
            if (colon == std::string::npos) continue;
            unsigned long local_port = 0;
            try {
                local_port = std::stoul(local.substr(colon + 1), nullptr, 16);
            } catch (const std::exception&) {
                continue;
            }
            if (local_port != port) continue;
            const auto qcolon = queues.find(':');
            std::uint64_t rx = 0;
            try {
                rx = std::stoull(queues.substr(qcolon + 1), nullptr, 16);
            } catch (const std::exception&) {
            }
            total = total.value_or(0) + rx;
        }
    }
    return total;
}

struct ClientLaunch::State {
    LaunchSettings settings;
    WireTrace& trace;
    std::optional<harness::TempDir> dir;
    std::optional<tnet::TcpListener> listener;
    std::optional<tnet::TcpStream> control;
    std::optional<tnet::UdpSocket> udp;
    std::optional<harness::Process> process;
    std::string command;
    std::uint16_t tcp_port = 0;
    std::uint16_t cmdline_udp_port = 0;
    std::uint16_t request_udp_port = 0;
    const control::Dialect* dialect = &control::default_dialect();
    std::string dialect_name = "tpc3";
    bool runner_closed = false;
    bool client_closed = false;
    bool playing = false;  // a session was set up and datagrams flow
    std::string traceback;  // the first one seen (kept: it stays a finding)
    std::uint64_t output_checked = 0;  // output bytes (both streams) already searched

    State(const LaunchSettings& s, WireTrace& t) : settings(s), trace(t) {}

    TraceEndpoint runner_tcp() const { return {"127.0.0.1", tcp_port}; }
    TraceEndpoint client_end;  // the client's end of the control connection (kept: the socket may be closed)
    TraceEndpoint client_tcp() const { return client_end; }

    void record(TraceEvent::Kind kind, std::vector<std::uint8_t> bytes = {})
    {
        TraceEvent e;
        e.kind = kind;
        e.time = now_capture();
        e.from = kind == TraceEvent::Kind::FromClient || kind == TraceEvent::Kind::TcpOpen ||
                         kind == TraceEvent::Kind::ClientClosed
                     ? client_tcp()
                     : runner_tcp();
        e.to = e.from.port == tcp_port ? client_tcp() : runner_tcp();
        e.bytes = std::move(bytes);
        trace.add(std::move(e));
    }

    // Non-blocking read of whatever the client sent; notes its close.
    std::vector<std::uint8_t> drain_control(Millis wait)
    {
        std::vector<std::uint8_t> got;
        if (!control || runner_closed || client_closed) return got;
        try {
            auto chunk = control->receive_some(wait);
            if (!chunk) return got;
            if (chunk->empty()) {
                client_closed = true;
                record(TraceEvent::Kind::ClientClosed);
                return got;
            }
            record(TraceEvent::Kind::FromClient, *chunk);
            got = std::move(*chunk);
        } catch (const std::exception&) {
            client_closed = true;
            record(TraceEvent::Kind::ClientClosed);
        }
        return got;
    }

    std::string new_traceback()
    {
        if (!traceback.empty()) return traceback;
        const std::uint64_t sizes = process->output_size(harness::Stream::err) + process->output_size(harness::Stream::out);
        if (sizes == output_checked) return {};
        output_checked = sizes;
        for (harness::Stream st : {harness::Stream::err, harness::Stream::out}) {
            // Read as the client-role suite reads a client's stderr.
            if (!conform::server::examine_stderr(process->read_output(st, 0, 4 << 20)).has_traceback) continue;
            // Python writes a traceback in several pieces: let it finish.
            std::this_thread::sleep_for(kTracebackSettle);
            traceback = conform::server::examine_stderr(process->read_output(st, 0, 4 << 20), kMaxTraceback).traceback;
            return traceback;
        }
        return {};
    }
};

ClientLaunch::ClientLaunch(const LaunchSettings& settings, const std::string& display, WireTrace& trace)
    : s_(std::make_unique<State>(settings, trace))
{
    State& s = *s_;
    try {
        if (settings.temp_base.empty())
            s.dir.emplace("tpc3-fuzz-client-");
        else
            s.dir.emplace("tpc3-fuzz-client-", settings.temp_base);
        const auto sandbox = conform::client::prepare_client_sandbox(s.dir->path(), settings.workdir);

        s.listener.emplace(tnet::TcpListener::listen("127.0.0.1", 0));
        s.tcp_port = s.listener->local_port();
        s.udp.emplace(tnet::UdpSocket::bind("127.0.0.1", 0));
        s.udp->set_send_buffer(1 << 20);
        s.cmdline_udp_port = harness::pick_free_udp_port();
        s.request_udp_port = s.cmdline_udp_port;
        s.command = conform::client::expand_command(
            settings.command, {"127.0.0.1", s.tcp_port, s.cmdline_udp_port, settings.file});

        s.process.emplace(
            conform::client::client_process_options(s.command, sandbox, display, settings.env, "fuzzed-client"));
    } catch (const std::exception& e) {
        throw LaunchError(std::string("cannot launch the client (") + (s.command.empty() ? settings.command : s.command) +
                          "): " + e.what());
    }
}

ClientLaunch::~ClientLaunch()
{
    if (!s_) return;
    if (s_->process) s_->process->stop(s_->settings.grace);
    s_->control.reset();
    s_->process.reset();
    try {
        if (s_->dir) s_->dir->remove();
    } catch (const std::exception&) {
        // ~TempDir tries again
    }
}

std::uint16_t ClientLaunch::tcp_port() const { return s_->tcp_port; }
std::string ClientLaunch::command_line() const { return s_->command; }
std::uint16_t ClientLaunch::udp_port() const { return s_->request_udp_port; }
const std::string& ClientLaunch::dialect() const { return s_->dialect_name; }
bool ClientLaunch::exited() const { return s_->process->exit_status().has_value(); }

std::string ClientLaunch::accept_request()
{
    State& s = *s_;
    const auto connect_by = SteadyClock::now() + s.settings.connect_timeout;
    while (!s.control) {
        if (const auto st = s.process->exit_status())
            return "the client exited before connecting (" + describe_exit(*st) + ")";
        if (SteadyClock::now() >= connect_by)
            return "the client did not connect within " + std::to_string(s.settings.connect_timeout.count()) + " ms";
        if (auto c = s.listener->accept(50ms)) {
            s.control.emplace(std::move(*c));
            s.control->set_nodelay(true);
            const auto peer = s.control->peer();
            s.client_end = {peer.host, peer.port};
            s.record(TraceEvent::Kind::TcpOpen);
        }
    }
    std::vector<std::uint8_t> request;
    const auto request_by = SteadyClock::now() + s.settings.request_timeout;
    auto last_byte = SteadyClock::now();
    for (;;) {
        auto chunk = s.drain_control(20ms);
        if (!chunk.empty()) {
            request.insert(request.end(), chunk.begin(), chunk.end());
            last_byte = SteadyClock::now();
        }
        if (!request.empty()) {
            const control::Dialect& d = control::detect_dialect(request);
            s.dialect = &d;
            s.dialect_name = std::string(d.name());
            const auto parsed = d.parse_request(request);
            bool done = parsed.status != control::ParseStatus::Incomplete;
            auto value = parsed.value;
            if (!done && SteadyClock::now() - last_byte >= s.settings.request_idle) {
                auto with_newline = request;
                with_newline.push_back('\n');
                value = d.parse_request(with_newline).value;
                done = true;
            }
            if (done) {
                if (value && value->udp_port != 0) s.request_udp_port = value->udp_port;
                return {};
            }
        }
        if (s.client_closed) return "the client closed the control connection before a whole request";
        if (const auto st = s.process->exit_status())
            return "the client exited before sending its request (" + describe_exit(*st) + ")";
        if (SteadyClock::now() >= request_by)
            return "no whole request within " + std::to_string(s.settings.request_timeout.count()) + " ms";
    }
}

std::string ClientLaunch::reply_and_wait_go(std::uint32_t session_id)
{
    State& s = *s_;
    const auto reply = s.dialect->encode(control::Reply{session_id});
    if (!send_control(reply)) return "the reply could not be sent";
    std::vector<std::uint8_t> after;
    const auto go_by = SteadyClock::now() + s.settings.go_timeout;
    while (SteadyClock::now() < go_by) {
        auto chunk = s.drain_control(20ms);
        after.insert(after.end(), chunk.begin(), chunk.end());
        if (!after.empty() && s.dialect->parse_go(after).status == control::ParseStatus::Complete) {
            s.playing = true;
            return {};
        }
        if (s.client_closed) return "the client closed the control connection instead of sending Go";
        if (const auto st = s.process->exit_status())
            return "the client exited instead of sending Go (" + describe_exit(*st) + ")";
    }
    return "no Go within " + std::to_string(s.settings.go_timeout.count()) + " ms after the reply";
}

bool ClientLaunch::send_control(const std::vector<std::uint8_t>& bytes)
{
    State& s = *s_;
    if (!s.control || s.runner_closed || bytes.empty()) return false;
    try {
        s.control->send_all(bytes, 2000ms);
        s.record(TraceEvent::Kind::FromRunner, bytes);
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

void ClientLaunch::close_control()
{
    State& s = *s_;
    if (!s.control || s.runner_closed) return;
    s.control->close();
    s.runner_closed = true;
    if (!s.client_closed) s.record(TraceEvent::Kind::RunnerClosed);
}

void ClientLaunch::reset_control()
{
    State& s = *s_;
    if (!s.control || s.runner_closed) return;
    s.control->reset();
    s.control->close();
    s.runner_closed = true;
    if (!s.client_closed) s.record(TraceEvent::Kind::RunnerReset);
}

void ClientLaunch::shutdown_control()
{
    State& s = *s_;
    if (!s.control || s.runner_closed) return;
    try {
        s.control->shutdown_write();
    } catch (const std::exception&) {
    }
}

void ClientLaunch::wait_for_go(Millis wait)
{
    State& s = *s_;
    std::vector<std::uint8_t> after;
    const auto until = SteadyClock::now() + wait;
    while (SteadyClock::now() < until && !s.client_closed && !s.runner_closed) {
        auto chunk = s.drain_control(20ms);
        after.insert(after.end(), chunk.begin(), chunk.end());
        if (!after.empty() && s.dialect->parse_go(after).status == control::ParseStatus::Complete) {
            s.playing = true;
            return;
        }
        if (s.process->exit_status()) return;
    }
}

bool ClientLaunch::send_datagram(const std::vector<std::uint8_t>& stored)
{
    State& s = *s_;
    const auto bytes = stamp_timestamp(stored, now_seconds());
    const tnet::Endpoint to{"127.0.0.1", s.request_udp_port};
    bool sent = false;
    try {
        sent = s.udp->send_to(to, bytes);
    } catch (const std::exception&) {
        sent = false;
    }
    if (sent) {
        TraceEvent e;
        e.kind = TraceEvent::Kind::Udp;
        e.time = now_capture();
        e.from = {"127.0.0.1", s.udp->local_port()};
        e.to = {"127.0.0.1", s.request_udp_port};
        e.bytes = bytes;
        s.trace.add(std::move(e));
    }
    return sent;
}

Health ClientLaunch::check(Expect expect)
{
    State& s = *s_;
    const auto port = s.request_udp_port;
    const auto exit_health = [&](const harness::ExitStatus& st) {
        const std::string tb = s.new_traceback();
        if (!tb.empty()) return Health::bad(Finding::Kind::Traceback, describe_exit(st) + " with a traceback:\n" + tb);
        if (is_crash_status(st)) return Health::bad(Finding::Kind::Crashed, describe_exit(st) + "\n" + output_tail());
        if (expect == Expect::Playing)
            return Health::bad(Finding::Kind::Crashed,
                               describe_exit(st) + " while the stream was still going\n" + output_tail());
        return Health::fine();
    };

    if (expect == Expect::Playing) {
        const auto drain_by = SteadyClock::now() + s.settings.drain_deadline;
        std::uint64_t queued = 0;
        for (;;) {
            if (const auto st = s.process->exit_status()) return exit_health(*st);
            const std::string tb = s.new_traceback();
            if (!tb.empty()) return Health::bad(Finding::Kind::Traceback, "the client printed a traceback:\n" + tb);
            const auto q = udp_receive_queue(port);
            if (!q) {
                return Health::bad(Finding::Kind::LivenessFailed,
                                   "no socket is bound to UDP port " + std::to_string(port) +
                                       " any more: the client stopped receiving the stream");
            }
            queued = *q;
            if (queued == 0) break;
            if (SteadyClock::now() >= drain_by)
                return Health::bad(Finding::Kind::Hung,
                                   "the client stopped reading: " + std::to_string(queued) +
                                       " bytes still queued on UDP port " + std::to_string(port) + " after " +
                                       std::to_string(s.settings.drain_deadline.count()) + " ms");
            std::this_thread::sleep_for(5ms);
        }
        std::this_thread::sleep_for(s.settings.settle);
        s.drain_control(0ms);
        if (s.client_closed && !s.runner_closed)
            return Health::bad(Finding::Kind::LivenessFailed,
                               "the client closed its control connection while the stream was going");
    }
    if (const auto st = s.process->exit_status()) return exit_health(*st);
    const std::string tb = s.new_traceback();
    if (!tb.empty()) return Health::bad(Finding::Kind::Traceback, "the client printed a traceback:\n" + tb);
    return Health::fine();
}

std::string ClientLaunch::output_tail(std::size_t max_bytes) const
{
    std::string text;
    for (harness::Stream st : {harness::Stream::err, harness::Stream::out}) {
        const auto size = s_->process->output_size(st);
        const auto from = size > max_bytes ? size - max_bytes : 0;
        std::string part = s_->process->read_output(st, from, max_bytes);
        if (part.empty()) continue;
        text += (st == harness::Stream::err ? "stderr: " : "stdout: ") + std::string(from > 0 ? "..." : "") + part;
        if (text.back() != '\n') text += '\n';
    }
    return text;
}

}  // namespace tpc3::fuzz::net
