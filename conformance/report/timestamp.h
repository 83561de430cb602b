// Wall-clock times as the report writes them.
#pragma once

#include <chrono>
#include <string>

namespace tpc3::report {

// ISO 8601 in UTC with milliseconds: "2024-05-01T12:34:56.789Z".
std::string iso8601_utc(std::chrono::system_clock::time_point when);

// iso8601_utc(now).
std::string iso8601_utc_now();

}  // namespace tpc3::report
