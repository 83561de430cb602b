// What a client under test shows, seen from outside: grabs of an X display
// (libX11, XGetImage) at a steady rate, each decoded with the marker library
// (marker::decode_markers), recorded as GrabRecords, with evidence images:
// the first grab showing each poison value and a thumbnail per change of
// what was read (for a contact sheet).
//
// What is grabbed: by default the bounding box of the viewable top-level
// windows of the screen (Area::viewable_windows), clipped to the screen. The
// runner's Xvfb has no window manager, so the client's Tk window is a
// top-level window at 0,0 and this box is exactly the client's window(s),
// whatever their number and place; an empty screen is recorded as
// `no_window`. Area::whole_screen grabs the whole root window instead (more
// pixels to fetch and decode, same readings). The screen is small (the
// runner chooses it), so either is cheap; the default decodes fewer pixels.
//
// Threads: a grab thread (owns the X connection, ticks at the rate, compares
// each grab with the last one sent for decoding: identical pixels are not
// decoded again) and a decode thread. When the decoder falls behind (more
// than max_pending_decodes distinct images waiting), new images are recorded
// as `dropped` and counted; ticks the grab thread could not keep are counted
// as missed. Nothing is silently lost.
//
// Display lifetime: use it on the runner's own Xvfb and stop() the observer
// before stopping that Xvfb. If the X server dies anyway, the observer
// records the lost connection as an error and stops grabbing; it does not
// end the process (see x_screen.h).
#pragma once

#include "observe/contact_sheet.h"
#include "observe/grab_record.h"

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace tpc3::observe {

struct ScreenObserverOptions {
    enum class Area { viewable_windows, whole_screen };

    std::string display;              // ":N"
    double grabs_per_second = 50;     // >= 2 per 50 ms frame period
    Area area = Area::viewable_windows;
    std::chrono::milliseconds connect_timeout{3000};
    std::size_t max_pending_decodes = 2;  // distinct images waiting for the decoder
    std::size_t max_grabs = 200'000;      // records kept (over an hour at 50/s); later ones are counted
    std::size_t max_poison_images = 64;   // distinct poison values whose first grab is kept
    std::size_t max_thumbnails = 600;
    int thumbnail_width = 200;
};

struct ScreenObserverStats {
    bool connected = false;        // the X connection was made
    bool connection_lost = false;  // the X server went away while observing
    cv::Size screen;
    std::size_t ticks = 0;           // grab attempts
    std::size_t ticks_missed = 0;    // ticks skipped because the grab thread was late
    std::size_t decoded = 0;
    std::size_t unchanged = 0;
    std::size_t dropped = 0;
    std::size_t no_window = 0;
    std::size_t failed = 0;
    std::size_t records_not_kept = 0;  // over max_grabs
    Clock::duration grab_time{};       // wall time in XGetImage and copying the pixels
    Clock::duration decode_time{};     // wall time in decode_markers
    std::chrono::nanoseconds grab_thread_cpu{};
    std::chrono::nanoseconds decode_thread_cpu{};  // OpenCV may use more threads: see the bench
    std::vector<std::string> errors;   // first few X errors and failures
};

// The first grab showing one poison value.
struct PoisonSighting {
    marker::MarkerValue value;
    std::size_t grab_index = 0;
    Clock::time_point when;  // the grab's `finished`
    cv::Rect region;
    cv::Mat image;  // BGR, the whole grab
};

// A grab whose readings differ from the previous decoded grab's.
struct ShownThumbnail {
    std::size_t grab_index = 0;
    Clock::time_point when;
    std::vector<marker::MarkerValue> values;  // sorted; empty: nothing readable
    cv::Mat image;                            // BGR, thumbnail_width wide
};

class ScreenObserver {
public:
    // Starts observing at once (connecting in the grab thread): never throws
    // for display problems, which end up in stats().errors.
    explicit ScreenObserver(ScreenObserverOptions options);
    ScreenObserver(const ScreenObserver&) = delete;
    ScreenObserver& operator=(const ScreenObserver&) = delete;
    ~ScreenObserver();

    // Stops grabbing, decodes what is pending, joins both threads. Idempotent.
    void stop();

    Clock::time_point started() const;
    const ScreenObserverOptions& options() const;

    // Snapshots (thread-safe; final once stop() has returned).
    std::vector<GrabRecord> grabs() const;
    std::size_t grab_count() const;
    ScreenObserverStats stats() const;
    std::vector<PoisonSighting> poison_sightings() const;
    std::vector<ShownThumbnail> thumbnails() const;

    // The first grab showing `value` as PNG; false when it was never seen
    // (or the file cannot be written), with *error saying which.
    bool write_poison_png(const marker::MarkerValue& value, const std::filesystem::path& file,
                          std::string* error = nullptr) const;

    // The thumbnails as a contact sheet, captioned with the time since `t0`
    // and what was read; poisons highlighted.
    cv::Mat contact_sheet(Clock::time_point t0, const ContactSheetOptions& options = {}) const;
    bool write_contact_sheet(const std::filesystem::path& file, Clock::time_point t0, std::string* error = nullptr,
                             const ContactSheetOptions& options = {}) const;

private:
    struct State;
    std::unique_ptr<State> s_;
};

// "frame 17", "frame 17 + poison 3/1", "nothing readable".
std::string describe_values(const std::vector<marker::MarkerValue>& values);

}  // namespace tpc3::observe
