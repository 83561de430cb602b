// What the runner knows about a server process it launched: whether it
// runs, how it ended, the tail of its stderr, a Python traceback found there,
// and a plain hint when stderr shows a well-known setup mistake.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "harness/exit_status.h"

namespace tpc3::conform::server {

struct ServerProcessReport {
    bool running = true;
    bool stopped_by_runner = false;          // it ended because the runner stopped it (not evidence)
    std::optional<harness::ExitStatus> exit;  // how it ended, once it has
    std::string exit_status;                 // exit->describe(): "exited with status 1"; empty while running
    std::string stderr_tail;                 // the last bytes (4 KiB by default) of stderr
    bool has_traceback = false;              // stderr holds "Traceback (most recent call last):"
    std::string traceback;                   // the last traceback (its end when long), else empty
    std::string error_line;                  // its last line: "ModuleNotFoundError: No module named 'PIL'"
    std::string hint;                        // a plain suggestion, or empty
    std::chrono::system_clock::time_point when{};  // when this report was taken

    // The process ended on its own (crashed, exited): evidence against the server.
    bool died() const { return !running && !stopped_by_runner; }
    // One line: "exited with status 1: ModuleNotFoundError: No module named 'PIL'
    // (hint: ...)", "running; a traceback on stderr: ...", "running".
    std::string summary() const;
};

// What stderr text shows (pure; the launched target uses it).
struct StderrFindings {
    bool has_traceback = false;
    std::string traceback;   // from the last "Traceback (most recent call last):", at most max_traceback bytes (its end)
    std::string error_line;  // the traceback's last non-blank line
    std::string hint;        // hint_for(text, no exit)
};

StderrFindings examine_stderr(std::string_view text, std::size_t max_traceback = 4096);

// A plain hint for what this stderr (and exit, when known) shows: a python3
// without PIL, a missing module, a script it cannot open, a port in use, a
// command the shell cannot find (127). Empty when nothing is recognised.
std::string hint_for(std::string_view stderr_text, const std::optional<harness::ExitStatus>& exit);

}  // namespace tpc3::conform::server
