#include "cli/command_line.h"

#include <utility>

#include <CLI/CLI.hpp>

#include "cli/help_text.h"
#include "report/report.h"
#include "report/selection.h"

namespace tpc3::conform::cli {

namespace {

void add_target_options(CLI::App& app, CommandLine& cl)
{
    const char* group = "Server under test";
    app.add_option("--target-server", cl.target_server, "HOST:PORT of a server that is already running")
        ->type_name("HOST:PORT")
        ->group(group);
    app.add_option("--file", cl.file, "with --target-server: the movie NAME the server has")
        ->type_name("NAME")->group(group);
    app.add_flag("--allow-remote", cl.allow_remote,
                 "with --target-server: allow a HOST that is not this machine (otherwise loopback only)")
        ->group(group);
    app.add_option("--server-cmd", cl.server_cmd,
                   "the command that starts the server, with {port} where the TCP port goes "
                   "(run by /bin/sh in a copy of --workdir)")
        ->type_name("COMMAND")
        ->group(group);
    app.add_option("--workdir", cl.workdir,
                   "with --server-cmd or --client-cmd: the submission's directory (copied, never changed)")
        ->type_name("DIR")
        ->group(group);
    app.add_option("--server-env", cl.server_env, "with --server-cmd: KEY=VALUE added to the server's environment (repeatable)")
        ->type_name("KEY=VALUE")
        ->group(group);
    app.add_option("--start-timeout", cl.start_timeout_s, "with --server-cmd: seconds to wait for the port to listen")
        ->type_name("SECONDS")
        ->check(CLI::PositiveNumber)
        ->capture_default_str()
        ->group(group);
}

void add_movie_options(CLI::App& app, CommandLine& cl)
{
    const char* group = "Movies";
    app.add_option("--movie", cl.movie,
                   "with --server-cmd: stream this movie instead of the runner's 40-frame one; "
                   "with --target-server: the local copy of --file (enables S-PAY-02/03)")
        ->type_name("FILE")
        ->group(group);
    app.add_flag("--full", cl.full,
                 "with --server-cmd: also stream a long real-size movie (500 frames of 640x480, 25 s) and judge it "
                 "like the main stream")
        ->group(group);
}

void add_check_options(CLI::App& app, CommandLine& cl)
{
    const char* group = "Checks";
    app.add_option("--only", cl.only, "run only these checks: comma-separated IDs or globs, e.g. 'S-RTP-*,S-PAY-02'")
        ->type_name("LIST")
        ->group(group);
    app.add_option("--skip", cl.skip, "do not run these checks (same syntax; wins over --only)")
        ->type_name("LIST")->group(group);
    app.add_flag("--list", cl.list, "print the catalogue of checks and exit (with --verbose: the requirements)")
        ->group(group);
}

void add_threshold_options(CLI::App& app, server::Thresholds& t)
{
    const char* group = "Judging (PROTOCOL.md section 6)";
    app.add_option("--rate", t.nominal_rate_hz, "nominal datagrams per second")
        ->type_name("HZ")
        ->check(CLI::PositiveNumber)
        ->capture_default_str()
        ->group(group);
    app.add_option("--rate-tolerance", t.rate_tolerance, "S-TIME-01: allowed deviation of the mean rate, a fraction")
        ->type_name("FRACTION")
        ->check(CLI::Range(0.0, 1.0))
        ->capture_default_str()
        ->group(group);
    app.add_option("--pacing-median-tolerance", t.pacing_median_tolerance_ms,
                   "S-TIME-02: ms the median inter-arrival may differ from the period")
        ->type_name("MS")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str()
        ->group(group);
    app.add_option("--pacing-p95-slack", t.pacing_p95_slack_ms,
                   "S-TIME-02: ms the 95th percentile inter-arrival may exceed the period")
        ->type_name("MS")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str()
        ->group(group);
    app.add_option("--burst-gap", t.burst_gap_ms, "S-TIME-02: an inter-arrival under this many ms is part of a burst")
        ->type_name("MS")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str()
        ->group(group);
    app.add_option("--burst-run", t.burst_run_length, "S-TIME-02: this many burst inter-arrivals in a row fail")
        ->type_name("N")
        ->check(CLI::PositiveNumber)
        ->capture_default_str()
        ->group(group);
    app.add_option("--timestamp-tolerance", t.timestamp_tolerance_s,
                   "S-RTP-09: seconds a 1 Hz timestamp may differ from the runner's clock")
        ->type_name("SECONDS")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str()
        ->group(group);
}

void add_output_options(CLI::App& app, CommandLine& cl)
{
    const char* group = "Output";
    app.add_option("--json", cl.json, "write the JSON report (CHECKS.md contract) to FILE ('-': standard output)")
        ->type_name("FILE")
        ->group(group);
    app.add_option("--junit", cl.junit, "write JUnit XML (one testcase per check) to FILE")
        ->type_name("FILE")->group(group);
    app.add_option("--pcap", cl.pcap, "write every session of the run (TCP control and RTP UDP) to FILE")
        ->type_name("FILE")
        ->group(group);
    app.add_option("--pcap-mode", cl.pcap_mode,
                   "auto: live capture on lo when permitted, else from the runner's view; live; synthetic")
        ->type_name("MODE")
        ->check(CLI::IsMember({"auto", "live", "synthetic"}))
        ->capture_default_str()
        ->group(group);
    app.add_flag("-v,--verbose", cl.verbose,
                 "show the plan, each session's control exchange (escaped) and one line per datagram, and the "
                 "evidence of every check")
        ->group(group);
    app.add_flag_callback("--colour,--color", [&cl] { cl.colour = true; }, "colour the console table")->group(group);
    app.add_flag_callback("--no-colour,--no-color", [&cl] { cl.colour = false; },
                          "plain console table (default when standard output is not a terminal, or NO_COLOR is set)")
        ->group(group);
}

void add_run_options(CLI::App& app, CommandLine& cl)
{
    const char* group = "Run";
    app.add_option("--timeout", cl.timeout_s, "seconds the whole run may take; what is unobserved by then is an error")
        ->type_name("SECONDS")
        ->check(CLI::PositiveNumber)
        ->capture_default_str()
        ->group(group);
    app.add_flag("--keep-workdir", cl.keep_workdir,
                 "with --server-cmd: keep the server's temporary directory (its copy of --workdir with the movies, its "
                 "logs) and name it in the report; with --client-cmd: keep each client run's directory")
        ->group(group);
}

void add_client_options(CLI::App& app, CommandLine& cl)
{
    // --workdir and --keep-workdir are the CLI's own (shared with --server-cmd).
    client::add_client_role_options(app, cl.client, false);
    const std::pair<const char*, const char*> typed[] = {
        {"--client-cmd", "COMMAND"}, {"--client-env", "NAME=VALUE"}, {"--artifacts", "DIR"},
        {"--min-played", "FRACTION"}, {"--refusal-exit", "SECONDS"}, {"--session-id", "N"}, {"--seed", "N"}};
    for (const auto& [name, type] : typed) app.get_option(name)->type_name(type)->group("Client under test");
}

}  // namespace

Role role_of(const CommandLine& cl)
{
    const bool remote = !cl.target_server.empty();
    const bool launch = !cl.server_cmd.empty();
    if (!cl.client.client_cmd.empty()) {
        if (remote || launch)
            throw report::UsageError("--client-cmd tests a client; --server-cmd and --target-server test a server: "
                                     "give one role per run");
        if (cl.workdir.empty()) throw report::UsageError("--client-cmd needs --workdir DIR: the submission's directory");
        if (!cl.file.empty() || cl.allow_remote || !cl.server_env.empty() || !cl.movie.empty() || cl.full)
            throw report::UsageError("--file, --allow-remote, --server-env, --movie and --full go with a server, not "
                                     "--client-cmd");
        return Role::Client;
    }
    if (remote && launch) throw report::UsageError("give either --target-server or --server-cmd, not both");
    if (remote) {
        if (cl.file.empty()) throw report::UsageError("--target-server needs --file NAME: the movie the server has");
        if (!cl.workdir.empty()) throw report::UsageError("--workdir goes with --server-cmd, not --target-server");
        if (!cl.server_env.empty()) throw report::UsageError("--server-env goes with --server-cmd, not --target-server");
        return Role::Server;
    }
    if (launch) {
        if (cl.workdir.empty()) throw report::UsageError("--server-cmd needs --workdir DIR: the submission's directory");
        if (!cl.file.empty())
            throw report::UsageError("--file goes with --target-server; with --server-cmd use --movie FILE");
        return Role::Server;
    }
    if (!cl.file.empty() || !cl.workdir.empty() || cl.allow_remote)
        throw report::UsageError("--file, --workdir and --allow-remote need --target-server, --server-cmd or --client-cmd");
    return Role::None;
}

std::optional<int> parse_command_line(int argc, const char* const* argv, CommandLine& cl, std::ostream& out,
                                      std::ostream& err)
{
    CLI::App app(kDescription, "tpc3-conform");
    app.footer(kFooter);
    app.get_formatter()->column_width(34);
    app.set_version_flag("--version", "tpc3-conform " + std::string(report::tool_version()));
    add_target_options(app, cl);
    add_movie_options(app, cl);
    add_check_options(app, cl);
    add_threshold_options(app, cl.thresholds);
    add_output_options(app, cl);
    add_run_options(app, cl);
    add_client_options(app, cl);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
        out << app.help();
        return report::exit_code::all_required_passed;
    } catch (const CLI::CallForVersion& e) {
        out << e.what() << "\n";
        return report::exit_code::all_required_passed;
    } catch (const CLI::ParseError& e) {
        err << "tpc3-conform: " << e.what() << "\nRun tpc3-conform --help for the options.\n";
        return report::exit_code::usage_or_harness;
    }
    return std::nullopt;
}

}  // namespace tpc3::conform::cli
