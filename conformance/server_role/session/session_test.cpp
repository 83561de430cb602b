// ClientSession against the reference server (normal, missing, split, before
// Go, vanish, concurrent) and against tiny fake servers written here (silent,
// byte flood, datagrams before Go, datagram flood). Loopback only.
#include <atomic>
#include <chrono>
#include <functional>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "control/tpc3_dialect.h"
#include "harness/process.h"
#include "harness/readiness.h"
#include "harness/temp_dir.h"
#include "movie/movie_writer.h"
#include "net/socket.h"
#include "pcaps/capture/synthetic_recorder.h"
#include "pcaps/reader/pcap_reader.h"
#include "session/client_session.h"
#include "session/hostile_connection.h"
#include "session/pcap_observer.h"
#include "session/verbose_printer.h"

namespace tpc3::conform::server {
namespace {

using namespace std::chrono_literals;
using ::testing::AnyOf;
using ::testing::HasSubstr;

constexpr std::size_t kFrames = 8;

// A JPEG-shaped frame (FF D8 ... FF D9) that differs for every k: the session
// layer never decodes payloads, it only records them.
Bytes frame_bytes(std::size_t k)
{
    Bytes b{0xFF, 0xD8};
    for (std::size_t i = 0; i < 200 + 37 * k; ++i) b.push_back(static_cast<std::uint8_t>((i * 7 + k) & 0x7F));
    b.push_back(0xFF);
    b.push_back(0xD9);
    return b;
}

std::uint16_t seq_of(const ReceivedPacket& p) { return static_cast<std::uint16_t>(p.bytes[2] << 8 | p.bytes[3]); }

std::size_t bytes_from_server(const SessionRecord& r)
{
    std::size_t n = 0;
    for (const auto& c : r.control)
        if (c.direction == Direction::FromServer) n += c.bytes.size();
    return n;
}

std::vector<Bytes> chunks_to_server(const SessionRecord& r)
{
    std::vector<Bytes> out;
    for (const auto& c : r.control)
        if (c.direction == Direction::ToServer) out.push_back(c.bytes);
    return out;
}

Bytes bytes_of(const std::string& s) { return Bytes(s.begin(), s.end()); }

double seconds_between(WallTime a, WallTime b) { return std::chrono::duration<double>(b - a).count(); }

// ---------------------------------------------------------------- the reference server

class ReferenceServerTest : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        dir_ = new harness::TempDir("tpc3-session-test-");
        movie::MovieWriter w((dir_->path() / "movie.mpeg").string());
        for (std::size_t k = 0; k < kFrames; ++k) w.write(frame_bytes(k));
        w.close();
        harness::ProcessOptions o = harness::command(
            {TPC3_BINARY_DIR "/reference/server/tpc3-server", "0", "--dir", dir_->path().string()});
        o.label = "tpc3-server";
        server_ = new harness::Process(std::move(o));
        const auto ready = harness::wait_for_output_line(*server_, harness::Stream::out,
                                                         std::regex(R"(listening on [0-9.]+:([0-9]+))"),
                                                         harness::deadline_after(10s));
        ASSERT_TRUE(ready) << ready.describe();
        endpoint_ = {"127.0.0.1", static_cast<std::uint16_t>(std::stoi(ready.groups.at(1)))};
    }
    static void TearDownTestSuite()
    {
        delete server_;
        server_ = nullptr;
        delete dir_;
        dir_ = nullptr;
    }
    void TearDown() override { ASSERT_TRUE(server_->running()) << server_->read_output(harness::Stream::err); }

    static SessionScript movie_script(std::string label)
    {
        SessionScript s;
        s.label = std::move(label);
        s.file = "movie.mpeg";
        s.overall_deadline = 10s;
        s.wait_before_go = 100ms;  // fast; the first test checks the 0.5 s default
        return s;
    }

