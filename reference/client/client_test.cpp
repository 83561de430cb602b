// In-process tests of run_client against a tiny scripted server (TCP control
// exchange + UDP datagrams on loopback) written here with tpc3_net.
#include "client/client.h"

#include "client/frame_sink.h"
#include "movie/movie_writer.h"
#include "net/socket.h"
#include "rtp/rtp_header.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

namespace tpc3::client {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using Bytes = std::vector<std::uint8_t>;

constexpr std::uint32_t kSession = 483920;

class TempDir {
public:
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "tpc3-client-test-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

Bytes jpeg_of_colour(int k) {
    cv::Mat img(16, 16, CV_8UC3, cv::Scalar((k * 37) % 256, (k * 91) % 256, (k * 53) % 256));
    img.at<cv::Vec3b>(k % 16, (k / 16) % 16) = cv::Vec3b(255, 255, 255);  // a mark that differs per k
    std::vector<std::uint8_t> out;
    cv::imencode(".jpg", img, out);
    return out;
}

std::uint32_t now_s() {
    return static_cast<std::uint32_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
}

rtp::RtpHeader header(std::uint16_t seq) {
    rtp::RtpHeader h;
    h.sequence = seq;
    h.timestamp = now_s();
    h.ssrc = kSession;
    return h;
}

Bytes read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), {});
}

// What the fake server does. Datagrams are built by a function of the client's
// UDP port so they can be made when the request arrives (fresh timestamps).
struct Script {
    std::vector<std::string> reply_chunks = {"483920\n"};
    std::function<std::vector<Bytes>()> datagrams = [] { return std::vector<Bytes>{}; };
    bool close_after_stream = true;  // else hold TCP open until the client leaves
    std::chrono::milliseconds gap = 1ms;
};

class FakeServer {
public:
    explicit FakeServer(Script s)
        : script_(std::move(s)), listener_(net::TcpListener::listen("127.0.0.1", 0)),
          thread_([this] { serve(); }) {}
    ~FakeServer() { join(); }
    std::uint16_t port() const { return listener_.local_port(); }
    void join() {
        if (thread_.joinable()) thread_.join();
    }

    // Valid after join().
    std::string request;   // the exact request bytes
    bool got_go = false;
    std::string after_reply;  // every byte the client sent after the request
    std::string error;

private:
    void serve() {
        try {
            auto conn = listener_.accept(5s);
            if (!conn) throw std::runtime_error("no client connected within 5 s");
            static const std::regex kRequest(R"(^(\S+) +(\d+)\s*$)");
            std::smatch m;
            const auto deadline = std::chrono::steady_clock::now() + 3s;
            while (!std::regex_match(request, m, kRequest)) {
                if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("no request: " + request);
                auto b = conn->receive_some(100ms);
                if (b && b->empty()) throw std::runtime_error("client closed before a request: " + request);
                if (b) request.append(b->begin(), b->end());
            }
            const auto udp_port = static_cast<std::uint16_t>(std::stoi(m[2].str()));
            for (std::size_t k = 0; k < script_.reply_chunks.size(); ++k) {
                if (k) std::this_thread::sleep_for(10ms);
                conn->send_all(script_.reply_chunks[k], 1s);
            }
            // Wait for Go (or, after -1, for the client to leave without it).
            const auto go_deadline = std::chrono::steady_clock::now() + 2s;
            while (std::chrono::steady_clock::now() < go_deadline && after_reply.find("Go") == std::string::npos) {
                auto b = conn->receive_some(50ms);
                if (b && b->empty()) break;
                if (b) after_reply.append(b->begin(), b->end());
            }
            got_go = after_reply.find("Go") != std::string::npos;
            if (!got_go) return;
            auto udp = net::UdpSocket::sender();
            for (const Bytes& d : script_.datagrams()) {
                udp.send_to(net::Endpoint{"127.0.0.1", udp_port}, d);
                std::this_thread::sleep_for(script_.gap);
            }
            if (!script_.close_after_stream) {
                // Hold the connection until the client closes it (at most 5 s).
                const auto hold = std::chrono::steady_clock::now() + 5s;
                while (std::chrono::steady_clock::now() < hold) {
                    auto b = conn->receive_some(50ms);
                    if (b && b->empty()) break;
                }
            }
        } catch (const std::exception& e) {
            error = e.what();
        }
    }

