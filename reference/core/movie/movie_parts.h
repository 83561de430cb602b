// Internal to tpc3_core: the checks of one part of a movie file, shared by
// MovieReader and MovieIndex so that both report a malformed file with the
// same kind, offset, frame index and message.
#pragma once

#include "movie/movie_format.h"

#include <cstdint>
#include <span>
#include <string>

namespace tpc3::movie::detail {

// Where a part starts: the file, the offset of its 5 length digits, its frame index.
struct PartPosition {
    const std::string& path;
    std::uint64_t offset;
    std::size_t frame_index;
};

// The frame size the 5 length bytes declare. Throws MovieError(BadLength) when
// they are not 5 ASCII digits or are 00000.
std::uint32_t parse_length_field(const PartPosition& at, std::span<const std::uint8_t> digits);

// The file ends inside a length field: `tail` is every byte left (1..4 of them).
[[noreturn]] void throw_trailing_bytes(const PartPosition& at, std::span<const std::uint8_t> tail);

// The file ends inside a frame that declares `declared` bytes of which only `remaining` exist.
[[noreturn]] void throw_truncated_frame(const PartPosition& at, std::uint32_t declared, std::uint64_t remaining);

// Throws MovieError(NotJpeg) unless the frame starts FF D8 and ends FF D9.
// `head` and `tail` are the frame's first and last min(2, size) bytes.
void check_jpeg_ends(const PartPosition& at, std::uint32_t size, std::span<const std::uint8_t> head,
                     std::span<const std::uint8_t> tail);

}  // namespace tpc3::movie::detail
