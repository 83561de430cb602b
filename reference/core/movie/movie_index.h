// Index of a movie file: frame k -> (offset of its JPEG bytes, size). Built by
// one streaming pass; frames are then read on demand with pread-style access.
// The index keeps the file open (shared by its copies), so read_frame is safe
// to call from several threads at once and keeps working if the file is
// renamed or unlinked after build.
#pragma once

#include "movie/movie_format.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace tpc3::movie {

namespace detail {
class ReadOnlyFile;
}

struct FrameLocation {
    std::uint64_t offset = 0;  // offset of the first JPEG byte (after the 5 digits)
    std::uint32_t size = 0;
};

class MovieIndex {
public:
    // Scans the file (reads only the length fields plus the JPEG's first and
    // last two bytes). Throws MovieError exactly as MovieReader would.
    static MovieIndex build(const std::string& path, bool check_jpeg = true);

    std::size_t size() const { return frames_.size(); }
    const FrameLocation& operator[](std::size_t k) const { return frames_[k]; }
    const std::vector<FrameLocation>& frames() const { return frames_; }
    const std::string& path() const { return path_; }
    std::uint64_t file_size() const { return file_size_; }

    // Reads frame k's JPEG bytes from the file. Throws MovieError(Io) (also when
    // the file has shrunk since build), std::out_of_range when k >= size().
    std::vector<std::uint8_t> read_frame(std::size_t k) const;

private:
    std::shared_ptr<const detail::ReadOnlyFile> file_;
    std::string path_;
    std::uint64_t file_size_ = 0;
    std::vector<FrameLocation> frames_;
};

}  // namespace tpc3::movie
