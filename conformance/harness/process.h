// A child process under the runner's full control: its own process group,
// output to files, every wait with a deadline, and a stop() that leaves
// nothing behind (process group, descendants, double-forked escapees).
//
// The code it runs is untrusted: it may hang, crash, flood its output, fork,
// ignore SIGTERM or detach itself. What stop() can and cannot catch:
//  - everything still in the child's process group (one kill(-pgid));
//  - every live descendant of the child while the child is alive (ppid links
//    from /proc);
//  - every process whose environment still holds this Process's token
//    (TPC3_HARNESS_TOKEN=..., inherited through fork/exec): this is what finds
//    a `setsid cmd &` grandchild re-parented to init after its parent died.
//  Limit: a process that both left the group (setsid/setpgid) and scrubbed its
//  environment (execve with a fresh env) after its parent died is invisible;
//  so are processes running as another user. Only a cgroup (or a PID
//  namespace) closes that hole; this library does not require one.
//
// The pid cannot be reused while this object lives: an exited child is
// observed with waitid(WNOWAIT) and stays a zombie until stop() (or the
// destructor) reaps it, so signalling its process group stays safe.
//
// With die_with_runner (default), the child gets PR_SET_PDEATHSIG(SIGKILL):
// it is killed when the *thread* that spawned it exits (Linux semantics), so
// spawn from a thread that lives as long as the Process object.
//
// Not thread-safe: use one Process from one thread at a time. Do not reap
// children elsewhere with waitpid(-1, ...): the status would be lost
// (reported as ExitStatus::unknown()).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <sys/types.h>

#include "harness/exit_status.h"

namespace tpc3::harness {

using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;

inline Deadline deadline_after(Clock::duration d) { return Clock::now() + d; }

// The child could not be started (program not found, bad cwd, exec failed).
class SpawnError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class Stream { out, err };

// Where one output stream of the child goes.
struct OutputSink {
    enum class Kind {
        capture,  // a file under ProcessOptions::output_dir ("<label>.stdout.log"), or an
                  // anonymous (already unlinked) temp file when no output_dir is set
        file,     // the given path (truncated, or appended to)
        discard,  // /dev/null
        inherit,  // the runner's own stream
    };
    Kind kind = Kind::capture;
    std::filesystem::path path;
    bool append = false;

    static OutputSink capture() { return {}; }
    static OutputSink to_file(std::filesystem::path p, bool append_to = false) {
        return {Kind::file, std::move(p), append_to};
    }
    static OutputSink discard() { return {Kind::discard, {}, false}; }
    static OutputSink inherit() { return {Kind::inherit, {}, false}; }
};

struct ProcessOptions {
    std::vector<std::string> argv;  // argv[0] without '/' is looked up on PATH
    std::filesystem::path cwd;      // empty: the runner's cwd
    std::map<std::string, std::string> set_env;  // added or overridden
    std::vector<std::string> unset_env;          // removed
    bool clear_env = false;                      // start from an empty environment
    std::string label = "process";               // names output files and messages
    std::filesystem::path output_dir;            // where capture() sinks go (optional)
    OutputSink stdout_sink = OutputSink::capture();
    OutputSink stderr_sink = OutputSink::capture();  // same file path as stdout: shared
    std::filesystem::path stdin_file;                // empty: /dev/null
    std::vector<int> inherit_fds;                    // extra fds the child keeps (same numbers)
    bool die_with_runner = true;                     // PR_SET_PDEATHSIG(SIGKILL)
    std::optional<std::uint64_t> max_file_bytes;     // RLIMIT_FSIZE: caps output floods (SIGXFSZ)
};

// ProcessOptions for argv / for `/bin/sh -c LINE`.
ProcessOptions command(std::vector<std::string> argv);
ProcessOptions shell_command(const std::string& line);

class Process {
public:
    // Starts the child; throws SpawnError (with the reason) if it cannot run.
    explicit Process(ProcessOptions options);
    Process(Process&& other) noexcept;
    Process& operator=(Process&& other) noexcept;
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;
    ~Process();  // stop(default grace)

    static constexpr Clock::duration default_grace = std::chrono::seconds(2);

    pid_t pid() const;  // also the process group id
    const std::string& label() const;
    std::string command_line() const;  // argv joined by spaces, for messages
    std::string describe() const;      // "label (pid N)"
    // The environment entry that marks this child and its descendants.
    const std::string& token_entry() const;

    std::chrono::system_clock::time_point started_wall() const;
    Clock::time_point started() const;
    // From start to the moment its exit was observed (or until now).
    Clock::duration lifetime() const;

    // Non-blocking: the exit status once the child has ended.
    std::optional<ExitStatus> exit_status() const;
    bool running() const { return !exit_status(); }
    // Blocks until the child ends or the deadline passes.
    std::optional<ExitStatus> wait_for(Deadline deadline) const;
    std::optional<ExitStatus> wait_for(Clock::duration timeout) const { return wait_for(deadline_after(timeout)); }

    // Sends `signal` to the child's process group.
    void send_signal(int signal) const;

    // SIGTERM (then SIGCONT) to the group and every process found as described
    // above, waits up to `grace` for all of them to end, then SIGKILLs whatever
    // is left (rescanning until none is alive, at most a few seconds), and
    // reaps the child. Returns how the child ended (ExitStatus::unknown() if it
    // could not be killed). Idempotent; also sweeps leftovers of a child that
    // had already exited on its own.
    ExitStatus stop(Clock::duration grace = default_grace);

    // Live processes this child left or still runs (itself included while
    // alive): group members, descendants, token holders.
    std::vector<pid_t> family() const;

    // The file an output stream goes to, when it has a name.
    std::optional<std::filesystem::path> output_path(Stream s) const;
    // Reads up to max_bytes of a captured/file stream from `offset` ("" for
    // discard/inherit). Works while the child runs.
    std::string read_output(Stream s, std::uint64_t offset = 0, std::size_t max_bytes = 1 << 20) const;
    std::uint64_t output_size(Stream s) const;

private:
    struct State;
    std::unique_ptr<State> s_;
};

}  // namespace tpc3::harness
