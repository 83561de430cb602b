#include "movie/movie_index.h"

#include "movie/movie_parts.h"
#include "movie/read_only_file.h"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace tpc3::movie {

MovieIndex MovieIndex::build(const std::string& path, bool check_jpeg) {
    MovieIndex index;
    index.path_ = path;
    index.file_ = std::make_shared<const detail::ReadOnlyFile>(path);
    const detail::ReadOnlyFile& file = *index.file_;
    index.file_size_ = file.size();

    std::uint64_t offset = 0;
    for (;;) {
        const std::size_t k = index.frames_.size();
        const detail::PartPosition at{path, offset, k};
        std::array<std::uint8_t, kLengthDigits> digits{};
        const std::size_t got = file.read_at(offset, digits, offset, k);
        if (got == 0) break;
        if (got < digits.size()) detail::throw_trailing_bytes(at, std::span(digits.data(), got));

        const std::uint32_t size = detail::parse_length_field(at, digits);
        const std::uint64_t jpeg_offset = offset + kLengthDigits;
        const std::uint64_t remaining = index.file_size_ > jpeg_offset ? index.file_size_ - jpeg_offset : 0;
        if (remaining < size) detail::throw_truncated_frame(at, size, remaining);

        if (check_jpeg) {
            const std::size_t end_len = std::min<std::size_t>(2, size);
            std::array<std::uint8_t, 2> head{}, tail{};
            const std::size_t head_got = file.read_at(jpeg_offset, std::span(head.data(), end_len), offset, k);
            const std::size_t tail_got =
                file.read_at(jpeg_offset + size - end_len, std::span(tail.data(), end_len), offset, k);
            if (head_got < end_len || tail_got < end_len) {
                throw MovieError(MovieErrorKind::Io, path, offset, k, "the file shrank while it was being indexed");
            }
            detail::check_jpeg_ends(at, size, std::span(head.data(), end_len), std::span(tail.data(), end_len));
        }
        index.frames_.push_back(FrameLocation{jpeg_offset, size});
        offset = jpeg_offset + size;
    }
    return index;
}

std::vector<std::uint8_t> MovieIndex::read_frame(std::size_t k) const {
    if (k >= frames_.size()) {
        throw std::out_of_range(path_ + ": frame " + std::to_string(k) + " requested, the movie has " +
                                std::to_string(frames_.size()) + " frames");
    }
    const FrameLocation& where = frames_[k];
    const std::uint64_t part_offset = where.offset - kLengthDigits;
    std::vector<std::uint8_t> data(where.size);
    const std::size_t got = file_->read_at(where.offset, data, part_offset, k);
    if (got < data.size()) {
        throw MovieError(MovieErrorKind::Io, path_, part_offset, k,
                         "read only " + std::to_string(got) + " of " + std::to_string(where.size) +
                             " bytes: the file has shrunk since it was indexed");
    }
    return data;
}

}  // namespace tpc3::movie
