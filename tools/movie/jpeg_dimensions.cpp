#include "jpeg_dimensions.h"

namespace tpc3::movie_tool {
namespace {

bool is_start_of_frame(std::uint8_t m) {
    // C0..CF are SOF0..SOF15 except C4 (DHT), C8 (JPG extension) and CC (DAC).
    return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

bool has_no_length(std::uint8_t m) {
    return m == 0x01 || (m >= 0xD0 && m <= 0xD7);  // TEM, RSTn
}

}  // namespace

std::optional<JpegDimensions> jpeg_dimensions(std::span<const std::uint8_t> b) {
    if (b.size() < 4 || b[0] != 0xFF || b[1] != 0xD8) return std::nullopt;
    std::size_t i = 2;
    while (i + 1 < b.size()) {
        if (b[i] != 0xFF) return std::nullopt;  // segments follow each other directly
        const std::uint8_t m = b[i + 1];
        if (m == 0xFF) {  // fill byte
            ++i;
            continue;
        }
        i += 2;
        if (has_no_length(m)) continue;
        if (m == 0xD9 || m == 0xDA) return std::nullopt;  // EOI or scan data before any SOF
        if (i + 2 > b.size()) return std::nullopt;
        const std::size_t length = static_cast<std::size_t>(b[i] << 8 | b[i + 1]);
        if (length < 2 || i + length > b.size()) return std::nullopt;
        if (is_start_of_frame(m)) {
            if (length < 7) return std::nullopt;
            // length(2) precision(1) height(2) width(2)
            const int height = b[i + 3] << 8 | b[i + 4];
            const int width = b[i + 5] << 8 | b[i + 6];
            if (width == 0 || height == 0) return std::nullopt;
            return JpegDimensions{width, height};
        }
        i += length;
    }
    return std::nullopt;
}

}  // namespace tpc3::movie_tool
