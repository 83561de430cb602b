// server_suite_bench: how long the whole server suite takes with the default
// movie, against the (threaded) Python example and against a server that
// serves one session at a time, and what the runner costs in CPU per
// datagram it receives. Not a CTest test (timing depends on the machine):
//
//   build/conformance/server_role/suite/server_suite_bench [--runs N]
//
// Goal (issue 3): wall time at most 1.5 x the stream length (2 s) + 2 s = 5 s
// against the Python example.
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "harness/ports.h"
#include "harness/process.h"
#include "harness/readiness.h"
#include "harness/temp_dir.h"
#include "session/client_session.h"
#include "suite/observed_sessions.h"
#include "suite/runner_movies.h"
#include "suite/server_suite.h"
#include "suite/session_scripts.h"

namespace {

using namespace tpc3::conform::server;

const std::string kGood = TPC3_SOURCE_DIR "/conformance/examples/good";
const std::string kOneAtATime = TPC3_SOURCE_DIR "/conformance/server_role/fixtures/broken_servers/rob04_one_session_at_a_time";

double cpu_seconds()
{
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    return s(u.ru_utime) + s(u.ru_stime);
}

// Every datagram the runner received in the run.
std::size_t datagrams(const Observations& o)
{
    std::size_t n = 0;
    for (const SessionRecord* r : observed_sessions(o)) n += r->packets.size() + r->packets_not_kept;
    return n;
}

struct Sample {
    double wall_s = 0;
    double cpu_s = 0;
    double sessions_cpu_s = 0;  // the plan: playing the sessions (its verdicts apart)
    double verdicts_cpu_s = 0;  // the plan's verdicts on answers (judging, JPEG decoding)
    double movies_cpu_s = 0;
    double judging_cpu_s = 0;
    std::size_t datagrams = 0;
    int exit_status = 0;
    bool concurrent = false;
};

Sample run_once(const std::string& dir, bool fixture)
{
    ServerSuiteOptions o;
    std::map<std::string, std::string> env;
    if (fixture) env["TPC3_GOOD_EXAMPLE"] = kGood;
    o.target = LaunchSpec{std::string(TPC3_PYTHON) + " Server.py {port}", dir, env, std::chrono::seconds(10)};
    o.timeout = std::chrono::seconds(120);
    const double cpu0 = cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    const ServerSuiteRun run = run_server_suite(o);
    Sample s;
    s.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    s.cpu_s = cpu_seconds() - cpu0;
    s.datagrams = datagrams(run.observations);
    s.exit_status = run.report.exit_status();
    s.concurrent = run.report.extra.value("concurrent_server", false);
    const nlohmann::json& t = run.report.extra.at("timings");
    s.sessions_cpu_s = t.at("sessions").at("cpu_s").get<double>() -
                       t.at("sessions").value("of_which_verdicts_cpu_s", 0.0);
    s.verdicts_cpu_s = t.at("sessions").value("of_which_verdicts_cpu_s", 0.0);
    s.movies_cpu_s = t.at("movies").at("cpu_s").get<double>();
    s.judging_cpu_s = t.at("judging").at("cpu_s").get<double>();
    return s;
}

void report(const char* name, std::vector<Sample> samples)
{
    std::sort(samples.begin(), samples.end(), [](const Sample& a, const Sample& b) { return a.wall_s < b.wall_s; });
    const Sample& median = samples[samples.size() / 2];
    double cpu = 0, sessions = 0, movies = 0, judging = 0, verdicts = 0;
    std::size_t packets = 0;
    for (const Sample& s : samples) {
        cpu += s.cpu_s;
        sessions += s.sessions_cpu_s;
        movies += s.movies_cpu_s;
        judging += s.judging_cpu_s;
        verdicts += s.verdicts_cpu_s;
        packets += s.datagrams;
    }
    const double n = static_cast<double>(samples.size());
    std::printf("%-34s runs %zu  wall min %.2f s  median %.2f s  max %.2f s  (exit %d, %s)\n", name, samples.size(),
                samples.front().wall_s, median.wall_s, samples.back().wall_s, median.exit_status,
                median.concurrent ? "concurrent" : "one session at a time");
    std::printf("%-34s runner CPU per run %.3f s: movies %.3f, sessions %.3f (+ verdicts during the plan %.3f), "
                "judging %.3f; %zu datagrams\n",
                "", cpu / n, movies / n, sessions / n, verdicts / n, judging / n, packets / samples.size());
    std::printf("%-34s CPU per received datagram: %.0f us in the sessions phase, %.0f us all included\n", "",
                packets ? sessions / static_cast<double>(packets) * 1e6 : 0.0,
                packets ? cpu / static_cast<double>(packets) * 1e6 : 0.0);
}

double thread_cpu_seconds()
{
    timespec t{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

// The marginal cost of receiving: one session of `frames` main-movie frames
// from the reference server at `rate` datagrams/s, its thread's CPU time
// (receiving with kernel timestamps, recording, the observer-free path)
// over the datagrams received.
void receive_path(std::size_t frames, int rate)
{
    tpc3::harness::TempDir dir("tpc3-bench-");
    MarkerMovieSpec spec = main_movie_spec();
    spec.frames = frames;
    const MovieUnderTest movie = make_marker_movie(dir.path(), "bench.mpeg", spec);
    const std::uint16_t port = tpc3::harness::pick_free_tcp_port();
    tpc3::harness::ProcessOptions po = tpc3::harness::command({TPC3_BINARY_DIR "/reference/server/tpc3-server",
                                                               std::to_string(port), "--dir", dir.path().string(),
                                                               "--rate", std::to_string(rate)});
    po.label = "reference-server";
    tpc3::harness::Process server(std::move(po));
    if (!tpc3::harness::wait_for_tcp_listener(port, tpc3::harness::deadline_after(std::chrono::seconds(10)), &server)) {
        std::printf("receive path: the reference server did not start\n");
        return;
    }
    SessionScript script = main_stream_script("bench", "bench.mpeg", frames, Millis(120000));
    script.wait_before_go = Millis(0);
    const double cpu0 = thread_cpu_seconds();
    const SessionRecord r = run_session({"127.0.0.1", port}, script);
    const double cpu = thread_cpu_seconds() - cpu0;
    std::size_t bytes = 0;
    for (const auto& p : r.packets) bytes += p.bytes.size();
    std::printf("receive path (%zu frames of ~%zu B at %d/s from the reference server): %zu datagrams, "
                "%.1f us CPU per datagram\n",
                frames, bytes / std::max<std::size_t>(1, r.packets.size()), rate, r.packets.size(),
                r.packets.empty() ? 0.0 : cpu / static_cast<double>(r.packets.size()) * 1e6);
}

}  // namespace

int main(int argc, char** argv)
{
    int runs = 3;
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], "--runs") == 0) runs = std::max(1, std::atoi(argv[i + 1]));
    std::printf("server suite, default movie (40 frames, 2 s stream); goal against the Python example: <= 5.0 s\n");
    std::vector<Sample> good, single;
    for (int i = 0; i < runs; ++i) good.push_back(run_once(kGood, false));
    report("Python example (threaded)", good);
    for (int i = 0; i < runs; ++i) single.push_back(run_once(kOneAtATime, true));
    report("one session at a time (rob04)", single);
    receive_path(2000, 1000);
    return 0;
}
