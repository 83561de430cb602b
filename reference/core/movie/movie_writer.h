// Writer of a movie file. Refuses frames over 99,999 bytes and empty frames.
#pragma once

#include "movie/movie_format.h"

#include <cstdint>
#include <fstream>
#include <span>
#include <string>

namespace tpc3::movie {

class MovieWriter {
public:
    explicit MovieWriter(std::string path);  // truncates; throws MovieError(Io)
    // Throws MovieError(FrameTooLarge) over 99,999 bytes, MovieError(BadLength)
    // for an empty frame, MovieError(NotJpeg) when check_jpeg and the bytes are
    // not FF D8 ... FF D9, MovieError(Io) after close or on a write error.
    // Nothing is written for a refused frame: the writer stays usable.
    void write(std::span<const std::uint8_t> jpeg);
    void close();  // flushes; throws MovieError(Io) on a write error; a second close does nothing
    std::size_t frames_written() const { return frames_; }
    void set_check_jpeg(bool on) { check_jpeg_ = on; }

private:
    std::string path_;
    std::ofstream out_;
    std::uint64_t offset_ = 0;
    std::size_t frames_ = 0;
    bool check_jpeg_ = true;
};

}  // namespace tpc3::movie
