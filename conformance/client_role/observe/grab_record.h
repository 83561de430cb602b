// One screen grab of the client's display, as ScreenObserver records it and
// ScreenTimeline reads it.
#pragma once

#include "marker/marker.h"

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace tpc3::observe {

using Clock = std::chrono::steady_clock;

struct GrabRecord {
    enum class Status {
        decoded,    // the image was searched for markers
        unchanged,  // pixel for pixel the last decoded image: its readings are copied
        dropped,    // grabbed but not decoded (the decoder was behind): no readings
        no_window,  // nothing mapped on the display: nothing to grab
        failed,     // the grab failed (see error)
    };

    std::size_t index = 0;
    Clock::time_point started;   // the grab request was sent
    Clock::time_point finished;  // its pixels had arrived: what they show was on screen in between
    cv::Rect region;             // screen area grabbed (root window coordinates)
    Status status = Status::decoded;
    std::vector<marker::MarkerReading> readings;  // `where` in screen coordinates
    std::string error;

    // Whether `readings` says what was on screen (possibly nothing readable).
    bool readable() const { return status == Status::decoded || status == Status::unchanged; }
};

std::string to_string(GrabRecord::Status status);

}  // namespace tpc3::observe
