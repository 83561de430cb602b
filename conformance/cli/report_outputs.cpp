#include "cli/report_outputs.h"

#include <cstdio>
#include <exception>

namespace tpc3::conform::cli {

std::vector<std::string> write_report_files(const report::Report& report, const CommandLine& cl)
{
    std::vector<std::string> problems;
    auto attempt = [&](const std::string& path, const char* what, auto write) {
        if (path.empty()) return;
        try {
            write(path);
        } catch (const std::exception& e) {
            problems.push_back(std::string("cannot write the ") + what + " report: " + e.what());
        }
    };
    attempt(cl.json, "JSON", [&](const std::string& p) { report.write_json(p); });
    attempt(cl.junit, "JUnit", [&](const std::string& p) { report.write_junit(p); });
    return problems;
}

void print_console(const report::Report& report, const CommandLine& cl, std::ostream& out, bool out_is_stdout)
{
    const bool colour = cl.colour.value_or(out_is_stdout && report::colour_default(stdout));
    report.print_console(out, colour, cl.verbose);
}

}  // namespace tpc3::conform::cli
