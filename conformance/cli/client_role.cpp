#include "cli/client_role.h"

#include <optional>

#include "cli/line_synced_stream.h"
#include "cli/pcap_output.h"
#include "cli/report_outputs.h"
#include "client_role/suite/client_cli.h"
#include "client_role/suite/client_suite.h"
#include "report/report.h"

namespace tpc3::conform::cli {

namespace {

// The client-only options as parsed, with the options the CLI shares between
// roles copied in.
client::ClientRoleOptions client_role_options(const CommandLine& cl)
{
    client::ClientRoleOptions o = cl.client;
    o.workdir = cl.workdir;
    o.keep_workdir = cl.keep_workdir;
    if (!cl.json.empty()) o.json = cl.json;
    if (!cl.junit.empty()) o.junit = cl.junit;
    o.only = cl.only;
    o.skip = cl.skip;
    o.verbose = cl.verbose;
    o.colour = cl.colour;
    return o;  // pcap: the CLI's own PcapOutput, below
}

}  // namespace

int run_client_role(const CommandLine& cl, std::ostream& out, std::ostream& err)
{
    client::ClientRoleOptions options = client_role_options(cl);

    // Every port is the runner's or the client's, on loopback.
    std::optional<PcapOutput> pcap;
    if (!cl.pcap.empty()) {
        try {
            pcap.emplace(cl.pcap, parse_pcap_mode(cl.pcap_mode), true);
        } catch (const report::UsageError&) {
            throw;
        } catch (const std::exception& e) {
            err << "tpc3-conform: --pcap " << cl.pcap << ": " << e.what() << "\n";
            return report::exit_code::usage_or_harness;
        }
        options.observer = pcap->observer();
        options.on_ports = [&pcap](std::uint16_t tcp_port, std::uint16_t udp_port) {
            for (const std::uint16_t port : {tcp_port, udp_port}) pcap->server_endpoint({"127.0.0.1", port});
        };
    }
    // With --json -, standard output holds the JSON only.
    LineSyncedStream progress(cl.json == "-" ? err : out);

    client::ClientSuiteRun run;
    try {
        run = client::run_client_suite(client::client_suite_options(options, progress));
    } catch (const report::UsageError&) {
        if (pcap) pcap->discard();
        throw;
    }

    if (pcap) add_pcap_artifact(run.report, *pcap, err);
    run.report.artifacts["artifacts_dir"] = run.artifacts_dir.string();
    for (std::size_t i = 0; i < run.kept_workdirs.size(); ++i)
        run.report.artifacts["workdir" + (i == 0 ? std::string() : "-" + std::to_string(i + 1))] =
            run.kept_workdirs[i].string();
    return finish_run(run.report, run.harness_error, cl, out, err);
}

}  // namespace tpc3::conform::cli
