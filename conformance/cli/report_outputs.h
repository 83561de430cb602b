// Writing a run's report where the options ask: --json, --junit, and the
// console table.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "cli/command_line.h"
#include "report/report.h"

namespace tpc3::conform::cli {

// Writes --json and --junit (when given). Returns the problems ("cannot
// write report.json: ..."), empty when all went well; never throws.
std::vector<std::string> write_report_files(const report::Report& report, const CommandLine& cl);

// The console table; coloured per --colour/--no-colour, else when `out` is
// standard output on a terminal.
void print_console(const report::Report& report, const CommandLine& cl, std::ostream& out, bool out_is_stdout);

}  // namespace tpc3::conform::cli
