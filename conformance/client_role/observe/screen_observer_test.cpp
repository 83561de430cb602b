// The screen observer against real windows under a private Xvfb: a Tk player
// that shows frames like a student's client (label with a border, scaled or
// not) and an OpenCV highgui player like the reference client. Accuracy is
// measured against the players' own log of when each frame was on screen.
#include "observe/screen_observer.h"

#include "harness/temp_dir.h"
#include "harness/xvfb_display.h"
#include "observe/screen_timeline.h"
#include "observe/testing/player_run.h"

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include <iostream>
#include <thread>

#include <signal.h>

namespace tpc3::observe {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using marker::MarkerValue;
using testing::PlayerSpec;

const fs::path kTkPlayer = fs::path(TPC3_SOURCE_DIR) / "conformance/client_role/observe/testdata/tk_player.py";
const fs::path kImshowPlayer = fs::path(TPC3_BINARY_DIR) / "conformance/client_role/observe/observe_imshow_player";

// Frames 1..20 with two poisons among them, one value per 50 ms.
std::vector<MarkerValue> sequence_with_poisons() {
    std::vector<MarkerValue> v;
    for (std::uint32_t k = 1; k <= 20; ++k) {
        v.push_back(MarkerValue::frame(k));
        if (k == 7) v.push_back(MarkerValue::poison(3, 1));
        if (k == 14) v.push_back(MarkerValue::poison(12, 2));
    }
    return v;
}

harness::XvfbOptions small_screen() {
    harness::XvfbOptions o;
    o.width = 320;
    o.height = 240;
    return o;
}

PlayerSpec tk_spec(cv::Size frame, double scale) {
    PlayerSpec s;
    s.kind = PlayerSpec::Kind::tk;
    s.program = kTkPlayer;
    s.values = sequence_with_poisons();
    s.frame_size = frame;
    s.scale = scale;
    return s;
}

void print_numbers(const std::string& name, const testing::Accuracy& a, const ScreenObserverStats& st) {
    const auto per = [](Clock::duration total, std::size_t n) {
        return n ? std::chrono::duration<double, std::milli>(total).count() / static_cast<double>(n) : 0.0;
    };
    std::cout << "[accuracy] " << name << ": " << a.summary() << "; decode " << per(st.decode_time, st.decoded)
              << " ms/image, grab " << per(st.grab_time, st.ticks - st.no_window) << " ms, " << st.dropped
              << " dropped, " << st.ticks_missed << " ticks missed\n";
}

// Runs the player and checks what every accuracy run must give: never a wrong
// number, in order, nothing left behind, at least 90 % of frames 1..20 seen
// and both poisons recognised as poisons with their code. Seeing enough is a
// matter of keeping up: when the observer could not (decodes dropped, ticks
// missed: a machine overloaded by other work) and saw too little, it measures
// once more. Misreadings fail at once, whatever the load.
void check_accuracy(const PlayerSpec& spec, const std::string& name) {
    for (int attempt = 1;; ++attempt) {
        const testing::PlayerRun run = testing::run_player(spec);
        ASSERT_TRUE(run.completed) << run.failure << "\nplayer stderr:\n" << run.player_stderr;
        EXPECT_TRUE(run.stats.connected);
        EXPECT_FALSE(run.stats.connection_lost);
        EXPECT_TRUE(run.player_gone) << name << ": a player process was left behind";
        EXPECT_TRUE(run.xvfb_gone) << name << ": Xvfb was left behind";
        const auto a = testing::measure_accuracy(spec, run);
        print_numbers(name, a, run.stats);
        for (const auto& m : a.misreadings) ADD_FAILURE() << name << ": " << m.why;
        EXPECT_TRUE(a.seen_in_order) << name;
        const ScreenTimeline t = build_screen_timeline(run.grabs);
        EXPECT_TRUE(t.in_order()) << name;
        for (const auto& f : t.frames) {
            EXPECT_GE(f.value.number, 1u);
            EXPECT_LE(f.value.number, 20u);
        }
        EXPECT_LE(t.poisons.size(), 2u) << name;

        std::size_t frames = 0, frames_seen = 0;
        for (std::size_t k = 0; k < spec.values.size(); ++k) {
            if (spec.values[k].kind != MarkerValue::Frame) continue;
            ++frames;
            if (a.frame_grabs[k] > 0) ++frames_seen;
        }
        const auto* p3 = t.poison(MarkerValue::poison(3, 1));
        const auto* p12 = t.poison(MarkerValue::poison(12, 2));
        const bool saw_enough = frames_seen * 10 >= frames * 9 && p3 && p12;
        const bool overloaded = run.stats.dropped > 0 || run.stats.ticks_missed * 10 > run.stats.ticks;
        if (saw_enough || !overloaded || attempt == 2) {
            EXPECT_GE(frames_seen * 10, frames * 9) << name << ": " << frames_seen << " of " << frames << " frames seen";
            ASSERT_NE(p3, nullptr) << name << ": poison 3/1 not seen";
            ASSERT_NE(p12, nullptr) << name << ": poison 12/2 not seen";
            EXPECT_EQ(p3->value.code(), 3u);
            EXPECT_EQ(p12->value.serial(), 2u);
            return;
        }
        std::cout << "[accuracy] " << name << ": the observer could not keep up (machine overloaded?), once more\n";
    }
}

TEST(ScreenObserver, TkClientWindowAtNaturalSize) {
    check_accuracy(tk_spec({320, 240}, 1.0), "tk 320x240 x1.0");
}

TEST(ScreenObserver, TkClientWindowScaledDown) {
    check_accuracy(tk_spec({320, 240}, 0.6), "tk 320x240 x0.6");
}

TEST(ScreenObserver, TkClientWindowScaledUp) {
    check_accuracy(tk_spec({320, 240}, 1.5), "tk 320x240 x1.5");
}

TEST(ScreenObserver, TkClientWindowLargeFramesWholeScreenGrabs) {
    auto spec = tk_spec({640, 480}, 1.0);
    spec.observer.area = ScreenObserverOptions::Area::whole_screen;
    check_accuracy(spec, "tk 640x480 whole screen");
}

TEST(ScreenObserver, OpenCvHighguiWindowLikeTheReferenceClient) {
    PlayerSpec spec;
    spec.kind = PlayerSpec::Kind::imshow;
    spec.program = kImshowPlayer;
    spec.values = sequence_with_poisons();
    check_accuracy(spec, "imshow 320x240");
}

TEST(ScreenObserver, KeepsTheFirstGrabOfEachPoisonAndAContactSheet) {
    const auto spec = tk_spec({320, 240}, 1.0);
    harness::TempDir out("tpc3-observe-evidence-");
    std::vector<PoisonSighting> sightings;
    std::vector<ShownThumbnail> thumbs;
    std::string error;
    bool wrote_poison = false, wrote_missing = true, wrote_sheet = false;
    const auto run = testing::run_player(spec, [&](const ScreenObserver& o) {
        sightings = o.poison_sightings();
        thumbs = o.thumbnails();
        wrote_poison = o.write_poison_png(MarkerValue::poison(12, 2), out / "poison.png", &error);
        wrote_missing = o.write_poison_png(MarkerValue::poison(99, 9), out / "never.png");
        wrote_sheet = o.write_contact_sheet(out / "sheet.png", o.started());
    });
    ASSERT_TRUE(run.completed) << run.failure;
    ASSERT_EQ(sightings.size(), 2u);
    EXPECT_EQ(sightings[0].value, MarkerValue::poison(3, 1));
    EXPECT_EQ(sightings[1].value, MarkerValue::poison(12, 2));
    for (const auto& s : sightings) {
        // The evidence image itself shows the poison.
        const auto again = marker::decode_markers(s.image);
        ASSERT_EQ(again.size(), 1u);
        EXPECT_EQ(again[0].value, s.value);
        EXPECT_EQ(s.image.size(), s.region.size());
    }
    EXPECT_TRUE(wrote_poison) << error;
    EXPECT_FALSE(wrote_missing);
    EXPECT_FALSE(fs::exists(out / "never.png"));
    const cv::Mat png = cv::imread((out / "poison.png").string());
    ASSERT_FALSE(png.empty());
    ASSERT_EQ(marker::decode_markers(png).size(), 1u);
    EXPECT_EQ(marker::decode_markers(png)[0].value, MarkerValue::poison(12, 2));

    // One thumbnail per change of what was read: at least the 22 values shown.
    EXPECT_GE(thumbs.size(), 22u);
    for (std::size_t i = 1; i < thumbs.size(); ++i) EXPECT_NE(thumbs[i].values, thumbs[i - 1].values);
    ASSERT_TRUE(wrote_sheet);
    const cv::Mat sheet = cv::imread((out / "sheet.png").string());
    ASSERT_FALSE(sheet.empty());
    EXPECT_GE(sheet.cols, 8 * 160);
    EXPECT_GE(sheet.rows, 3 * 120);
}

TEST(ScreenObserver, EmptyScreenIsRecordedAsNoWindow) {
    harness::XvfbDisplay xvfb(small_screen());
    ScreenObserver o({.display = xvfb.name(), .grabs_per_second = 100});
    std::this_thread::sleep_for(150ms);
    o.stop();
    const auto s = o.stats();
    EXPECT_TRUE(s.connected);
    EXPECT_EQ(s.screen, cv::Size(320, 240));
    EXPECT_GE(s.ticks, 5u);
    EXPECT_EQ(s.no_window, o.grab_count());
    EXPECT_EQ(s.decoded, 0u);
    EXPECT_TRUE(s.errors.empty()) << s.errors.front();
}

TEST(ScreenObserver, WholeScreenModeGrabsEvenWithoutWindows) {
    harness::XvfbDisplay xvfb(small_screen());
    ScreenObserver o({.display = xvfb.name(), .area = ScreenObserverOptions::Area::whole_screen});
    std::this_thread::sleep_for(150ms);
    o.stop();
    const auto grabs = o.grabs();
    ASSERT_GE(grabs.size(), 3u);
    EXPECT_EQ(grabs[0].status, GrabRecord::Status::decoded);
    EXPECT_EQ(grabs[0].region, cv::Rect(0, 0, 320, 240));
    EXPECT_TRUE(grabs[0].readings.empty());
    // The screen does not change: later grabs are not decoded again.
    for (std::size_t i = 1; i < grabs.size(); ++i) EXPECT_EQ(grabs[i].status, GrabRecord::Status::unchanged);
}

TEST(ScreenObserver, NoDisplayIsAnErrorNotACrash) {
    ScreenObserver o({.display = ":4999", .connect_timeout = 100ms});
    std::this_thread::sleep_for(200ms);
    o.stop();
    const auto s = o.stats();
    EXPECT_FALSE(s.connected);
    ASSERT_FALSE(s.errors.empty());
    EXPECT_NE(s.errors.front().find(":4999"), std::string::npos) << s.errors.front();
    EXPECT_EQ(o.grab_count(), 0u);
}

TEST(ScreenObserver, XServerDyingWhileObservedIsRecordedNotFatal) {
    harness::XvfbDisplay xvfb(small_screen());
    ScreenObserver o({.display = xvfb.name(), .area = ScreenObserverOptions::Area::whole_screen});
    const auto deadline = Clock::now() + 3s;
    while (o.grab_count() < 3 && Clock::now() < deadline) std::this_thread::sleep_for(5ms);
    ::kill(xvfb.pid(), SIGKILL);  // not the documented order: the observer must survive it anyway
    while (!o.stats().connection_lost && Clock::now() < deadline) std::this_thread::sleep_for(5ms);
    o.stop();
    xvfb.stop();
    const auto s = o.stats();
    EXPECT_TRUE(s.connected);
    EXPECT_TRUE(s.connection_lost);
    ASSERT_FALSE(s.errors.empty());
    EXPECT_NE(s.errors.back().find("lost the connection"), std::string::npos) << s.errors.back();
}

}  // namespace
}  // namespace tpc3::observe
