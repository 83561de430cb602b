#include "movie/read_only_file.h"

#include "movie/movie_format.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace tpc3::movie::detail {

ReadOnlyFile::ReadOnlyFile(const std::string& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
        throw MovieError(MovieErrorKind::Io, path, 0, 0, std::string("cannot open: ") + std::strerror(errno));
    }
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
        const int err = errno;
        ::close(fd_);
        throw MovieError(MovieErrorKind::Io, path, 0, 0, std::string("cannot stat: ") + std::strerror(err));
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd_);
        throw MovieError(MovieErrorKind::Io, path, 0, 0, "not a regular file");
    }
    size_ = static_cast<std::uint64_t>(st.st_size);
}

ReadOnlyFile::~ReadOnlyFile() {
    if (fd_ >= 0) ::close(fd_);
}

std::size_t ReadOnlyFile::read_at(std::uint64_t offset, std::span<std::uint8_t> into, std::uint64_t part_offset,
                                  std::size_t frame_index) const {
    std::size_t done = 0;
    while (done < into.size()) {
        const ssize_t n = ::pread(fd_, into.data() + done, into.size() - done, static_cast<off_t>(offset + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            throw MovieError(MovieErrorKind::Io, path_, part_offset, frame_index,
                             "cannot read " + std::to_string(into.size()) + " bytes at offset " +
                                 std::to_string(offset) + ": " + std::strerror(errno));
        }
        if (n == 0) break;
        done += static_cast<std::size_t>(n);
    }
    return done;
}

}  // namespace tpc3::movie::detail
