// The reference server in-process on port 0, driven by raw sockets.
#include "movie_cache.h"
#include "movie_path.h"
#include "server.h"
#include "server_log.h"
#include "session_ids.h"

#include "control/tpc3_dialect.h"
#include "movie/movie_writer.h"
#include "net/socket.h"
#include "rtp/rtp_header.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <numeric>
#include <regex>
#include <thread>

namespace tpc3::server {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Bytes = std::vector<std::uint8_t>;
using ::testing::HasSubstr;

// ------------------------------------------------------------------ fixtures

class ScratchDir {
public:
    ScratchDir() {
        std::string tmpl = (fs::temp_directory_path() / "tpc3-server-test-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~ScratchDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

// A tiny stand-in for a JPEG: FF D8, some bytes that identify the frame, FF D9.
Bytes fake_jpeg(std::size_t index, std::size_t size) {
    Bytes b(std::max<std::size_t>(size, 8));
    for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>((i * 31 + index * 7) & 0xff);
    b[0] = 0xFF;
    b[1] = 0xD8;
    b[2] = static_cast<std::uint8_t>(index);
    b[3] = static_cast<std::uint8_t>(index >> 8);
    b[b.size() - 2] = 0xFF;
    b[b.size() - 1] = 0xD9;
    return b;
}

std::vector<Bytes> write_movie(const fs::path& path, std::size_t frames, std::size_t big_every = 0) {
    std::vector<Bytes> out;
    movie::MovieWriter w(path.string());
    for (std::size_t k = 0; k < frames; ++k) {
        std::size_t size = 200 + (k * 37) % 900;
        if (big_every != 0 && k % big_every == big_every - 1) size = 60'000;
        out.push_back(fake_jpeg(k, size));
        w.write(out.back());
    }
    w.close();
    return out;
}

class CapturedLog {
public:
    LogSink sink() {
        return [this](std::string_view line) {
            std::lock_guard lock(mutex_);
            lines_.emplace_back(line);
        };
    }
    std::vector<std::string> lines() const {
        std::lock_guard lock(mutex_);
        return lines_;
    }
    // Waits up to `timeout` for a line containing every one of `parts`.
    bool wait_for(std::initializer_list<std::string_view> parts, std::chrono::milliseconds timeout = 2s) const {
        const auto deadline = Clock::now() + timeout;
        do {
            for (const auto& l : lines()) {
                if (std::all_of(parts.begin(), parts.end(),
                                [&](std::string_view p) { return l.find(p) != std::string::npos; }))
                    return true;
            }
            std::this_thread::sleep_for(10ms);
        } while (Clock::now() < deadline);
        return false;
    }
    std::string dump() const {
        std::string all;
        for (const auto& l : lines()) all += l + "\n";
        return all;
    }

private:
    mutable std::mutex mutex_;
    std::vector<std::string> lines_;
};

// The client side of one control connection plus its UDP socket.
struct Client {
    net::TcpStream tcp;
    net::UdpSocket udp;

    static Client connect(std::uint16_t port) {
        auto udp = net::UdpSocket::bind("127.0.0.1", 0);
        udp.enable_kernel_timestamps();
        udp.set_receive_buffer(4 << 20);
        return Client{net::TcpStream::connect("127.0.0.1", port, 2000ms), std::move(udp)};
    }

    void send(const std::string& text) { tcp.send_all(text, 2000ms); }
    void send_request(const std::string& file) { send(file + " " + std::to_string(udp.local_port())); }

    // Reads until a reply parses, the server closes, or 3 s pass. Returns the raw text.
    std::string read_reply(std::chrono::milliseconds timeout = 3000ms) {
        const control::Tpc3Dialect d;
        Bytes got;
        const auto deadline = Clock::now() + timeout;
        while (Clock::now() < deadline) {
            auto chunk = tcp.receive_some(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()) + 1ms);
            if (!chunk || chunk->empty()) break;
            got.insert(got.end(), chunk->begin(), chunk->end());
            if (d.parse_reply(got).status == control::ParseStatus::Complete) break;
        }
        return std::string(got.begin(), got.end());
    }

    std::int64_t setup(const std::string& file) {
        send_request(file);
        const std::string reply = read_reply();
        return reply.empty() ? -2 : std::stoll(reply);
    }

    std::vector<net::Datagram> receive(std::size_t count, std::chrono::milliseconds per_packet = 1500ms) {
        std::vector<net::Datagram> out;
        while (out.size() < count) {
            auto d = udp.receive(per_packet);
            if (!d) break;
            out.push_back(std::move(*d));
        }
        return out;
    }

    // True when the server closes the control connection within `timeout`.
    bool server_closes(std::chrono::milliseconds timeout) {
        const auto deadline = Clock::now() + timeout;
        while (Clock::now() < deadline) {
            auto chunk = tcp.receive_some(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()) + 1ms);
            if (!chunk) return false;
            if (chunk->empty()) return true;
        }
        return false;
    }
};

class ServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        served_ = dir_.path() / "served";
        fs::create_directory(served_);
        frames_ = write_movie(served_ / "movie.mpeg", 12, 6);
    }

