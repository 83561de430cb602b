// End-to-end tests on loopback: every program runs as a real process under
// tpc3_harness, in fresh temporary directories, on free ports; nothing may be
// left running afterwards. A missing executable is a failure, never a skip.
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "harness/ports.h"
#include "harness/proc_table.h"
#include "harness/process.h"
#include "harness/readiness.h"
#include "harness/temp_dir.h"
#include "harness/xvfb_display.h"
#include "movie/movie_reader.h"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace tpc3::harness;
using Bytes = std::vector<std::uint8_t>;

namespace {

const fs::path kServer = TPC3_BINARY_DIR "/reference/server/tpc3-server";
const fs::path kClient = TPC3_BINARY_DIR "/reference/client/tpc3-client";
const fs::path kMovieTool = TPC3_BINARY_DIR "/tools/movie/tpc3-movie";
const fs::path kExample = TPC3_SOURCE_DIR "/conformance/examples/good";
const fs::path kPython = TPC3_PYTHON;

constexpr int kFrames = 40;
const std::string kMovieName = "movie.mpeg";

::testing::AssertionResult is_executable(const fs::path& p) {
    std::error_code ec;
    if (fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "required program missing: " << p
                                         << " (build its target, e.g. `cmake --build BUILD --target "
                                         << p.filename().string() << "`)";
}

Bytes read_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string tail(const std::string& s, std::size_t n = 2000) {
    return s.size() <= n ? s : "..." + s.substr(s.size() - n);
}

// What a finished process said, for failure messages.
std::string outputs_of(const Process& p) {
    return "\n--- " + p.describe() + " stdout:\n" + tail(p.read_output(Stream::out)) + "\n--- stderr:\n" +
           tail(p.read_output(Stream::err));
}

std::vector<Bytes> read_movie_frames(const fs::path& movie) {
    std::vector<Bytes> frames;
    tpc3::movie::MovieReader reader(movie.string());
    while (auto f = reader.next()) frames.push_back(std::move(f->data));
    return frames;
}

// The stream of the session must match the movie: top-level "matched" or
// the client's "movie": {"matched": ...}.
std::optional<bool> json_matched(const nlohmann::json& j) {
    if (j.contains("matched") && j["matched"].is_boolean()) return j["matched"].get<bool>();
    if (j.contains("movie") && j["movie"].is_object() && j["movie"].contains("matched"))
        return j["movie"]["matched"].get<bool>();
    return std::nullopt;
}

// "dropped" as a count, or as an object of counts by reason.
std::uint64_t json_dropped_total(const nlohmann::json& j) {
    const auto& d = j.at("dropped");
    if (d.is_number()) return d.get<std::uint64_t>();
    std::uint64_t total = 0;
    for (const auto& [reason, n] : d.items()) total += n.get<std::uint64_t>();
    return total;
}

XvfbOptions small_display() {
    XvfbOptions o;
    o.width = 640;
    o.height = 480;
    return o;
}

class E2eTest : public ::testing::Test {
protected:
    // Everything of one test lives below root_: its path marks the test's processes.
    TempDir root_{"tpc3-e2e-"};
    fs::path movie_dir_ = root_ / "movies";
    fs::path logs_ = root_ / "logs";
    fs::path movie_ = movie_dir_ / kMovieName;
    std::vector<Bytes> frames_;

    void SetUp() override {
        fs::create_directories(movie_dir_);
        fs::create_directories(logs_);
    }

    void TearDown() override {
        std::vector<pid_t> left = live_processes_with_cmdline(root_.path().string());
        std::string list;
        for (pid_t p : left) list += "\n  " + std::to_string(p) + ": " + read_cmdline(p);
        EXPECT_TRUE(left.empty()) << "processes left behind:" << list;
        for (pid_t p : left) ::kill(p, SIGKILL);
        if (HasFailure() && std::getenv("TPC3_KEEP_TMP") != nullptr) {
            root_.keep();
            std::printf("kept %s for inspection (TPC3_KEEP_TMP is set)\n", root_.path().c_str());
        }
    }

    // tpc3-movie make: a fresh movie of kFrames distinct frames.
    void make_movie() {
        ASSERT_TRUE(is_executable(kMovieTool));
        ProcessOptions o = command({kMovieTool, "make", movie_.string(), "--frames", std::to_string(kFrames), "--size",
                                    "320x240"});
        o.label = "tpc3-movie";
        o.output_dir = logs_;
        Process tool(o);
        auto st = tool.wait_for(60s);
        ASSERT_TRUE(st) << "tpc3-movie make did not finish in 60 s" << outputs_of(tool);
        ASSERT_TRUE(st->success()) << "tpc3-movie make " << st->describe() << outputs_of(tool);
        frames_ = read_movie_frames(movie_);
        ASSERT_EQ(frames_.size(), static_cast<std::size_t>(kFrames)) << movie_;
        ASSERT_NE(frames_.front(), frames_.back()) << "frames must differ for the checks to mean anything";
    }

    // tpc3-server 0 --dir movies; returns its TCP port.
    std::uint16_t start_reference_server(std::optional<Process>& server) {
        EXPECT_TRUE(is_executable(kServer));
        if (!is_executable(kServer)) return 0;
        ProcessOptions o = command({kServer, "0", "--dir", movie_dir_.string()});
        o.label = "tpc3-server";
        o.output_dir = logs_;
        server.emplace(o);
        LineMatch line = wait_for_output_line(*server, Stream::out,
                                              std::regex(R"(listening on 127\.0\.0\.1:(\d+))"), deadline_after(10s));
        EXPECT_TRUE(line) << line.describe() << outputs_of(*server);
        if (!line) return 0;
        return static_cast<std::uint16_t>(std::stoi(line.groups.at(1)));
    }

    // The example submission is copied, as the conformance runner does, so no
    // __pycache__ lands in the source tree.
    fs::path example_code() {
        fs::path code = root_ / "code";
        if (!fs::exists(code)) copy_tree(kExample, code);
        return code;
    }

    ProcessOptions python(const std::string& label, std::vector<std::string> args) {
        ProcessOptions o = command({kPython.string()});
        o.argv.insert(o.argv.end(), args.begin(), args.end());
        o.label = label;
        o.output_dir = logs_;
        o.set_env["PYTHONDONTWRITEBYTECODE"] = "1";
        o.set_env["PYTHONUNBUFFERED"] = "1";
        return o;
    }

    // python3 Server.py PORT in the movie directory; returns its TCP port.
    std::uint16_t start_python_server(std::optional<Process>& server) {
        const std::uint16_t port = pick_free_tcp_port();
        ProcessOptions o = python("Server.py", {(example_code() / "Server.py").string(), std::to_string(port)});
        o.cwd = movie_dir_;
        server.emplace(o);
        // Not a probe connection: the example server would log it as a client.
        ReadinessResult r = wait_for_tcp_listener(port, deadline_after(10s), &*server);
        EXPECT_TRUE(r) << r.describe() << outputs_of(*server);
        return r ? port : 0;
    }

    struct ClientRun {
        std::optional<ExitStatus> status;
        nlohmann::json report;
        std::string outputs;
    };

    // tpc3-client 127.0.0.1 PORT UDP FILE --movie movie --json --out --headless
    ClientRun run_reference_client(std::uint16_t tcp_port, const std::string& file, const fs::path& out_dir) {
        ClientRun run;
        const fs::path json = root_ / "client.json";
        ProcessOptions o = command({kClient.string(), "127.0.0.1", std::to_string(tcp_port),
                                    std::to_string(pick_free_udp_port()), file, "--movie", movie_.string(), "--json",
                                    json.string(), "--out", out_dir.string(), "--headless"});
        o.label = "tpc3-client";
        o.output_dir = logs_;
        o.cwd = root_.path();
        Process client(o);
        run.status = client.wait_for(30s);
        client.stop();
        run.outputs = outputs_of(client);
        std::ifstream in(json);
        if (in) run.report = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
        return run;
    }

    // The whole stream arrived intact: statistics and every frame file.
    void expect_full_stream(const ClientRun& run, const fs::path& out_dir) {
        ASSERT_TRUE(run.status) << "tpc3-client still ran after 30 s" << run.outputs;
        EXPECT_TRUE(run.status->success()) << "tpc3-client " << run.status->describe() << run.outputs;
        ASSERT_TRUE(run.report.is_object()) << "no JSON report" << run.outputs;
        const auto& j = run.report;
        SCOPED_TRACE("client JSON: " + j.dump());
        EXPECT_TRUE(j.contains("session_id") && j["session_id"].is_number_integer());
        EXPECT_EQ(j.value("received", -1), kFrames);
        EXPECT_EQ(j.value("accepted", -1), kFrames);
        EXPECT_EQ(json_dropped_total(j), 0u);
        EXPECT_EQ(json_matched(j), std::optional<bool>(true));
        for (int seq = 1; seq <= kFrames; ++seq) {
            char name[32];
            std::snprintf(name, sizeof name, "frame-%05d.jpg", seq);
            const fs::path f = out_dir / name;
            ASSERT_TRUE(fs::exists(f)) << f;
            EXPECT_TRUE(read_bytes(f) == frames_[static_cast<std::size_t>(seq - 1)])
                << f << " differs from frame " << seq - 1 << " of the movie";
        }
        std::size_t files = 0;
        for (const auto& e : fs::directory_iterator(out_dir)) files += e.is_regular_file() ? 1 : 0;
        EXPECT_EQ(files, static_cast<std::size_t>(kFrames)) << "extra files in " << out_dir;
    }

    std::vector<fs::path> cache_files(const fs::path& dir) {
        std::vector<fs::path> out;
        static const std::regex name(R"(cache-\d+\.jpg)");
        for (const auto& e : fs::directory_iterator(dir)) {
            if (std::regex_match(e.path().filename().string(), name)) out.push_back(e.path());
        }
        return out;
    }
};

TEST_F(E2eTest, ReferenceClientReceivesWholeMovieFromReferenceServer) {
    ASSERT_TRUE(is_executable(kClient));
    ASSERT_NO_FATAL_FAILURE(make_movie());
    std::optional<Process> server;
    const std::uint16_t port = start_reference_server(server);
    ASSERT_NE(port, 0);
    const fs::path frames = root_ / "frames";
    ClientRun run = run_reference_client(port, kMovieName, frames);
    expect_full_stream(run, frames);
    EXPECT_TRUE(server->running()) << "the server must outlive a session" << outputs_of(*server);
}

TEST_F(E2eTest, ReferenceClientReceivesWholeMovieFromPythonServer) {
    ASSERT_TRUE(is_executable(kClient));
    ASSERT_TRUE(is_executable(kPython));
    ASSERT_NO_FATAL_FAILURE(make_movie());
    std::optional<Process> server;
    const std::uint16_t port = start_python_server(server);
    ASSERT_NE(port, 0);
    const fs::path frames = root_ / "frames";
    ClientRun run = run_reference_client(port, kMovieName, frames);
    expect_full_stream(run, frames);
    EXPECT_TRUE(server->running()) << outputs_of(*server);
    server->stop();
    EXPECT_EQ(server->read_output(Stream::err).find("Traceback"), std::string::npos) << outputs_of(*server);
}

TEST_F(E2eTest, PythonClientCachesLastFrameFromReferenceServer) {
    ASSERT_TRUE(is_executable(kPython));
    ASSERT_NO_FATAL_FAILURE(make_movie());
    std::optional<Process> server;
    const std::uint16_t port = start_reference_server(server);
    ASSERT_NE(port, 0);
    XvfbDisplay display(small_display());
    const fs::path cwd = root_ / "client-cwd";
    fs::create_directories(cwd);
    ProcessOptions o = python("Client.py", {(example_code() / "Client.py").string(), "127.0.0.1", std::to_string(port),
                                            std::to_string(pick_free_udp_port()), kMovieName});
    o.cwd = cwd;
    o.set_env["DISPLAY"] = display.name();
    Process client(o);

    // The server logs the end of the session after its last datagram.
    LineMatch end = wait_for_output_line(*server, Stream::err, std::regex(R"(event=end\b)"), deadline_after(20s));
    ASSERT_TRUE(end) << end.describe() << outputs_of(*server) << outputs_of(client);
    // Then the client writes the last payload to its cache file (atomically).
    const Bytes& last = frames_.back();
    std::vector<fs::path> caches;
    bool has_last = false;
    for (auto until = deadline_after(5s); Clock::now() < until && !has_last;) {
        caches = cache_files(cwd);
        has_last = caches.size() == 1 && read_bytes(caches[0]) == last;
        if (!has_last) std::this_thread::sleep_for(50ms);
    }
    EXPECT_EQ(caches.size(), 1u) << "expected exactly one cache-<SessionID>.jpg in " << cwd << outputs_of(client);
    EXPECT_TRUE(has_last) << "the cache file does not hold the last frame of the movie" << outputs_of(client);
    EXPECT_TRUE(client.running()) << "Client.py must stay open after the stream" << outputs_of(client);
    client.stop();
    EXPECT_EQ(client.read_output(Stream::err).find("Traceback"), std::string::npos) << outputs_of(client);
}

TEST_F(E2eTest, ReferenceClientAskingForMissingFileExitsWithOne) {
    ASSERT_TRUE(is_executable(kClient));
    ASSERT_NO_FATAL_FAILURE(make_movie());
    std::optional<Process> server;
    const std::uint16_t port = start_reference_server(server);
    ASSERT_NE(port, 0);
    ClientRun run = run_reference_client(port, "no-such-movie.mpeg", root_ / "frames");
    ASSERT_TRUE(run.status) << run.outputs;
    EXPECT_EQ(*run.status, ExitStatus::exited(1)) << run.status->describe() << run.outputs;
    LineMatch logged = wait_for_output_line(*server, Stream::err, std::regex(R"(event=not_found\b.*no-such-movie)"),
                                            deadline_after(5s));
    EXPECT_TRUE(logged) << logged.describe() << outputs_of(*server);
}

TEST_F(E2eTest, PythonClientAskingForMissingFileExitsByItself) {
    ASSERT_TRUE(is_executable(kPython));
    ASSERT_NO_FATAL_FAILURE(make_movie());
    std::optional<Process> server;
    const std::uint16_t port = start_reference_server(server);
    ASSERT_NE(port, 0);
    XvfbDisplay display(small_display());
    const fs::path cwd = root_ / "client-cwd";
    fs::create_directories(cwd);
    ProcessOptions o = python("Client.py", {(example_code() / "Client.py").string(), "127.0.0.1", std::to_string(port),
                                            std::to_string(pick_free_udp_port()), "no-such-movie.mpeg"});
    o.cwd = cwd;
    o.set_env["DISPLAY"] = display.name();
    Process client(o);
    auto st = client.wait_for(5s);
    ASSERT_TRUE(st) << "Client.py still runs 5 s after the server refused" << outputs_of(client);
    EXPECT_EQ(*st, ExitStatus::exited(1)) << st->describe() << outputs_of(client);
    EXPECT_EQ(client.read_output(Stream::err).find("Traceback"), std::string::npos) << outputs_of(client);
    EXPECT_TRUE(cache_files(cwd).empty());
    LineMatch logged = wait_for_output_line(*server, Stream::err, std::regex(R"(event=not_found\b)"),
                                            deadline_after(5s));
    EXPECT_TRUE(logged) << logged.describe() << outputs_of(*server);
}

}  // namespace