    Script script_;
    net::TcpListener listener_;
    std::thread thread_;
};

ClientOptions options_for(std::uint16_t tcp_port) {
    ClientOptions o;
    o.host = "127.0.0.1";
    o.tcp_port = tcp_port;
    o.udp_port = net::pick_free_udp_port();
    o.file = "movie.mpeg";
    o.display = DisplayMode::Off;
    o.idle_timeout_s = 0.3;
    o.timeout_s = 10;
    return o;
}

struct RunResult {
    SessionReport report;
    std::string out, err;
};

RunResult run(const ClientOptions& o, const std::atomic<bool>& stop) {
    std::ostringstream out, err;
    RunResult r;
    r.report = run_client(o, stop, out, err);
    r.out = out.str();
    r.err = err.str();
    return r;
}

RunResult run(const ClientOptions& o) {
    const std::atomic<bool> stop{false};
    return run(o, stop);
}

// Valid frames, each followed by a poison packet for one check; the poison
// payloads are distinct JPEGs that must never reach --out.
struct MixedStream {
    std::map<std::uint16_t, Bytes> valid;  // seq -> payload expected in --out
    std::vector<Bytes> poison_payloads;
    std::map<DropReason, std::uint64_t> expected_drops;
    std::uint64_t expected_dropped = 0;

    std::vector<Bytes> build() {
        std::vector<Bytes> d;
        int poison_index = 100;
        auto poison = [&](rtp::RtpHeader h, std::initializer_list<DropReason> reasons) {
            Bytes payload = jpeg_of_colour(poison_index++);
            poison_payloads.push_back(payload);
            d.push_back(rtp::encode_packet(h, payload));
            for (DropReason r : reasons) ++expected_drops[r];
            ++expected_dropped;
        };
        auto good = [&](std::uint16_t seq, Bytes payload) {
            valid[seq] = payload;
            d.push_back(rtp::encode_packet(header(seq), payload));
        };
        auto raw = [&](Bytes bytes, std::initializer_list<DropReason> reasons) {
            d.push_back(std::move(bytes));
            for (DropReason r : reasons) ++expected_drops[r];
            ++expected_dropped;
        };

        good(1, jpeg_of_colour(1));
        rtp::RtpHeader h = header(2);
        h.version = 1;
        poison(h, {DropReason::Version});
        good(2, jpeg_of_colour(2));
        h = header(3);
        h.padding = true;
        poison(h, {DropReason::Padding});
        good(3, jpeg_of_colour(3));
        h = header(4);
        h.extension = true;
        poison(h, {DropReason::Extension});
        good(4, jpeg_of_colour(4));
        h = header(5);
        h.csrc_count = 2;
        poison(h, {DropReason::CsrcCount});
        good(5, jpeg_of_colour(5));
        h = header(6);
        h.marker = true;
        poison(h, {DropReason::Marker});
        good(6, jpeg_of_colour(6));
        h = header(7);
        h.payload_type = 96;
        poison(h, {DropReason::PayloadType});
        good(7, jpeg_of_colour(7));
        h = header(8);
        h.ssrc = kSession + 1;
        poison(h, {DropReason::Ssrc});
        good(8, jpeg_of_colour(8));
        poison(header(3), {DropReason::OldSeq});
        poison(header(8), {DropReason::DuplicateSeq});
        h = header(9);
        h.timestamp = 0;
        poison(h, {DropReason::Timestamp});
        h = header(9);
        h.timestamp = now_s() - 86400;
        poison(h, {DropReason::Timestamp});
        good(9, jpeg_of_colour(9));
        raw(Bytes{0x80, 0x1A, 0x00, 0x0A, 0x00, 0x00, 0x00}, {DropReason::Short});
        raw(Bytes{}, {DropReason::Short});
        // 0xFF everywhere: V=3 P=1 X=1 CC=15 M=1 PT=127, SSRC wrong, seq 65535 is
        // behind 9, timestamp 2^32-1 is far off, payload not a JPEG.
        raw(Bytes(40, 0xFF), {DropReason::Version, DropReason::Padding, DropReason::Extension,
                              DropReason::CsrcCount, DropReason::Marker, DropReason::PayloadType,
                              DropReason::Ssrc, DropReason::OldSeq, DropReason::Timestamp, DropReason::NotJpeg});
        raw(rtp::encode_packet(header(10), Bytes{'0', '1', '2', '3', '4', 0xFF, 0xD9}), {DropReason::NotJpeg});
        good(10, jpeg_of_colour(10));
        // Accepted (header and JPEG markers are right) but does not decode.
        good(11, Bytes{0xFF, 0xD8, 0x00, 0x11, 0x22, 0x33, 0xFF, 0xD9});
        good(13, jpeg_of_colour(13));  // 12 lost: a gap is fine
        return d;
    }
};

