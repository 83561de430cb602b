#include "cli/fuzz_command.h"

#include <CLI/CLI.hpp>

#include <cmath>
#include <random>

#include "cli/fuzz_help.h"
#include "cli/target_address.h"
#include "core/fuzz_case.h"
#include "core/fuzz_options.h"
#include "core/fuzz_summary.h"
#include "net/socket.h"
#include "report/selection.h"
#include "server/server_fuzzer.h"
#ifdef TPC3_NETFUZZ_HAS_CLIENT
#include "client/client_fuzzer.h"
#endif

namespace tpc3::fuzz::net {

namespace {

struct FuzzArgs {
    std::string target_server, file, server_cmd, client_cmd, workdir;
    std::optional<std::uint64_t> iterations, seed;
    std::optional<double> time_s;
    std::uint64_t first_iteration = 0;
    std::string out_dir = "fuzz-findings";
    std::string json_file, replay;
    bool stop_at_first = false, verbose = false, allow_remote = false;
    double case_deadline_s = 5.0, liveness_deadline_s = 3.0;
};

std::chrono::milliseconds to_ms(double s) { return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(s * 1000.0))); }

FuzzOptions common_options(const FuzzArgs& a, std::ostream& out) {
    FuzzOptions o;
    o.seed = *a.seed;
    o.iterations = a.iterations;
    if (a.time_s) o.time_budget = to_ms(*a.time_s);
    o.first_iteration = a.first_iteration;
    o.out_dir = a.out_dir;
    o.stop_at_first = a.stop_at_first;
    o.verbose = a.verbose ? &out : nullptr;
    o.case_deadline = to_ms(a.case_deadline_s);
    o.liveness_deadline = to_ms(a.liveness_deadline_s);
    return o;
}

ServerFuzzOptions server_options(const FuzzArgs& a, std::ostream& out) {
    ServerFuzzOptions o;
    o.common = common_options(a, out);
    if (!a.target_server.empty()) o.target_server = conform::cli::parse_host_port(a.target_server);
    o.file = a.file;
    o.allow_remote = a.allow_remote;
    o.server_cmd = a.server_cmd;
    o.workdir = a.workdir;
    return o;
}

void write_summary_json(const FuzzSummary& s, const std::string& path) {
    if (!path.empty()) write_json_file(to_json(s), path);
}

#ifdef TPC3_NETFUZZ_HAS_CLIENT
ClientFuzzOptions client_options(const FuzzArgs& a, std::ostream& out) {
    ClientFuzzOptions o;
    o.fuzz = common_options(a, out);
    o.client_cmd = a.client_cmd;
    o.workdir = a.workdir;
    if (!a.file.empty()) o.file = a.file;
    return o;
}
#endif

int run(const FuzzArgs& a, std::ostream& out, std::ostream& err) {
    const bool server_target = !a.server_cmd.empty() || !a.target_server.empty();
    const bool client_target = !a.client_cmd.empty();
    if (!server_target && !client_target) {
        err << "tpc3-conform fuzz: say what to fuzz: --server-cmd 'COMMAND {port}', --target-server HOST:PORT --file NAME, "
               "or --client-cmd 'COMMAND {host} {tcp_port} {udp_port} {file}' --workdir DIR\n"
               "Run tpc3-conform fuzz --help for the options.\n";
        return kExitUsageOrHarness;
    }
    FuzzSummary summary;
    if (!a.replay.empty()) {
        const FuzzCase c = load_case(a.replay);
        if (c.role == "server" && !server_target) {
            err << "tpc3-conform fuzz: " << a.replay << " is a server case: give --server-cmd or --target-server\n";
            return kExitUsageOrHarness;
        }
        if (c.role == "client" && !client_target) {
            err << "tpc3-conform fuzz: " << a.replay << " is a client case: give --client-cmd\n";
            return kExitUsageOrHarness;
        }
        out << "replaying " << a.replay << ": case " << c.iteration << " ("
            << (c.mutator.empty() ? std::string("written by hand") : c.mutator) << ")"
            << (c.description.empty() ? "" : ": " + c.description) << "\n";
        if (c.role == "server") {
            summary = replay_server_case(server_options(a, out), c);
        } else {
#ifdef TPC3_NETFUZZ_HAS_CLIENT
            summary = replay_client_case(client_options(a, out), c);
#else
            err << "tpc3-conform fuzz: this build has no client fuzzer\n";
            return kExitUsageOrHarness;
#endif
        }
    } else {
        out << "seed " << *a.seed << " (--seed " << *a.seed << " plays the same cases again)\n";
        if (server_target) {
            summary = fuzz_server(server_options(a, out));
        } else {
#ifdef TPC3_NETFUZZ_HAS_CLIENT
            summary = fuzz_client(client_options(a, out));
#else
            err << "tpc3-conform fuzz: this build has no client fuzzer\n";
            return kExitUsageOrHarness;
#endif
        }
    }
    out << to_text(summary);
    write_summary_json(summary, a.json_file);
    return exit_code_for(summary);
}

}  // namespace

