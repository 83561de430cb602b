// Fuzz target: the marker-frame decoder (reference/marker) on any image.
// Input: byte 0 picks the pixel type (or the render mode), bytes 1 and 2 the
// width (16..320) and height (16..240); the rest are the pixels, row by row
// (missing bytes are white). Kept small so one run stays around a millisecond.
// Properties: decode_markers never throws or crashes on any pixel type; each
// reading is a valid value inside the image; decode_single agrees with it.
// Render mode (byte 0 % 7 == 6): bytes 3..6 choose a value, and a clean
// rendered frame of the chosen size (at least 128x96) must decode to it.

#include "fuzz_check.h"
#include "marker/marker.h"

#include <opencv2/core.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>

using namespace tpc3::marker;

namespace {

constexpr int kMaxWidth = 320;
constexpr int kMaxHeight = 240;
constexpr int kMinSide = 16;
constexpr int kRenderMode = 6;
constexpr int kPixelTypes[] = {CV_8UC1, CV_8UC3, CV_8UC4, CV_16UC1, CV_32FC1, CV_8UC2};

void check_readings(const cv::Mat& image) {
    const auto readings = decode_markers(image);
    for (const MarkerReading& r : readings) {
        FUZZ_CHECK(r.value.valid(), "a reading is a valid value");
        const cv::Rect2f image_area(-1.0f, -1.0f, static_cast<float>(image.cols) + 2.0f,
                                    static_cast<float>(image.rows) + 2.0f);
        FUZZ_CHECK((r.where & image_area) == r.where, "a reading lies inside the image");
    }
    const auto single = decode_single(image);
    FUZZ_CHECK(single.has_value() == (readings.size() == 1), "decode_single is the one reading, if one");
    if (single) FUZZ_CHECK(*single == readings.front().value, "decode_single gives that reading's value");
}

MarkerValue value_from(std::span<const std::uint8_t> b) {
    const std::uint32_t n = (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
    if (b[0] & 1) return MarkerValue::poison((n >> 10) % (MarkerValue::kMaxPoisonCode + 1),
                                             (n & 0x3FF) % (MarkerValue::kMaxPoisonSerial + 1));
    return MarkerValue::frame(1 + n % MarkerValue::kMaxFrame);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    cv::setNumThreads(0);  // no thread pool: deterministic, and the fuzzer's CPU is one core
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 3) return 0;
    const int mode = data[0] % 7;
    const int width = kMinSide + data[1] * (kMaxWidth - kMinSide) / 255;
    const int height = kMinSide + data[2] * (kMaxHeight - kMinSide) / 255;
    const std::span<const std::uint8_t> rest(data + 3, size - 3);

    if (mode == kRenderMode) {
        if (rest.size() < 4) return 0;
        const MarkerValue value = value_from(rest.first(4));
        const cv::Mat frame = render_frame(std::max(width, kMinWidth), std::max(height, kMinHeight), value, "fuzz");
        const auto decoded = decode_single(frame);
        FUZZ_CHECK(decoded && *decoded == value, "a clean rendered frame decodes to its value");
        return 0;
    }

    cv::Mat image(height, width, kPixelTypes[mode], cv::Scalar::all(255));
    const std::size_t bytes = image.total() * image.elemSize();  // continuous: freshly allocated
    std::memcpy(image.data, rest.data(), std::min(bytes, rest.size()));
    check_readings(image);
    return 0;
}
