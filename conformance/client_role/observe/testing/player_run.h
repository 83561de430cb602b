// Test support: measure the screen observer's accuracy on a window that shows
// marker frames at a known time (a Tk player like a student's client, or an
// OpenCV highgui player like the reference client), under a private Xvfb.
// Used by screen_observer_test and screen_observer_bench; not part of the
// runner.
#pragma once

#include "harness/exit_status.h"
#include "observe/screen_observer.h"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace tpc3::observe::testing {

struct PlayerSpec {
    enum class Kind { tk, imshow };
    Kind kind = Kind::tk;
    std::filesystem::path program;  // tk_player.py or observe_imshow_player
    std::vector<marker::MarkerValue> values;  // shown in this order, one per period
    cv::Size frame_size{320, 240};
    int jpeg_quality = 75;
    double scale = 1.0;  // Tk only: the player resizes each frame
    int period_ms = 50;
    cv::Size screen{800, 600};
    ScreenObserverOptions observer;  // display is filled in
    // Slack after the next frame's T1 during which the old frame may still be
    // on screen (the Tk player syncs with the server: 0; imshow does not).
    std::optional<double> slack_ms;
    bool observe = true;  // false: same run without an observer (to tell its cost apart)
};

// One frame the player showed: it may be on screen from t0 and is surely gone
// after the next frame's t1.
struct ShowEntry {
    std::size_t index = 0;
    Clock::time_point t0, t1;
};

struct PlayerRun {
    bool completed = false;  // the player printed "done"
    std::string failure;     // why not
    harness::ExitStatus player_exit = harness::ExitStatus::unknown();
    std::string player_stderr;
    std::vector<ShowEntry> shows;
    std::vector<GrabRecord> grabs;
    ScreenObserverStats stats;
    // CPU seconds used while the player played (from its "ready" to the end of
    // the observation): by this process (the observer's threads; the caller's
    // thread only polls) and by the Xvfb (which also serves the player).
    double wall_s = 0;
    double runner_cpu_s = 0;
    double xvfb_cpu_s = 0;
    bool xvfb_gone = false;    // after the run
    bool player_gone = false;  // no process of the player's family left
};

// Starts Xvfb, the player and the observer; waits for the player's "done"
// (with a deadline), stops the observer, then the player, then Xvfb.
// `inspect` sees the stopped observer before it is destroyed.
PlayerRun run_player(const PlayerSpec& spec, const std::function<void(const ScreenObserver&)>& inspect = {});

struct Misreading {
    std::size_t grab = 0;
    marker::MarkerValue read;
    std::string why;
};

struct Accuracy {
    std::size_t grabs = 0;
    std::size_t readable = 0;         // decoded or unchanged
    std::size_t decoded = 0;          // decode_markers actually ran
    std::size_t during_playback = 0;  // readable grabs between the first frame's t0 and the last one's end
    std::size_t with_reading = 0;     // ... of them with a reading
    std::size_t frames_seen = 0;      // values (of the sequence) read at a time they were on screen
    std::vector<std::size_t> frame_grabs;  // per value: consistent readings of it
    std::vector<marker::MarkerValue> missed;  // values never read while on screen
    std::vector<Misreading> misreadings;   // readings that were not on screen then: must stay empty
    bool seen_in_order = true;             // first sightings follow the sequence order

    double decode_rate() const {  // share of grabs during playback that gave a reading
        return during_playback ? static_cast<double>(with_reading) / static_cast<double>(during_playback) : 0.0;
    }
    std::string summary() const;
};

Accuracy measure_accuracy(const PlayerSpec& spec, const PlayerRun& run);

}  // namespace tpc3::observe::testing
