// Snapshots of the Linux process table (/proc), used to find every process a
// child left behind: its process group, its descendants, and processes that
// inherited a marker in their environment.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

namespace tpc3::harness {

struct ProcInfo {
    pid_t pid = 0;
    pid_t ppid = 0;
    pid_t pgid = 0;
    pid_t sid = 0;
    char state = '?';                  // R, S, D, T, Z, ...
    unsigned long long start_ticks = 0;  // since boot, in clock ticks (tells a reused pid apart)
    bool gone() const { return state == 'Z' || state == 'X'; }  // zombie or dead: cannot run any more
};

// Reads /proc/PID/stat; nullopt when the process does not exist (any more).
std::optional<ProcInfo> read_proc_info(pid_t pid);
// Every process visible in /proc, including zombies.
std::vector<ProcInfo> list_processes();

// Command line with NULs turned into spaces ("" for zombies and kernel threads).
std::string read_cmdline(pid_t pid);
// Whether the process's initial environment (/proc/PID/environ) holds `needle`
// as one whole "NAME=VALUE" entry. False when unreadable (other user, gone).
bool environ_has_entry(pid_t pid, std::string_view needle);

// Pids of all processes in `table` that descend from `root` (root excluded),
// following ppid links. Orphans re-parented to init are not found this way.
std::vector<pid_t> descendants_of(const std::vector<ProcInfo>& table, pid_t root);

// Live (not zombie) processes, other than this one, whose command line
// contains `needle`. Tests use it to prove nothing was left behind.
std::vector<pid_t> live_processes_with_cmdline(std::string_view needle);

}  // namespace tpc3::harness
