// A file that lives in memory (memfd), reachable by path as /proc/self/fd/N,
// so that readers that take a path (MovieReader, MovieIndex, MovieWriter) can
// be fuzzed without touching the disk. Reused across inputs: one descriptor
// per MemoryFile for the life of the process.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tpc3::fuzz {

class MemoryFile {
public:
    explicit MemoryFile(const char* name);  // throws std::system_error
    ~MemoryFile();
    MemoryFile(const MemoryFile&) = delete;
    MemoryFile& operator=(const MemoryFile&) = delete;

    const std::string& path() const { return path_; }
    void assign(std::span<const std::uint8_t> bytes);  // the whole content
    std::vector<std::uint8_t> contents() const;

private:
    int fd_ = -1;
    std::string path_;
};

}  // namespace tpc3::fuzz