TEST(RunClient, AcceptsValidFramesAndDropsEachKindOfBadPacket) {
    TempDir tmp;
    MixedStream stream;
    Script script;
    script.datagrams = [&stream] { return stream.build(); };
    FakeServer server(std::move(script));
    ClientOptions o = options_for(server.port());
    o.out_dir = tmp.path() / "frames";
    o.json_path = tmp.path() / "report.json";

    const RunResult r = run(o);
    server.join();
    ASSERT_EQ(server.error, "");

    EXPECT_THAT(server.request, ::testing::MatchesRegex("movie\\.mpeg " + std::to_string(o.udp_port) + "\\s*"));
    EXPECT_TRUE(server.got_go);
    EXPECT_EQ(r.report.exit_status, kExitOk) << r.err;
    EXPECT_EQ(r.report.session_id, kSession);

    const StreamStats& s = r.report.stream;
    EXPECT_EQ(s.accepted, stream.valid.size());
    EXPECT_EQ(s.dropped, stream.expected_dropped);
    EXPECT_EQ(s.received, stream.valid.size() + stream.expected_dropped);
    for (DropReason reason : kAllDropReasons) {
        const auto it = stream.expected_drops.find(reason);
        EXPECT_EQ(s.dropped_for(reason), it == stream.expected_drops.end() ? 0u : it->second)
            << drop_reason_name(reason);
    }
    EXPECT_EQ(s.undecodable, 1u);
    EXPECT_EQ(s.first_seq, 1);
    EXPECT_EQ(s.last_seq, 13);
    EXPECT_EQ(s.missing, 1u);

    // --out holds exactly the accepted payloads, byte for byte, and no poison.
    std::map<std::string, Bytes> files;
    for (const auto& e : fs::directory_iterator(*o.out_dir)) files[e.path().filename().string()] = read_file(e.path());
    ASSERT_EQ(files.size(), stream.valid.size());
    for (const auto& [seq, payload] : stream.valid) {
        const auto it = files.find(FrameWriter::file_name(seq));
        ASSERT_NE(it, files.end()) << seq;
        EXPECT_EQ(it->second, payload) << seq;
    }
    for (const Bytes& p : stream.poison_payloads)
        for (const auto& [name, content] : files) EXPECT_NE(content, p) << name << " holds a poison payload";
    EXPECT_EQ(r.report.frames_written, stream.valid.size());

    // The JSON carries the same numbers under the stable names.
    std::ifstream in(*o.json_path);
    const auto j = nlohmann::json::parse(in);
    EXPECT_EQ(j["session_id"], kSession);
    EXPECT_EQ(j["accepted"], stream.valid.size());
    EXPECT_EQ(j["dropped_by_reason"]["duplicate_seq"], 1);
    EXPECT_EQ(j["dropped_by_reason"]["timestamp"], 3);
    EXPECT_EQ(j["dropped_by_reason"].size(), kAllDropReasons.size());
    EXPECT_EQ(j["exit_status"], 0);
    EXPECT_THAT(r.out, HasSubstr("frames accepted"));
}