int run_fuzz_command(int argc, char** argv, std::ostream& out, std::ostream& err) {
    FuzzArgs a;
    CLI::App app{kFuzzDescription, "tpc3-conform fuzz"};
    app.footer(kFuzzFooter);
    app.get_formatter()->column_width(34);

    auto* target = app.add_option("--target-server", a.target_server, "a running server to fuzz (HOST:PORT)")
                       ->type_name("HOST:PORT")
                       ->group("Target");
    app.add_option("--file", a.file, "with --target-server: a movie it serves; with --client-cmd: the {file} asked for")
        ->type_name("NAME")
        ->group("Target");
    auto* server_cmd = app.add_option("--server-cmd", a.server_cmd, "launch this server ({port} is replaced)")
                           ->type_name("'CMD {port}'")
                           ->group("Target");
    auto* client_cmd =
        app.add_option("--client-cmd", a.client_cmd, "launch this client ({host} {tcp_port} {udp_port} {file})")
            ->type_name("'CMD ...'")
            ->group("Target");
    app.add_option("--workdir", a.workdir, "the submission's directory (copied; never modified)")
        ->type_name("DIR")
        ->check(CLI::ExistingDirectory)
        ->group("Target");
    app.add_flag("--allow-remote", a.allow_remote, "allow a --target-server that is not on loopback")->group("Target");
    target->excludes(server_cmd)->excludes(client_cmd);
    server_cmd->excludes(client_cmd);

    app.add_option("--iterations", a.iterations, "run this many cases (default 100 when --time is not given)")
        ->type_name("N")
        ->check(CLI::PositiveNumber)
        ->group("Run");
    app.add_option("--time", a.time_s, "stop starting cases after this many seconds")
        ->type_name("S")
        ->check(CLI::PositiveNumber)
        ->group("Run");
    app.add_option("--seed", a.seed, "seed of the cases (default: a random one, printed)")->type_name("S")->group("Run");
    app.add_option("--first-iteration", a.first_iteration, "number of the first case (resume a run)")
        ->type_name("I")
        ->group("Run");
    app.add_flag("--stop-at-first", a.stop_at_first, "stop at the first finding")->group("Run");
    app.add_option("--case-deadline", a.case_deadline_s, "bound on one case, in seconds")
        ->type_name("S")
        ->check(CLI::Range(0.1, 600.0))
        ->capture_default_str()
        ->group("Run");
    app.add_option("--liveness-deadline", a.liveness_deadline_s,
                   "the valid session after each case: bound on each of its waits, in seconds")
        ->type_name("S")
        ->check(CLI::Range(0.1, 600.0))
        ->capture_default_str()
        ->group("Run");
    app.add_option("--replay", a.replay, "run the case of this reproducer once, then the liveness check")
        ->type_name("FILE")
        ->check(CLI::ExistingFile)
        ->group("Run");

    app.add_option("--out", a.out_dir, "where reproducers are saved")->type_name("DIR")->capture_default_str()->group("Output");
    app.add_option("--json", a.json_file, "also write the summary as JSON")->type_name("FILE")->group("Output");
    app.add_flag("--verbose", a.verbose, "print every case, its steps and the liveness check")->group("Output");

    try {
        app.parse(argc - 1, argv + 1);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e, out, err);
        return rc == 0 ? kExitNothingFound : kExitUsageOrHarness;
    }
    if (!a.seed) {
        std::random_device rd;
        a.seed = (static_cast<std::uint64_t>(rd()) << 32 | rd()) % 1'000'000'000ULL;
    }
    try {
        return run(a, out, err);
    } catch (const CaseFormatError& e) {
        err << "tpc3-conform fuzz: " << e.what() << "\n";
    } catch (const report::UsageError& e) {
        err << "tpc3-conform fuzz: " << e.what() << "\n";
#ifdef TPC3_NETFUZZ_HAS_CLIENT
    } catch (const ClientFuzzError& e) {
        err << "tpc3-conform fuzz: cannot fuzz this client: " << e.what() << "\n";
#endif
    } catch (const FuzzHarnessError& e) {
        err << "tpc3-conform fuzz: " << e.what() << "\n";
    } catch (const std::exception& e) {
        err << "tpc3-conform fuzz: the fuzzer failed: " << e.what() << "\n";
    }
    return kExitUsageOrHarness;
}

}  // namespace tpc3::fuzz::net
