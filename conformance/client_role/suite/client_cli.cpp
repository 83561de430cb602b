#include "client_role/suite/client_cli.h"

#include <cstdio>
#include <memory>
#include <mutex>

#include <CLI/CLI.hpp>

#include "client_role/suite/client_suite.h"
#include "pcaps/capture/live_capture.h"
#include "pcaps/capture/synthetic_recorder.h"
#include "report/catalogue.h"
#include "report/report.h"
#include "report/selection.h"
#include "session/pcap_observer.h"

namespace tpc3::conform::client {
namespace {

namespace fs = std::filesystem;

// The pcap of a run: a live capture on lo when the runner may capture, else
// a synthetic recording of the runner's own view.
class RunCapture {
public:
    explicit RunCapture(const fs::path& file)
    {
        if (pcap::LiveCapture::can_capture()) {
            pcap::LiveCaptureOptions o;
            o.ports = {0};  // a port set that keeps nothing until the runs add theirs
            live_ = std::make_unique<pcap::LiveCapture>(file, o);
            kind_ = "live";
        } else {
            recorder_ = std::make_unique<pcap::SyntheticRecorder>(file);
            synthetic_ = std::make_unique<server::SyntheticPcapObserver>(*recorder_);
            kind_ = "synthetic";
        }
    }
    server::ConnectionObserver* observer() { return synthetic_.get(); }
    void add_ports(std::uint16_t tcp, std::uint16_t udp)
    {
        if (!live_) return;
        const std::uint16_t ports[] = {tcp, udp};
        live_->add_ports(ports);
    }
    // Closes the file; returns a problem to report, or empty.
    std::string finish()
    {
        try {
            if (live_) {
                const auto stats = live_->stop();
                if (stats.dropped_by_kernel > 0)
                    return "the live capture lost " + std::to_string(stats.dropped_by_kernel) + " packets";
                return stats.error;
            }
            recorder_->close();
            return synthetic_->first_error();
        } catch (const std::exception& e) {
            return e.what();
        }
    }
    const std::string& kind() const { return kind_; }

private:
    std::unique_ptr<pcap::LiveCapture> live_;
    std::unique_ptr<pcap::SyntheticRecorder> recorder_;
    std::unique_ptr<server::SyntheticPcapObserver> synthetic_;
    std::string kind_;
};

}  // namespace

void add_client_role_options(CLI::App& app, ClientRoleOptions& o, bool with_shared)
{
    app.add_option("--client-cmd", o.client_cmd,
                   "client under test: a command run by /bin/sh -c in a fresh copy of --workdir, with {host} "
                   "{tcp_port} {udp_port} {file} replaced, e.g. 'python3 Client.py {host} {tcp_port} {udp_port} "
                   "{file}'");
    app.add_option("--client-env", o.client_env, "NAME=VALUE added to the client's environment (repeatable)");
    app.add_option_function<std::string>(
        "--artifacts", [&o](const std::string& v) { o.artifacts = fs::path(v); },
                   "directory for the evidence (poison screenshots, contact sheet, files written, client output); "
                   "default: next to --json, else a new directory under $TMPDIR");
    app.add_option("--min-played", o.min_played_ratio, "C-PLAY-01: share of the valid frames to show and write")
        ->check(CLI::Range(0.0, 1.0));
    app.add_option("--refusal-exit", o.refusal_exit_s, "C-SETUP-03: seconds the client has to exit after -1")
        ->check(CLI::Range(0.1, 60.0));
    app.add_option_function<std::uint32_t>(
        "--session-id", [&o](const std::uint32_t& v) { o.session_id = v; },
        "SessionID of the main run (default: random)");
    app.add_option("--seed", o.seed, "seed of the random and corrupt datagrams");
    if (with_shared) {
        app.add_option("--workdir", o.workdir, "the client's directory (copied fresh for every client run)");
        app.add_flag("--keep-workdir", o.keep_workdir, "leave each run's directory on disk");
    }
}

ClientSuiteOptions client_suite_options(const ClientRoleOptions& o, std::ostream& progress)
{
    ClientSuiteOptions so;
    so.command = o.client_cmd;
    so.workdir = o.workdir;
    so.thresholds.min_played_ratio = o.min_played_ratio;
    so.thresholds.refusal_exit_s = o.refusal_exit_s;
    so.session_id = o.session_id;
    so.seed = o.seed;
    so.keep_workdir = o.keep_workdir;
    so.artifacts = o.artifacts;
    if (!so.artifacts && o.json && o.json->string() != "-") {
        const fs::path json = *o.json;
        so.artifacts = json.parent_path() / (json.stem().string() + "-artifacts");
    }
    for (const std::string& kv : o.client_env) {
        const auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0)
            throw report::UsageError("--client-env " + kv + ": expected NAME=VALUE");
        so.env[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    if (o.verbose) so.progress = &progress;
    so.observer = o.observer;
    so.on_ports = o.on_ports;
    so.selection = report::Selection::parse(o.only, o.skip, report::checks_for(report::Role::Client));
    return so;
}

int run_client_role(const ClientRoleOptions& o, std::ostream& out, std::ostream& err)
{
    ClientSuiteOptions so;
    std::unique_ptr<RunCapture> capture;
    try {
        so = client_suite_options(o, err);
        if (o.pcap && o.observer == nullptr) {
            capture = std::make_unique<RunCapture>(*o.pcap);
            so.observer = capture->observer();
            so.on_ports = [c = capture.get(), m = std::make_shared<std::mutex>()](std::uint16_t tcp,
                                                                                std::uint16_t udp) {
                std::lock_guard lock(*m);
                c->add_ports(tcp, udp);
            };
        }
    } catch (const report::UsageError& e) {
        err << "tpc3-conform: " << e.what() << "\n";
        return report::exit_code::usage_or_harness;
    } catch (const std::exception& e) {
        err << "tpc3-conform: cannot write the pcap " << o.pcap->string() << ": " << e.what() << "\n";
        return report::exit_code::usage_or_harness;
    }

    ClientSuiteRun run;
    try {
        run = run_client_suite(so);
    } catch (const report::UsageError& e) {
        err << "tpc3-conform: " << e.what() << "\n";
        return report::exit_code::usage_or_harness;
    }
    if (capture) {
        const std::string problem = capture->finish();
        run.report.artifacts["pcap"] = o.pcap->string();
        run.report.extra["pcap"] = {{"kind", capture->kind()}};
        if (!problem.empty()) run.report.extra["pcap"]["problem"] = problem;
    }
    run.report.artifacts["artifacts_dir"] = run.artifacts_dir.string();

    int status = run.harness_error.empty() ? run.report.exit_status() : report::exit_code::usage_or_harness;
    try {
        if (o.json) run.report.write_json(o.json->string());
        if (o.junit) run.report.write_junit(o.junit->string());
    } catch (const std::exception& e) {
        err << "tpc3-conform: " << e.what() << "\n";
        status = report::exit_code::usage_or_harness;
    }
    const bool to_stdout = o.json && o.json->string() == "-";
    if (!to_stdout) run.report.print_console(out, o.colour.value_or(report::colour_default(stdout)), o.verbose);
    if (!run.harness_error.empty()) err << "tpc3-conform: the runner failed: " << run.harness_error << "\n";
    return status;
}

int client_role_main(int argc, const char* const* argv, std::ostream& out, std::ostream& err)
{
    CLI::App app{"tpc3-conform, client role: judges a TPC3 client by every C-* check of CHECKS.md"};
    ClientRoleOptions o;
    add_client_role_options(app, o);
    std::string json, junit, pcap;
    app.add_option("--json", json, "write the JSON report to FILE ('-': standard output)");
    app.add_option("--junit", junit, "write a JUnit XML report to FILE");
    app.add_option("--pcap", pcap, "write the traffic of the runs to FILE");
    app.add_option("--only", o.only, "run only these checks (comma-separated globs: C-REJ-*)");
    app.add_option("--skip", o.skip, "do not run these checks");
    app.add_flag("-v,--verbose", o.verbose, "pass messages, evidence and run progress");
    bool no_colour = false;
    app.add_flag("--no-color", no_colour, "no colours on the console");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e, out, err) == 0 ? 0 : report::exit_code::usage_or_harness;
    }
    if (o.client_cmd.empty()) {
        err << "tpc3-conform: --client-cmd is required\n";
        return report::exit_code::usage_or_harness;
    }
    if (!json.empty()) o.json = json;
    if (!junit.empty()) o.junit = junit;
    if (!pcap.empty()) o.pcap = pcap;
    if (no_colour) o.colour = false;
    return run_client_role(o, out, err);
}

}  // namespace tpc3::conform::client
