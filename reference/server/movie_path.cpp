#include "movie_path.h"

#include <system_error>

namespace tpc3::server {

namespace fs = std::filesystem;

MoviePathResult resolve_movie_path(const fs::path& served_dir, const std::string& name) {
    if (name.empty()) return MoviePathRefused{"empty name"};
    if (name.find('\0') != std::string::npos) return MoviePathRefused{"name contains a NUL byte"};
    if (name.front() == '/') return MoviePathRefused{"absolute path"};
    if (name.find('/') != std::string::npos) return MoviePathRefused{"name contains '/'"};
    if (name == "." || name == "..") return MoviePathRefused{"name is '" + name + "'"};

    const fs::path candidate = served_dir / name;
    std::error_code ec;
    const fs::file_status link = fs::symlink_status(candidate, ec);
    if (ec || !fs::exists(link)) return MoviePathMissing{};

    // A symlink inside the directory may point anywhere: judge where it lands.
    const fs::path real = fs::canonical(candidate, ec);
    if (ec) return MoviePathMissing{};  // dangling symlink
    const fs::path rel = real.lexically_relative(served_dir);
    if (rel.empty() || *rel.begin() == ".." || rel.is_absolute())
        return MoviePathRefused{"resolves outside the served directory"};
    if (!fs::is_regular_file(real, ec)) return MoviePathMissing{};
    return real;
}

}  // namespace tpc3::server
