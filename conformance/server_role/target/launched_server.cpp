#include "target/launched_server.h"

#include <algorithm>
#include <cstdio>
#include <system_error>

#include "harness/ports.h"
#include "harness/readiness.h"

namespace fs = std::filesystem;

namespace tpc3::conform::server {

namespace {

constexpr std::string_view kPortPlaceholder = "{port}";
constexpr std::size_t kScanBytes = 1 << 20;  // stderr read for a traceback (its end)

std::string seconds_text(std::chrono::steady_clock::duration d)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f s", std::chrono::duration<double>(d).count());
    return buf;
}

harness::TempDir make_temp(const LaunchOptions& o)
{
    try {
        return o.temp_base.empty() ? harness::TempDir("tpc3-server-") : harness::TempDir("tpc3-server-", o.temp_base);
    } catch (const std::exception& e) {
        throw TargetError(std::string("cannot create the server's scratch directory: ") + e.what());
    }
}

}  // namespace

std::string substitute_port(const std::string& command, std::uint16_t port)
{
    std::string out;
    const std::string p = std::to_string(port);
    std::size_t from = 0;
    for (;;) {
        const auto at = command.find(kPortPlaceholder, from);
        if (at == std::string::npos) break;
        out.append(command, from, at - from);
        out += p;
        from = at + kPortPlaceholder.size();
    }
    out.append(command, from, std::string::npos);
    return out;
}

LaunchedServer::LaunchedServer(LaunchOptions options) : options_(std::move(options)), temp_(make_temp(options_))
{
    if (options_.keep_temp) temp_.keep();
    if (options_.command.find(kPortPlaceholder) == std::string::npos)
        throw TargetError("the server command \"" + options_.command +
                          "\" has no {port}: the runner picks the port and needs to give it to the server");
    std::error_code ec;
    if (!fs::is_directory(options_.workdir, ec))
        throw TargetError("the server's directory " + options_.workdir.string() + " does not exist or is not a directory");
    served_ = temp_ / "served";
    logs_ = temp_ / "logs";
    try {
        harness::copy_tree(options_.workdir, served_);
        fs::create_directories(logs_);
        for (const FileToCopy& f : options_.files)
            fs::copy_file(f.source, served_ / f.name, fs::copy_options::overwrite_existing);
        if (options_.outside_file) {
            outside_ = temp_ / options_.outside_name;
            fs::copy_file(*options_.outside_file, *outside_, fs::copy_options::overwrite_existing);
        }
    } catch (const fs::filesystem_error& e) {
        throw TargetError(std::string("preparing the server's directory: ") + e.what());
    }
}

LaunchedServer::~LaunchedServer() { stop(); }

StartOutcome LaunchedServer::start()
{
    StartOutcome outcome;
    for (int attempt = 0; attempt < std::max(1, options_.start_attempts); ++attempt) {
        outcome = start_once();
        if (outcome.started) return outcome;
        // Only a port taken between picking and binding is worth another try.
        const bool port_taken = outcome.process && outcome.process->stderr_tail.find("Address already in use") !=
                                                       std::string::npos;
        if (!port_taken) break;
    }
    return outcome;
}

StartOutcome LaunchedServer::start_once()
{
    // The previous process (if any) goes: take its report before a restart.
    stop();
    process_.reset();
    const auto began = std::chrono::steady_clock::now();
    StartOutcome outcome;
    try {
        port_ = harness::pick_free_tcp_port();
    } catch (const std::exception& e) {
        outcome.problem = std::string("no free TCP port: ") + e.what();
        return outcome;
    }
    command_line_ = substitute_port(options_.command, port_);
    ++starts_;
    harness::ProcessOptions po = harness::shell_command(command_line_);
    po.cwd = served_;
    po.label = "server-" + std::to_string(starts_);
    po.output_dir = logs_;
    po.set_env = options_.env;
    try {
        process_ = std::make_unique<harness::Process>(std::move(po));
    } catch (const harness::SpawnError& e) {
        outcome.problem = std::string("cannot start the server command: ") + e.what();
        return outcome;
    }
    stopped_by_runner_ = false;
    const auto ready = harness::wait_for_tcp_listener(port_, harness::deadline_after(options_.start_timeout),
                                                      process_.get());
    outcome.took = std::chrono::steady_clock::now() - began;
    switch (ready.outcome) {
    case harness::Readiness::ready:
        outcome.started = true;
        return outcome;
    case harness::Readiness::process_exited:
        outcome.problem = "the server exited before it listened on TCP port " + std::to_string(port_);
        break;
    case harness::Readiness::timed_out:
        outcome.problem = "the server did not listen on TCP port " + std::to_string(port_) + " within " +
                          seconds_text(options_.start_timeout);
        break;
    }
    // Evidence first, then stop: a server that never listened is of no use.
    if (ready.outcome != harness::Readiness::process_exited) stop();
    outcome.process = report_of(*process_, 0);
    return outcome;
}

StartOutcome LaunchedServer::restart() { return start(); }

void LaunchedServer::stop()
{
    if (!process_) return;
    if (process_->running()) stopped_by_runner_ = true;
    process_->stop(options_.stop_grace);
}

bool LaunchedServer::alive() const { return process_ && process_->running(); }

std::uint64_t LaunchedServer::stderr_mark() const
{
    return process_ ? process_->output_size(harness::Stream::err) : 0;
}

std::optional<ServerProcessReport> LaunchedServer::process_report(std::uint64_t stderr_from) const
{
    if (!process_) return std::nullopt;
    return report_of(*process_, stderr_from);
}

ServerProcessReport LaunchedServer::report_of(const harness::Process& p, std::uint64_t stderr_from) const
{
    ServerProcessReport r;
    r.when = std::chrono::system_clock::now();
    r.exit = p.exit_status();
    r.running = !r.exit.has_value();
    r.stopped_by_runner = !r.running && stopped_by_runner_;
    if (r.exit) r.exit_status = r.exit->describe();

    const std::uint64_t size = p.output_size(harness::Stream::err);
    const std::uint64_t from = std::min(stderr_from, size);
    const std::uint64_t tail_from = std::max<std::uint64_t>(from, size > options_.stderr_tail_bytes
                                                                      ? size - options_.stderr_tail_bytes
                                                                      : 0);
    r.stderr_tail = p.read_output(harness::Stream::err, tail_from, options_.stderr_tail_bytes);
    const std::uint64_t scan_from = std::max<std::uint64_t>(from, size > kScanBytes ? size - kScanBytes : 0);
    const std::string scanned = p.read_output(harness::Stream::err, scan_from, kScanBytes);
    const StderrFindings f = examine_stderr(scanned, options_.stderr_tail_bytes);
    r.has_traceback = f.has_traceback;
    r.traceback = f.traceback;
    r.error_line = f.error_line;
    r.hint = hint_for(scanned, r.exit);
    return r;
}

std::optional<fs::path> LaunchedServer::stdout_log() const
{
    if (!process_) return std::nullopt;
    return process_->output_path(harness::Stream::out);
}

std::optional<fs::path> LaunchedServer::stderr_log() const
{
    if (!process_) return std::nullopt;
    return process_->output_path(harness::Stream::err);
}

}  // namespace tpc3::conform::server
