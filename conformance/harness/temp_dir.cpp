#include "harness/temp_dir.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <system_error>
#include <utility>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace tpc3::harness {
namespace {

[[noreturn]] void throw_fs(const char* what, const fs::path& p, int err) {
    throw fs::filesystem_error(what, p, std::error_code(err, std::generic_category()));
}

// Removes `name` (relative to the directory `parent_fd`). Works on file
// descriptors so a directory swapped for a symlink mid-way is never followed.
void remove_at(int parent_fd, const char* name, const fs::path& shown) {
    struct stat st {};
    if (::fstatat(parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) return;
        throw_fs("remove_tree: stat", shown, errno);
    }
    if (!S_ISDIR(st.st_mode)) {
        if (::unlinkat(parent_fd, name, 0) != 0 && errno != ENOENT) throw_fs("remove_tree: unlink", shown, errno);
        return;
    }
    // We need read+write+search on a directory to empty it.
    if ((st.st_mode & S_IRWXU) != S_IRWXU) {
        if (::fchmodat(parent_fd, name, (st.st_mode & 07777) | S_IRWXU, 0) != 0)
            throw_fs("remove_tree: chmod", shown, errno);
    }
    int fd = ::openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return;
        throw_fs("remove_tree: open", shown, errno);
    }
    DIR* dir = ::fdopendir(fd);
    if (dir == nullptr) {
        int err = errno;
        ::close(fd);
        throw_fs("remove_tree: opendir", shown, err);
    }
    std::vector<std::string> names;
    while (dirent* e = ::readdir(dir)) {
        std::string n = e->d_name;
        if (n != "." && n != "..") names.push_back(std::move(n));
    }
    try {
        for (const auto& n : names) remove_at(::dirfd(dir), n.c_str(), shown / n);
    } catch (...) {
        ::closedir(dir);
        throw;
    }
    ::closedir(dir);
    if (::unlinkat(parent_fd, name, AT_REMOVEDIR) != 0 && errno != ENOENT)
        throw_fs("remove_tree: rmdir", shown, errno);
}

}  // namespace

void remove_tree(const fs::path& root) {
    if (root.empty()) return;
    remove_at(AT_FDCWD, root.c_str(), root);
}

void copy_tree(const fs::path& from, const fs::path& to) {
    fs::create_directories(to);
    fs::copy(from, to,
             fs::copy_options::recursive | fs::copy_options::copy_symlinks |
                 fs::copy_options::overwrite_existing);
}

fs::path TempDir::default_base() {
    if (const char* t = std::getenv("TMPDIR"); t != nullptr && *t != '\0') {
        std::error_code ec;
        if (fs::is_directory(t, ec)) return t;
    }
    return "/tmp";
}

TempDir::TempDir(std::string_view prefix, const fs::path& base) {
    std::string pattern = (base / prefix).string() + "XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) throw_fs("TempDir: mkdtemp", pattern, errno);
    path_ = pattern;
}

TempDir::TempDir(TempDir&& other) noexcept
    : path_(std::exchange(other.path_, {})), kept_(other.kept_) {}

TempDir& TempDir::operator=(TempDir&& other) noexcept {
    if (this != &other) {
        if (!kept_) {
            try { remove(); } catch (...) {}
        }
        path_ = std::exchange(other.path_, {});
        kept_ = other.kept_;
    }
    return *this;
}

TempDir::~TempDir() {
    if (kept_ || path_.empty()) return;
    try {
        remove();
    } catch (const std::exception& e) {
        // A destructor cannot throw; say what was left behind.
        std::fprintf(stderr, "TempDir: could not remove %s: %s\n", path_.c_str(), e.what());
    }
}

void TempDir::remove() {
    if (path_.empty()) return;
    remove_tree(path_);
    path_.clear();
}

}  // namespace tpc3::harness
