// RunnerServer against tiny scripted clients (tpc3_net sockets in a thread).
#include "serve/runner_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <numeric>
#include <string>
#include <thread>

#include "harness/temp_dir.h"
#include "pcaps/capture/synthetic_recorder.h"
#include "pcaps/reader/pcap_reader.h"
#include "session/pcap_observer.h"

namespace tpc3::conform::client {
namespace {

using namespace std::chrono_literals;
using Bytes = std::vector<std::uint8_t>;
using SteadyClock = std::chrono::steady_clock;

constexpr std::uint32_t kSessionId = 483'920;

Bytes bytes_of(const std::string& s) { return Bytes(s.begin(), s.end()); }

PlanOptions small_plan_options(std::vector<Fault> faults, std::chrono::milliseconds interval = 50ms)
{
    PlanOptions o;
    o.session_id = kSessionId;
    o.frame_width = 160;
    o.frame_height = 120;
    o.lead_in = 4;
    o.valid_between = 3;
    o.tail = 2;
    o.interval = interval;
    o.faults = std::move(faults);
    return o;
}

ServeOptions fast_options()
{
    ServeOptions o;
    o.label = "test";
    o.accept_timeout = 3s;
    o.request_timeout = 2s;
    o.go_timeout = 2s;
    o.refusal_watch = 500ms;
    return o;
}

// What a scripted client saw.
struct ClientView {
    Bytes reply;
    std::vector<net::Datagram> datagrams;
    bool saw_close = false;  // EOF or RST on the control connection
    std::string error;
};

// A well-behaved client, with knobs for the misbehaviours under test.
struct Script {
    std::vector<std::string> request_parts{};  // sent with a pause between them; default "movie.mpeg <port>"
    std::chrono::milliseconds pause{0};
    bool close_after_request = false;
    bool read_reply = true;
    std::vector<std::string> go_parts{"Go"};
    bool go_even_after_refusal = false;
    std::size_t expect_datagrams = 0;       // receive until this many arrived...
    std::chrono::milliseconds receive_for{3000};  // ...or this long passed
    std::size_t close_udp_after = 0;        // > 0: close the UDP socket after this many datagrams
    std::size_t flood_bytes_after_go = 0;  // sent once the first datagram arrived
    bool wait_for_close = true;
    std::uint16_t udp_port = 0;             // the client's data port (0: any free one)
};

void flood(net::TcpStream& tcp, std::size_t bytes)
{
    const std::string block(64 * 1024, 'x');
    for (std::size_t sent = 0; sent < bytes; sent += block.size()) {
        try {
            tcp.send_all(block, 500ms);
        } catch (const net::NetError&) {
            return;  // the runner stopped reading: that is allowed
        }
    }
}

ClientView run_client(std::uint16_t port, const Script& script)
{
    ClientView v;
    try {
        auto udp = std::make_optional(net::UdpSocket::bind("127.0.0.1", script.udp_port));
        udp->set_receive_buffer(1 << 21);
        const std::uint16_t udp_port = udp->local_port();
        auto tcp = net::TcpStream::connect("127.0.0.1", port, 2s);
        std::vector<std::string> parts = script.request_parts;
        if (parts.empty()) parts.push_back("movie.mpeg " + std::to_string(udp_port));
        for (std::size_t i = 0; i < parts.size(); ++i) {
            if (i > 0) std::this_thread::sleep_for(script.pause);
            std::string part = parts[i];
            const auto at = part.find("{port}");
            if (at != std::string::npos) part.replace(at, 6, std::to_string(udp_port));
            tcp.send_all(part, 2s);
        }
        if (script.close_after_request) return v;
        bool refused = false;
        if (script.read_reply) {
            const auto deadline = SteadyClock::now() + 3s;
            while (SteadyClock::now() < deadline && v.reply.empty()) {
                auto chunk = tcp.receive_some(100ms);
                if (!chunk) continue;
                if (chunk->empty()) {
                    v.saw_close = true;
                    return v;
                }
                v.reply = *chunk;
            }
            refused = v.reply == bytes_of("-1");
        }
        if (!refused || script.go_even_after_refusal) {
            for (std::size_t i = 0; i < script.go_parts.size(); ++i) {
                if (i > 0) std::this_thread::sleep_for(script.pause);
                tcp.send_all(script.go_parts[i], 2s);
            }
        }
        const auto until = SteadyClock::now() + script.receive_for;
        while (udp && SteadyClock::now() < until &&
               (script.expect_datagrams == 0 || v.datagrams.size() < script.expect_datagrams)) {
            if (auto d = udp->receive(20ms)) {
                v.datagrams.push_back(std::move(*d));
                // Flooding once streaming has started (right after Go it would merge with it).
                if (v.datagrams.size() == 1 && script.flood_bytes_after_go > 0) flood(tcp, script.flood_bytes_after_go);
                if (script.close_udp_after > 0 && v.datagrams.size() == script.close_udp_after) udp.reset();
            }
            if (!v.saw_close) {
                if (auto chunk = tcp.receive_some(0ms); chunk && chunk->empty()) v.saw_close = true;
            }
        }
        if (script.wait_for_close) {
            const auto close_deadline = SteadyClock::now() + 3s;
            while (!v.saw_close && SteadyClock::now() < close_deadline) {
                if (auto chunk = tcp.receive_some(100ms); chunk && chunk->empty()) v.saw_close = true;
            }
        }
    } catch (const std::exception& e) {
        v.error = e.what();
    }
    return v;
}

struct Outcome {
    ServedSession session;
    ClientView client;
    SteadyClock::duration took{};
};

Outcome serve_with(const InjectionPlan& plan, const Script& script, ServeOptions options = fast_options(),
                   ServeObserver* observer = nullptr)
{
    RunnerServer server(options);
    auto client = std::async(std::launch::async, [port = server.port(), script] { return run_client(port, script); });
    const auto start = SteadyClock::now();
    Outcome out;
    out.session = server.serve(plan, observer);
    out.took = SteadyClock::now() - start;
    out.client = client.get();
    return out;
}

std::vector<Bytes> chunks(const ServedSession& s, Direction d)
{
    std::vector<Bytes> out;
    for (const auto& c : s.control) {
        if (c.direction == d) out.push_back(c.bytes);
    }
    return out;
}

TEST(RunnerServer, ServesTheWholePlanOnScheduleAndRecordsTheExchange)
{
    const InjectionPlan plan =
        InjectionPlan::build(small_plan_options({Fault::Padding, Fault::ShortEmpty, Fault::RandomBytes}));
    Script script;
    script.expect_datagrams = plan.size();
    const Outcome o = serve_with(plan, script);
    const ServedSession& s = o.session;
    ASSERT_EQ(o.client.error, "");
    ASSERT_EQ(s.end, ServeEnd::StreamSent) << s.error;

    // Request, reply and Go, exactly.
    const std::uint16_t udp_port = s.stream_to.value().port;
    EXPECT_EQ(s.dialect, "tpc3");
    EXPECT_EQ(s.request_end, RequestEnd::Complete);
    EXPECT_EQ(s.request_bytes, bytes_of("movie.mpeg " + std::to_string(udp_port)));
    ASSERT_TRUE(s.request_value());
    EXPECT_EQ(s.request_value()->file, "movie.mpeg");
    EXPECT_EQ(s.reply_bytes, bytes_of("483920"));
    EXPECT_EQ(o.client.reply, bytes_of("483920"));
    EXPECT_TRUE(s.go_received());
    EXPECT_EQ(s.go_bytes, bytes_of("Go"));
    EXPECT_GE(*s.go_at, *s.reply_at);
    EXPECT_EQ(s.stream_to->host, "127.0.0.1");
    EXPECT_EQ(s.client.value().host, "127.0.0.1");
    EXPECT_THAT(chunks(s, Direction::FromServer), ::testing::ElementsAre(bytes_of("483920")));
    ASSERT_FALSE(s.control.empty());
    EXPECT_EQ(s.control.front().direction, Direction::ToServer);
    EXPECT_TRUE(s.extra_connections.empty());

    // Every datagram, in order, with the bytes the plan gives for its send time.
    ASSERT_EQ(s.sent.size(), plan.size());
    ASSERT_EQ(o.client.datagrams.size(), plan.size());
    const std::uint32_t now = static_cast<std::uint32_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
    for (std::size_t i = 0; i < plan.size(); ++i) {
        const SentDatagram& d = s.sent[i];
        EXPECT_EQ(d.plan_index, i);
        EXPECT_TRUE(d.sent) << d.error;
        EXPECT_EQ(o.client.datagrams[i].bytes, d.bytes) << "datagram " << i;
        const auto header = plan.at(i).header_at(0);
        if (header && d.bytes.size() >= 8) {
            const std::uint32_t ts = (std::uint32_t{d.bytes[4]} << 24) | (std::uint32_t{d.bytes[5]} << 16) |
                                     (std::uint32_t{d.bytes[6]} << 8) | d.bytes[7];
            EXPECT_EQ(d.bytes, plan.at(i).bytes_at(ts)) << "datagram " << i;
            EXPECT_LE(now - ts, 3u) << "timestamp is int(time) at sending";
        } else {
            EXPECT_EQ(d.bytes, plan.at(i).bytes_at(now)) << "datagram " << i;
        }
        EXPECT_EQ(s.sent_for(i), &d);
    }
    EXPECT_EQ(o.client.datagrams[plan.for_check("C-ROB-01").front()].bytes.size(), 0u);

    // An absolute 50 ms schedule, kept: scheduled exactly, sent close to it, received evenly.
    for (std::size_t i = 0; i < plan.size(); ++i) {
        EXPECT_EQ(s.sent[i].scheduled - s.stream_started, 50ms * static_cast<int>(i));
    }
    std::vector<double> lateness_ms;
    for (const auto& d : s.sent) {
        lateness_ms.push_back(std::chrono::duration<double, std::milli>(d.sent_steady - d.scheduled).count());
    }
    std::sort(lateness_ms.begin(), lateness_ms.end());
    EXPECT_GE(lateness_ms.front(), -0.001) << "never early";
    EXPECT_LT(lateness_ms[lateness_ms.size() / 2], 5.0) << "median lateness";
    const auto span = o.client.datagrams.back().received - o.client.datagrams.front().received;
    const double mean_ms = std::chrono::duration<double, std::milli>(span).count() / double(plan.size() - 1);
    EXPECT_NEAR(mean_ms, 50.0, 3.0);

    // The runner closes the control connection after the last datagram.
    EXPECT_TRUE(o.client.saw_close);
    ASSERT_TRUE(s.runner_closed_at);
    EXPECT_GE(*s.runner_closed_at, s.sent.back().sent_wall);
    EXPECT_TRUE(s.ended_at);
}

TEST(RunnerServer, RefusalRepliesMinusOneSendsNothingAndRecordsAGoThatCameAnyway)
{
    Script script;
    script.go_even_after_refusal = true;
    script.receive_for = 700ms;
    const Outcome o = serve_with(InjectionPlan::refusal(), script);
    const ServedSession& s = o.session;
    EXPECT_EQ(s.end, ServeEnd::Refused) << s.error;
    EXPECT_EQ(s.reply_bytes, bytes_of("-1"));
    EXPECT_EQ(o.client.reply, bytes_of("-1"));
    EXPECT_TRUE(s.go_received()) << "C-SETUP-03 needs to see the Go that must not come";
    EXPECT_EQ(s.go_bytes, bytes_of("Go"));
    EXPECT_TRUE(s.sent.empty());
    EXPECT_FALSE(s.stream_to);
    EXPECT_TRUE(o.client.datagrams.empty());
    EXPECT_EQ(s.session_id, std::nullopt);
}

TEST(RunnerServer, RefusalWatchEndsEarlyWhenTheClientClosesWithoutGo)
{
    Script script;
    script.go_parts.clear();
    script.wait_for_close = false;
    script.receive_for = 0ms;
    ServeOptions options = fast_options();
    options.refusal_watch = 3s;
    const Outcome o = serve_with(InjectionPlan::refusal(), script, options);
    const ServedSession& s = o.session;
    EXPECT_EQ(s.end, ServeEnd::Refused);
    EXPECT_FALSE(s.go_received());
    EXPECT_TRUE(s.go_bytes.empty());
    EXPECT_TRUE(s.client_closed_at);
    EXPECT_LT(o.took, 2s) << "the watch ends when the client closes";
}

TEST(RunnerServer, AClientThatNeverSendsTheRequestEndsAtTheDeadline)
{
    Script script;
    script.request_parts = {""};
    script.read_reply = false;
    script.go_parts.clear();
    script.receive_for = 0ms;
    ServeOptions options = fast_options();
    options.request_timeout = 300ms;
    const Outcome o = serve_with(InjectionPlan::build(small_plan_options({})), script, options);
    const ServedSession& s = o.session;
    EXPECT_EQ(s.end, ServeEnd::BadRequest);
    EXPECT_EQ(s.request_end, RequestEnd::Deadline);
    EXPECT_THAT(s.error, ::testing::HasSubstr("no request within 300 ms"));
    EXPECT_TRUE(s.request_bytes.empty());
    EXPECT_TRUE(s.reply_bytes.empty());
    EXPECT_TRUE(o.client.saw_close) << "the runner closes the connection";
    EXPECT_LT(o.took, 1500ms);
}

TEST(RunnerServer, AFloodingRequestIsCappedAndEndsAsInvalid)
{
    Script script;
    script.request_parts = {std::string(256 * 1024, 'x')};
    script.read_reply = false;
    script.go_parts.clear();
    script.receive_for = 0ms;
    script.wait_for_close = false;
    ServeOptions options = fast_options();
    options.max_control_bytes_kept = 10'000;
    const Outcome o = serve_with(InjectionPlan::build(small_plan_options({})), script, options);
    const ServedSession& s = o.session;
    EXPECT_EQ(s.end, ServeEnd::BadRequest);
    EXPECT_EQ(s.request_end, RequestEnd::Invalid);
    std::size_t kept = 0;
    for (const auto& c : s.control) kept += c.bytes.size();
    EXPECT_LE(kept, 10'000u);
    EXPECT_LE(s.request_bytes.size(), 64u * 1024u);
    EXPECT_TRUE(s.reply_bytes.empty());
    EXPECT_LT(o.took, 2s);
}

TEST(RunnerServer, AFloodDuringTheStreamIsCountedAndDoesNotDisturbTheSchedule)
{
    const InjectionPlan plan = InjectionPlan::build(small_plan_options({Fault::Marker}));
    Script script;
    script.flood_bytes_after_go = 4 * 1024 * 1024;
    script.expect_datagrams = plan.size();
    ServeOptions options = fast_options();
    options.max_control_bytes_kept = 16 * 1024;
    const Outcome o = serve_with(plan, script, options);
    const ServedSession& s = o.session;
    ASSERT_EQ(s.end, ServeEnd::StreamSent) << s.error;
    EXPECT_EQ(s.sent.size(), plan.size());
    EXPECT_GT(s.control_bytes_not_kept, 0u);
    std::size_t kept = 0;
    for (const auto& c : s.control) kept += c.direction == Direction::ToServer ? c.bytes.size() : 0;
    EXPECT_LE(kept, 16u * 1024u);
    const auto span = s.sent.back().sent_steady - s.sent.front().sent_steady;
    EXPECT_LT(span, 50ms * static_cast<int>(plan.size() - 1) + 40ms);
}

TEST(RunnerServer, ASplitRequestAndASplitGoAreReadWhole)
{
    const InjectionPlan plan = InjectionPlan::build(small_plan_options({}, 10ms));
    Script script;
    script.request_parts = {"movie.mp", "eg {port}"};
    script.go_parts = {"G", "o"};
    script.pause = 150ms;
    script.expect_datagrams = plan.size();
    const Outcome o = serve_with(plan, script);
    const ServedSession& s = o.session;
    ASSERT_EQ(s.end, ServeEnd::StreamSent) << s.error;
    EXPECT_EQ(s.request_value()->file, "movie.mpeg");
    EXPECT_EQ(s.request_value()->udp_port, s.stream_to->port);
    EXPECT_EQ(s.go_bytes, bytes_of("Go"));
    EXPECT_EQ(o.client.datagrams.size(), plan.size());
    EXPECT_EQ(chunks(s, Direction::ToServer).size(), 4u);
}

TEST(RunnerServer, AGoSentWithTheRequestIsRecordedAsComingBeforeTheReply)
{
    const InjectionPlan plan = InjectionPlan::build(small_plan_options({}, 10ms));
    Script script;
    script.request_parts = {"movie.mpeg {port}\nGo"};
    script.go_parts.clear();
    script.expect_datagrams = plan.size();
    const Outcome o = serve_with(plan, script);
    const ServedSession& s = o.session;
    ASSERT_EQ(s.end, ServeEnd::StreamSent) << s.error;
    EXPECT_EQ(s.go_bytes, bytes_of("Go"));
    ASSERT_TRUE(s.go_at);
    EXPECT_LT(*s.go_at, *s.reply_at);
}

TEST(RunnerServer, AnUnparsableRequestEndsTheSessionUnlessAFallbackPortIsSet)
{
    const InjectionPlan plan = InjectionPlan::build(small_plan_options({}, 10ms));
    const std::uint16_t given = net::UdpSocket::bind("127.0.0.1", 0).local_port();  // free, for the client
    Script script;
    script.request_parts = {std::to_string(given) + " movie.mpeg"};  // port and file swapped
    script.udp_port = given;
    script.receive_for = 500ms;

    const Outcome strict = serve_with(plan, script);
    EXPECT_EQ(strict.session.end, ServeEnd::BadRequest);
    EXPECT_THAT(strict.session.error, ::testing::HasSubstr("does not parse"));
    EXPECT_TRUE(strict.session.reply_bytes.empty());
    EXPECT_TRUE(strict.client.datagrams.empty());

    ServeOptions lenient = fast_options();
    lenient.fallback_udp_port = given;
    script.expect_datagrams = plan.size();
    script.receive_for = 3000ms;
    const Outcome o = serve_with(plan, script, lenient);
    const ServedSession& s = o.session;
    ASSERT_EQ(o.client.error, "");
    EXPECT_EQ(s.end, ServeEnd::StreamSent) << s.error;
    EXPECT_FALSE(s.request_value()) << "the request is recorded as it was: unusable";
    EXPECT_THAT(s.unusable_request, ::testing::HasSubstr("does not parse"));
    EXPECT_EQ(o.client.reply, bytes_of("483920"));
    EXPECT_EQ(s.stream_to.value().port, given);
    EXPECT_EQ(o.client.datagrams.size(), plan.size());
}

TEST(RunnerServer, SomethingElseThanGoEndsTheSessionWithoutDatagrams)
{
    Script script;
    script.go_parts = {"PLAY\n"};
    script.receive_for = 300ms;
    const Outcome o = serve_with(InjectionPlan::build(small_plan_options({}, 10ms)), script);
    const ServedSession& s = o.session;
    EXPECT_EQ(s.end, ServeEnd::NoGo);
    EXPECT_THAT(s.error, ::testing::HasSubstr("PLAY"));
    EXPECT_FALSE(s.go_received());
    EXPECT_TRUE(s.sent.empty());
    EXPECT_TRUE(o.client.datagrams.empty());
}

TEST(RunnerServer, AClientThatClosesAfterTheRequestEndsTheSessionAtOnce)
{
    Script script;
    script.close_after_request = true;
    const Outcome o = serve_with(InjectionPlan::build(small_plan_options({})), script);
    const ServedSession& s = o.session;
    EXPECT_EQ(s.end, ServeEnd::NoGo);
    EXPECT_THAT(s.error, ::testing::HasSubstr("closed the connection before Go"));
    EXPECT_TRUE(s.client_closed_at);
    EXPECT_FALSE(s.client_reset);
    EXPECT_TRUE(s.request_value());
    EXPECT_LT(o.took, 1s) << "no wait for a Go that cannot come";
}

TEST(RunnerServer, NoGoEndsAtTheGoTimeout)
{
    Script script;
    script.go_parts.clear();
    script.receive_for = 0ms;
    ServeOptions options = fast_options();
    options.go_timeout = 300ms;
    const Outcome o = serve_with(InjectionPlan::build(small_plan_options({})), script, options);
    EXPECT_EQ(o.session.end, ServeEnd::NoGo);
    EXPECT_THAT(o.session.error, ::testing::HasSubstr("no Go within 300 ms"));
    EXPECT_LT(o.took, 1500ms);
}

TEST(RunnerServer, ASecondConnectionIsAcceptedRecordedAndClosed)
{
    const InjectionPlan plan = InjectionPlan::build(small_plan_options({}, 10ms));
    RunnerServer server(fast_options());
    auto first = net::TcpStream::connect("127.0.0.1", server.port(), 2s);
    auto second_client = std::async(std::launch::async, [port = server.port()] {
        std::this_thread::sleep_for(100ms);
        auto second = net::TcpStream::connect("127.0.0.1", port, 2s);
        auto chunk = second.receive_some(2s);
        return chunk && chunk->empty();  // closed by the runner
    });
    auto udp = net::UdpSocket::bind("127.0.0.1", 0);
    auto session = std::async(std::launch::async, [&] { return server.serve(plan); });
    first.send_all("movie.mpeg " + std::to_string(udp.local_port()), 1s);
    ASSERT_TRUE(first.receive_some(2s));
    EXPECT_TRUE(second_client.get()) << "the second connection is closed at once";
    first.send_all(std::string("Go"), 1s);
    const ServedSession s = session.get();
    EXPECT_EQ(s.end, ServeEnd::StreamSent) << s.error;
    ASSERT_EQ(s.extra_connections.size(), 1u);
    EXPECT_EQ(s.extra_connections[0].client.host, "127.0.0.1");
    EXPECT_EQ(s.client->port, first.local().port);
}

TEST(RunnerServer, NoClientEndsAtTheAcceptTimeout)
{
    ServeOptions options = fast_options();
    options.accept_timeout = 200ms;
    RunnerServer server(options);
    const auto start = SteadyClock::now();
    const ServedSession s = server.serve(InjectionPlan::build(small_plan_options({})));
    EXPECT_EQ(s.end, ServeEnd::NoConnection);
    EXPECT_FALSE(s.client);
    EXPECT_LT(SteadyClock::now() - start, 1s);
}

TEST(RunnerServer, GiveUpCutsTheStreamShort)
{
    const InjectionPlan plan = InjectionPlan::build(small_plan_options({Fault::Marker, Fault::Padding}));
    std::atomic<bool> stop{false};
    ServeOptions options = fast_options();
    options.give_up = [&stop] { return stop.load(); };
    options.poll_slice = 20ms;
    Script script;
    script.expect_datagrams = 5;
    script.wait_for_close = false;
    RunnerServer server(options);
    auto client = std::async(std::launch::async, [port = server.port(), script, &stop] {
        auto v = run_client(port, script);
        stop = true;
        return v;
    });
    const ServedSession s = server.serve(plan);
    client.get();
    EXPECT_EQ(s.end, ServeEnd::GaveUp);
    EXPECT_GE(s.sent.size(), 5u);
    EXPECT_LT(s.sent.size(), plan.size());
    EXPECT_THAT(s.error, ::testing::HasSubstr("of " + std::to_string(plan.size()) + " datagrams"));
}

TEST(RunnerServer, AClosedUdpPortIsRecordedAsUnreachable)
{
    const InjectionPlan plan = InjectionPlan::build(small_plan_options({Fault::Marker}, 20ms));
    Script script;
    script.expect_datagrams = 3;
    script.close_udp_after = 3;
    script.receive_for = 2s;
    const Outcome o = serve_with(plan, script);
    const ServedSession& s = o.session;
    ASSERT_EQ(s.end, ServeEnd::StreamSent) << s.error;
    const auto unreachable =
        std::count_if(s.sent.begin(), s.sent.end(), [](const SentDatagram& d) { return d.port_unreachable; });
    EXPECT_GT(unreachable, 0);
    EXPECT_FALSE(s.sent[0].port_unreachable);
    EXPECT_EQ(s.sent.size(), plan.size()) << "the plan is sent to the end anyway";
}

TEST(RunnerServer, ThePcapAdapterWritesTheClientRunFromTheRunnersView)
{
    harness::TempDir tmp("tpc3-serve-pcap-");
    const auto path = tmp / "client-run.pcap";
    const InjectionPlan plan = InjectionPlan::build(small_plan_options({Fault::ShortOneByte}, 10ms));
    Script script;
    script.expect_datagrams = plan.size();
    Outcome o;
    std::string pcap_error;
    {
        pcap::SyntheticRecorder recorder(path);
        server::SyntheticPcapObserver pcap_observer(recorder);
        ConnectionObserverAdapter adapter(pcap_observer);
        o = serve_with(plan, script, fast_options(), &adapter);
        pcap_error = pcap_observer.first_error();
        recorder.close();
    }
    const ServedSession& s = o.session;
    ASSERT_EQ(s.end, ServeEnd::StreamSent) << s.error;
    EXPECT_EQ(pcap_error, "");

    pcap::PcapReader reader(path);
    std::vector<pcap::CapturedUdp> udp;
    Bytes to_runner, from_runner;
    bool syn_to_runner = false, fin = false;
    while (auto e = reader.next()) {
        if (auto* u = std::get_if<pcap::CapturedUdp>(&*e)) udp.push_back(*u);
        if (auto* t = std::get_if<pcap::CapturedTcp>(&*e)) {
            const auto& seg = t->segment;
            const bool to_listen = seg.destination.port == s.listen.port;
            if (seg.has(pcap::tcp_flag::kSyn) && !seg.has(pcap::tcp_flag::kAck)) syn_to_runner = to_listen;
            fin = fin || seg.has(pcap::tcp_flag::kFin);
            Bytes& into = to_listen ? to_runner : from_runner;
            into.insert(into.end(), seg.payload.begin(), seg.payload.end());
        }
    }
    EXPECT_FALSE(reader.error());
    ASSERT_EQ(udp.size(), plan.size());
    for (std::size_t i = 0; i < udp.size(); ++i) {
        EXPECT_EQ(udp[i].datagram.payload, s.sent[i].bytes) << i;
        EXPECT_EQ(udp[i].datagram.destination.port, s.stream_to->port);
        EXPECT_EQ(udp[i].datagram.source.port, s.stream_from->port);
        EXPECT_EQ(udp[i].time, server::capture_time(s.sent[i].sent_wall));
    }
    Bytes expected_to_runner = s.request_bytes;
    expected_to_runner.insert(expected_to_runner.end(), {'G', 'o'});
    EXPECT_EQ(to_runner, expected_to_runner);
    EXPECT_EQ(from_runner, bytes_of("483920"));
    EXPECT_TRUE(syn_to_runner) << "the client opened the connection";
    EXPECT_TRUE(fin);
}

}  // namespace
}  // namespace tpc3::conform::client
