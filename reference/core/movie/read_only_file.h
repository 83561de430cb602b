// Internal to tpc3_core: a file opened read-only for positional reads (pread),
// so that several readers (e.g. sessions streaming the same movie) can share
// one descriptor without a shared file position.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace tpc3::movie::detail {

class ReadOnlyFile {
public:
    // Throws MovieError(Io) naming the path and the reason (also for a directory).
    explicit ReadOnlyFile(const std::string& path);
    ~ReadOnlyFile();
    ReadOnlyFile(const ReadOnlyFile&) = delete;
    ReadOnlyFile& operator=(const ReadOnlyFile&) = delete;

    std::uint64_t size() const { return size_; }
    const std::string& path() const { return path_; }

    // Reads up to into.size() bytes at `offset`; fewer only at end of file.
    // On a read error throws MovieError(Io) for frame `frame_index` at `part_offset`.
    std::size_t read_at(std::uint64_t offset, std::span<std::uint8_t> into, std::uint64_t part_offset,
                        std::size_t frame_index) const;

private:
    std::string path_;
    int fd_ = -1;
    std::uint64_t size_ = 0;
};

}  // namespace tpc3::movie::detail
