#include "text/escape.h"

#include <algorithm>

namespace tpc3::text {

std::string escape_bytes(std::span<const std::uint8_t> bytes, std::size_t max_bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    const std::size_t shown = std::min(bytes.size(), max_bytes);
    std::string s;
    s.reserve(shown + 16);
    for (std::size_t i = 0; i < shown; ++i) {
        const std::uint8_t b = bytes[i];
        switch (b) {
            case '\n': s += "\\n"; break;
            case '\r': s += "\\r"; break;
            case '\t': s += "\\t"; break;
            case '\\': s += "\\\\"; break;
            case '"': s += "\\\""; break;
            default:
                if (b >= 0x20 && b < 0x7F) {
                    s += static_cast<char>(b);
                } else {
                    s += "\\x";
                    s += kHex[b >> 4];
                    s += kHex[b & 0x0F];
                }
        }
    }
    if (shown < bytes.size()) {
        const std::size_t more = bytes.size() - shown;
        s += "...(" + std::to_string(more) + (more == 1 ? " more byte)" : " more bytes)");
    }
    return s;
}

}  // namespace tpc3::text