    static void expect_whole_movie(const SessionRecord& r)
    {
        ASSERT_EQ(r.packets.size(), kFrames) << to_string(r.end) << " " << r.error;
        for (std::size_t k = 0; k < kFrames; ++k) {
            const ReceivedPacket& p = r.packets[k];
            EXPECT_EQ(p.index, k);
            EXPECT_TRUE(p.kernel_timestamp);
            EXPECT_EQ(seq_of(p), k + 1);
            EXPECT_EQ(Bytes(p.bytes.begin() + 12, p.bytes.end()), frame_bytes(k)) << "packet " << k;
            EXPECT_GE(p.received, *r.go_at);
            EXPECT_EQ(p.from.host, "127.0.0.1");
        }
    }

    static harness::TempDir* dir_;
    static harness::Process* server_;
    static net::Endpoint endpoint_;
};

harness::TempDir* ReferenceServerTest::dir_ = nullptr;
harness::Process* ReferenceServerTest::server_ = nullptr;
net::Endpoint ReferenceServerTest::endpoint_;

TEST_F(ReferenceServerTest, NormalSessionRecordsEveryFrameWithKernelTimestamps)
{
    SessionScript s = movie_script("main stream");
    s.wait_before_go = SessionScript{}.wait_before_go;
    s.expected_frames = kFrames;
    const SessionRecord r = run_session(endpoint_, s);

    EXPECT_EQ(r.end, SessionEnd::AllFramesAndIdle) << r.error;
    EXPECT_EQ(r.label, "main stream");
    EXPECT_EQ(r.server, endpoint_);
    EXPECT_NE(r.udp_port, 0);
    EXPECT_NE(r.control_local.port, 0);
    EXPECT_EQ(r.request, bytes_of("movie.mpeg " + std::to_string(r.udp_port)));
    ASSERT_TRUE(r.session_id());
    EXPECT_GE(*r.session_id(), 0);
    ASSERT_TRUE(r.reply_at && r.go_at && r.connected_at && r.request_at && r.ended_at);
    EXPECT_GE(seconds_between(*r.reply_at, *r.go_at), 0.5);
    EXPECT_EQ(r.packets_before_go(), 0u);
    expect_whole_movie(r);
    // Every chunk recorded: the request and Go one way, the reply the other.
    EXPECT_EQ(chunks_to_server(r), (std::vector<Bytes>{r.request, bytes_of("Go")}));
    EXPECT_GT(bytes_from_server(r), 0u);
    // The stream lasts (frames - 1) periods of 50 ms: the times are the kernel's.
    const double span = seconds_between(r.packets.front().received, r.packets.back().received);
    EXPECT_NEAR(span, 0.05 * (kFrames - 1), 0.1);
}

TEST_F(ReferenceServerTest, WithoutExpectedFramesTheServersCloseEndsTheStream)
{
    SessionScript s = movie_script("no frame count");
    s.idle_end = 200ms;
    const SessionRecord r = run_session(endpoint_, s);
    EXPECT_EQ(r.end, SessionEnd::ServerClosedIdle) << r.error;
    ASSERT_TRUE(r.server_closed_at);
    EXPECT_FALSE(r.server_reset);
    EXPECT_GE(seconds_between(*r.server_closed_at, *r.ended_at), 0.2);
    expect_whole_movie(r);
}

TEST_F(ReferenceServerTest, MissingFileEndsNotFoundAfterWatching)
{
    SessionScript s = movie_script("missing file");
    s.file = "nosuch.mpeg";
    s.watch_after_not_found = 300ms;
    const SessionRecord r = run_session(endpoint_, s);
    EXPECT_EQ(r.end, SessionEnd::NotFound) << r.error;
    ASSERT_TRUE(r.session_id());
    EXPECT_EQ(*r.session_id(), -1);
    EXPECT_TRUE(r.packets.empty());
    EXPECT_FALSE(r.go_at);
    EXPECT_EQ(chunks_to_server(r).size(), 1u) << "no Go after -1";
    EXPECT_GE(seconds_between(*r.reply_at, *r.ended_at), 0.3);
}

