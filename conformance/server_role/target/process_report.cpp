#include "target/process_report.h"

#include <regex>

namespace tpc3::conform::server {

namespace {

constexpr std::string_view kTracebackStart = "Traceback (most recent call last):";

std::string_view trim(std::string_view s)
{
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

std::string last_nonblank_line(std::string_view text)
{
    text = trim(text);
    const auto nl = text.rfind('\n');
    return std::string(trim(nl == std::string_view::npos ? text : text.substr(nl + 1)));
}

std::string first_match(const std::string& text, const std::regex& re, std::size_t group = 0)
{
    std::smatch m;
    if (!std::regex_search(text, m, re)) return {};
    return m[static_cast<int>(group)].str();
}

}  // namespace

StderrFindings examine_stderr(std::string_view text, std::size_t max_traceback)
{
    StderrFindings f;
    f.hint = hint_for(text, std::nullopt);
    const auto at = text.rfind(kTracebackStart);
    if (at == std::string_view::npos) return f;
    f.has_traceback = true;
    std::string_view tb = text.substr(at);
    // A traceback ends at its exception line; log lines may follow it. Python
    // indents the frames, so the first unindented line after the frames is it.
    std::size_t pos = tb.find('\n');
    while (pos != std::string_view::npos && pos + 1 < tb.size()) {
        const char c = tb[pos + 1];
        if (c != ' ' && c != '\t') {
            const auto end = tb.find('\n', pos + 1);
            tb = tb.substr(0, end == std::string_view::npos ? tb.size() : end);
            break;
        }
        pos = tb.find('\n', pos + 1);
    }
    f.error_line = last_nonblank_line(tb);
    if (tb.size() > max_traceback) tb = tb.substr(tb.size() - max_traceback);
    f.traceback = std::string(tb);
    return f;
}

std::string hint_for(std::string_view stderr_text,
                     const std::optional<harness::ExitStatus>& exit)
{
    const std::string text(stderr_text);
    static const std::regex no_module(R"(No module named '([A-Za-z0-9_.]+)')");
    const std::string module = first_match(text, no_module, 1);
    if (module == "PIL" || module.rfind("PIL.", 0) == 0)
        return "the server's python3 has no PIL: run it with /usr/bin/python3 (Debian's python3-pil)";
    if (text.find("cannot import name 'ImageTk'") != std::string::npos)
        return "this python3's PIL has no ImageTk: run it with /usr/bin/python3 (Debian's python3-pil.imagetk)";
    if (module == "tkinter" || module == "_tkinter")
        return "the server's python3 has no tkinter: run it with /usr/bin/python3 (Debian's python3-tk)";
    if (!module.empty())
        return "the server imports the module '" + module +
               "', which this python3 cannot find: is one of the submission's files missing from its directory, "
               "or is the module not installed?";
    static const std::regex cannot_open(R"(can't open file '([^']*)')");
    const std::string script = first_match(text, cannot_open, 1);
    if (!script.empty())
        return "python3 cannot open " + script +
               ": is the script in the submission's directory (the command runs in a copy of it)?";
    if (text.find("Address already in use") != std::string::npos)
        return "the server's port was in use: does the server listen on the port it is given ({port})?";
    if (exit && exit->is_exited() && exit->code() == 127)
        return "the shell could not find the command's program (exit status 127): check the server command";
    return {};
}

std::string ServerProcessReport::summary() const
{
    std::string s = running ? "running" : (exit_status.empty() ? "ended" : exit_status);
    if (stopped_by_runner) s += " (stopped by the runner)";
    if (!error_line.empty()) {
        s += (running ? "; a traceback on stderr: " : ": ") + error_line;
    } else if (!running && !stopped_by_runner) {
        const std::string last = last_nonblank_line(stderr_tail);
        if (!last.empty()) s += ": " + last;
    }
    if (!hint.empty()) s += " (hint: " + hint + ")";
    return s;
}

}  // namespace tpc3::conform::server