    void start(ServerConfig cfg = {}) {
        cfg.dir = served_;
        if (cfg.workers == 0) cfg.workers = 2;
        if (cfg.rate == 20.0 && !keep_rate_) cfg.rate = 200.0;  // most tests need no real-time pacing
        server_ = std::make_unique<Server>(cfg, std::make_shared<ServerLog>(format_, log_.sink()));
        server_->start();
    }

    std::uint16_t port() const { return server_->port(); }

    // A full valid session: SessionID, Go, every frame with every header field.
    void expect_valid_session(const std::string& file = "movie.mpeg") {
        Client c = Client::connect(port());
        const std::int64_t id = c.setup(file);
        ASSERT_GE(id, 0) << log_.dump();
        ASSERT_LE(id, 0xFFFFFFFFll);
        c.send("Go");
        expect_stream(c, static_cast<std::uint32_t>(id), frames_);
    }

    // `quiet` is how long to wait for a datagram that must not come after the last frame.
    void expect_stream(Client& c, std::uint32_t id, const std::vector<Bytes>& frames,
                       std::chrono::milliseconds quiet = 300ms) {
        auto got = c.receive(frames.size());
        ASSERT_EQ(got.size(), frames.size()) << log_.dump();
        for (std::size_t k = 0; k < got.size(); ++k) {
            SCOPED_TRACE("packet " + std::to_string(k));
            const auto parsed = rtp::parse(got[k].bytes);
            ASSERT_TRUE(parsed.ok());
            const auto& h = *parsed.header;
            EXPECT_EQ(h.version, 2);
            EXPECT_FALSE(h.padding);
            EXPECT_FALSE(h.extension);
            EXPECT_EQ(h.csrc_count, 0);
            EXPECT_FALSE(h.marker);
            EXPECT_EQ(h.payload_type, 26);
            EXPECT_EQ(h.sequence, k + 1);
            EXPECT_EQ(h.ssrc, id);
            const auto now = static_cast<std::int64_t>(std::time(nullptr));
            EXPECT_LE(std::llabs(now - static_cast<std::int64_t>(h.timestamp)), 3);
            EXPECT_TRUE(std::equal(parsed.payload.begin(), parsed.payload.end(), frames[k].begin(), frames[k].end()))
                << "payload differs from frame " << k;
            EXPECT_FALSE(got[k].truncated);
        }
        EXPECT_FALSE(c.udp.receive(quiet).has_value()) << "a datagram after the last frame";
        EXPECT_TRUE(c.server_closes(2000ms)) << "control connection left open after the last frame";
    }

    ScratchDir dir_;
    fs::path served_;
    std::vector<Bytes> frames_;
    CapturedLog log_;
    LogFormat format_ = LogFormat::Text;
    bool keep_rate_ = false;
    std::unique_ptr<Server> server_;
};

// ------------------------------------------------------------------ sessions

TEST_F(ServerTest, StreamsEveryFrameWithEveryHeaderField) {
    start();
    expect_valid_session();
    EXPECT_TRUE(log_.wait_for({"event=setup", "file=movie.mpeg"}));
    EXPECT_TRUE(log_.wait_for({"event=end", "frames=12"}));
    EXPECT_EQ(server_->stats().live_sessions, 0u);
}

TEST_F(ServerTest, UnknownFileGetsMinusOneAndNoDatagram) {
    start();
    Client c = Client::connect(port());
    c.send_request("nosuch.mpeg");
    EXPECT_EQ(c.read_reply(), "-1");
    c.send("Go");  // even a client that sends Go anyway gets nothing
    EXPECT_FALSE(c.udp.receive(700ms).has_value());
    EXPECT_TRUE(log_.wait_for({"event=not_found", "file=nosuch.mpeg"})) << log_.dump();
}

