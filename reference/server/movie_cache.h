// Shared, immutable movies: a file is indexed and read once per (path, mtime,
// size) and then shared by every session that streams it. Frames are views
// into the loaded bytes, so sending needs no copy.
#pragma once

#include "movie/movie_index.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

namespace tpc3::server {

class LoadedMovie {
public:
    // Indexes and reads the whole file. Throws movie::MovieError.
    static std::shared_ptr<const LoadedMovie> load(const std::filesystem::path& path);

    std::size_t frame_count() const { return index_.size(); }
    std::span<const std::uint8_t> frame(std::size_t k) const {
        const auto& loc = index_[k];
        return {bytes_.data() + loc.offset, loc.size};
    }
    const std::string& path() const { return index_.path(); }
    std::uint64_t file_size() const { return bytes_.size(); }

private:
    LoadedMovie(movie::MovieIndex index, std::vector<std::uint8_t> bytes)
        : index_(std::move(index)), bytes_(std::move(bytes)) {}
    movie::MovieIndex index_;
    std::vector<std::uint8_t> bytes_;
};

class MovieCache {
public:
    // The movie at `path` (a canonical path from resolve_movie_path). Reloads
    // when the file's mtime or size changed since it was cached; sessions that
    // hold the old version keep it. Throws movie::MovieError.
    std::shared_ptr<const LoadedMovie> get(const std::filesystem::path& path);

    std::size_t loads() const;  // how many times a file was read (for tests)

private:
    struct Entry {
        std::int64_t mtime_ns = 0;
        std::uint64_t size = 0;
        std::shared_ptr<const LoadedMovie> movie;
    };
    mutable std::mutex mutex_;
    std::map<std::string, Entry> entries_;
    std::size_t loads_ = 0;
};

}  // namespace tpc3::server