TEST_F(ReferenceServerTest, SplitRequestIsSentInPiecesWithDelays)
{
    SessionScript s = movie_script("split request");
    s.split_at = {3, 8};
    s.split_delay = 100ms;
    s.expected_frames = kFrames;
    const SessionRecord r = run_session(endpoint_, s);
    EXPECT_EQ(r.end, SessionEnd::AllFramesAndIdle) << r.error;
    const auto sent = chunks_to_server(r);
    ASSERT_EQ(sent.size(), 4u);
    EXPECT_EQ(sent[0], bytes_of("mov"));
    EXPECT_EQ(sent[1], bytes_of("ie.mp"));
    EXPECT_EQ(sent[2], bytes_of("eg " + std::to_string(r.udp_port)));
    EXPECT_EQ(sent[3], bytes_of("Go"));
    std::vector<WallTime> times;
    for (const auto& c : r.control)
        if (c.direction == Direction::ToServer) times.push_back(c.at);
    EXPECT_GE(seconds_between(times[0], times[1]), 0.09);
    EXPECT_GE(seconds_between(times[1], times[2]), 0.09);
    expect_whole_movie(r);
}

TEST_F(ReferenceServerTest, EndingBeforeGoClosesWithoutGo)
{
    SessionScript s = movie_script("id only");
    s.send_go = false;
    s.wait_before_go = 200ms;
    const SessionRecord r = run_session(endpoint_, s);
    EXPECT_EQ(r.end, SessionEnd::EndedBeforeGo) << r.error;
    EXPECT_TRUE(r.session_id());
    EXPECT_FALSE(r.go_at);
    EXPECT_TRUE(r.packets.empty());
    EXPECT_EQ(chunks_to_server(r).size(), 1u);
    EXPECT_GE(seconds_between(*r.reply_at, *r.ended_at), 0.2);
}

TEST_F(ReferenceServerTest, VanishClosesBothSocketsAfterNDatagramsAndTheServerLivesOn)
{
    SessionScript s = movie_script("vanish");
    s.vanish_after_packets = 3;
    const SessionRecord r = run_session(endpoint_, s);
    EXPECT_EQ(r.end, SessionEnd::Vanished) << r.error;
    EXPECT_EQ(r.packets.size(), 3u);
    // Vanished well before the stream's end (8 frames take 0.35 s).
    EXPECT_LT(seconds_between(*r.go_at, *r.ended_at), 0.3);

    SessionScript after = movie_script("liveness after vanish");
    after.expected_frames = kFrames;
    const SessionRecord live = run_session(endpoint_, after);
    EXPECT_EQ(live.end, SessionEnd::AllFramesAndIdle) << live.error;
    expect_whole_movie(live);
}

TEST_F(ReferenceServerTest, SessionsRunConcurrentlyInThreads)
{
    constexpr int kSessions = 3;
    std::vector<SessionRecord> records(kSessions);
    std::vector<std::thread> threads;
    for (int i = 0; i < kSessions; ++i) {
        threads.emplace_back([&records, i] {
            SessionScript s = movie_script("concurrent " + std::to_string(i));
            s.expected_frames = kFrames;
            records[static_cast<std::size_t>(i)] = run_session(endpoint_, s);
        });
    }
    for (auto& t : threads) t.join();
    std::set<std::int64_t> ids;
    std::set<std::uint16_t> ports;
    for (const auto& r : records) {
        EXPECT_EQ(r.end, SessionEnd::AllFramesAndIdle) << r.label << ": " << r.error;
        expect_whole_movie(r);
        if (r.session_id()) ids.insert(*r.session_id());
        ports.insert(r.udp_port);
    }
    EXPECT_EQ(ids.size(), static_cast<std::size_t>(kSessions));
    EXPECT_EQ(ports.size(), static_cast<std::size_t>(kSessions));
    // The streams overlapped: each started before another one ended.
    EXPECT_LT(*records[0].go_at, *records[1].ended_at);
    EXPECT_LT(*records[1].go_at, *records[0].ended_at);
}