TEST_F(ServerTest, NoDatagramBeforeGo) {
    start();
    Client c = Client::connect(port());
    const auto id = c.setup("movie.mpeg");
    ASSERT_GE(id, 0);
    EXPECT_FALSE(c.udp.receive(500ms).has_value()) << "datagram before Go";
    c.send("Go");
    expect_stream(c, static_cast<std::uint32_t>(id), frames_);
}

TEST_F(ServerTest, PathTraversalIsRefused) {
    write_movie(dir_.path() / "outside.mpeg", 3);
    fs::create_symlink(dir_.path() / "outside.mpeg", served_ / "link.mpeg");
    start();
    for (const std::string& name : std::vector<std::string>{"../outside.mpeg", (dir_.path() / "outside.mpeg").string(), "/etc/passwd",
                                   "./movie.mpeg", "..", "link.mpeg"}) {
        SCOPED_TRACE(name);
        Client c = Client::connect(port());
        c.send_request(name);
        EXPECT_EQ(c.read_reply(), "-1");
        c.send("Go");
        EXPECT_FALSE(c.udp.receive(200ms).has_value());
    }
    EXPECT_TRUE(log_.wait_for({"event=refused", "reason=\"resolves outside the served directory\""})) << log_.dump();
    EXPECT_TRUE(log_.wait_for({"event=refused", "reason=\"absolute path\""})) << log_.dump();
    expect_valid_session();
}

TEST_F(ServerTest, MalformedRequestsAreAnsweredThenAValidSessionWorks) {
    start();
    const std::string big(64 * 1024, 'a');
    const std::vector<std::string> answered = {
        std::string("\x01\x02garbage\x7f!!", 11),
        "movie.mpeg",
        "movie.mpeg abc",
        "movie.mpeg 5000 6000 7000 what",
        big,
        std::string("\xff\xfe\xc3\x28 5000\n", 9),
        std::string("movie.mpeg 99999999999999999999"),
    };
    for (const auto& text : answered) {
        SCOPED_TRACE(control::escape(text, 40));
        Client c = Client::connect(port());
        c.send(text);
        EXPECT_EQ(c.read_reply(), "-1");
        EXPECT_FALSE(c.udp.receive(50ms).has_value());
    }
    {
        // Connects and says nothing, then leaves.
        Client c = Client::connect(port());
        c.tcp.shutdown_write();
        EXPECT_TRUE(c.server_closes(2000ms));
    }
    EXPECT_TRUE(log_.wait_for({"event=bad_request", "reason=\"request over 4096 bytes"})) << log_.dump();
    EXPECT_TRUE(log_.wait_for({"event=bad_request", "bytes=\"\\\\x01\\\\x02garbage"})) << log_.dump();
    expect_valid_session();
}

TEST_F(ServerTest, SplitRequestIsJoined) {
    start();
    Client c = Client::connect(port());
    c.tcp.set_nodelay(true);
    c.send("movie.mp");
    std::this_thread::sleep_for(100ms);
    c.send("eg " + std::to_string(c.udp.local_port()));
    const auto id = std::stoll(c.read_reply());
    ASSERT_GE(id, 0);
    c.send("Go");
    expect_stream(c, static_cast<std::uint32_t>(id), frames_);
}

TEST_F(ServerTest, TrailingNewlinesAndExtraSpacesAreTolerated) {
    start();
    Client c = Client::connect(port());
    c.send("movie.mpeg   " + std::to_string(c.udp.local_port()) + "\r\n");
    const std::string reply = c.read_reply();
    ASSERT_FALSE(reply.empty());
    const auto id = std::stoll(reply);
    ASSERT_GE(id, 0);
    c.send("Go\r\n");
    expect_stream(c, static_cast<std::uint32_t>(id), frames_);
}

TEST_F(ServerTest, RequestAndGoInOneSegment) {
    start();
    Client c = Client::connect(port());
    c.send("movie.mpeg " + std::to_string(c.udp.local_port()) + "\nGo\n");
    const auto id = std::stoll(c.read_reply());
    ASSERT_GE(id, 0);
    expect_stream(c, static_cast<std::uint32_t>(id), frames_);
}

TEST_F(ServerTest, ThreeSessionsGetThreeDifferentIds) {
    start();
    std::vector<Client> clients;
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 3; ++i) {
        clients.push_back(Client::connect(port()));
        ids.push_back(clients.back().setup("movie.mpeg"));
        ASSERT_GE(ids.back(), 0);
    }
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(std::unique(ids.begin(), ids.end()), ids.end()) << "repeated SessionID";
}

