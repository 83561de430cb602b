#include "movie_cache.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace tpc3::server {

namespace {

struct FileStamp {
    std::int64_t mtime_ns = 0;
    std::uint64_t size = 0;
};

FileStamp stamp_of(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        throw movie::MovieError(movie::MovieErrorKind::Io, path, 0, 0, std::strerror(errno));
    return {static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec,
            static_cast<std::uint64_t>(st.st_size)};
}

}  // namespace

std::shared_ptr<const LoadedMovie> LoadedMovie::load(const std::filesystem::path& path) {
    const std::string p = path.string();
    movie::MovieIndex index = movie::MovieIndex::build(p);
    std::ifstream in(p, std::ios::binary);
    if (!in) throw movie::MovieError(movie::MovieErrorKind::Io, p, 0, 0, "cannot open");
    std::vector<std::uint8_t> bytes(index.file_size());
    in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (static_cast<std::uint64_t>(in.gcount()) != bytes.size() || in.peek() != std::char_traits<char>::eof())
        throw movie::MovieError(movie::MovieErrorKind::Io, p, static_cast<std::uint64_t>(in.gcount()), 0,
                                "file changed while it was loaded");
    return std::shared_ptr<const LoadedMovie>(new LoadedMovie(std::move(index), std::move(bytes)));
}

std::shared_ptr<const LoadedMovie> MovieCache::get(const std::filesystem::path& path) {
    const std::string key = path.string();
    const FileStamp now = stamp_of(key);
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it != entries_.end() && it->second.mtime_ns == now.mtime_ns && it->second.size == now.size)
        return it->second.movie;
    // Loading under the lock: movies are small and this keeps one load per version.
    auto movie = LoadedMovie::load(path);
    ++loads_;
    entries_[key] = Entry{now.mtime_ns, now.size, movie};
    return movie;
}

std::size_t MovieCache::loads() const {
    std::lock_guard lock(mutex_);
    return loads_;
}

}  // namespace tpc3::server
