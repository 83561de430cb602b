// The movie file format (PROTOCOL.md section 2): parts of 5 ASCII digits NB
// followed by NB bytes of one JPEG image, nothing before, between or after.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace tpc3::movie {

inline constexpr std::size_t kLengthDigits = 5;
inline constexpr std::size_t kMaxFrameSize = 99'999;

enum class MovieErrorKind {
    Io,             // cannot open or read
    BadLength,      // length field is not 5 ASCII digits (or is 00000); writer: empty frame
    TruncatedLength,// file ends inside a length field (trailing bytes)
    TruncatedFrame, // file ends inside a frame
    NotJpeg,        // frame does not start FF D8 or does not end FF D9
    FrameTooLarge,  // writer: frame over 99,999 bytes
};

// "i/o error", "bad length", "trailing bytes", "truncated frame", "not a JPEG", "frame too large".
const char* kind_name(MovieErrorKind k);

// Every error names the file, the byte offset and the frame index; what() is
//   "<path>: frame <index> at offset <offset>: <detail>"
// e.g. "movie.mpeg: frame 3 at offset 15234: length field \"12a45\" is not 5 decimal digits".
// The offset is always where the part of that frame starts (its 5 length
// digits, or where they would be); the detail names the offending bytes.
// The writer's errors use the offset at which the refused frame would have gone.
class MovieError : public std::runtime_error {
public:
    MovieError(MovieErrorKind kind, std::string path, std::uint64_t offset, std::size_t frame_index,
               const std::string& detail);
    MovieErrorKind kind() const { return kind_; }
    const std::string& path() const { return path_; }
    std::uint64_t offset() const { return offset_; }       // byte offset where the problem starts
    std::size_t frame_index() const { return frame_index_; } // 0-based frame the problem belongs to

private:
    MovieErrorKind kind_;
    std::string path_;
    std::uint64_t offset_;
    std::size_t frame_index_;
};

}  // namespace tpc3::movie