TEST_F(ServerTest, TenConcurrentSessionsAreAllServed) {
    start();
    std::vector<Client> clients;
    std::vector<std::uint32_t> ids;
    for (int i = 0; i < 10; ++i) {
        clients.push_back(Client::connect(port()));
        const auto id = clients.back().setup("movie.mpeg");
        ASSERT_GE(id, 0);
        ids.push_back(static_cast<std::uint32_t>(id));
    }
    for (auto& c : clients) c.send("Go");
    for (std::size_t i = 0; i < clients.size(); ++i) {
        SCOPED_TRACE("client " + std::to_string(i));
        // The streams ran side by side: once the first is over, the others are too.
        expect_stream(clients[i], ids[i], frames_, i == 0 ? 300ms : 20ms);
    }
}

TEST_F(ServerTest, ThreeHundredSessionsAtOnce) {
    if (raise_fd_limit() < 2000) GTEST_SKIP() << "needs 2000 file descriptors";
    frames_ = write_movie(served_ / "short.mpeg", 5);
    start();
    std::vector<Client> clients;
    std::vector<std::uint32_t> ids;
    for (int i = 0; i < 300; ++i) {
        clients.push_back(Client::connect(port()));
        const auto id = clients.back().setup("short.mpeg");
        ASSERT_GE(id, 0) << "session " << i;
        ids.push_back(static_cast<std::uint32_t>(id));
    }
    for (auto& c : clients) c.send("Go");
    for (std::size_t i = 0; i < clients.size(); ++i) {
        auto got = clients[i].receive(5);
        ASSERT_EQ(got.size(), 5u) << "session " << i;
        for (std::size_t k = 0; k < got.size(); ++k) {
            const auto parsed = rtp::parse(got[k].bytes);
            ASSERT_TRUE(parsed.ok());
            EXPECT_EQ(parsed.header->sequence, k + 1);
            EXPECT_EQ(parsed.header->ssrc, ids[i]);
        }
    }
    EXPECT_TRUE(log_.wait_for({"event=end", "session=" + std::to_string(ids.back())}));
    const auto deadline = Clock::now() + 2s;
    while (server_->stats().sessions_completed < 300 && Clock::now() < deadline) std::this_thread::sleep_for(10ms);
    EXPECT_EQ(server_->stats().sessions_completed, 300u);
    EXPECT_EQ(server_->stats().live_sessions, 0u);
}

TEST_F(ServerTest, SecondSessionAfterTheFirst) {
    start();
    expect_valid_session();
    expect_valid_session();
    EXPECT_EQ(server_->stats().sessions_completed, 2u);
}

// ------------------------------------------------------------------ vanishing clients

TEST_F(ServerTest, ClientResetMidStreamEndsTheSessionThenANewOneWorks) {
    frames_ = write_movie(served_ / "long.mpeg", 400);
    start();
    {
        Client c = Client::connect(port());
        const auto id = c.setup("long.mpeg");
        ASSERT_GE(id, 0);
        c.send("Go");
        ASSERT_EQ(c.receive(3).size(), 3u);
        c.tcp.reset();
        EXPECT_TRUE(log_.wait_for({"event=client_gone", "reason=\"tcp reset\"", "session=" + std::to_string(id)}))
            << log_.dump();
    }
    EXPECT_EQ(server_->stats().live_sessions, 0u);
    frames_ = write_movie(served_ / "movie.mpeg", 5);
    expect_valid_session();
}

TEST_F(ServerTest, ClosedUdpPortEndsTheSession) {
    frames_ = write_movie(served_ / "long.mpeg", 400);
    start();
    Client c = Client::connect(port());
    const auto id = c.setup("long.mpeg");
    ASSERT_GE(id, 0);
    c.send("Go");
    ASSERT_EQ(c.receive(3).size(), 3u);
    c.udp = net::UdpSocket::sender();  // the bound socket closes: its port is gone
    EXPECT_TRUE(log_.wait_for({"event=client_gone", "reason=\"udp port closed\""})) << log_.dump();
    EXPECT_TRUE(c.server_closes(2000ms));
}

TEST_F(ServerTest, HalfCloseAfterGoDoesNotStopTheStream) {
    start();
    Client c = Client::connect(port());
    const auto id = c.setup("movie.mpeg");
    ASSERT_GE(id, 0);
    c.send("Go");
    c.tcp.shutdown_write();
    expect_stream(c, static_cast<std::uint32_t>(id), frames_);
}

