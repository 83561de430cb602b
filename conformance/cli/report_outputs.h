// Writing a run's report where the options ask: --json, --junit, --pcap's
// artifact, and the console table. Shared by the roles.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "cli/command_line.h"
#include "cli/pcap_output.h"
#include "report/report.h"

namespace tpc3::conform::cli {

// Writes --json and --junit (when given). Returns the problems ("cannot
// write report.json: ..."), empty when all went well; never throws.
std::vector<std::string> write_report_files(const report::Report& report, const CommandLine& cl);

// The console table; coloured per --colour/--no-colour, else when `out` is
// standard output on a terminal.
void print_console(const report::Report& report, const CommandLine& cl, std::ostream& out, bool out_is_stdout);

// Finishes the capture and names it in the report (artifacts.pcap, and
// extra.pcap: how it was made, its problem if any, also told to `err`).
void add_pcap_artifact(report::Report& report, PcapOutput& pcap, std::ostream& err);

// The end of every role's run: names --json and --junit in the report's
// artifacts, writes them, prints the console table on `out` (not with
// --json -, where standard output holds the JSON only) and tells `err` of
// the runner's failure. Returns the exit status: the report's, or 2 when the
// runner failed (`harness_error`) or a report could not be written.
int finish_run(report::Report& report, const std::string& harness_error, const CommandLine& cl, std::ostream& out,
               std::ostream& err);

}  // namespace tpc3::conform::cli