TEST(RunClient, RefusedSessionSendsNoGoAndExitsOne) {
    Script script;
    script.reply_chunks = {"-1"};  // no newline: the client must take silence as the end
    FakeServer server(std::move(script));
    const auto started = std::chrono::steady_clock::now();
    const RunResult r = run(options_for(server.port()));
    server.join();
    ASSERT_EQ(server.error, "");
    EXPECT_FALSE(server.got_go) << "bytes after -1: " << server.after_reply;
    EXPECT_EQ(server.after_reply, "");
    EXPECT_TRUE(r.report.refused);
    EXPECT_EQ(r.report.exit_status, kExitFailed);
    EXPECT_THAT(r.err, HasSubstr("server has no file movie.mpeg"));
    EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
}

TEST(RunClient, ReplySplitOverTwoReadsWithoutNewline) {
    Script script;
    script.reply_chunks = {"4839", "20"};
    script.datagrams = [] { return std::vector<Bytes>{rtp::encode_packet(header(1), jpeg_of_colour(1))}; };
    FakeServer server(std::move(script));
    const RunResult r = run(options_for(server.port()));
    server.join();
    ASSERT_EQ(server.error, "");
    EXPECT_EQ(r.report.session_id, kSession);
    EXPECT_EQ(r.report.stream.accepted, 1u);
    EXPECT_EQ(r.report.exit_status, kExitOk) << r.err;
}

TEST(RunClient, NoFramesExitsOne) {
    FakeServer server(Script{});  // Go, then close without a datagram
    const RunResult r = run(options_for(server.port()));
    server.join();
    EXPECT_TRUE(server.got_go);
    EXPECT_EQ(r.report.stream.accepted, 0u);
    EXPECT_EQ(r.report.exit_status, kExitFailed);
    EXPECT_TRUE(r.report.server_closed_control);
}

TEST(RunClient, ConnectionRefusedExitsTwo) {
    ClientOptions o = options_for(net::pick_free_tcp_port());
    const RunResult r = run(o);
    EXPECT_EQ(r.report.exit_status, kExitError);
    EXPECT_NE(r.report.error, "");
    EXPECT_THAT(r.err, HasSubstr("tpc3-client: "));
}

TEST(RunClient, GarbageReplyExitsTwo) {
    Script script;
    script.reply_chunks = {"hello there\n"};
    FakeServer server(std::move(script));
    const RunResult r = run(options_for(server.port()));
    server.join();
    EXPECT_FALSE(server.got_go);
    EXPECT_EQ(r.report.exit_status, kExitError);
    EXPECT_THAT(r.report.error, HasSubstr("hello there"));
}

TEST(RunClient, SilenceEndsTheStreamEvenWhenTcpStaysOpen) {
    Script script;
    script.close_after_stream = false;
    script.datagrams = [] {
        return std::vector<Bytes>{rtp::encode_packet(header(1), jpeg_of_colour(1)),
                                  rtp::encode_packet(header(2), jpeg_of_colour(2))};
    };
    FakeServer server(std::move(script));
    const auto started = std::chrono::steady_clock::now();
    const RunResult r = run(options_for(server.port()));
    server.join();
    EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
    EXPECT_EQ(r.report.stream.accepted, 2u);
    EXPECT_FALSE(r.report.server_closed_control);
    EXPECT_EQ(r.report.exit_status, kExitOk);
}

