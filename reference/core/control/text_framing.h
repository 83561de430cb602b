// Framing of one text control message on a TCP byte stream, shared by the
// text dialects: leading whitespace (blank lines too) is skipped, the message
// ends at the first '\n' (a '\r' before it is whitespace), trailing whitespace
// is trimmed. Without a '\n' the message may still grow.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace tpc3::control::text_framing {

bool is_space(std::uint8_t b);  // ' ' \t \r \n \v \f
bool is_blank(std::uint8_t b);  // ' ' \t: the separators inside a line

struct FramedText {
    std::size_t begin = 0;    // offset of the first non-whitespace byte
    std::size_t end = 0;      // one past the last non-whitespace byte before the '\n' (or the input's end)
    std::size_t line_end = 0; // offset of the '\n', or the input size when there is none
    bool terminated = false;  // a '\n' ended the message
    std::size_t consumed = 0; // bytes up to and including the '\n'; the whole input when unterminated

    std::size_t text_size() const { return end - begin; }
};

FramedText frame(std::span<const std::uint8_t> bytes);

// The framed text as a string (the bytes unchanged).
std::string text_of(std::span<const std::uint8_t> bytes, const FramedText& f);

struct Utf8Check {
    bool valid = true;
    bool cut_at_end = false;  // the only fault is a sequence cut off by the end of the bytes
    std::size_t bad_offset = 0;
};

// Strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
Utf8Check check_utf8(std::span<const std::uint8_t> bytes);

}  // namespace tpc3::control::text_framing