TEST_F(ServerTest, SomethingElseThanGoClosesWithoutStreaming) {
    start();
    Client c = Client::connect(port());
    ASSERT_GE(c.setup("movie.mpeg"), 0);
    c.send("Stop\n");
    EXPECT_TRUE(c.server_closes(2000ms));
    EXPECT_FALSE(c.udp.receive(300ms).has_value());
    EXPECT_TRUE(log_.wait_for({"event=bad_request", "bytes=\"Stop\\\\n\""})) << log_.dump();
    EXPECT_EQ(server_->stats().live_sessions, 0u);
}

TEST_F(ServerTest, SilentClientTimesOut) {
    ServerConfig cfg;
    cfg.request_timeout = 300ms;
    cfg.go_timeout = 300ms;
    start(cfg);
    Client quiet = Client::connect(port());
    EXPECT_TRUE(quiet.server_closes(2000ms));
    EXPECT_TRUE(log_.wait_for({"event=timeout", "which=request"})) << log_.dump();

    Client no_go = Client::connect(port());
    ASSERT_GE(no_go.setup("movie.mpeg"), 0);
    EXPECT_TRUE(no_go.server_closes(2000ms));
    EXPECT_TRUE(log_.wait_for({"event=timeout", "which=go"})) << log_.dump();
    EXPECT_FALSE(no_go.udp.receive(100ms).has_value());
}

TEST_F(ServerTest, MalformedMovieIsRefused) {
    std::ofstream(served_ / "broken.mpeg", std::ios::binary) << "00010\xFF\xD8xxxx";
    start();
    Client c = Client::connect(port());
    c.send_request("broken.mpeg");
    EXPECT_EQ(c.read_reply(), "-1");
    EXPECT_TRUE(log_.wait_for({"event=refused", "file=broken.mpeg", "malformed movie"})) << log_.dump();
    expect_valid_session();
}

TEST_F(ServerTest, MaxSessionsRefusesTheNextOne) {
    ServerConfig cfg;
    cfg.max_sessions = 1;
    start(cfg);
    Client first = Client::connect(port());
    ASSERT_GE(first.setup("movie.mpeg"), 0);
    Client second = Client::connect(port());
    EXPECT_EQ(second.setup("movie.mpeg"), -1);
    EXPECT_TRUE(log_.wait_for({"event=refused", "too many sessions"}));
}

TEST_F(ServerTest, StopClosesLiveSessions) {
    frames_ = write_movie(served_ / "long.mpeg", 400);
    start();
    Client c = Client::connect(port());
    ASSERT_GE(c.setup("long.mpeg"), 0);
    c.send("Go");
    ASSERT_EQ(c.receive(2).size(), 2u);
    const auto t0 = Clock::now();
    server_->stop();
    EXPECT_LT(Clock::now() - t0, 2s);
    EXPECT_TRUE(c.server_closes(1000ms));
}

TEST_F(ServerTest, JsonLogFormat) {
    format_ = LogFormat::Json;
    start();
    expect_valid_session();
    ASSERT_TRUE(log_.wait_for({"\"event\":\"end\""}));
    for (const auto& line : log_.lines()) {
        SCOPED_TRACE(line);
        const auto j = nlohmann::json::parse(line);
        EXPECT_TRUE(j.contains("time"));
        EXPECT_TRUE(j.contains("event"));
    }
}

// ------------------------------------------------------------------ pacing

TEST_F(ServerTest, PacesTwentyPerSecondEvenly) {
    frames_ = write_movie(served_ / "pace.mpeg", 40);
    keep_rate_ = true;
    start();  // rate 20
    Client c = Client::connect(port());
    const auto id = c.setup("pace.mpeg");
    ASSERT_GE(id, 0);
    c.send("Go");
    auto got = c.receive(40);
    ASSERT_EQ(got.size(), 40u);
    std::vector<double> gaps_ms;
    for (std::size_t k = 1; k < got.size(); ++k) {
        ASSERT_TRUE(got[k].kernel_timestamp);
        gaps_ms.push_back(std::chrono::duration<double, std::milli>(got[k].received - got[k - 1].received).count());
    }
    const double mean = std::accumulate(gaps_ms.begin(), gaps_ms.end(), 0.0) / static_cast<double>(gaps_ms.size());
    const double max = *std::max_element(gaps_ms.begin(), gaps_ms.end());
    const double min = *std::min_element(gaps_ms.begin(), gaps_ms.end());
    EXPECT_NEAR(mean, 50.0, 2.5);
    EXPECT_LT(max, 150.0);
    EXPECT_GT(min, 1.0) << "burst: two frames less than 1 ms apart";
    // Absolute schedule: the whole stream spans 39 periods, not 39 periods plus accumulated lag.
    const double span = std::chrono::duration<double, std::milli>(got.back().received - got.front().received).count();
    EXPECT_NEAR(span, 39 * 50.0, 40.0);
}

