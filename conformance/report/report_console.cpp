// Report::print_console: the table a student reads in the terminal.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>

#include "report/catalogue.h"
#include "report/report.h"

namespace tpc3::report {
namespace {

struct Palette {
    bool on;
    std::string_view paint(std::string_view code) const { return on ? code : std::string_view{}; }
    std::string_view reset() const { return paint("\033[0m"); }
    std::string_view bold() const { return paint("\033[1m"); }
    std::string_view dim() const { return paint("\033[2m"); }
    std::string_view green() const { return paint("\033[32m"); }
    std::string_view red() const { return paint("\033[31m"); }
    std::string_view yellow() const { return paint("\033[33m"); }
    std::string_view magenta() const { return paint("\033[35m"); }

    std::string_view of(Status s) const
    {
        switch (s) {
        case Status::Pass: return green();
        case Status::Fail: return red();
        case Status::Skip: return yellow();
        case Status::Error: return magenta();
        }
        return {};
    }
};

std::string_view tag(Status s)
{
    switch (s) {
    case Status::Pass: return "[PASS]";
    case Status::Fail: return "[FAIL]";
    case Status::Skip: return "[SKIP]";
    case Status::Error: return "[ERR ]";
    }
    return "[????]";
}

// Messages may quote bytes from the implementation under test: control
// characters (an escape sequence, a carriage return) must not drive the terminal.
std::string printable(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        const auto b = static_cast<std::uint8_t>(c);
        if ((b < 0x20 && c != '\n' && c != '\t') || b == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02X", b);
            out += buf;
        } else {
            out += c;
        }
    }
    return out;
}

// Each line of `text` on its own line, indented.
void print_indented(std::ostream& out, std::string_view text, std::size_t indent, std::string_view prefix = {})
{
    const std::string pad(indent, ' ');
    const std::string clean = printable(text);
    std::string_view rest = clean;
    bool first = true;
    while (true) {
        const auto nl = rest.find('\n');
        out << pad << (first ? prefix : std::string_view{}) << rest.substr(0, nl) << '\n';
        first = false;
        if (nl == std::string_view::npos) break;
        rest.remove_prefix(nl + 1);
        if (rest.empty()) break;
    }
}

std::string plural(int n, std::string_view one, std::string_view many)
{
    return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

std::string required_part(const Summary& s)
{
    if (s.required_fail == 0 && s.required_error == 0) return "(required: none failed)";
    std::string text = "(required: ";
    if (s.required_fail > 0) text += std::to_string(s.required_fail) + " failed";
    if (s.required_fail > 0 && s.required_error > 0) text += ", ";
    if (s.required_error > 0) text += plural(s.required_error, "error", "errors");
    return text + ")";
}

}  // namespace

void Report::print_console(std::ostream& out, bool colour, bool verbose) const
{
    const Palette p{colour};
    std::size_t id_width = 0;
    for (const CheckResult& r : checks) id_width = std::max(id_width, r.info().id.size());
    constexpr std::size_t detail_indent = 9;  // under the ID: 2 spaces + "[PASS] "

    // Groups in order of first appearance, each check under its group.
    std::vector<std::string_view> groups;
    for (const CheckResult& r : checks) {
        const std::string_view g = group_of(r.info().id);
        if (std::find(groups.begin(), groups.end(), g) == groups.end()) groups.push_back(g);
    }
    for (std::string_view g : groups) {
        out << p.bold() << g << p.reset();
        if (const std::string_view title = group_title(g); !title.empty()) out << "  " << title;
        out << '\n';
        for (const CheckResult& r : checks) {
            if (group_of(r.info().id) != g) continue;
            const CheckInfo& info = r.info();
            std::string id = info.id;
            id.resize(std::max(id_width, id.size()), ' ');
            out << "  " << p.of(r.status()) << tag(r.status()) << p.reset() << ' ' << id << "  " << info.title;
            if (info.severity == Severity::Advisory) out << ' ' << p.dim() << "(advisory)" << p.reset();
            out << '\n';
            const bool explained = r.status() != Status::Pass;
            if ((explained || verbose) && !r.message().empty()) print_indented(out, r.message(), detail_indent);
            if (verbose && explained) {
                print_indented(out, info.requirement, detail_indent, "requirement: ");
                if (!r.evidence().empty())
                    print_indented(out, r.evidence().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                                   detail_indent, "evidence: ");
            }
        }
    }

    const Summary s = summary();
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.1f", duration_s);
    out << (exit_status() == exit_code::all_required_passed ? p.green() : p.red()) << to_string(role)
        << " under test " << printable(target) << ": " << s.pass << " passed, " << s.fail << " failed, "
        << s.skip << " skipped, " << plural(s.error, "error", "errors") << ' ' << required_part(s) << " in "
        << seconds << " s" << p.reset() << '\n';
}

}  // namespace tpc3::report
