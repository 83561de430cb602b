#include "movie/movie_parts.h"

#include "rtp/rtp_header.h"
#include "text/escape.h"

namespace tpc3::movie::detail {

namespace {

std::string quoted(std::span<const std::uint8_t> bytes) { return "\"" + text::escape_bytes(bytes) + "\""; }

std::string bytes_word(std::uint64_t n) { return std::to_string(n) + (n == 1 ? " byte" : " bytes"); }

std::string upper_hex(std::span<const std::uint8_t> bytes) {
    std::string s = rtp::hex(bytes, bytes.size());
    for (char& c : s) c = static_cast<char>(c >= 'a' && c <= 'f' ? c - 'a' + 'A' : c);
    return s;
}

}  // namespace

std::uint32_t parse_length_field(const PartPosition& at, std::span<const std::uint8_t> digits) {
    std::uint32_t value = 0;
    for (const std::uint8_t d : digits) {
        if (d < '0' || d > '9') {
            throw MovieError(MovieErrorKind::BadLength, at.path, at.offset, at.frame_index,
                             "length field " + quoted(digits) + " is not 5 decimal digits");
        }
        value = value * 10 + static_cast<std::uint32_t>(d - '0');
    }
    if (value == 0) {
        throw MovieError(MovieErrorKind::BadLength, at.path, at.offset, at.frame_index,
                         "length field " + quoted(digits) + " declares an empty frame");
    }
    return value;
}

void throw_trailing_bytes(const PartPosition& at, std::span<const std::uint8_t> tail) {
    const std::string where = at.frame_index == 0 ? "" : " after the last frame";
    throw MovieError(MovieErrorKind::TruncatedLength, at.path, at.offset, at.frame_index,
                     "trailing bytes: " + bytes_word(tail.size()) + " " + quoted(tail) + where +
                         " do not form a part (the file ends inside a 5-digit length field)");
}

void throw_truncated_frame(const PartPosition& at, std::uint32_t declared, std::uint64_t remaining) {
    throw MovieError(MovieErrorKind::TruncatedFrame, at.path, at.offset, at.frame_index,
                     "truncated frame: the length field declares " + bytes_word(declared) + " but only " +
                         bytes_word(remaining) + " remain");
}

void check_jpeg_ends(const PartPosition& at, std::uint32_t size, std::span<const std::uint8_t> head,
                     std::span<const std::uint8_t> tail) {
    const auto fail = [&at](const std::string& what) {
        throw MovieError(MovieErrorKind::NotJpeg, at.path, at.offset, at.frame_index, "not a JPEG: " + what);
    };
    if (size < 4) {
        fail("the frame of " + bytes_word(size) + " is too short to hold FF D8 ... FF D9");
    }
    const bool soi = head.size() == 2 && head[0] == 0xFF && head[1] == 0xD8;
    const bool eoi = tail.size() == 2 && tail[0] == 0xFF && tail[1] == 0xD9;
    if (!soi && !eoi) {
        fail("the frame starts with " + upper_hex(head) + " instead of FF D8 and ends with " + upper_hex(tail) +
             " instead of FF D9");
    }
    if (!soi) fail("the frame starts with " + upper_hex(head) + " instead of FF D8");
    if (!eoi) fail("the frame ends with " + upper_hex(tail) + " instead of FF D9");
}

}  // namespace tpc3::movie::detail
