#include "report/timestamp.h"

#include <cstdio>
#include <ctime>

namespace tpc3::report {

std::string iso8601_utc(std::chrono::system_clock::time_point when)
{
    using namespace std::chrono;
    const auto since_epoch = duration_cast<milliseconds>(when.time_since_epoch());
    auto secs = duration_cast<seconds>(since_epoch);
    auto millis = since_epoch - secs;
    if (millis.count() < 0) {  // before 1970: keep the milliseconds positive
        secs -= seconds(1);
        millis += seconds(1);
    }
    const std::time_t t = static_cast<std::time_t>(secs.count());
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[96];  // room for any int fields, to keep -Wformat-truncation quiet
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(millis.count()));
    return buf;
}

std::string iso8601_utc_now()
{
    return iso8601_utc(std::chrono::system_clock::now());
}

}  // namespace tpc3::report
