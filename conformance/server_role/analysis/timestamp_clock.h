// Which clock the RTP timestamps of a stream follow, detected from
// (timestamp, kernel receive time) pairs (PROTOCOL.md sections 4 and 6: the
// spec's clock is int(time.time()) mod 2^32, 1 Hz).
//
// Detection is exact on short streams. For a candidate rate R, a sender
// stamping packet i with floor(R * (s_i + c)) mod 2^32 at sending time s_i,
// received at t_i in [s_i, s_i + L], gives r_i = u_i / R - t_i (u_i: the
// timestamps unwrapped over 2^32) inside an interval of width 1/R + L,
// whatever the sender's clock offset c. So R is accepted when
// max(r) - min(r) <= 1/R + slack_s. A 2 s stream at 1 Hz (3 distinct values)
// passes R = 1 and fails every other candidate by far; a constant timestamp
// over 2 s spreads r over 2 s and fails R = 1.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/packet_view.h"

namespace tpc3::conform::server::analysis {

enum class ClockKind {
    Seconds,       // 1 Hz (the spec)
    Milliseconds,  // 1000 Hz
    Rtp90kHz,      // 90 kHz (the usual RTP video clock)
    Constant,      // never changed, over a stream too long for 1 Hz
    NotMonotonic,  // went back at least once (mod 2^32)
    Unknown,       // advances, but at none of the rates above (rate_hz estimated)
    TooFew,        // fewer than two packets with a header
};

const char* to_string(ClockKind kind);  // "1 Hz", "1000 Hz", "90 kHz", "constant", ...

struct TimestampSample {
    std::size_t index = 0;
    std::uint16_t seq = 0;
    std::uint32_t timestamp = 0;
    double received_s = 0;  // Unix seconds (kernel receive time)
};

struct TimestampClock {
    ClockKind kind = ClockKind::TooFew;
    std::size_t packets = 0;                 // samples judged
    std::optional<double> rate_hz;           // the detected rate (1, 1000, 90000, or the estimate for Unknown)
    std::optional<double> estimated_rate_hz; // least-squares slope of timestamp over receive time
    double spread_s = 0;                     // max - min of u_i / rate - t_i for the detected rate
    // For a detected rate: median of u_i / rate - t_i, reduced modulo the
    // clock's wrap period (2^32 / rate) to the value nearest 0: how far the
    // sender's clock is from the runner's, in seconds.
    std::optional<double> offset_s;

    // NotMonotonic: the first packet whose timestamp went back.
    std::optional<TimestampSample> went_back;
    std::optional<TimestampSample> before_went_back;

    std::string describe() const;  // "1 Hz", "1000 Hz (offset 0.002 s)", "unknown rate 20.0 Hz", ...
};

std::vector<TimestampSample> timestamp_samples(const std::vector<PacketView>& packets);

// slack_s: the allowance for the time between stamping and receiving a
// packet, and its jitter (see above). Half a second keeps a server that
// stalls between stamping and sending at 1 Hz, and still tells a constant
// timestamp from 1 Hz on a stream of 1.5 s or more (the default main stream
// lasts 1.95 s); every other candidate rate misses by far more.
TimestampClock detect_timestamp_clock(const std::vector<TimestampSample>& samples, double slack_s = 0.5);

// The 1 Hz judgement of PROTOCOL.md section 6: each timestamp within
// tolerance_s whole seconds of the runner's clock at receive time, mod 2^32:
// ts in [floor(t) - tolerance_s, floor(t) + tolerance_s].
struct WallClockOffset {
    TimestampSample sample;     // the packet farthest from the runner's clock
    std::int64_t off_by_s = 0;  // its timestamp - floor(receive time), mod 2^32 signed
    std::uint32_t runner_seconds = 0;  // floor(receive time) mod 2^32
    std::size_t outside = 0;    // packets beyond the tolerance
    std::optional<TimestampSample> first_outside;
    std::int64_t first_outside_off_by_s = 0;
};
std::optional<WallClockOffset> wall_clock_offset(const std::vector<TimestampSample>& samples,
                                                 double tolerance_s);

}  // namespace tpc3::conform::server::analysis
