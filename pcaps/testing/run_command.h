#pragma once

// Test helper: runs a shell command under `timeout` and returns its exit status and standard output.

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <sstream>
#include <string>

namespace tpc3::pcap::testing {

struct CommandResult {
  int exit_status = -1;
  std::string output;
};

// stderr is appended to stdout (2>&1) unless the command redirects it itself.
inline CommandResult run_command(const std::string& command, int timeout_seconds = 60) {
  const std::string wrapped = "timeout " + std::to_string(timeout_seconds) + " " + command;
  CommandResult result;
  FILE* pipe = popen(wrapped.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  const int status = pclose(pipe);
  result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

inline std::optional<std::filesystem::path> find_program(const std::string& name) {
  const char* path = getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const auto candidate = std::filesystem::path(dir.empty() ? "." : dir) / name;
    std::error_code ignored;
    if (std::filesystem::is_regular_file(candidate, ignored) && access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return std::nullopt;
}

}  // namespace tpc3::pcap::testing