// ------------------------------------------------------------------ parts

TEST(MoviePath, RefusesEscapesAndFindsFiles) {
    ScratchDir d;
    const fs::path served = fs::canonical(d.path());
    fs::create_directory(served / "sub");
    std::ofstream(served / "a.mpeg") << "x";
    std::ofstream(served / "sub" / "b.mpeg") << "x";
    EXPECT_EQ(std::get<fs::path>(resolve_movie_path(served, "a.mpeg")), served / "a.mpeg");
    EXPECT_TRUE(std::holds_alternative<MoviePathMissing>(resolve_movie_path(served, "none.mpeg")));
    EXPECT_TRUE(std::holds_alternative<MoviePathMissing>(resolve_movie_path(served, "sub")));  // a directory
    EXPECT_TRUE(std::holds_alternative<MoviePathMissing>(resolve_movie_path(served, "a..mpeg")));
    for (const std::string& bad : std::vector<std::string>{"", "/etc/passwd", "../a.mpeg", "sub/b.mpeg", ".", "..", std::string("a\0b", 3)}) {
        EXPECT_TRUE(std::holds_alternative<MoviePathRefused>(resolve_movie_path(served, bad))) << control::escape(bad);
    }
}

TEST(MovieCache, LoadsOncePerVersion) {
    ScratchDir d;
    const fs::path p = d.path() / "m.mpeg";
    auto frames = write_movie(p, 4);
    MovieCache cache;
    auto a = cache.get(p);
    auto b = cache.get(p);
    EXPECT_EQ(a.get(), b.get());
    EXPECT_EQ(cache.loads(), 1u);
    ASSERT_EQ(a->frame_count(), 4u);
    for (std::size_t k = 0; k < 4; ++k)
        EXPECT_TRUE(std::equal(a->frame(k).begin(), a->frame(k).end(), frames[k].begin(), frames[k].end()));
    write_movie(p, 5);  // other size: a new version
    auto c = cache.get(p);
    EXPECT_EQ(c->frame_count(), 5u);
    EXPECT_EQ(cache.loads(), 2u);
    EXPECT_EQ(a->frame_count(), 4u) << "a session's movie must not change under it";
}

TEST(SessionIds, UniqueAmongLive) {
    SessionIds ids;
    std::vector<std::uint32_t> got;
    for (int i = 0; i < 1000; ++i) got.push_back(ids.allocate());
    EXPECT_EQ(ids.live(), 1000u);
    std::sort(got.begin(), got.end());
    EXPECT_EQ(std::unique(got.begin(), got.end()), got.end());
    // Spread over the whole 32-bit range, not the classic 100000..999999.
    EXPECT_GT(got.back(), 1'000'000u);
    for (auto id : got) ids.release(id);
    EXPECT_EQ(ids.live(), 0u);
}

TEST(ServerLogFormat, TextLineLooksLikeTheSpec) {
    std::vector<std::string> lines;
    ServerLog log(LogFormat::Text, [&](std::string_view l) { lines.emplace_back(l); });
    log.event("setup", {{"session", 483920u}, {"peer", "127.0.0.1:51234"}, {"file", "movie.mpeg"}, {"udp_port", 25000},
                        {"reason", "has space \"q\""}});
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_TRUE(std::regex_match(
        lines[0], std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z event=setup session=483920 )"
                             R"(peer=127\.0\.0\.1:51234 file=movie\.mpeg udp_port=25000 reason="has space \\"q\\"")")))
        << lines[0];
}

TEST(ServerConfigCheck, RejectsBadConfig) {
    ScratchDir d;
    auto log = std::make_shared<ServerLog>(LogFormat::Text, nullptr);
    ServerConfig c;
    c.dir = d.path() / "missing";
    EXPECT_THROW(Server(c, log), std::invalid_argument);
    c.dir = d.path();
    c.rate = 0;
    EXPECT_THROW(Server(c, log), std::invalid_argument);
}

}  // namespace
}  // namespace tpc3::server
