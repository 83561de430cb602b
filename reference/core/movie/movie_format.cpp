#include "movie/movie_format.h"

#include <string>
#include <utility>

namespace tpc3::movie {

const char* kind_name(MovieErrorKind k) {
    switch (k) {
        case MovieErrorKind::Io: return "i/o error";
        case MovieErrorKind::BadLength: return "bad length";
        case MovieErrorKind::TruncatedLength: return "trailing bytes";
        case MovieErrorKind::TruncatedFrame: return "truncated frame";
        case MovieErrorKind::NotJpeg: return "not a JPEG";
        case MovieErrorKind::FrameTooLarge: return "frame too large";
    }
    return "unknown";
}

MovieError::MovieError(MovieErrorKind kind, std::string path, std::uint64_t offset, std::size_t frame_index,
                       const std::string& detail)
    : std::runtime_error(path + ": frame " + std::to_string(frame_index) + " at offset " + std::to_string(offset) +
                         ": " + detail),
      kind_(kind),
      path_(std::move(path)),
      offset_(offset),
      frame_index_(frame_index) {}

}  // namespace tpc3::movie
