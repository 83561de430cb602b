#include "client/stream_stats.h"

#include <algorithm>
#include <cmath>

namespace tpc3::client {

namespace {

double seconds_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
}

}  // namespace

double percentile(std::vector<double> values, double p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const double n = static_cast<double>(values.size());
    auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * n));
    rank = std::clamp<std::size_t>(rank, 1, values.size());
    return values[rank - 1];
}

Percentiles summarise(const std::vector<double>& values) {
    Percentiles s;
    s.count = values.size();
    if (values.empty()) return s;
    s.p50 = percentile(values, 50);
    s.p95 = percentile(values, 95);
    s.p99 = percentile(values, 99);
    s.max = *std::max_element(values.begin(), values.end());
    return s;
}

std::vector<double> inter_arrival_ms(const std::vector<Arrival>& arrivals) {
    std::vector<double> out;
    for (std::size_t k = 1; k < arrivals.size(); ++k)
        out.push_back(1000.0 * seconds_between(arrivals[k - 1].at, arrivals[k].at));
    return out;
}

std::optional<double> nominal_jitter_ms(const std::vector<Arrival>& arrivals, double rate) {
    if (arrivals.size() < 2 || rate <= 0) return std::nullopt;
    double jitter_s = 0;
    for (std::size_t k = 1; k < arrivals.size(); ++k) {
        const Arrival& i = arrivals[k - 1];
        const Arrival& j = arrivals[k];
        const double nominal = static_cast<double>(j.seq - i.seq) / rate;
        const double d = seconds_between(i.at, j.at) - nominal;
        jitter_s += (std::fabs(d) - jitter_s) / 16.0;
    }
    return 1000.0 * jitter_s;
}

std::uint64_t SequenceUnwrapper::unwrap(std::uint16_t seq) {
    if (!last_) {
        extended_ = seq;
    } else {
        // Accepted seqs are newer than the last one, so the 16-bit step is 1..32767.
        extended_ += static_cast<std::uint16_t>(seq - *last_);
    }
    last_ = seq;
    return extended_;
}

void StatsCollector::on_datagram(const PacketVerdict& v, Clock::time_point at, bool kernel_timestamp) {
    ++stats_.received;
    if (!kernel_timestamp) stats_.kernel_timestamps = false;
    if (!v.accepted()) {
        ++stats_.dropped;
        for (const Rejection& r : v.rejections) ++stats_.dropped_by_reason[static_cast<std::size_t>(r.reason)];
        return;
    }
    ++stats_.accepted;
    const std::uint16_t seq = v.header->sequence;
    const std::uint64_t ext = unwrapper_.unwrap(seq);
    if (!stats_.first_seq) stats_.first_seq = seq;
    stats_.last_seq = seq;
    if (!arrivals_.empty() && ext > arrivals_.back().seq + 1) {
        const GapRange gap{arrivals_.back().seq + 1, ext - 1};
        stats_.missing += gap.last - gap.first + 1;
        if (stats_.gaps.size() < StreamStats::kMaxGapRanges) stats_.gaps.push_back(gap);
    }
    arrivals_.push_back({ext, at});
}

std::optional<std::uint64_t> StatsCollector::last_extended_seq() const {
    if (arrivals_.empty()) return std::nullopt;
    return arrivals_.back().seq;
}

StreamStats StatsCollector::result() const {
    StreamStats s = stats_;
    if (arrivals_.size() >= 2) {
        s.stream_duration_s = seconds_between(arrivals_.front().at, arrivals_.back().at);
        if (s.stream_duration_s > 0)
            s.mean_rate = static_cast<double>(arrivals_.size() - 1) / s.stream_duration_s;
    }
    s.inter_arrival_ms = summarise(inter_arrival_ms(arrivals_));
    s.jitter_ms = nominal_jitter_ms(arrivals_, rate_);
    return s;
}

}  // namespace tpc3::client