TEST_F(ReferenceServerTest, MalformedRequestsAreRecordedExactlyAndTheServerLivesOn)
{
    const auto requests = malformed_requests("movie.mpeg");
    std::vector<std::string> names;
    for (const auto& m : requests) names.push_back(m.name);
    EXPECT_EQ(names, (std::vector<std::string>{"garbage", "empty then close", "one word", "non-numeric port",
                                               "64 KiB line", "non-UTF-8"}));
    for (const auto& m : requests) {
        HostileOptions o;
        o.read_for = 1500ms;  // the reference server judges a silent partial request after 500 ms
        const SessionRecord r = HostileConnection(endpoint_, "S-ROB-01 " + m.name, m, o).run();
        EXPECT_EQ(r.request, m.request(r.udp_port)) << m.name;
        EXPECT_FALSE(r.go_at) << m.name;
        // The reference server answers -1 or closes: never a SessionID for these.
        EXPECT_THAT(r.end, AnyOf(SessionEnd::NotFound, SessionEnd::BadReply)) << m.name << ": " << r.error;
        if (m.name == "64 KiB line") {
            EXPECT_EQ(r.request.size(), 65536u);
            EXPECT_EQ(chunks_to_server(r).at(0).size(), 65536u);
        }
        if (m.name == "empty then close") {
            EXPECT_TRUE(chunks_to_server(r).empty());
        }
        if (m.name == "non-UTF-8") {
            EXPECT_EQ(r.request.at(0), 0xFF);
        }
    }
    SessionScript s = movie_script("liveness after malformed requests");
    s.expected_frames = kFrames;
    const SessionRecord live = run_session(endpoint_, s);
    EXPECT_EQ(live.end, SessionEnd::AllFramesAndIdle) << live.error;
}

TEST_F(ReferenceServerTest, SyntheticPcapObserverWritesWhatTheSessionSaw)
{
    harness::TempDir tmp("tpc3-session-pcap-");
    const auto path = tmp / "run.pcap";
    SessionRecord r;
    std::string pcap_error;
    {
        pcap::SyntheticRecorder recorder(path);
        SyntheticPcapObserver observer(recorder);
        SessionScript s = movie_script("pcap");
        s.expected_frames = kFrames;
        r = run_session(endpoint_, s, &observer);
        pcap_error = observer.first_error();
        recorder.close();
    }
    EXPECT_EQ(pcap_error, "");
    ASSERT_EQ(r.end, SessionEnd::AllFramesAndIdle) << r.error;

    pcap::PcapReader reader(path);
    std::vector<pcap::CapturedUdp> udp;
    Bytes to_server, from_server;
    bool syn = false, fin = false;
    while (auto e = reader.next()) {
        if (auto* u = std::get_if<pcap::CapturedUdp>(&*e)) udp.push_back(*u);
        if (auto* t = std::get_if<pcap::CapturedTcp>(&*e)) {
            const auto& seg = t->segment;
            syn = syn || seg.has(pcap::tcp_flag::kSyn);
            fin = fin || seg.has(pcap::tcp_flag::kFin);
            Bytes& into = seg.destination.port == endpoint_.port ? to_server : from_server;
            into.insert(into.end(), seg.payload.begin(), seg.payload.end());
        }
    }
    EXPECT_FALSE(reader.error()) << reader.error()->to_string(path.string());
    ASSERT_EQ(udp.size(), kFrames);
    for (std::size_t k = 0; k < kFrames; ++k) {
        EXPECT_EQ(udp[k].datagram.destination.port, r.udp_port);
        EXPECT_EQ(udp[k].datagram.payload, r.packets[k].bytes);
        EXPECT_EQ(udp[k].time, capture_time(r.packets[k].received));
    }
    Bytes sent = r.request;
    sent.insert(sent.end(), {'G', 'o'});
    EXPECT_EQ(to_server, sent);
    EXPECT_EQ(bytes_from_server(r), from_server.size());
    EXPECT_TRUE(syn);
    EXPECT_TRUE(fin);
}

