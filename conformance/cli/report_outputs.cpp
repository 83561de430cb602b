#include "cli/report_outputs.h"

#include <cstdio>
#include <iostream>
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

void add_pcap_artifact(report::Report& report, PcapOutput& pcap, std::ostream& err)
{
    const std::string problem = pcap.finish();
    report.artifacts["pcap"] = pcap.path().string();
    report.extra["pcap"] = {{"how", pcap.how()}};
    if (!problem.empty()) {
        report.extra["pcap"]["problem"] = problem;
        err << "tpc3-conform: --pcap " << pcap.path().string() << ": " << problem << "\n";
    }
}

int finish_run(report::Report& report, const std::string& harness_error, const CommandLine& cl, std::ostream& out,
               std::ostream& err)
{
    if (!cl.json.empty() && cl.json != "-") report.artifacts["json"] = cl.json;
    if (!cl.junit.empty()) report.artifacts["junit"] = cl.junit;

    const std::vector<std::string> problems = write_report_files(report, cl);
    for (const std::string& p : problems) err << "tpc3-conform: " << p << "\n";
    if (cl.json != "-") print_console(report, cl, out, &out == &std::cout);
    if (!harness_error.empty()) err << "tpc3-conform: the runner failed: " << harness_error << "\n";
    if (!harness_error.empty() || !problems.empty()) return report::exit_code::usage_or_harness;
    return report.exit_status();
}

}  // namespace tpc3::conform::cli
