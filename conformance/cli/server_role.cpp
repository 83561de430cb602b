#include "cli/server_role.h"

#include <iostream>
#include <optional>

#include "cli/line_synced_stream.h"
#include "cli/pcap_output.h"
#include "cli/report_outputs.h"
#include "cli/target_address.h"
#include "cli/watchdog.h"
#include "report/catalogue.h"
#include "report/timestamp.h"
#include "session/verbose_printer.h"
#include "target/remote_server.h"

namespace tpc3::conform::cli {

namespace {

using std::chrono::milliseconds;

// The watchdog fires this long after --timeout: the run's own deadline
// should have ended it well before.
constexpr milliseconds kWatchdogSlack{30000};

std::map<std::string, std::string> parse_env(const std::vector<std::string>& entries)
{
    std::map<std::string, std::string> env;
    for (const std::string& e : entries) {
        const std::size_t eq = e.find('=');
        if (eq == std::string::npos || eq == 0)
            throw report::UsageError("--server-env \"" + e + "\": expected KEY=VALUE");
        env[e.substr(0, eq)] = e.substr(eq + 1);
    }
    return env;
}

bool on_loopback(const server::ServerSuiteOptions& o)
{
    const auto* remote = std::get_if<server::RemoteSpec>(&o.target);
    if (remote == nullptr) return true;
    try {
        return server::is_loopback_address(net::to_endpoint(net::resolve(remote->endpoint.host, 1)).host);
    } catch (const std::exception&) {
        return true;  // the suite reports the unresolvable host
    }
}

// What the watchdog writes when the run never ended: every check an error.
report::Report aborted_report(const server::ServerSuiteOptions& o, const std::string& started, double limit_s)
{
    report::Report r;
    r.role = report::Role::Server;
    r.target = std::holds_alternative<server::LaunchSpec>(o.target)
                   ? std::get<server::LaunchSpec>(o.target).command
                   : std::get<server::RemoteSpec>(o.target).endpoint.str();
    r.started = started;
    r.duration_s = limit_s;
    const std::string why = "the runner did not finish within " + std::to_string(static_cast<long>(limit_s)) +
                            " s (--timeout plus a margin) and was stopped: a fault of the runner, not a verdict";
    for (const report::CheckInfo& c : report::checks_for(report::Role::Server)) r.checks.push_back(report::error(c, why));
    return r;
}

}  // namespace

server::ServerSuiteOptions server_suite_options(const CommandLine& cl)
{
    server::ServerSuiteOptions o;
    if (!cl.target_server.empty()) {
        o.target = server::RemoteSpec{parse_host_port(cl.target_server), cl.file, cl.allow_remote};
    } else {
        o.target = server::LaunchSpec{cl.server_cmd, cl.workdir, parse_env(cl.server_env),
                                      milliseconds(static_cast<long>(cl.start_timeout_s * 1000))};
    }
    if (!cl.movie.empty()) o.movie = cl.movie;
    o.full = cl.full;
    o.selection = report::Selection::parse(cl.only, cl.skip, report::checks_for(report::Role::Server));
    o.thresholds = cl.thresholds;
    o.timeout = milliseconds(static_cast<long>(cl.timeout_s * 1000));
    o.keep_workdir = cl.keep_workdir;
    return o;
}

int run_server_role(const CommandLine& cl, std::ostream& out, std::ostream& err)
{
    server::ServerSuiteOptions options = server_suite_options(cl);

    std::optional<PcapOutput> pcap;
    if (!cl.pcap.empty()) {
        try {
            pcap.emplace(cl.pcap, parse_pcap_mode(cl.pcap_mode), on_loopback(options));
        } catch (const report::UsageError&) {
            throw;
        } catch (const std::exception& e) {
            err << "tpc3-conform: --pcap " << cl.pcap << ": " << e.what() << "\n";
            return report::exit_code::usage_or_harness;
        }
    }
    // Session threads and the plan write --verbose lines at once: whole lines only.
    LineSyncedStream verbose_out(out);
    std::optional<server::VerbosePrinter> verbose;
    if (cl.verbose) verbose.emplace(verbose_out);
    server::ObserverList observers;
    if (pcap) observers.add(pcap->observer());
    if (verbose) observers.add(&*verbose);
    options.observer = observers.empty() ? nullptr : &observers;
    if (pcap) options.on_server_endpoint = [&pcap](const net::Endpoint& e) { pcap->server_endpoint(e); };
    options.progress = cl.verbose ? &verbose_out : nullptr;

    const std::string started = report::iso8601_utc_now();
    const milliseconds limit = options.timeout + kWatchdogSlack;
    Watchdog watchdog(limit, [&] {
        err << "tpc3-conform: the run did not end within --timeout plus " << kWatchdogSlack.count() / 1000
            << " s; stopping (a runner fault)\n";
        write_report_files(aborted_report(options, started, static_cast<double>(limit.count()) / 1000.0), cl);
    });

    server::ServerSuiteRun run;
    try {
        run = server::run_server_suite(options);
    } catch (const report::UsageError&) {
        if (pcap) pcap->discard();
        throw;
    }

    if (pcap) add_pcap_artifact(run.report, *pcap, err);
    if (run.kept_workdir) run.report.artifacts["workdir"] = run.kept_workdir->string();
    return finish_run(run.report, run.harness_error, cl, out, err);
}

}  // namespace tpc3::conform::cli
