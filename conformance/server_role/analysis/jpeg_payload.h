// Is a payload exactly one complete JPEG that decodes (PROTOCOL.md section 4)?
// When not, what it looks like instead, so the failure explains itself: the 5
// length digits of the movie file left in front, a piece of a frame, two
// frames in one datagram.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace tpc3::conform::server::analysis {

enum class PayloadShape {
    Jpeg,                   // one complete JPEG that decodes
    Empty,                  // no bytes after the header
    LengthDigitsPrepended,  // "NNNNN" then a JPEG: the movie file's part, not the frame
    MissingStart,           // no SOI (FF D8) at offset 0, but a JPEG's tail or middle
    Truncated,              // starts with SOI, ends before the JPEG's EOI (FF D9): a piece of a frame
    TwoFrames,              // a complete JPEG followed by the start of another
    TrailingBytes,          // a complete JPEG followed by other bytes
    NotJpeg,                // nothing like a JPEG
    Undecodable,            // looks complete (SOI ... EOI) but the decoder refuses it
};

const char* to_string(PayloadShape shape);

struct PayloadVerdict {
    PayloadShape shape = PayloadShape::NotJpeg;
    std::size_t size = 0;
    // Where the first image ends (just after its EOI) when the structure
    // walk found one; for TwoFrames/TrailingBytes the offset of the extra bytes.
    std::optional<std::size_t> first_image_end;
    std::optional<std::uint32_t> length_digits;  // LengthDigitsPrepended: the value of the digits
    std::string explanation;  // "starts with the 5 length digits \"01234\" of the movie file ..."
    bool ok() const { return shape == PayloadShape::Jpeg; }
};

// Walks the JPEG marker structure from an SOI at offset 0 (segments by their
// length, entropy-coded data up to the next marker) and returns the offset
// just after the first image's EOI; nullopt when there is no SOI at 0 or the
// bytes end first. Thumbnails inside APP segments are skipped, so an EXIF
// thumbnail's EOI is not taken for the end of the image.
std::optional<std::size_t> jpeg_image_end(std::span<const std::uint8_t> bytes);

// True when OpenCV decodes the bytes as an image.
bool decodes(std::span<const std::uint8_t> bytes);

PayloadVerdict judge_payload(std::span<const std::uint8_t> payload);

}  // namespace tpc3::conform::server::analysis
