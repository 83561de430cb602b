#include "analysis/timestamp_clock.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

namespace tpc3::conform::server::analysis {
namespace {

constexpr double kTwoTo32 = 4294967296.0;

// b - a as a signed 32-bit step (mod 2^32).
std::int64_t signed_step(std::uint32_t a, std::uint32_t b)
{
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(b - a));
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::string fixed(double v, int decimals)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

struct Candidate {
    ClockKind kind;
    double rate;
};
constexpr std::array<Candidate, 3> kCandidates{{
    {ClockKind::Seconds, 1.0},
    {ClockKind::Milliseconds, 1000.0},
    {ClockKind::Rtp90kHz, 90000.0},
}};

}  // namespace

const char* to_string(ClockKind kind)
{
    switch (kind) {
    case ClockKind::Seconds: return "1 Hz";
    case ClockKind::Milliseconds: return "1000 Hz";
    case ClockKind::Rtp90kHz: return "90 kHz";
    case ClockKind::Constant: return "constant";
    case ClockKind::NotMonotonic: return "not monotonic";
    case ClockKind::Unknown: return "unknown rate";
    case ClockKind::TooFew: return "too few packets";
    }
    return "?";
}

std::string TimestampClock::describe() const
{
    std::string out;
    if (kind == ClockKind::Unknown && rate_hz)
        out = "unknown rate " + fixed(*rate_hz, 1) + " Hz";
    else
        out = to_string(kind);
    if (offset_s && kind != ClockKind::Seconds) out += " (offset " + fixed(*offset_s, 3) + " s from the runner's clock)";
    return out;
}

std::vector<TimestampSample> timestamp_samples(const std::vector<PacketView>& packets)
{
    std::vector<TimestampSample> out;
    for (const PacketView& p : packets)
        if (p.header) out.push_back({p.index, p.header->sequence, p.header->timestamp, unix_seconds(p.received)});
    return out;
}

TimestampClock detect_timestamp_clock(const std::vector<TimestampSample>& samples, double slack_s)
{
    TimestampClock c;
    c.packets = samples.size();
    if (samples.size() < 2) return c;

    // Unwrap over 2^32; the first step back decides NotMonotonic.
    std::vector<double> unwrapped{static_cast<double>(samples[0].timestamp)};
    for (std::size_t i = 1; i < samples.size(); ++i) {
        const std::int64_t step = signed_step(samples[i - 1].timestamp, samples[i].timestamp);
        if (step < 0 && !c.went_back) {
            c.went_back = samples[i];
            c.before_went_back = samples[i - 1];
        }
        unwrapped.push_back(unwrapped.back() + static_cast<double>(step));
    }

    // Least-squares slope of timestamp over receive time (relative times keep precision).
    {
        const double t0 = samples[0].received_s, u0 = unwrapped[0];
        double st = 0, su = 0;
        for (std::size_t i = 0; i < samples.size(); ++i) {
            st += samples[i].received_s - t0;
            su += unwrapped[i] - u0;
        }
        const double n = static_cast<double>(samples.size());
        const double mt = st / n, mu = su / n;
        double stt = 0, stu = 0;
        for (std::size_t i = 0; i < samples.size(); ++i) {
            const double dt = samples[i].received_s - t0 - mt;
            stt += dt * dt;
            stu += dt * (unwrapped[i] - u0 - mu);
        }
        if (stt > 0) c.estimated_rate_hz = stu / stt;
    }

    if (c.went_back) {
        c.kind = ClockKind::NotMonotonic;
        return c;
    }

    for (const Candidate& cand : kCandidates) {
        std::vector<double> r;
        r.reserve(samples.size());
        for (std::size_t i = 0; i < samples.size(); ++i)
            r.push_back(unwrapped[i] / cand.rate - samples[i].received_s);
        const auto [lo, hi] = std::minmax_element(r.begin(), r.end());
        const double spread = *hi - *lo;
        if (spread <= 1.0 / cand.rate + slack_s) {
            c.kind = cand.kind;
            c.rate_hz = cand.rate;
            c.spread_s = spread;
            const double wrap = kTwoTo32 / cand.rate;
            const double m = median(r);
            c.offset_s = m - wrap * std::round(m / wrap);
            return c;
        }
    }

    const bool constant = std::all_of(samples.begin(), samples.end(),
                                      [&](const TimestampSample& s) { return s.timestamp == samples[0].timestamp; });
    if (constant) {
        c.kind = ClockKind::Constant;
        return c;
    }
    c.kind = ClockKind::Unknown;
    c.rate_hz = c.estimated_rate_hz;
    return c;
}

std::optional<WallClockOffset> wall_clock_offset(const std::vector<TimestampSample>& samples, double tolerance_s)
{
    if (samples.empty()) return std::nullopt;
    WallClockOffset w;
    bool first = true;
    for (const TimestampSample& s : samples) {
        const auto runner = static_cast<std::uint32_t>(
            static_cast<std::uint64_t>(std::floor(s.received_s)) % 4294967296ULL);
        const std::int64_t off = signed_step(runner, s.timestamp);
        const auto magnitude = std::llabs(off);
        if (first || magnitude > std::llabs(w.off_by_s)) {
            w.sample = s;
            w.off_by_s = off;
            w.runner_seconds = runner;
            first = false;
        }
        if (static_cast<double>(magnitude) > tolerance_s) {
            if (!w.first_outside) {
                w.first_outside = s;
                w.first_outside_off_by_s = off;
            }
            ++w.outside;
        }
    }
    return w;
}

}  // namespace tpc3::conform::server::analysis
