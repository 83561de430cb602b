// An output file that appears under its final name only when complete: it is
// written as "<name>.partial" and renamed by commit(); without commit() the
// partial file is removed, so a refused or failed run leaves no half movie.
#pragma once

#include <filesystem>
#include <string>

namespace tpc3::movie_tool {

class OutputFile {
public:
    // Throws InputError when final_path cannot be a file (no such directory, or a directory).
    explicit OutputFile(std::filesystem::path final_path);
    ~OutputFile();
    OutputFile(const OutputFile&) = delete;
    OutputFile& operator=(const OutputFile&) = delete;

    std::string write_path() const { return partial_.string(); }
    const std::filesystem::path& final_path() const { return final_; }
    void commit();  // throws InputError when the rename fails

private:
    std::filesystem::path final_;
    std::filesystem::path partial_;
    bool committed_ = false;
};

}  // namespace tpc3::movie_tool
