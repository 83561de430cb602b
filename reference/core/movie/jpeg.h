// Minimal structural test of a JPEG image: starts with SOI (FF D8), ends with EOI (FF D9).
// Whether it decodes is OpenCV's business (conformance S-PAY-01), not the core's.
#pragma once

#include <cstdint>
#include <span>

namespace tpc3::movie {

inline bool starts_with_soi(std::span<const std::uint8_t> b) {
    return b.size() >= 2 && b[0] == 0xFF && b[1] == 0xD8;
}
inline bool ends_with_eoi(std::span<const std::uint8_t> b) {
    return b.size() >= 2 && b[b.size() - 2] == 0xFF && b[b.size() - 1] == 0xD9;
}
inline bool looks_like_jpeg(std::span<const std::uint8_t> b) {
    return b.size() >= 4 && starts_with_soi(b) && ends_with_eoi(b);
}

}  // namespace tpc3::movie
