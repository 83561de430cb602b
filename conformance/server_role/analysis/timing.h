// Timing of a stream from the kernel receive time of each datagram
// (PROTOCOL.md sections 4 and 6: 20 datagrams/s, one every 50 ms).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "analysis/packet_view.h"

namespace tpc3::conform::server::analysis {

struct Percentiles {
    std::size_t count = 0;
    double min = 0, p5 = 0, p50 = 0, p95 = 0, p99 = 0, max = 0;
};

// Nearest-rank percentile: the smallest value with at least p% of the values
// at or below it; p in (0, 100]. 0 for no values.
double percentile(std::vector<double> values, double p);
Percentiles summarise(const std::vector<double>& values);

// The longest run of consecutive inter-arrivals under a limit: datagrams sent
// back to back.
struct Burst {
    std::size_t first_packet = 0;  // arrival index of the first datagram of the run
    std::size_t last_packet = 0;   // arrival index of the last one
    std::size_t gaps = 0;          // inter-arrivals in the run (datagrams - 1)
    double span_ms = 0;            // first to last datagram of the run
};

struct TimingAnalysis {
    std::size_t datagrams = 0;
    bool kernel_timestamps = true;   // false when any receive time came from user space
    double duration_s = 0;           // first to last datagram
    std::optional<double> mean_rate_hz;   // (datagrams - 1) / duration_s
    std::vector<double> inter_arrival_ms; // n - 1 values
    Percentiles inter_arrival;
    // RFC 3550 section 6.4.1 interarrival jitter in ms with the nominal schedule
    // as the media clock (consecutive datagrams nominally 1/rate apart):
    // D = (R_j - R_i) - 1/rate, J += (|D| - J) / 16. nullopt for < 2 datagrams.
    std::optional<double> jitter_ms;
    std::optional<Burst> longest_burst;  // longest run of inter-arrivals under burst_gap_ms
    std::size_t short_gaps = 0;          // inter-arrivals under burst_gap_ms
};

// Every datagram counts (a stream of bad headers is still a stream).
TimingAnalysis analyse_timing(const std::vector<PacketView>& packets, double nominal_rate_hz, double burst_gap_ms);

}  // namespace tpc3::conform::server::analysis
