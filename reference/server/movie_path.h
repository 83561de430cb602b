// Which file a requested name stands for, and whether the server may serve it.
// A name is a single path component inside the served directory: names with
// '/', "." or "..", a NUL byte, or that resolve (through symlinks) outside the
// directory are refused.
#pragma once

#include <filesystem>
#include <string>
#include <variant>

namespace tpc3::server {

struct MoviePathRefused {
    std::string reason;  // e.g. "name contains '/'"
};
struct MoviePathMissing {};  // a well-formed name of a file that does not exist (or is not a regular file)

using MoviePathResult = std::variant<std::filesystem::path, MoviePathRefused, MoviePathMissing>;

// `served_dir` must be the canonical (absolute, symlink-free) directory.
MoviePathResult resolve_movie_path(const std::filesystem::path& served_dir, const std::string& name);

}  // namespace tpc3::server
