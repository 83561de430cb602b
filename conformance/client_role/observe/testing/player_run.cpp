#include "observe/testing/player_run.h"

#include "harness/process.h"
#include "harness/temp_dir.h"
#include "harness/xvfb_display.h"

#include <opencv2/imgproc.hpp>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <thread>

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

namespace tpc3::observe::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

Clock::time_point from_seconds(double s) {
    return Clock::time_point(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s)));
}

double process_cpu_s() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// utime + stime of another process, from /proc/PID/stat (0 when unreadable).
double other_cpu_s(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = stat.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream fields(stat.substr(close + 2));
    std::string f;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && fields >> f; ++i) {
        if (i == 14) utime = std::stoull(f);
        if (i == 15) stime = std::stoull(f);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::vector<ShowEntry> parse_shows(const std::string& out) {
    std::vector<ShowEntry> shows;
    std::istringstream in(out);
    std::string line;
    while (std::getline(in, line)) {
        std::size_t index = 0;
        double t0 = 0, t1 = 0;
        if (std::sscanf(line.c_str(), "shown %zu %lf %lf", &index, &t0, &t1) == 3)
            shows.push_back({index, from_seconds(t0), from_seconds(t1)});
    }
    return shows;
}

std::vector<std::string> write_frames(const PlayerSpec& spec, const fs::path& dir) {
    std::vector<std::string> files;
    for (std::size_t i = 0; i < spec.values.size(); ++i) {
        const auto bytes = marker::encode_jpeg(
            marker::render_frame(spec.frame_size.width, spec.frame_size.height, spec.values[i], "accuracy test"),
            spec.jpeg_quality);
        const fs::path p = dir / ("f" + std::to_string(i) + ".jpg");
        std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                 static_cast<std::streamsize>(bytes.size()));
        files.push_back(p.string());
    }
    return files;
}

}  // namespace

PlayerRun run_player(const PlayerSpec& spec, const std::function<void(const ScreenObserver&)>& inspect) {
    PlayerRun run;
    harness::TempDir dir("tpc3-observe-");
    const auto files = write_frames(spec, dir.path());

    harness::XvfbOptions xo;
    xo.width = spec.screen.width;
    xo.height = spec.screen.height;
    harness::XvfbDisplay xvfb(xo);
    const pid_t xvfb_pid = xvfb.pid();

    std::vector<std::string> argv;
    if (spec.kind == PlayerSpec::Kind::tk) {
        argv = {"/usr/bin/python3", spec.program.string(), std::to_string(spec.period_ms), std::to_string(spec.scale),
                "300"};
    } else {
        argv = {spec.program.string(), std::to_string(spec.period_ms), "300"};
    }
    argv.insert(argv.end(), files.begin(), files.end());
    harness::ProcessOptions po = harness::command(argv);
    po.label = "player";
    po.cwd = dir.path();
    po.set_env["DISPLAY"] = xvfb.name();
    po.set_env["QT_QPA_PLATFORM"] = "xcb";
    po.set_env["XDG_RUNTIME_DIR"] = dir.path().string();
    po.output_dir = dir.path();
    auto player = std::make_unique<harness::Process>(po);

    ScreenObserverOptions oo = spec.observer;
    oo.display = xvfb.name();
    {
        std::optional<ScreenObserver> observer;
        if (spec.observe) observer.emplace(oo);
        const auto deadline = Clock::now() + 20s;
        std::string out;
        bool ready = false;
        Clock::time_point t_ready = Clock::now();
        double cpu_ready = process_cpu_s(), xvfb_ready = other_cpu_s(xvfb_pid);
        while (Clock::now() < deadline) {
            out = player->read_output(harness::Stream::out);
            if (!ready && out.find("ready\n") != std::string::npos) {
                ready = true;
                t_ready = Clock::now();
                cpu_ready = process_cpu_s();
                xvfb_ready = other_cpu_s(xvfb_pid);
            }
            if (out.find("done\n") != std::string::npos) {
                run.completed = true;
                break;
            }
            if (!player->running()) break;
            std::this_thread::sleep_for(10ms);
        }
        // The last frame stays on screen: give the observer two periods to see it.
        std::this_thread::sleep_for(std::chrono::milliseconds(2 * spec.period_ms));
        if (!run.completed)
            run.failure = player->running() ? "the player did not finish within 20 s"
                                            : "the player " + player->exit_status()->describe() + " early";
        if (observer) observer->stop();
        run.wall_s = std::chrono::duration<double>(Clock::now() - t_ready).count();
        run.runner_cpu_s = process_cpu_s() - cpu_ready;
        run.xvfb_cpu_s = other_cpu_s(xvfb_pid) - xvfb_ready;
        run.shows = parse_shows(player->read_output(harness::Stream::out));
        if (observer) {
            run.grabs = observer->grabs();
            run.stats = observer->stats();
            if (inspect) inspect(*observer);
        }
    }
    run.player_exit = player->wait_for(2s).value_or(harness::ExitStatus::unknown());
    run.player_exit = player->stop(1s);
    run.player_stderr = player->read_output(harness::Stream::err);
    run.player_gone = player->family().empty();
    player.reset();
    xvfb.stop();
    run.xvfb_gone = !xvfb.running() && ::kill(xvfb_pid, 0) != 0;
    return run;
}

