#include "server_log.h"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>

namespace tpc3::server {

LogSink stderr_sink() {
    return [](std::string_view line) {
        std::string out(line);
        out.push_back('\n');
        std::size_t done = 0;
        while (done < out.size()) {
            ssize_t n = ::write(STDERR_FILENO, out.data() + done, out.size() - done);
            if (n <= 0) return;  // stderr gone: logging must never stop the server
            done += static_cast<std::size_t>(n);
        }
    };
}

std::string utc_timestamp_now() {
    using namespace std::chrono;
    const auto now = system_clock::now();
    const auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
    const std::time_t secs = system_clock::to_time_t(now);
    std::tm tm{};
    ::gmtime_r(&secs, &tm);
    char buf[96];  // generous: the compiler cannot bound tm_year
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
    return buf;
}

std::string quote_if_needed(std::string_view value) {
    bool plain = !value.empty();
    for (char c : value) {
        if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x21 ||
            static_cast<unsigned char>(c) > 0x7e) {
            plain = false;
            break;
        }
    }
    if (plain) return std::string(value);
    std::string out = "\"";
    for (char c : value) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

std::string ServerLog::format_line(std::string_view name, std::initializer_list<LogField> fields) const {
    const std::string ts = utc_timestamp_now();
    if (format_ == LogFormat::Json) {
        nlohmann::ordered_json j;
        j["time"] = ts;
        j["event"] = name;
        for (const auto& f : fields) {
            std::visit([&](const auto& v) { j[std::string(f.key)] = v; }, f.value);
        }
        // Request bytes are escaped before logging, but a file name may hold any
        // byte: replace invalid UTF-8 rather than throw.
        return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    std::string line = ts;
    line += " event=";
    line += name;
    for (const auto& f : fields) {
        line += ' ';
        line += f.key;
        line += '=';
        if (const auto* s = std::get_if<std::string>(&f.value)) {
            line += quote_if_needed(*s);
        } else if (const auto* i = std::get_if<std::int64_t>(&f.value)) {
            line += std::to_string(*i);
        } else {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.3f", std::get<double>(f.value));
            line += buf;
        }
    }
    return line;
}

void ServerLog::event(std::string_view name, std::initializer_list<LogField> fields) {
    std::string line = format_line(name, fields);
    std::lock_guard lock(mutex_);
    if (sink_) sink_(line);
}

}  // namespace tpc3::server
