#include "marker/marker.h"

#include <opencv2/aruco.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <cfloat>
#include <cmath>

namespace tpc3::marker {
namespace {

// One verified marker: its id and its corners in the marker's own order
// (top-left, top-right, bottom-right, bottom-left of the upright marker).
struct Detected {
    int id = 0;
    std::array<cv::Point2f, 4> corners;
    cv::Point2f centre;
    float width = 0;   // mean of the top and bottom edges
    float height = 0;  // mean of the left and right edges
};

// Any image -> 8-bit grey, or empty when there is nothing to look at.
cv::Mat to_grey8(const cv::Mat& image) {
    if (image.empty() || image.dims != 2) return {};
    cv::Mat src = image;
    const int cn = src.channels();
    if (cn != 1 && cn != 3 && cn != 4) {
        cv::Mat first;
        cv::extractChannel(src, first, 0);
        src = first;
    }
    if (src.depth() != CV_8U) {
        cv::Mat f;
        src.convertTo(f, CV_64F);
        cv::Mat finite = cv::abs(f) <= DBL_MAX;  // false for NaN and infinities
        f.setTo(0.0, ~finite);
        cv::Mat eight;
        cv::normalize(f, eight, 0, 255, cv::NORM_MINMAX, CV_8U);
        src = eight;
    }
    cv::Mat grey;
    if (src.channels() == 3) cv::cvtColor(src, grey, cv::COLOR_BGR2GRAY);
    else if (src.channels() == 4) cv::cvtColor(src, grey, cv::COLOR_BGRA2GRAY);
    else grey = src;
    return grey;
}

float distance(cv::Point2f a, cv::Point2f b) { return std::hypot(a.x - b.x, a.y - b.y); }

// The marker stands upright (as rendered): its top edge runs left to right and
// its left edge top to bottom, within about 17 degrees.
bool is_upright(const Detected& d) {
    const cv::Point2f top = d.corners[1] - d.corners[0];
    const cv::Point2f left = d.corners[3] - d.corners[0];
    return top.x > 0 && std::abs(top.y) <= 0.3f * top.x && left.y > 0 && std::abs(left.x) <= 0.3f * left.y;
}

// Second opinion on an ArUco detection: resample the marker plus a one-cell ring
// around it (which render_frame leaves white) on an 8x8 cell grid, and demand
// that every cell is clearly the colour the id prescribes. ArUco alone accepts
// a code as soon as each cell leans the right way; DICT_4X4_1000 codes are only
// two bits apart, so a blurred or half-decoded marker could pass as another id.
bool cells_confirm_id(const cv::Mat& grey, const Detected& d, const cv::Ptr<cv::aruco::Dictionary>& dict) {
    constexpr int kPx = 8;          // canonical pixels per cell
    constexpr int kGrid = 8;        // ring + 6 marker cells + ring
    constexpr float kCanon = kPx * kGrid;
    const float cell_in_image = std::min(d.width, d.height) / 6.0f;
    if (cell_in_image < 3.0f) return false;  // too small to judge cell by cell

    const std::array<cv::Point2f, 4> canon{cv::Point2f(kPx, kPx), cv::Point2f(kCanon - kPx, kPx),
                                           cv::Point2f(kCanon - kPx, kCanon - kPx), cv::Point2f(kPx, kCanon - kPx)};
    const cv::Mat h = cv::getPerspectiveTransform(d.corners.data(), canon.data());
    cv::Mat warped;
    cv::warpPerspective(grey, warped, h, cv::Size(kPx * kGrid, kPx * kGrid), cv::INTER_LINEAR,
                        cv::BORDER_CONSTANT, cv::Scalar(0));
    // The ring must lie inside the image: a marker cut by the image edge is not judged.
    {
        std::vector<cv::Point2f> ring_corners{{0, 0}, {kCanon, 0}, {kCanon, kCanon}, {0, kCanon}}, back;
        cv::perspectiveTransform(ring_corners, back, h.inv());
        for (const auto& p : back)
            if (p.x < 0 || p.y < 0 || p.x > static_cast<float>(grey.cols) || p.y > static_cast<float>(grey.rows))
                return false;
    }

    cv::Mat expected_marker;  // 6x6, 0 = black cell, 255 = white cell
    dict->drawMarker(d.id, 6, expected_marker, 1);

    std::array<std::array<double, kGrid>, kGrid> mean{};
    std::array<std::array<bool, kGrid>, kGrid> white{};
    double sum_black = 0, sum_white = 0;
    int n_black = 0, n_white = 0;
    for (int r = 0; r < kGrid; ++r) {
        for (int c = 0; c < kGrid; ++c) {
            const cv::Rect inner(c * kPx + kPx / 4, r * kPx + kPx / 4, kPx / 2, kPx / 2);
            mean[r][c] = cv::mean(warped(inner))[0];
            const bool ring = r == 0 || c == 0 || r == kGrid - 1 || c == kGrid - 1;
            white[r][c] = ring || expected_marker.at<std::uint8_t>(r - 1, c - 1) != 0;
            if (white[r][c]) {
                sum_white += mean[r][c];
                ++n_white;
            } else {
                sum_black += mean[r][c];
                ++n_black;
            }
        }
    }
    const double black = sum_black / n_black;
    const double whitish = sum_white / n_white;
    const double contrast = whitish - black;
    if (contrast < 50.0) return false;
    for (int r = 0; r < kGrid; ++r) {
        for (int c = 0; c < kGrid; ++c) {
            const double u = (mean[r][c] - black) / contrast;
            if (white[r][c] ? u < 0.6 : u > 0.4) return false;
        }
    }
    return true;
}

std::vector<Detected> detect(const cv::Mat& grey) {
    static const cv::Ptr<cv::aruco::Dictionary> dict =
        cv::aruco::getPredefinedDictionary(cv::aruco::DICT_4X4_1000);
    auto params = cv::aruco::DetectorParameters::create();
    // Markers down to ~20 px a side, whatever the image size.
    const double max_dim = std::max(grey.cols, grey.rows);
    params->minMarkerPerimeterRate = std::clamp(80.0 / max_dim, 0.005, 4.0);

    std::vector<std::vector<cv::Point2f>> corners;
    std::vector<int> ids;
    cv::aruco::detectMarkers(grey, dict, corners, ids, params);

    std::vector<Detected> out;
    for (std::size_t i = 0; i < ids.size() && i < corners.size(); ++i) {
        if (corners[i].size() != 4) continue;
        Detected d;
        d.id = ids[i];
        std::copy(corners[i].begin(), corners[i].end(), d.corners.begin());
        d.centre = (d.corners[0] + d.corners[1] + d.corners[2] + d.corners[3]) * 0.25f;
        d.width = 0.5f * (distance(d.corners[0], d.corners[1]) + distance(d.corners[3], d.corners[2]));
        d.height = 0.5f * (distance(d.corners[0], d.corners[3]) + distance(d.corners[1], d.corners[2]));
        bool confirmed = false;
        try {
            confirmed = is_upright(d) && cells_confirm_id(grey, d, dict);
        } catch (const cv::Exception&) {
            // degenerate corners (no perspective transform): not a marker we can vouch for
        }
        if (confirmed) out.push_back(d);
    }
    return out;
}

// b sits right of a as render_frame puts the right marker: same size, same
// height, centres 8 cells (= 4/3 marker width) apart. Width and height are
// judged separately so that a frame stretched in one direction still pairs.
bool are_partners(const Detected& a, const Detected& b) {
    auto similar = [](float x, float y) { return x > 0.8f * y && x < 1.25f * y; };
    const float width = 0.5f * (a.width + b.width);
    const float height = 0.5f * (a.height + b.height);
    const float dx = b.centre.x - a.centre.x;
    const float dy = b.centre.y - a.centre.y;
    return similar(a.width, b.width) && similar(a.height, b.height) && std::abs(dy) < 0.25f * height &&
           dx > 1.15f * width && dx < 1.55f * width;
}

cv::Rect2f bounding_box(const Detected& a, const Detected& b) {
    float x0 = FLT_MAX, y0 = FLT_MAX, x1 = -FLT_MAX, y1 = -FLT_MAX;
    for (const auto* d : {&a, &b})
        for (const auto& p : d->corners) {
            x0 = std::min(x0, p.x);
            y0 = std::min(y0, p.y);
            x1 = std::max(x1, p.x);
            y1 = std::max(y1, p.y);
        }
    return {x0, y0, x1 - x0, y1 - y0};
}

std::vector<MarkerReading> pair_up(const std::vector<Detected>& markers) {
    std::vector<std::pair<std::size_t, std::size_t>> candidates;
    std::vector<int> uses(markers.size(), 0);
    for (std::size_t i = 0; i < markers.size(); ++i)
        for (std::size_t j = 0; j < markers.size(); ++j)
            if (i != j && are_partners(markers[i], markers[j])) {
                candidates.emplace_back(i, j);
                ++uses[i];
                ++uses[j];
            }
    std::vector<MarkerReading> readings;
    for (const auto& [i, j] : candidates) {
        if (uses[i] != 1 || uses[j] != 1) continue;  // ambiguous: no guess
        const auto value = decode_ids({markers[i].id, markers[j].id});
        if (!value) continue;
        readings.push_back({*value, bounding_box(markers[i], markers[j])});
    }
    std::sort(readings.begin(), readings.end(), [](const MarkerReading& a, const MarkerReading& b) {
        return a.where.y != b.where.y ? a.where.y < b.where.y : a.where.x < b.where.x;
    });
    return readings;
}

}  // namespace

std::vector<MarkerReading> decode_markers(const cv::Mat& image) {
    try {
        const cv::Mat grey = to_grey8(image);
        if (grey.cols < 16 || grey.rows < 16) return {};
        return pair_up(detect(grey));
    } catch (const std::exception&) {
        // OpenCV rejects some odd inputs by throwing; an image it cannot read holds no marker.
        return {};
    }
}

std::optional<MarkerValue> decode_single(const cv::Mat& image) {
    const auto readings = decode_markers(image);
    if (readings.size() != 1) return std::nullopt;
    return readings.front().value;
}

}  // namespace tpc3::marker
