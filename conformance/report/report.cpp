#include "report/report.h"

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <system_error>

#include <unistd.h>

#ifndef TPC3_VERSION
#error "TPC3_VERSION must be defined by the build (project version)"
#endif

namespace tpc3::report {

std::string_view tool_version()
{
    return TPC3_VERSION;
}

Summary summarise(std::span<const CheckResult> results)
{
    Summary s;
    for (const CheckResult& r : results) {
        const bool required = r.info().severity == Severity::Required;
        switch (r.status()) {
        case Status::Pass: ++s.pass; break;
        case Status::Fail:
            ++s.fail;
            if (required) ++s.required_fail;
            break;
        case Status::Skip: ++s.skip; break;
        case Status::Error:
            ++s.error;
            if (required) ++s.required_error;
            break;
        }
    }
    return s;
}

Summary Report::summary() const
{
    return summarise(checks);
}

int Report::exit_status() const
{
    const Summary s = summary();
    return s.required_fail + s.required_error == 0 ? exit_code::all_required_passed
                                                   : exit_code::required_failed;
}

namespace {

void write_text(const std::string& path, const std::string& text, std::string_view what)
{
    if (path == "-") {
        std::cout << text << std::flush;
        if (!std::cout) throw std::runtime_error("cannot write the " + std::string(what) + " to standard output");
        return;
    }
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    if (!file)
        throw std::runtime_error("cannot write the " + std::string(what) + " to '" + path +
                                 "': " + std::generic_category().message(errno));
    file << text;
    file.close();
    if (!file) throw std::runtime_error("writing the " + std::string(what) + " to '" + path + "' failed");
}

}  // namespace

void Report::write_json(const std::string& path) const
{
    write_text(path, to_json().dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
               "JSON report");
}

void Report::write_junit(const std::string& path) const
{
    write_text(path, to_junit_xml(), "JUnit report");
}

bool colour_wanted(bool is_terminal, const char* term, const char* no_color)
{
    if (!is_terminal) return false;
    if (no_color != nullptr && no_color[0] != '\0') return false;
    return term != nullptr && term[0] != '\0' && std::string_view(term) != "dumb";
}

bool colour_default(std::FILE* stream)
{
    return colour_wanted(stream != nullptr && isatty(fileno(stream)) == 1, std::getenv("TERM"),
                         std::getenv("NO_COLOR"));
}

}  // namespace tpc3::report
