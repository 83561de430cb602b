#include "harness/proc_table.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include <dirent.h>
#include <unistd.h>

namespace tpc3::harness {
namespace {

std::string read_small_file(const std::string& path, std::size_t max_bytes) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    std::string out(max_bytes, '\0');
    in.read(out.data(), static_cast<std::streamsize>(max_bytes));
    out.resize(static_cast<std::size_t>(in.gcount()));
    return out;
}

std::optional<pid_t> parse_pid(const char* name) {
    char* end = nullptr;
    long v = std::strtol(name, &end, 10);
    if (end == name || *end != '\0' || v <= 0) return std::nullopt;
    return static_cast<pid_t>(v);
}

}  // namespace

std::optional<ProcInfo> read_proc_info(pid_t pid) {
    std::string stat = read_small_file("/proc/" + std::to_string(pid) + "/stat", 4096);
    // "pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
    //  utime stime cutime cstime priority nice threads itrealvalue starttime ..."
    // comm may hold spaces and ')', so parse after the last ')'.
    auto close = stat.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream rest(stat.substr(close + 1));
    ProcInfo info;
    info.pid = pid;
    long skip = 0;
    rest >> info.state >> info.ppid >> info.pgid >> info.sid;
    for (int i = 0; i < 15; ++i) rest >> skip;  // tty_nr .. itrealvalue
    rest >> info.start_ticks;
    if (!rest) return std::nullopt;
    return info;
}

std::vector<ProcInfo> list_processes() {
    std::vector<ProcInfo> out;
    DIR* dir = ::opendir("/proc");
    if (dir == nullptr) return out;
    while (dirent* e = ::readdir(dir)) {
        if (auto pid = parse_pid(e->d_name)) {
            if (auto info = read_proc_info(*pid)) out.push_back(*info);
        }
    }
    ::closedir(dir);
    return out;
}

std::string read_cmdline(pid_t pid) {
    std::string s = read_small_file("/proc/" + std::to_string(pid) + "/cmdline", 64 * 1024);
    while (!s.empty() && s.back() == '\0') s.pop_back();
    std::replace(s.begin(), s.end(), '\0', ' ');
    return s;
}

bool environ_has_entry(pid_t pid, std::string_view needle) {
    std::string env = read_small_file("/proc/" + std::to_string(pid) + "/environ", 1024 * 1024);
    std::size_t pos = 0;
    while (pos < env.size()) {
        std::size_t end = env.find('\0', pos);
        if (end == std::string::npos) end = env.size();
        if (std::string_view(env).substr(pos, end - pos) == needle) return true;
        pos = end + 1;
    }
    return false;
}

std::vector<pid_t> descendants_of(const std::vector<ProcInfo>& table, pid_t root) {
    std::set<pid_t> found;
    std::vector<pid_t> frontier{root};
    while (!frontier.empty()) {
        pid_t parent = frontier.back();
        frontier.pop_back();
        for (const auto& p : table) {
            if (p.ppid == parent && p.pid != root && found.insert(p.pid).second) frontier.push_back(p.pid);
        }
    }
    return {found.begin(), found.end()};
}

std::vector<pid_t> live_processes_with_cmdline(std::string_view needle) {
    std::vector<pid_t> out;
    const pid_t self = ::getpid();
    for (const auto& p : list_processes()) {
        if (p.pid == self || p.gone()) continue;
        if (read_cmdline(p.pid).find(needle) != std::string::npos) {
            // Re-check: it may have died (a zombie has an empty cmdline) in between.
            auto again = read_proc_info(p.pid);
            if (again && !again->gone()) out.push_back(p.pid);
        }
    }
    return out;
}

}  // namespace tpc3::harness
