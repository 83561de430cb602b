#include "report/xml_escape.h"

#include <cstdint>

namespace tpc3::report {
namespace {

// Length of the well-formed UTF-8 sequence starting at s[i] (1..4), or 0 when
// the bytes there are not one (bad lead byte, bad or missing continuation,
// overlong form, surrogate, beyond U+10FFFF).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i)
{
    const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(s[k]); };
    const std::uint8_t b0 = byte(i);
    if (b0 < 0x80) return 1;
    std::size_t n = 0;
    std::uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        n = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        n = 3;
        if (b0 == 0xE0) lo = 0xA0;  // overlong
        if (b0 == 0xED) hi = 0x9F;  // surrogates
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        n = 4;
        if (b0 == 0xF0) lo = 0x90;  // overlong
        if (b0 == 0xF4) hi = 0x8F;  // beyond U+10FFFF
    } else {
        return 0;
    }
    if (i + n > s.size()) return 0;
    if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
    for (std::size_t k = 2; k < n; ++k)
        if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
    return n;
}

void append_byte_escape(std::string& out, std::uint8_t b)
{
    static constexpr char digits[] = "0123456789ABCDEF";
    out += "\\x";
    out += digits[b >> 4];
    out += digits[b & 0x0f];
}

std::string escape(std::string_view s, bool attribute)
{
    std::string out;
    out.reserve(s.size() + s.size() / 8);
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = utf8_sequence_length(s, i);
        if (n == 0) {
            append_byte_escape(out, static_cast<std::uint8_t>(s[i]));
            ++i;
            continue;
        }
        if (n > 1) {
            const std::string_view seq = s.substr(i, n);
            if (seq == "\xEF\xBF\xBE") out += "\\uFFFE";
            else if (seq == "\xEF\xBF\xBF") out += "\\uFFFF";
            else out.append(seq);
            i += n;
            continue;
        }
        const char c = s[i++];
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '\r': out += "&#13;"; break;
        case '"': out += attribute ? "&quot;" : "\""; break;
        case '\'': out += attribute ? "&apos;" : "'"; break;
        case '\t': out += attribute ? "&#9;" : "\t"; break;
        case '\n': out += attribute ? "&#10;" : "\n"; break;
        default:
            if (static_cast<std::uint8_t>(c) < 0x20) append_byte_escape(out, static_cast<std::uint8_t>(c));
            else out += c;
        }
    }
    return out;
}

}  // namespace

std::string xml_escape_text(std::string_view text)
{
    return escape(text, false);
}

std::string xml_escape_attribute(std::string_view text)
{
    return escape(text, true);
}

}  // namespace tpc3::report
