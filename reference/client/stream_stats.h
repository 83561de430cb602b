// Statistics of one received stream: counts by drop reason, sequence gaps,
// rate, inter-arrival percentiles and RFC 3550 jitter. Pure computation: the
// caller feeds verdicts and kernel receive times.
#pragma once

#include "client/packet_checker.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tpc3::client {

using Clock = std::chrono::system_clock;

// An accepted frame: its extended sequence number (16-bit seq unwrapped, so it
// keeps counting past 65535) and when the kernel received it.
struct Arrival {
    std::uint64_t seq = 0;
    Clock::time_point at;
};

struct Percentiles {
    std::size_t count = 0;  // number of values summarised
    double p50 = 0, p95 = 0, p99 = 0, max = 0;
};

// Nearest-rank percentile (the smallest value with at least p% of the values at
// or below it). p in (0, 100]. Returns 0 for no values.
double percentile(std::vector<double> values, double p);
Percentiles summarise(const std::vector<double>& values);

// Milliseconds between consecutive arrivals (n arrivals give n-1 values).
std::vector<double> inter_arrival_ms(const std::vector<Arrival>& arrivals);

// RFC 3550 section 6.4.1 interarrival jitter, in ms, with the nominal sending
// schedule as the media clock. The TPC3 timestamp counts whole seconds, so the
// RFC's (Sj - Si) would be 0 or 1 s between frames 50 ms apart: useless. The
// sender's schedule is known instead (frame k sent k/rate seconds after frame
// 0), so for consecutive accepted frames i, j:
//     D(i,j) = (Rj - Ri) - (seq_j - seq_i) / rate,   J += (|D| - J) / 16
// A lost frame between i and j therefore costs nothing, as in the RFC.
// nullopt for fewer than two arrivals.
std::optional<double> nominal_jitter_ms(const std::vector<Arrival>& arrivals, double rate);

// Turns 16-bit accepted sequence numbers (each newer than the previous one, see
// seq_newer) into a monotonic 64-bit count.
class SequenceUnwrapper {
public:
    std::uint64_t unwrap(std::uint16_t seq);

private:
    std::optional<std::uint16_t> last_;
    std::uint64_t extended_ = 0;
};

struct GapRange {
    std::uint64_t first = 0;  // first missing (extended) seq
    std::uint64_t last = 0;   // last missing (extended) seq
    friend bool operator==(const GapRange&, const GapRange&) = default;
};

// Every number the client reports at the end.
struct StreamStats {
    std::uint64_t received = 0;      // datagrams received
    std::uint64_t accepted = 0;
    std::uint64_t dropped = 0;       // datagrams dropped (one per datagram)
    // Per reason; a datagram with several reasons counts under each of them.
    std::array<std::uint64_t, kAllDropReasons.size()> dropped_by_reason{};
    std::uint64_t undecodable = 0;   // accepted, but cv::imdecode failed
    std::optional<std::uint16_t> first_seq, last_seq;
    std::uint64_t missing = 0;       // seqs skipped between the first and last accepted
    std::vector<GapRange> gaps;      // at most kMaxGapRanges, in order
    double stream_duration_s = 0;    // first to last accepted arrival
    std::optional<double> mean_rate;  // (accepted - 1) / stream_duration_s
    Percentiles inter_arrival_ms;     // between consecutive accepted frames
    std::optional<double> jitter_ms;
    bool kernel_timestamps = true;    // false when any arrival time came from user space

    static constexpr std::size_t kMaxGapRanges = 100;
    std::uint64_t dropped_for(DropReason r) const { return dropped_by_reason[static_cast<std::size_t>(r)]; }
};

// Accumulates one stream.
class StatsCollector {
public:
    explicit StatsCollector(double nominal_rate = 20.0) : rate_(nominal_rate) {}

    // Every datagram, accepted or not. kernel_timestamp: `at` came from SO_TIMESTAMPNS.
    void on_datagram(const PacketVerdict& v, Clock::time_point at, bool kernel_timestamp = true);
    void on_undecodable() { ++stats_.undecodable; }

    // Extended seq of the last accepted frame (after on_datagram accepted it).
    std::optional<std::uint64_t> last_extended_seq() const;
    const std::vector<Arrival>& arrivals() const { return arrivals_; }

    StreamStats result() const;

private:
    double rate_;
    StreamStats stats_;
    SequenceUnwrapper unwrapper_;
    std::vector<Arrival> arrivals_;
};

}  // namespace tpc3::client
