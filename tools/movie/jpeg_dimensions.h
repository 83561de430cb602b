// Width and height of a JPEG from its SOF marker segment, without decoding it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

namespace tpc3::movie_tool {

struct JpegDimensions {
    int width = 0;
    int height = 0;
    friend bool operator==(const JpegDimensions&, const JpegDimensions&) = default;
};

// Walks the marker segments from SOI to the first SOFn (baseline, progressive,
// lossless, arithmetic). nullopt when the bytes end first or are not a JPEG.
std::optional<JpegDimensions> jpeg_dimensions(std::span<const std::uint8_t> jpeg);

}  // namespace tpc3::movie_tool
