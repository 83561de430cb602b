// Streaming reader of a movie file: holds one frame at a time, never the file.
#pragma once

#include "movie/movie_format.h"

#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace tpc3::movie {

struct Frame {
    std::size_t index = 0;        // 0-based; frame k on the wire has sequence number k+1
    std::uint64_t offset = 0;     // byte offset of the 5 length digits
    std::vector<std::uint8_t> data;  // the JPEG bytes (not the length digits)
};

class MovieReader {
public:
    // Throws MovieError(Io) when the file cannot be opened.
    explicit MovieReader(std::string path);

    // Next frame, or nullopt at a clean end of file. Throws MovieError on a
    // malformed part (bad length, truncation, trailing bytes, not a JPEG when
    // check_jpeg is true); after a throw the reader is at end.
    std::optional<Frame> next();

    void set_check_jpeg(bool on) { check_jpeg_ = on; }
    const std::string& path() const { return path_; }

private:
    std::optional<Frame> read_part();

    std::string path_;
    std::ifstream in_;
    std::uint64_t offset_ = 0;
    std::size_t index_ = 0;
    bool check_jpeg_ = true;
    bool done_ = false;
};

}  // namespace tpc3::movie