TEST_F(ReferenceServerTest, VerbosePrinterShowsTheExchangeEscapedAndEachPacket)
{
    std::ostringstream out;
    VerbosePrinter printer(out);
    SessionScript s = movie_script("verbose");
    s.expected_frames = kFrames;
    const SessionRecord r = run_session(endpoint_, s, &printer);
    const std::string text = out.str();
    EXPECT_THAT(text, HasSubstr("[verbose]"));
    EXPECT_THAT(text, HasSubstr("-> \"movie.mpeg " + std::to_string(r.udp_port) + "\""));
    EXPECT_THAT(text, HasSubstr("<- \"" + std::to_string(*r.session_id())));
    EXPECT_THAT(text, HasSubstr("-> \"Go\""));
    EXPECT_THAT(text, HasSubstr("UDP #7 "));
    EXPECT_THAT(text, HasSubstr("seq=8 "));
    EXPECT_THAT(text, HasSubstr("[80 1a 00 08"));
    EXPECT_THAT(text, HasSubstr("ended: AllFramesAndIdle, 8 datagrams (0 before Go)"));
}

// ---------------------------------------------------------------- fake servers

// One TCP listener served by a thread: each accepted connection is handed to
// `behaviour` (which must return once `stop` is set).
class FakeServer {
public:
    using Behaviour = std::function<void(net::TcpStream&, const std::atomic<bool>& stop)>;
    explicit FakeServer(Behaviour behaviour)
        : listener_(net::TcpListener::listen("127.0.0.1", 0)),
          thread_([this, b = std::move(behaviour)] {
              while (!stop_) {
                  auto conn = listener_.accept(net::Millis(50));
                  if (!conn) continue;
                  try {
                      b(*conn, stop_);
                  } catch (const net::NetError&) {
                      // The runner closed or reset: that is the end of this connection.
                  }
              }
          })
    {
    }
    ~FakeServer()
    {
        stop_ = true;
        thread_.join();
    }
    net::Endpoint endpoint() const { return {"127.0.0.1", listener_.local_port()}; }

private:
    net::TcpListener listener_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

// Reads a tpc3 request (2 s at most); the UDP port it names, or 0.
std::uint16_t read_request(net::TcpStream& s)
{
    control::Tpc3Dialect d;
    Bytes got;
    const auto until = std::chrono::steady_clock::now() + 2s;
    while (std::chrono::steady_clock::now() < until) {
        auto chunk = s.receive_some(net::Millis(100));
        if (!chunk) continue;
        if (chunk->empty()) return 0;
        got.insert(got.end(), chunk->begin(), chunk->end());
        const auto p = d.parse_request(got);
        if (p.status == control::ParseStatus::Complete) return p.value->udp_port;
    }
    return 0;
}

void wait_for_go(net::TcpStream& s)
{
    const auto until = std::chrono::steady_clock::now() + 3s;
    while (std::chrono::steady_clock::now() < until) {
        auto chunk = s.receive_some(net::Millis(100));
        if (chunk) return;
    }
}

SessionScript fake_script(std::string label)
{
    SessionScript s;
    s.label = std::move(label);
    s.file = "movie.mpeg";
    s.overall_deadline = 5s;
    return s;
}

TEST(FakeServerSession, ServerThatNeverRepliesEndsBadReplyWithinTheReplyDeadline)
{
    FakeServer server([](net::TcpStream& s, const std::atomic<bool>& stop) {
        read_request(s);
        while (!stop) std::this_thread::sleep_for(10ms);  // holds the connection, says nothing
    });
    SessionScript s = fake_script("silent server");
    s.reply_deadline = 400ms;
    const auto start = std::chrono::steady_clock::now();
    const SessionRecord r = run_session(server.endpoint(), s);
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(r.end, SessionEnd::BadReply);
    EXPECT_THAT(r.error, HasSubstr("no reply within 0.4 s"));
    EXPECT_LT(took, 1500ms);
    EXPECT_GE(took, 400ms);
    EXPECT_EQ(bytes_from_server(r), 0u);
    ASSERT_TRUE(r.reply);
    EXPECT_NE(r.reply->status, control::ParseStatus::Complete);
}

TEST(FakeServerSession, ByteFloodInsteadOfAReplyIsCappedAndEndsBadReply)
{
    FakeServer server([](net::TcpStream& s, const std::atomic<bool>& stop) {
        read_request(s);
        const std::string blank(16 * 1024, '\n');
        while (!stop) s.send_all(blank, net::Millis(500));
    });
    SessionScript s = fake_script("byte flood");
    s.max_control_bytes_kept = 8 * 1024;
    const auto start = std::chrono::steady_clock::now();
    const SessionRecord r = run_session(server.endpoint(), s);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
    EXPECT_EQ(r.end, SessionEnd::BadReply) << r.error;
    EXPECT_THAT(r.error, HasSubstr("the reply is not valid"));
    EXPECT_EQ(bytes_from_server(r), 8u * 1024);
}

TEST(FakeServerSession, ByteFloodAfterTheReplyIsCountedAndTheStallLimitStillEndsTheSession)
{
    FakeServer server([](net::TcpStream& s, const std::atomic<bool>& stop) {
        read_request(s);
        s.send_all(std::string("4242\n"), net::Millis(500));
        const std::string junk(16 * 1024, 'x');
        while (!stop) s.send_all(junk, net::Millis(500));  // never a datagram
    });
    SessionScript s = fake_script("byte flood after reply");
    s.wait_before_go = 100ms;
    s.stall_limit = 300ms;
    s.max_control_bytes_kept = 8 * 1024;
    const auto start = std::chrono::steady_clock::now();
    const SessionRecord r = run_session(server.endpoint(), s);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
    EXPECT_EQ(r.end, SessionEnd::Idle) << r.error;
    EXPECT_EQ(r.session_id(), 4242);
    EXPECT_TRUE(r.go_at);
    EXPECT_EQ(bytes_from_server(r), 8u * 1024);
    EXPECT_GT(r.control_bytes_not_kept, 16u * 1024);
}

TEST(FakeServerSession, DatagramsBeforeGoAreRecordedAsSuch)
{
    FakeServer server([](net::TcpStream& s, const std::atomic<bool>&) {
        const std::uint16_t port = read_request(s);
        s.send_all(std::string("12345\n"), net::Millis(500));
        auto udp = net::UdpSocket::sender();
        const net::Endpoint to{"127.0.0.1", port};
        for (int i = 0; i < 3; ++i) udp.send_to(to, Bytes{0x80, 0x1A, 0, static_cast<std::uint8_t>(i + 1)});
        wait_for_go(s);
        for (int i = 3; i < 5; ++i) udp.send_to(to, Bytes{0x80, 0x1A, 0, static_cast<std::uint8_t>(i + 1)});
        s.close();
    });
    SessionScript s = fake_script("early datagrams");
    s.wait_before_go = 300ms;
    s.idle_end = 200ms;
    const SessionRecord r = run_session(server.endpoint(), s);
    EXPECT_EQ(r.end, SessionEnd::ServerClosedIdle) << r.error;
    EXPECT_EQ(r.session_id(), 12345);
    ASSERT_EQ(r.packets.size(), 5u);
    EXPECT_EQ(r.packets_before_go(), 3u);
    EXPECT_EQ(r.packets[3].bytes, (Bytes{0x80, 0x1A, 0, 4}));
    // A newline-terminated reply is taken at once: Go follows 300 ms after it.
    EXPECT_NEAR(seconds_between(*r.reply_at, *r.go_at), 0.3, 0.1);
}

TEST(FakeServerSession, DatagramFloodIsCappedAndCounted)
{
    FakeServer server([](net::TcpStream& s, const std::atomic<bool>&) {
        const std::uint16_t port = read_request(s);
        s.send_all(std::string("777\n"), net::Millis(500));
        wait_for_go(s);
        auto udp = net::UdpSocket::sender();
        const net::Endpoint to{"127.0.0.1", port};
        const Bytes junk(100, 0x42);
        for (int i = 0; i < 3000; ++i) udp.send_to(to, junk);
        s.close();
    });
    SessionScript s = fake_script("datagram flood");
    s.wait_before_go = 0ms;
    s.idle_end = 200ms;
    s.max_packets_kept = 100;
    const SessionRecord r = run_session(server.endpoint(), s);
    EXPECT_EQ(r.end, SessionEnd::ServerClosedIdle) << r.error;
    EXPECT_EQ(r.packets.size(), 100u);
    EXPECT_GT(r.packets_not_kept, 0u);
    EXPECT_LE(r.packets.size() + r.packets_not_kept, 3000u);
}

TEST(FakeServerSession, AResetBeforeTheReplyIsAControlError)
{
    FakeServer server([](net::TcpStream& s, const std::atomic<bool>&) {
        read_request(s);
        s.reset();
    });
    const SessionRecord r = run_session(server.endpoint(), fake_script("reset"));
    EXPECT_EQ(r.end, SessionEnd::ControlError);
    EXPECT_TRUE(r.server_reset);
    EXPECT_THAT(r.error, HasSubstr("reset"));
}

TEST(FakeServerSession, AReplyWithoutNewlineIsTakenAfterTheIdleTime)
{
    FakeServer server([](net::TcpStream& s, const std::atomic<bool>& stop) {
        read_request(s);
        s.send_all(std::string("48"), net::Millis(500));
        std::this_thread::sleep_for(100ms);
        s.send_all(std::string("3920"), net::Millis(500));  // the same reply, in a second segment
        while (!stop) std::this_thread::sleep_for(10ms);
    });
    SessionScript s = fake_script("reply in two reads");
    s.send_go = false;
    s.wait_before_go = 0ms;
    const SessionRecord r = run_session(server.endpoint(), s);
    EXPECT_EQ(r.end, SessionEnd::EndedBeforeGo) << r.error;
    EXPECT_EQ(r.session_id(), 483920);
}

TEST(FakeServerSession, AnAnswerAfterTheRunnersHalfCloseIsRecordedAndInThePcap)
{
    FakeServer server([](net::TcpStream& s, const std::atomic<bool>&) {
        const auto until = std::chrono::steady_clock::now() + 2s;
        while (std::chrono::steady_clock::now() < until) {
            auto chunk = s.receive_some(net::Millis(100));
            if (chunk && chunk->empty()) break;  // the runner's FIN
        }
        s.send_all(std::string("-1\n"), net::Millis(500));
        s.close();
    });
    harness::TempDir tmp("tpc3-session-pcap-");
    const auto path = tmp / "hostile.pcap";
    SessionRecord r;
    {
        pcap::SyntheticRecorder recorder(path);
        SyntheticPcapObserver observer(recorder);
        const auto requests = malformed_requests("movie.mpeg");
        r = HostileConnection(server.endpoint(), "empty then close", requests.at(1), {}, &observer).run();
        EXPECT_EQ(observer.first_error(), "");
        recorder.close();
    }
    EXPECT_EQ(r.end, SessionEnd::NotFound) << r.error;
    EXPECT_TRUE(r.request.empty());

    pcap::PcapReader reader(path);
    Bytes from_server;
    int fins = 0;
    while (auto e = reader.next()) {
        if (auto* t = std::get_if<pcap::CapturedTcp>(&*e)) {
            if (t->segment.source.port == server.endpoint().port)
                from_server.insert(from_server.end(), t->segment.payload.begin(), t->segment.payload.end());
            if (t->segment.has(pcap::tcp_flag::kFin)) ++fins;
        }
    }
    EXPECT_EQ(from_server, bytes_of("-1\n"));
    EXPECT_EQ(fins, 2);
}

TEST(FakeServerSession, ARefusedConnectionEndsConnectFailed)
{
    const std::uint16_t port = net::pick_free_tcp_port();
    const SessionRecord r = run_session({"127.0.0.1", port}, fake_script("refused"));
    EXPECT_EQ(r.end, SessionEnd::ConnectFailed);
    EXPECT_THAT(r.error, HasSubstr(std::to_string(port)));
    EXPECT_TRUE(r.control.empty());
}

}  // namespace
}  // namespace tpc3::conform::server
