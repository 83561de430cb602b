// Structured session log of the reference server: one line per session event,
// either `2026-11-26T10:00:00.123Z event=setup session=483920 peer=...` (text)
// or one JSON object per line. Thread-safe; each line is written whole.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <variant>

namespace tpc3::server {

enum class LogFormat { Text, Json };

struct LogField {
    std::string_view key;
    std::variant<std::string, std::int64_t, double> value;

    LogField(std::string_view k, std::string v) : key(k), value(std::move(v)) {}
    LogField(std::string_view k, const char* v) : key(k), value(std::string(v)) {}
    LogField(std::string_view k, std::int64_t v) : key(k), value(v) {}
    LogField(std::string_view k, std::uint64_t v) : key(k), value(static_cast<std::int64_t>(v)) {}
    LogField(std::string_view k, int v) : key(k), value(static_cast<std::int64_t>(v)) {}
    LogField(std::string_view k, unsigned v) : key(k), value(static_cast<std::int64_t>(v)) {}
    LogField(std::string_view k, double v) : key(k), value(v) {}
};

// Receives finished lines (without the trailing newline).
using LogSink = std::function<void(std::string_view line)>;

// A sink that writes each line plus '\n' to stderr with one write(2).
LogSink stderr_sink();

class ServerLog {
public:
    ServerLog(LogFormat format, LogSink sink) : format_(format), sink_(std::move(sink)) {}

    void event(std::string_view name, std::initializer_list<LogField> fields);

    // Formats a line without emitting it (used by event and by tests).
    std::string format_line(std::string_view name, std::initializer_list<LogField> fields) const;

private:
    LogFormat format_;
    LogSink sink_;
    std::mutex mutex_;
};

// "2026-11-26T10:00:00.123Z" for the current wall-clock time.
std::string utc_timestamp_now();

// Text form of a value: as is when it is a plain token, else double-quoted
// with \" \\ escaped (values such as escaped request bytes may hold spaces).
std::string quote_if_needed(std::string_view value);

}  // namespace tpc3::server
