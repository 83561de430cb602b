// tpc3-conform: judges a student's TPC3 implementation by the checks of
// CHECKS.md. The options choose the role of the implementation under test;
// each role has its own runner (server_role.h, client_role.h).
#include <iostream>
#include <string_view>

#include "cli/client_role.h"
#include "cli/command_line.h"
#include "cli/fuzz_command.h"  // fuzz/network/cli: `tpc3-conform fuzz ...`
#include "cli/server_role.h"
#include "report/catalogue.h"
#include "report/report.h"
#include "report/selection.h"

int main(int argc, char** argv)
{
    using namespace tpc3::conform::cli;
    namespace report = tpc3::report;
    // Network fuzzing has options of its own (fuzz/network/cli).
    if (argc > 1 && std::string_view(argv[1]) == "fuzz")
        return tpc3::fuzz::net::run_fuzz_command(argc, argv, std::cout, std::cerr);
    CommandLine cl;
    if (auto done = parse_command_line(argc, argv, cl, std::cout, std::cerr)) return *done;
    try {
        if (cl.list) {
            report::print_list(std::cout, report::all_checks(), cl.verbose);
            return report::exit_code::all_required_passed;
        }
        switch (role_of(cl)) {
        case Role::Server: return run_server_role(cl, std::cout, std::cerr);
        case Role::Client: return run_client_role(cl, std::cout, std::cerr);
        case Role::None: break;
        }
        std::cerr << "tpc3-conform: say what to test: --server-cmd 'COMMAND {port}' --workdir DIR, or "
                     "--target-server HOST:PORT --file NAME (a server); --client-cmd 'COMMAND {host} {tcp_port} {udp_port} "
                     "{file}' --workdir DIR (a client)\nRun tpc3-conform --help for the options.\n";
    } catch (const report::UsageError& e) {
        std::cerr << "tpc3-conform: " << e.what() << "\n";
    } catch (const std::exception& e) {
        std::cerr << "tpc3-conform: the runner failed: " << e.what() << "\n";
    }
    return report::exit_code::usage_or_harness;
}
