// S-TIME: the rate and pacing of the main stream, from the kernel receive
// time of each datagram (PROTOCOL.md sections 4 and 6).
#include <cmath>
#include <variant>

#include "analysis/timing.h"
#include "checks/check_support.h"

namespace tpc3::conform::server {
namespace {

using report::CheckResult;
using namespace analysis;

nlohmann::json timing_evidence(const TimingAnalysis& t)
{
    nlohmann::json j{{"datagrams", t.datagrams},
                     {"duration_s", t.duration_s},
                     {"kernel_timestamps", t.kernel_timestamps},
                     {"inter_arrival_ms",
                      {{"min", t.inter_arrival.min},
                       {"p5", t.inter_arrival.p5},
                       {"p50", t.inter_arrival.p50},
                       {"p95", t.inter_arrival.p95},
                       {"p99", t.inter_arrival.p99},
                       {"max", t.inter_arrival.max}}},
                     {"short_gaps", t.short_gaps}};
    if (t.mean_rate_hz) j["mean_rate_hz"] = *t.mean_rate_hz;
    if (t.jitter_ms) j["jitter_ms"] = *t.jitter_ms;
    if (t.longest_burst)
        j["longest_burst"] = {{"first_packet", t.longest_burst->first_packet},
                              {"last_packet", t.longest_burst->last_packet},
                              {"datagrams", t.longest_burst->gaps + 1},
                              {"span_ms", t.longest_burst->span_ms}};
    return j;
}

// The timing of the main stream, or the error that says why it cannot be judged.
std::variant<TimingAnalysis, CheckResult> timing_of(const report::CheckInfo& info, const JudgeContext& ctx)
{
    if (auto unusable = main_stream_unusable(info, ctx, "the timing")) return *unusable;
    const Thresholds& l = ctx.limits();
    TimingAnalysis t = analyse_timing(ctx.main.packets, l.nominal_rate_hz, l.burst_gap_ms);
    if (t.datagrams < l.min_timing_packets || t.duration_s <= 0)
        return report::error(info,
                             "only " + std::to_string(t.datagrams) + " datagram" + (t.datagrams == 1 ? "" : "s") +
                                 " of the main stream arrived (at least " + std::to_string(l.min_timing_packets) +
                                 " are needed to judge the timing)",
                             timing_evidence(t));
    return t;
}

std::string stats_text(const TimingAnalysis& t)
{
    std::string out = "inter-arrival p50 " + fixed(t.inter_arrival.p50, 1) + " ms, p95 " +
                      fixed(t.inter_arrival.p95, 1) + " ms, p99 " + fixed(t.inter_arrival.p99, 1) + " ms, max " +
                      fixed(t.inter_arrival.max, 1) + " ms";
    if (t.jitter_ms) out += ", jitter " + fixed(*t.jitter_ms, 1) + " ms";
    if (!t.kernel_timestamps) out += " (user-space receive times: the kernel gave no timestamps)";
    return out;
}

// S-TIME-01: the mean rate is 20 datagrams/s within 5% (PROTOCOL.md 4, 6):
// (datagrams - 1) / (last - first receive time).
CheckResult time_01(const JudgeContext& ctx)
{
    const report::CheckInfo& info = report::lookup("S-TIME-01");
    auto timing = timing_of(info, ctx);
    if (auto* r = std::get_if<CheckResult>(&timing)) return *r;
    const TimingAnalysis& t = std::get<TimingAnalysis>(timing);
    const Thresholds& l = ctx.limits();
    const double rate = *t.mean_rate_hz;
    const double lo = l.nominal_rate_hz * (1 - l.rate_tolerance), hi = l.nominal_rate_hz * (1 + l.rate_tolerance);
    nlohmann::json evidence = timing_evidence(t);
    evidence["expected_rate_hz"] = l.nominal_rate_hz;
    evidence["rate_tolerance"] = l.rate_tolerance;
    const std::string measured = fixed(rate, 2) + " datagrams/s (" + std::to_string(t.datagrams) +
                                 " datagrams over " + fixed(t.duration_s, 3) + " s)";
    if (rate >= lo && rate <= hi) return report::pass(info, measured + "; " + stats_text(t), evidence);
    return report::fail(info,
                        "mean rate was " + measured + ", expected " + fixed(l.nominal_rate_hz, 0) + " within " +
                            fixed(100 * l.rate_tolerance, 0) + "% (" + fixed(lo, 2) + ".." + fixed(hi, 2) + "); " +
                            stats_text(t),
                        evidence);
}

// S-TIME-02: pacing is even: inter-arrival times stay near 50 ms, no bursts
// (PROTOCOL.md 4, 6). The rule (Thresholds): median within 50 +- 15 ms, 95th
// percentile at most 50 + 25 ms, and no run of 5 or more inter-arrivals under
// 10 ms. A server that sleeps 50 ms per frame on a loaded machine passes; one
// that sends bursts and sleeps in between fails, whatever its mean rate.
CheckResult time_02(const JudgeContext& ctx)
{
    const report::CheckInfo& info = report::lookup("S-TIME-02");
    auto timing = timing_of(info, ctx);
    if (auto* r = std::get_if<CheckResult>(&timing)) return *r;
    const TimingAnalysis& t = std::get<TimingAnalysis>(timing);
    const Thresholds& l = ctx.limits();
    const double period_ms = 1000.0 / l.nominal_rate_hz;
    nlohmann::json evidence = timing_evidence(t);
    evidence["rule"] = {{"median_ms", {period_ms - l.pacing_median_tolerance_ms, period_ms + l.pacing_median_tolerance_ms}},
                        {"p95_max_ms", period_ms + l.pacing_p95_slack_ms},
                        {"burst_gap_ms", l.burst_gap_ms},
                        {"burst_run_length", l.burst_run_length}};

    std::vector<std::string> problems;
    if (t.longest_burst && t.longest_burst->gaps >= l.burst_run_length) {
        const Burst& b = *t.longest_burst;
        const PacketView& first = packet_at(ctx.main, b.first_packet);
        const PacketView& last = packet_at(ctx.main, b.last_packet);
        std::string seqs;
        if (first.header && last.header)
            seqs = " (seq " + std::to_string(first.header->sequence) + "-" + std::to_string(last.header->sequence) + ")";
        problems.push_back("packets " + std::to_string(b.first_packet) + "-" + std::to_string(b.last_packet) + seqs +
                           " arrived within " + fixed(b.span_ms, 1) + " ms: a burst of " + std::to_string(b.gaps + 1) +
                           " datagrams");
    }
    if (std::fabs(t.inter_arrival.p50 - period_ms) > l.pacing_median_tolerance_ms)
        problems.push_back("the median inter-arrival was " + fixed(t.inter_arrival.p50, 1) + " ms, expected " +
                           fixed(period_ms - l.pacing_median_tolerance_ms, 0) + ".." +
                           fixed(period_ms + l.pacing_median_tolerance_ms, 0) + " ms");
    if (t.inter_arrival.p95 > period_ms + l.pacing_p95_slack_ms)
        problems.push_back("the 95th percentile inter-arrival was " + fixed(t.inter_arrival.p95, 1) +
                           " ms, expected at most " + fixed(period_ms + l.pacing_p95_slack_ms, 0) + " ms");
    if (problems.empty())
        return report::pass(info, "one datagram every " + fixed(t.inter_arrival.p50, 1) + " ms; " + stats_text(t),
                            evidence);
    std::string message;
    for (std::size_t k = 0; k < problems.size(); ++k) message += (k ? "; " : "") + problems[k];
    message += "; expected one datagram every " + fixed(period_ms, 0) + " ms, evenly (" + stats_text(t) + ")";
    return report::fail(info, message, evidence);
}

}  // namespace

std::vector<ServerCheck> timing_checks()
{
    return {{"S-TIME-01", time_01}, {"S-TIME-02", time_02}};
}

}  // namespace tpc3::conform::server
