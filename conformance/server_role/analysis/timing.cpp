#include "analysis/timing.h"

#include <algorithm>
#include <cmath>

namespace tpc3::conform::server::analysis {

double percentile(std::vector<double> values, double p)
{
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const double n = static_cast<double>(values.size());
    auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * n));
    rank = std::clamp<std::size_t>(rank, 1, values.size());
    return values[rank - 1];
}

Percentiles summarise(const std::vector<double>& values)
{
    Percentiles s;
    s.count = values.size();
    if (values.empty()) return s;
    s.min = *std::min_element(values.begin(), values.end());
    s.p5 = percentile(values, 5);
    s.p50 = percentile(values, 50);
    s.p95 = percentile(values, 95);
    s.p99 = percentile(values, 99);
    s.max = *std::max_element(values.begin(), values.end());
    return s;
}

TimingAnalysis analyse_timing(const std::vector<PacketView>& packets, double nominal_rate_hz, double burst_gap_ms)
{
    TimingAnalysis t;
    t.datagrams = packets.size();
    for (const PacketView& p : packets)
        if (!p.kernel_timestamp) t.kernel_timestamps = false;
    if (packets.size() < 2) return t;

    t.duration_s = seconds_between(packets.front().received, packets.back().received);
    if (t.duration_s > 0) t.mean_rate_hz = static_cast<double>(packets.size() - 1) / t.duration_s;

    const double period_s = nominal_rate_hz > 0 ? 1.0 / nominal_rate_hz : 0;
    double jitter_s = 0;
    std::optional<Burst> run;
    for (std::size_t k = 1; k < packets.size(); ++k) {
        const double gap_s = seconds_between(packets[k - 1].received, packets[k].received);
        const double gap_ms = 1000.0 * gap_s;
        t.inter_arrival_ms.push_back(gap_ms);
        jitter_s += (std::fabs(gap_s - period_s) - jitter_s) / 16.0;

        if (gap_ms < burst_gap_ms) {
            ++t.short_gaps;
            if (!run) run = Burst{packets[k - 1].index, packets[k - 1].index, 0, 0};
            run->last_packet = packets[k].index;
            ++run->gaps;
            run->span_ms += gap_ms;
            if (!t.longest_burst || run->gaps > t.longest_burst->gaps) t.longest_burst = run;
        } else {
            run.reset();
        }
    }
    t.jitter_ms = 1000.0 * jitter_s;
    t.inter_arrival = summarise(t.inter_arrival_ms);
    return t;
}

}  // namespace tpc3::conform::server::analysis