std::string Accuracy::summary() const {
    std::ostringstream s;
    s << grabs << " grabs (" << decoded << " decoded, " << readable << " readable), " << during_playback
      << " during playback, " << with_reading << " with a reading (decode rate " << static_cast<int>(decode_rate() * 100)
      << " %), " << frames_seen << "/" << frame_grabs.size() << " frames seen, " << misreadings.size()
      << " misreadings, " << (seen_in_order ? "in order" : "OUT OF ORDER");
    for (std::size_t i = 0; i < missed.size(); ++i) s << (i ? ", " : "; missed ") << marker::to_string(missed[i]);
    return s.str();
}

Accuracy measure_accuracy(const PlayerSpec& spec, const PlayerRun& run) {
    Accuracy a;
    a.frame_grabs.assign(spec.values.size(), 0);
    const double default_slack = spec.kind == PlayerSpec::Kind::tk ? 0.0 : 60.0;
    const auto slack = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double, std::milli>(spec.slack_ms.value_or(default_slack)));
    // Show i may be on screen during [t0_i, t1_{i+1} + slack]; the last one until the end.
    std::vector<std::pair<Clock::time_point, Clock::time_point>> visible(run.shows.size());
    for (std::size_t i = 0; i < run.shows.size(); ++i) {
        visible[i].first = run.shows[i].t0;
        visible[i].second = i + 1 < run.shows.size() ? run.shows[i + 1].t1 + slack : Clock::time_point::max();
    }
    const Clock::time_point playback_begin = run.shows.empty() ? Clock::time_point::max() : run.shows.front().t0;
    const Clock::time_point playback_end =
        run.shows.empty() ? Clock::time_point::min() : run.shows.back().t1 + std::chrono::milliseconds(spec.period_ms);

    std::vector<std::optional<std::size_t>> first_seen(spec.values.size());
    for (const auto& g : run.grabs) {
        ++a.grabs;
        if (g.status == GrabRecord::Status::decoded) ++a.decoded;
        if (!g.readable()) continue;
        ++a.readable;
        const bool in_playback = g.started >= playback_begin && g.finished <= playback_end;
        if (in_playback) {
            ++a.during_playback;
            if (!g.readings.empty()) ++a.with_reading;
        }
        for (const auto& r : g.readings) {
            bool consistent = false;
            for (std::size_t i = 0; i < run.shows.size(); ++i) {
                const std::size_t k = run.shows[i].index;
                if (k >= spec.values.size() || spec.values[k] != r.value) continue;
                if (g.finished >= visible[i].first && g.started <= visible[i].second) {
                    consistent = true;
                    ++a.frame_grabs[k];
                    if (!first_seen[k]) first_seen[k] = g.index;
                }
            }
            if (!consistent) {
                const double at_ms =
                    run.shows.empty() ? 0.0
                                      : std::chrono::duration<double, std::milli>(g.started - run.shows.front().t0).count();
                a.misreadings.push_back({g.index, r.value,
                                         "grab " + std::to_string(g.index) + " at " + std::to_string(at_ms) +
                                             " ms read " + marker::to_string(r.value) + ", which was not on screen then"});
            }
        }
    }
    std::size_t last = 0;
    for (std::size_t k = 0; k < first_seen.size(); ++k) {
        if (!first_seen[k]) {
            a.missed.push_back(spec.values[k]);
            continue;
        }
        ++a.frames_seen;
        if (*first_seen[k] < last) a.seen_in_order = false;
        last = *first_seen[k];
    }
    return a;
}

}  // namespace tpc3::observe::testing
