// screen_observer_bench: what screen observation costs (not part of CTest).
//
//   screen_observer_bench [--seconds S] [--grabs N]
//
// Part 1, per grab: a Tk window showing one marker frame that nearly fills a
// 640x480 and a 1024x768 Xvfb screen; N whole-screen grabs (XGetImage + copy)
// and N decodes (marker::decode_markers) timed, wall and CPU (this process,
// all threads: OpenCV may parallelise the marker search).
// Part 2, live: the Tk player shows S seconds of frames at 20/s while the
// ScreenObserver grabs at 50/s; CPU seconds per second of observation for the
// runner (observer threads) and for Xvfb (which also draws the player's
// frames), compared with the same run without an observer.
#include "observe/screen_observer.h"
#include "observe/testing/player_run.h"
#include "observe/x_screen.h"

#include "harness/process.h"
#include "harness/temp_dir.h"
#include "harness/xvfb_display.h"

#include <opencv2/core/utility.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <sys/resource.h>

namespace {

using namespace tpc3;
using namespace tpc3::observe;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

const fs::path kTkPlayer = fs::path(TPC3_SOURCE_DIR) / "conformance/client_role/observe/testdata/tk_player.py";

double cpu_s() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double wall_s() { return std::chrono::duration<double>(Clock::now().time_since_epoch()).count(); }

void per_grab(cv::Size screen, cv::Size frame, int n) {
    harness::TempDir dir("tpc3-bench-");
    const auto jpeg = marker::encode_jpeg(
        marker::render_frame(frame.width, frame.height, marker::MarkerValue::frame(1234), "bench"), 75);
    const fs::path file = dir / "f.jpg";
    std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(jpeg.data()),
                                                static_cast<std::streamsize>(jpeg.size()));
    harness::XvfbOptions xo;
    xo.width = screen.width;
    xo.height = screen.height;
    harness::XvfbDisplay xvfb(xo);
    auto po = harness::command({"/usr/bin/python3", kTkPlayer.string(), "50", "1.0", "60000", file.string()});
    po.set_env["DISPLAY"] = xvfb.name();
    po.cwd = dir.path();
    harness::Process player(po);
    std::string error;
    auto x = XScreen::connect(xvfb.name(), 3s, &error);
    if (!x) {
        std::printf("cannot connect: %s\n", error.c_str());
        return;
    }
    // Wait for the frame to be on screen and readable.
    cv::Mat image;
    const auto deadline = Clock::now() + 10s;
    const cv::Rect whole(cv::Point(0, 0), x->screen_size());
    while (Clock::now() < deadline) {
        if (x->grab(whole, image, &error) && marker::decode_single(image)) break;
        std::this_thread::sleep_for(50ms);
    }
    const auto region = x->viewable_region();
    double w0 = wall_s(), c0 = cpu_s();
    for (int i = 0; i < n; ++i) x->grab(whole, image, &error);
    const double grab_wall = (wall_s() - w0) / n * 1e3, grab_cpu = (cpu_s() - c0) / n * 1e3;
    int read = 0;
    w0 = wall_s();
    c0 = cpu_s();
    for (int i = 0; i < n; ++i) read += marker::decode_markers(image).size() == 1 ? 1 : 0;
    const double dec_wall = (wall_s() - w0) / n * 1e3, dec_cpu = (cpu_s() - c0) / n * 1e3;
    // The same decode on one thread.
    const int threads = cv::getNumThreads();
    cv::setNumThreads(1);
    w0 = wall_s();
    for (int i = 0; i < n; ++i) marker::decode_markers(image);
    const double dec1_wall = (wall_s() - w0) / n * 1e3;
    cv::setNumThreads(threads);
    std::printf("  screen %4dx%-4d frame %dx%d (window %dx%d): grab %.2f ms (runner CPU %.2f ms), decode %.2f ms "
                "(CPU %.2f ms; %.2f ms on 1 thread), read %d/%d\n",
                screen.width, screen.height, frame.width, frame.height, region ? region->width : 0,
                region ? region->height : 0, grab_wall, grab_cpu, dec_wall, dec_cpu, dec1_wall, read, n);
    x.reset();
    player.stop(1s);
}

void live(cv::Size frame, int seconds) {
    testing::PlayerSpec spec;
    spec.kind = testing::PlayerSpec::Kind::tk;
    spec.program = kTkPlayer;
    spec.frame_size = frame;
    for (int k = 1; k <= seconds * 20; ++k) spec.values.push_back(marker::MarkerValue::frame(static_cast<std::uint32_t>(k)));
    spec.screen = cv::Size(1024, 768);
    for (const bool observe : {false, true}) {
        spec.observe = observe;
        const auto run = testing::run_player(spec);
        if (!run.completed) {
            std::printf("  %dx%d: player failed: %s\n", frame.width, frame.height, run.failure.c_str());
            return;
        }
        std::printf("  frames %dx%d, %s: %.1f s, runner CPU %.3f s/s, Xvfb CPU %.3f s/s", frame.width, frame.height,
                    observe ? "observed at 50/s" : "not observed    ", run.wall_s, run.runner_cpu_s / run.wall_s,
                    run.xvfb_cpu_s / run.wall_s);
        if (observe) {
            const auto a = testing::measure_accuracy(spec, run);
            const auto& st = run.stats;
            std::printf("; %zu ticks (%zu missed), %zu decoded, %zu unchanged, %zu dropped; %zu/%zu frames seen, "
                        "%zu misreadings",
                        st.ticks, st.ticks_missed, st.decoded, st.unchanged, st.dropped, a.frames_seen,
                        spec.values.size(), a.misreadings.size());
        }
        std::printf("\n");
    }
}

}  // namespace

int main(int argc, char** argv) {
    int seconds = 5, grabs = 60;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--seconds")) seconds = std::max(1, std::atoi(argv[i + 1]));
        else if (!std::strcmp(argv[i], "--grabs")) grabs = std::max(1, std::atoi(argv[i + 1]));
    }
    std::printf("OpenCV threads: %d, CPUs: %u\n", cv::getNumThreads(), std::thread::hardware_concurrency());
    std::printf("Per grab (whole screen):\n");
    per_grab({640, 480}, {600, 400}, grabs);
    per_grab({1024, 768}, {960, 680}, grabs);
    per_grab({1024, 768}, {320, 240}, grabs);
    std::printf("Live observation (Tk player, 20 frames/s; default area = the client's window):\n");
    live({320, 240}, seconds);
    live({640, 480}, seconds);
    return 0;
}
