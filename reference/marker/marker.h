// Marker frames: images that carry a MarkerValue (marker/marker_value.h) in a
// form that a person reads (a big number or "POISON" and a caption) and a
// machine reads back (two ArUco markers side by side at the bottom), even
// after scaling (0.5x..2x), JPEG re-encoding (quality 30+), a window border
// around it or being a part of a larger screenshot.
//
// Decoding errs on the side of silence: a marker without its partner, an
// ambiguous pairing or a marker whose cells are not clearly black and white
// yields nothing, never a guess.
#pragma once

#include "marker/marker_value.h"

#include <opencv2/core.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tpc3::marker {

inline constexpr int kMinWidth = 128;
inline constexpr int kMinHeight = 96;
inline constexpr int kMaxSide = 4096;

// Where render_frame puts things in a width x height frame.
struct MarkerLayout {
    cv::Rect text_area;     // upper part: number (or POISON) and caption
    cv::Rect quiet_zone;    // white band holding both markers
    cv::Rect left_marker;   // square, black border included
    cv::Rect right_marker;
};

// Throws std::invalid_argument for a size outside kMin*..kMaxSide.
MarkerLayout marker_layout(int width, int height);

// A BGR 8-bit image. Throws std::invalid_argument for an invalid value or size.
cv::Mat render_frame(int width, int height, const MarkerValue& value, const std::string& caption);

// JPEG bytes (baseline, quality 1..100). Throws std::invalid_argument for an
// empty image or a quality out of range, std::runtime_error if encoding fails.
std::vector<std::uint8_t> encode_jpeg(const cv::Mat& image, int quality);

// The image in the bytes (BGR), or an empty Mat when they are not an image.
cv::Mat decode_image(std::span<const std::uint8_t> bytes);

struct MarkerReading {
    MarkerValue value;
    cv::Rect2f where;  // bounding box of the two markers, in image pixels
};

// Every marker pair found in the image, sorted top to bottom, then left to
// right. Accepts any image (grey, BGR, BGRA, any depth, any size, empty)
// and never throws.
std::vector<MarkerReading> decode_markers(const cv::Mat& image);

// The value when the image holds exactly one reading, else nullopt.
std::optional<MarkerValue> decode_single(const cv::Mat& image);

}  // namespace tpc3::marker
