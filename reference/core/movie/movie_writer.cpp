#include "movie/movie_writer.h"

#include "movie/movie_parts.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

namespace tpc3::movie {

MovieWriter::MovieWriter(std::string path) : path_(std::move(path)) {
    out_.open(path_, std::ios::binary | std::ios::trunc);
    if (!out_) {
        throw MovieError(MovieErrorKind::Io, path_, 0, 0,
                         std::string("cannot open for writing: ") + std::strerror(errno));
    }
}

void MovieWriter::write(std::span<const std::uint8_t> jpeg) {
    const detail::PartPosition at{path_, offset_, frames_};
    if (!out_.is_open()) throw MovieError(MovieErrorKind::Io, path_, offset_, frames_, "the writer is closed");
    if (jpeg.empty()) {
        throw MovieError(MovieErrorKind::BadLength, path_, offset_, frames_,
                         "empty frame refused: its length field would be 00000");
    }
    if (jpeg.size() > kMaxFrameSize) {
        throw MovieError(MovieErrorKind::FrameTooLarge, path_, offset_, frames_,
                         "frame of " + std::to_string(jpeg.size()) + " bytes refused: a 5-digit length field holds at most " +
                             std::to_string(kMaxFrameSize));
    }
    if (check_jpeg_) {
        const std::size_t end_len = std::min<std::size_t>(2, jpeg.size());
        detail::check_jpeg_ends(at, static_cast<std::uint32_t>(jpeg.size()), jpeg.first(end_len),
                                jpeg.last(end_len));
    }
    std::array<char, kLengthDigits + 1> digits{};
    std::snprintf(digits.data(), digits.size(), "%05zu", jpeg.size());
    out_.write(digits.data(), kLengthDigits);
    out_.write(reinterpret_cast<const char*>(jpeg.data()), static_cast<std::streamsize>(jpeg.size()));
    if (!out_) {
        throw MovieError(MovieErrorKind::Io, path_, offset_, frames_,
                         std::string("write failed: ") + std::strerror(errno));
    }
    offset_ += kLengthDigits + jpeg.size();
    ++frames_;
}

void MovieWriter::close() {
    if (!out_.is_open()) return;
    out_.flush();
    const bool flushed = static_cast<bool>(out_);
    out_.close();
    if (!flushed || !out_) {
        throw MovieError(MovieErrorKind::Io, path_, offset_, frames_,
                         std::string("cannot flush and close: ") + std::strerror(errno));
    }
}

}  // namespace tpc3::movie
