#include "control/text_framing.h"

namespace tpc3::control::text_framing {

bool is_space(std::uint8_t b) { return b == ' ' || b == '\t' || b == '\r' || b == '\n' || b == '\v' || b == '\f'; }

bool is_blank(std::uint8_t b) { return b == ' ' || b == '\t'; }

FramedText frame(std::span<const std::uint8_t> bytes) {
    FramedText f;
    const std::size_t n = bytes.size();
    std::size_t i = 0;
    while (i < n && is_space(bytes[i])) ++i;
    f.begin = i;
    std::size_t nl = i;
    while (nl < n && bytes[nl] != '\n') ++nl;
    f.terminated = nl < n;
    f.line_end = nl;
    std::size_t e = nl;
    while (e > i && is_space(bytes[e - 1])) --e;
    f.end = e;
    f.consumed = f.terminated ? nl + 1 : n;
    return f;
}

std::string text_of(std::span<const std::uint8_t> bytes, const FramedText& f) {
    return std::string(reinterpret_cast<const char*>(bytes.data()) + f.begin, f.text_size());
}

Utf8Check check_utf8(std::span<const std::uint8_t> bytes) {
    const std::size_t n = bytes.size();
    std::size_t i = 0;
    while (i < n) {
        const std::uint8_t c = bytes[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t len = 0;
        std::uint32_t cp = 0, min = 0;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2, cp = c & 0x1Fu, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3, cp = c & 0x0Fu, min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4, cp = c & 0x07u, min = 0x10000;
        } else {
            return {false, false, i};  // continuation byte, C0/C1 or F5..FF as a lead byte
        }
        for (std::size_t k = 1; k < len; ++k) {
            if (i + k >= n) return {false, true, i};
            if ((bytes[i + k] & 0xC0) != 0x80) return {false, false, i};
            cp = (cp << 6) | (bytes[i + k] & 0x3Fu);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {false, false, i};
        i += len;
    }
    return {};
}

}  // namespace tpc3::control::text_framing
