// Where a launched client lives, and how its process is started: the layout
// and environment shared by the client-role suite and the client fuzzer.
//   <dir>/work        a fresh copy of the submission; the client's cwd
//   <dir>/work/.tmp   its TMPDIR (inside the copy, so files it writes there are seen)
//   <dir>/logs        its stdout and stderr
//   <dir>/xdg         its XDG_RUNTIME_DIR (mode 0700, as Tk and Qt expect)
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "harness/process.h"

namespace tpc3::conform::client {

struct ClientSandbox {
    std::filesystem::path work;
    std::filesystem::path tmp;
    std::filesystem::path logs;
    std::filesystem::path xdg;
};

// Creates the layout under `dir` and copies `submission` (when not empty) into
// work/. Throws std::filesystem::filesystem_error when a copy or mkdir fails.
ClientSandbox prepare_client_sandbox(const std::filesystem::path& dir, const std::filesystem::path& submission);

// `command_line` under /bin/sh in the sandbox on X display `display`: cwd,
// output files (64 MiB each at most), TMPDIR, XDG_RUNTIME_DIR, unbuffered
// Python without bytecode files, then `env` on top.
harness::ProcessOptions client_process_options(const std::string& command_line, const ClientSandbox& sandbox,
                                               const std::string& display,
                                               const std::map<std::string, std::string>& env, std::string label);

}  // namespace tpc3::conform::client
