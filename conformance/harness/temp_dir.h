// A private scratch directory that disappears with its owner.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace tpc3::harness {

// mkdtemp under `base` (default: $TMPDIR, else /tmp) named "<prefix>XXXXXX".
// On destruction the whole tree is removed, including read-only directories
// and files (permissions are widened as needed); symbolic links are removed,
// never followed. keep() turns removal off, for post-mortem inspection.
// Move-only. Stop every process that writes into the directory first.
class TempDir {
public:
    explicit TempDir(std::string_view prefix = "tpc3-",
                     const std::filesystem::path& base = default_base());
    TempDir(TempDir&& other) noexcept;
    TempDir& operator=(TempDir&& other) noexcept;
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir();

    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::filesystem::path& rel) const { return path_ / rel; }

    // Leaves the tree on disk when this object dies.
    void keep() { kept_ = true; }
    bool kept() const { return kept_; }

    // Removes the tree now (throws std::filesystem::filesystem_error on failure);
    // afterwards path() is empty.
    void remove();

    // $TMPDIR when it names a directory, else /tmp.
    static std::filesystem::path default_base();

private:
    std::filesystem::path path_;
    bool kept_ = false;
};

// Deletes `root` and everything below it, widening permissions of directories
// on the way so read-only trees go too. Symlinks are unlinked, not followed.
// A missing `root` is not an error. Throws std::filesystem::filesystem_error.
void remove_tree(const std::filesystem::path& root);

// Copies the tree at `from` into `to` (created if missing; existing files are
// overwritten). Symlinks are copied as symlinks.
void copy_tree(const std::filesystem::path& from, const std::filesystem::path& to);

}  // namespace tpc3::harness
