#include "memory_file.h"

#include <cerrno>
#include <sys/mman.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace tpc3::fuzz {

namespace {
[[noreturn]] void fail(const std::string& what) { throw std::system_error(errno, std::generic_category(), what); }
}  // namespace

MemoryFile::MemoryFile(const char* name) {
    fd_ = ::memfd_create(name, MFD_CLOEXEC);
    if (fd_ < 0) fail(std::string("memfd_create ") + name);
    path_ = "/proc/self/fd/" + std::to_string(fd_);
}

MemoryFile::~MemoryFile() { ::close(fd_); }

void MemoryFile::assign(std::span<const std::uint8_t> bytes) {
    if (::ftruncate(fd_, 0) != 0) fail(path_ + ": ftruncate");
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::pwrite(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) fail(path_ + ": pwrite");
        done += static_cast<std::size_t>(n);
    }
}

std::vector<std::uint8_t> MemoryFile::contents() const {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) fail(path_ + ": fstat");
    std::vector<std::uint8_t> out(static_cast<std::size_t>(st.st_size));
    std::size_t done = 0;
    while (done < out.size()) {
        const ssize_t n = ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) fail(path_ + ": pread");
        done += static_cast<std::size_t>(n);
    }
    return out;
}

}  // namespace tpc3::fuzz
