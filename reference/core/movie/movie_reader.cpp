#include "movie/movie_reader.h"

#include "movie/movie_parts.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <span>
#include <utility>

namespace tpc3::movie {

MovieReader::MovieReader(std::string path) : path_(std::move(path)) {
    std::error_code ec;
    if (std::filesystem::is_directory(path_, ec)) {
        throw MovieError(MovieErrorKind::Io, path_, 0, 0, "cannot open: is a directory");
    }
    in_.open(path_, std::ios::binary);
    if (!in_) {
        throw MovieError(MovieErrorKind::Io, path_, 0, 0, std::string("cannot open: ") + std::strerror(errno));
    }
}

std::optional<Frame> MovieReader::next() {
    if (done_) return std::nullopt;
    try {
        return read_part();
    } catch (...) {
        done_ = true;  // a malformed file has no next part
        throw;
    }
}

std::optional<Frame> MovieReader::read_part() {
    const detail::PartPosition at{path_, offset_, index_};
    std::array<std::uint8_t, kLengthDigits> digits{};
    in_.read(reinterpret_cast<char*>(digits.data()), digits.size());
    const auto got = static_cast<std::size_t>(in_.gcount());
    if (in_.bad()) throw MovieError(MovieErrorKind::Io, path_, offset_, index_, "read error in the length field");
    if (got == 0) {
        done_ = true;
        return std::nullopt;
    }
    if (got < digits.size()) detail::throw_trailing_bytes(at, std::span(digits.data(), got));

    const std::uint32_t size = detail::parse_length_field(at, digits);
    Frame frame;
    frame.index = index_;
    frame.offset = offset_;
    frame.data.resize(size);
    in_.read(reinterpret_cast<char*>(frame.data.data()), size);
    const auto data_got = static_cast<std::size_t>(in_.gcount());
    if (in_.bad()) throw MovieError(MovieErrorKind::Io, path_, offset_, index_, "read error in the frame");
    if (data_got < size) detail::throw_truncated_frame(at, size, data_got);

    if (check_jpeg_) {
        const std::span<const std::uint8_t> bytes(frame.data);
        const std::size_t end_len = std::min<std::size_t>(2, size);
        detail::check_jpeg_ends(at, size, bytes.first(end_len), bytes.last(end_len));
    }
    offset_ += kLengthDigits + size;
    ++index_;
    return frame;
}

}  // namespace tpc3::movie