TEST(RunClient, StopFlagEndsPromptlyWithStatistics) {
    Script script;
    script.close_after_stream = false;
    script.datagrams = [] { return std::vector<Bytes>{rtp::encode_packet(header(1), jpeg_of_colour(1))}; };
    FakeServer server(std::move(script));
    ClientOptions o = options_for(server.port());
    o.idle_timeout_s = 30;  // only the stop flag can end it in time
    std::atomic<bool> stop{false};
    std::thread stopper([&stop] {
        std::this_thread::sleep_for(400ms);
        stop = true;
    });
    const auto started = std::chrono::steady_clock::now();
    const RunResult r = run(o, stop);
    stopper.join();
    server.join();
    EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
    EXPECT_EQ(r.report.end_reason, "interrupted");
    EXPECT_EQ(r.report.stream.accepted, 1u);
    EXPECT_THAT(r.out, HasSubstr("interrupted"));
}

// A movie of 4 frames; the server sends whatever `frames` says.
struct MovieRun {
    TempDir tmp;
    std::vector<Bytes> frames = {jpeg_of_colour(1), jpeg_of_colour(2), jpeg_of_colour(3), jpeg_of_colour(4)};
    fs::path movie = tmp.path() / "movie.mpeg";

    MovieRun() {
        movie::MovieWriter w(movie.string());
        for (const Bytes& f : frames) w.write(f);
        w.close();
    }

    RunResult stream(std::vector<std::pair<std::uint16_t, Bytes>> sent) {
        Script script;
        script.datagrams = [sent] {
            std::vector<Bytes> d;
            for (const auto& [seq, payload] : sent) d.push_back(rtp::encode_packet(header(seq), payload));
            return d;
        };
        FakeServer server(std::move(script));
        ClientOptions o = options_for(server.port());
        o.movie = movie.string();
        RunResult r = run(o);
        server.join();
        return r;
    }
};

TEST(RunClient, MovieMatchesWhenEveryFrameArrivesIntact) {
    MovieRun m;
    const RunResult r = m.stream({{1, m.frames[0]}, {2, m.frames[1]}, {3, m.frames[2]}, {4, m.frames[3]}});
    ASSERT_TRUE(r.report.movie);
    EXPECT_TRUE(r.report.movie->matched()) << r.report.movie->summary();
    EXPECT_EQ(r.report.movie->identical, 4u);
    EXPECT_EQ(r.report.exit_status, kExitOk);
}

TEST(RunClient, MovieMismatchNamesSeqAndByteOffset) {
    MovieRun m;
    Bytes changed = m.frames[1];
    changed[20] ^= 0x01;
    const RunResult r = m.stream({{1, m.frames[0]}, {2, changed}, {3, m.frames[2]}, {4, m.frames[3]}});
    ASSERT_TRUE(r.report.movie);
    EXPECT_FALSE(r.report.movie->matched());
    ASSERT_TRUE(r.report.movie->first_mismatch);
    EXPECT_EQ(r.report.movie->first_mismatch->seq, 2u);
    EXPECT_EQ(r.report.movie->first_mismatch->byte_offset, 20u);
    EXPECT_EQ(r.report.exit_status, kExitFailed);
}

TEST(RunClient, MovieMissingAndExtraFramesFail) {
    MovieRun m;
    const RunResult r = m.stream({{1, m.frames[0]}, {3, m.frames[2]}, {4, m.frames[3]}, {5, m.frames[0]}});
    ASSERT_TRUE(r.report.movie);
    EXPECT_EQ(r.report.movie->missing, 1u);
    EXPECT_EQ(r.report.movie->first_missing_seq, 2u);
    EXPECT_EQ(r.report.movie->extra, 1u);
    EXPECT_EQ(r.report.exit_status, kExitFailed);
}

}  // namespace
}  // namespace tpc3::client
