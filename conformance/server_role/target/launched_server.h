// A server the runner starts itself (--server-cmd 'python3 Server.py {port}'
// --workdir DIR):
//  - a fresh TempDir; DIR is copied to <tmp>/served, the server's working
//    directory; the runner's test movies are copied in beside the student's
//    files; for S-SEC-01 a file can be placed OUTSIDE it, <tmp>/outside.mpeg
//    (requested as "../outside.mpeg" and by its absolute path);
//  - the command runs as given (/bin/sh -c, {port} replaced by a free port) in
//    its own process group, stdout/stderr to files under <tmp>/logs;
//  - start() waits until the port listens (from /proc/net/tcp: no probe
//    connection, which a one-session-at-a-time server would take for a client)
//    and fails early, with the evidence, if the process exits first;
//  - stop(), restart() and the destructor stop the process and every child.
// Not thread-safe: use it from one long-lived thread (the process is tied to
// the thread that started it; see harness::Process die_with_runner).
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/process.h"
#include "harness/temp_dir.h"
#include "target/server_target.h"

namespace tpc3::conform::server {

struct FileToCopy {
    std::filesystem::path source;
    std::string name;  // its name in the served directory
};

struct LaunchOptions {
    std::string command;             // must contain {port}
    std::filesystem::path workdir;   // the submission's directory (copied, never modified)
    std::vector<FileToCopy> files;   // the runner's test movies, copied into the served directory
    std::optional<std::filesystem::path> outside_file;  // copied to <tmp>/<outside_name>
    std::string outside_name = "outside.mpeg";
    std::string host = "127.0.0.1";  // where sessions connect
    std::chrono::milliseconds start_timeout{10000};
    std::chrono::milliseconds stop_grace{2000};
    std::map<std::string, std::string> env;  // added to the server's environment
    std::size_t stderr_tail_bytes = 4096;
    std::filesystem::path temp_base;  // empty: harness::TempDir::default_base()
    bool keep_temp = false;           // leave <tmp> on disk (post-mortem)
    int start_attempts = 2;           // a new port is tried when the first was taken meanwhile
};

class LaunchedServer final : public ServerTarget {
public:
    // Prepares <tmp> (copies DIR, the files, the outside file); starts nothing.
    // Throws TargetError: no {port} in the command, DIR missing, a copy failed.
    explicit LaunchedServer(LaunchOptions options);
    ~LaunchedServer() override;
    LaunchedServer(const LaunchedServer&) = delete;
    LaunchedServer& operator=(const LaunchedServer&) = delete;

    // Starts the command on a free port and waits until it listens.
    StartOutcome start();

    net::Endpoint endpoint() const override { return {options_.host, port_}; }
    std::string describe() const override { return options_.command; }
    bool launched() const override { return true; }
    bool alive() const override;
    std::optional<ServerProcessReport> process_report(std::uint64_t stderr_from = 0) const override;
    std::uint64_t stderr_mark() const override;
    StartOutcome restart() override;
    void stop() override;

    const std::filesystem::path& temp_root() const { return temp_.path(); }
    const std::filesystem::path& served_dir() const { return served_; }
    // The file placed outside the served directory, when one was asked for.
    const std::optional<std::filesystem::path>& outside_file() const { return outside_; }
    // The command line last started ({port} replaced); empty before start().
    const std::string& command_line() const { return command_line_; }
    std::optional<std::filesystem::path> stdout_log() const;
    std::optional<std::filesystem::path> stderr_log() const;
    int starts() const { return starts_; }
    const harness::Process* process() const { return process_.get(); }

private:
    StartOutcome start_once();
    ServerProcessReport report_of(const harness::Process& p, std::uint64_t stderr_from) const;

    LaunchOptions options_;
    harness::TempDir temp_;  // declared before process_: the process stops before the tree goes
    std::filesystem::path served_;
    std::filesystem::path logs_;
    std::optional<std::filesystem::path> outside_;
    std::unique_ptr<harness::Process> process_;
    bool stopped_by_runner_ = false;
    std::uint16_t port_ = 0;
    std::string command_line_;
    int starts_ = 0;
};

// `command` with every "{port}" replaced by `port`.
std::string substitute_port(const std::string& command, std::uint16_t port);

}  // namespace tpc3::conform::server
