#include "marker/marker.h"

#include <algorithm>
#include <stdexcept>

namespace tpc3::marker {

// Geometry, in cells of the 6x6-cell marker (4x4 data bits + 1-cell black border):
// each marker is 6 cells wide, the white quiet zone is 2 cells on every side and
// 2 cells between the markers, so the band is 18 x 10 cells. decode_markers
// relies on the 2-cell gap (centre distance = 8/6 of a marker side).
MarkerLayout marker_layout(int width, int height) {
    if (width < kMinWidth || height < kMinHeight || width > kMaxSide || height > kMaxSide)
        throw std::invalid_argument("marker frame size " + std::to_string(width) + "x" +
                                    std::to_string(height) + " is outside " + std::to_string(kMinWidth) +
                                    "x" + std::to_string(kMinHeight) + " .. " + std::to_string(kMaxSide) +
                                    "x" + std::to_string(kMaxSide));
    // The band takes at most ~85% of the width and ~60% of the height.
    const int cell = std::max(1, std::min(width * 85 / 100 / 18, height * 60 / 100 / 10));
    const int side = 6 * cell;
    const int gap = 2 * cell;
    const int band_w = 18 * cell;
    const int band_h = 10 * cell;

    MarkerLayout l;
    l.quiet_zone = cv::Rect((width - band_w) / 2, height - band_h, band_w, band_h);
    l.left_marker = cv::Rect(l.quiet_zone.x + gap, l.quiet_zone.y + gap, side, side);
    l.right_marker = cv::Rect(l.left_marker.x + side + gap, l.left_marker.y, side, side);
    l.text_area = cv::Rect(0, 0, width, l.quiet_zone.y);
    return l;
}

}  // namespace tpc3::marker
