#include "client/stream_stats.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

namespace tpc3::client {
namespace {

using ::testing::DoubleNear;
using ::testing::ElementsAre;
using namespace std::chrono_literals;

const Clock::time_point kT0 = Clock::time_point(1'700'000'000s);

Arrival at_ms(std::uint64_t seq, double ms) {
    return {seq, kT0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double, std::milli>(ms))};
}

PacketVerdict accepted(std::uint16_t seq) {
    PacketVerdict v;
    v.size = 100;
    rtp::RtpHeader h;
    h.sequence = seq;
    v.header = h;
    return v;
}

PacketVerdict dropped(std::initializer_list<DropReason> reasons) {
    PacketVerdict v;
    for (DropReason r : reasons) v.rejections.push_back({r, drop_reason_name(r)});
    return v;
}

TEST(Percentile, NearestRank) {
    std::vector<double> v;
    for (int k = 1; k <= 100; ++k) v.push_back(k);
    EXPECT_EQ(percentile(v, 50), 50);
    EXPECT_EQ(percentile(v, 95), 95);
    EXPECT_EQ(percentile(v, 99), 99);
    EXPECT_EQ(percentile(v, 100), 100);
    EXPECT_EQ(percentile({7, 1, 3}, 50), 3);   // unsorted input; rank ceil(1.5) = 2
    EXPECT_EQ(percentile({7, 1, 3}, 99), 7);
    EXPECT_EQ(percentile({4}, 50), 4);
    EXPECT_EQ(percentile({}, 50), 0);
}

TEST(Percentile, SummaryOfTwentyValuesWithOneOutlier) {
    std::vector<double> v(19, 50.0);
    v.push_back(400.0);
    const Percentiles p = summarise(v);
    EXPECT_EQ(p.count, 20u);
    EXPECT_EQ(p.p50, 50);
    EXPECT_EQ(p.p95, 50);   // rank 19 of 20
    EXPECT_EQ(p.p99, 400);  // rank 20
    EXPECT_EQ(p.max, 400);
}

TEST(InterArrival, MillisecondsBetweenConsecutiveArrivals) {
    const auto ms = inter_arrival_ms({at_ms(1, 0), at_ms(2, 50), at_ms(3, 130)});
    ASSERT_EQ(ms.size(), 2u);
    EXPECT_THAT(ms[0], DoubleNear(50, 1e-6));
    EXPECT_THAT(ms[1], DoubleNear(80, 1e-6));
}

TEST(NominalJitter, PerfectScheduleHasNoJitter) {
    std::vector<Arrival> a;
    for (std::uint64_t k = 1; k <= 100; ++k) a.push_back(at_ms(k, 1000.0 + 50.0 * static_cast<double>(k - 1)));
    EXPECT_THAT(*nominal_jitter_ms(a, 20), DoubleNear(0, 1e-6));
}

TEST(NominalJitter, LostFramesCostNothing) {
    // seq 1, 2, 5: frames 3 and 4 lost, but 5 arrives on schedule.
    EXPECT_THAT(*nominal_jitter_ms({at_ms(1, 0), at_ms(2, 50), at_ms(5, 200)}, 20), DoubleNear(0, 1e-6));
}

TEST(NominalJitter, FollowsTheRfc3550Recurrence) {
    // Inter-arrivals 60, 40, 50 ms at 20/s: |D| = 10, 10, 0 ms.
    // J1 = 10/16 = 0.625; J2 = 0.625 + (10 - 0.625)/16 = 1.2109375; J3 = J2 - J2/16 = 1.1352539...
    const std::vector<Arrival> a = {at_ms(1, 0), at_ms(2, 60), at_ms(3, 100), at_ms(4, 150)};
    EXPECT_THAT(*nominal_jitter_ms(a, 20), DoubleNear(1.2109375 * 15.0 / 16.0, 1e-6));
}

TEST(NominalJitter, ConvergesToTheConstantDeviation) {
    // Alternating 40/60 ms: |D| = 10 ms every time, J -> 10 ms.
    std::vector<Arrival> a;
    double t = 0;
    for (std::uint64_t k = 1; k <= 400; ++k) {
        a.push_back(at_ms(k, t));
        t += (k % 2) ? 40 : 60;
    }
    EXPECT_THAT(*nominal_jitter_ms(a, 20), DoubleNear(10, 1e-3));
}

TEST(NominalJitter, NeedsTwoArrivals) {
    EXPECT_EQ(nominal_jitter_ms({}, 20), std::nullopt);
    EXPECT_EQ(nominal_jitter_ms({at_ms(1, 0)}, 20), std::nullopt);
}

TEST(SequenceUnwrapper, KeepsCountingPastTheWrap) {
    SequenceUnwrapper u;
    EXPECT_EQ(u.unwrap(65534), 65534u);
    EXPECT_EQ(u.unwrap(65535), 65535u);
    EXPECT_EQ(u.unwrap(0), 65536u);
    EXPECT_EQ(u.unwrap(3), 65539u);
}

TEST(StatsCollector, CountsDropsPerReasonAndPackets) {
    StatsCollector s;
    s.on_datagram(accepted(1), kT0);
    s.on_datagram(dropped({DropReason::Version, DropReason::Ssrc}), kT0 + 10ms);
    s.on_datagram(dropped({DropReason::Ssrc}), kT0 + 20ms);
    s.on_datagram(dropped({DropReason::Short}), kT0 + 30ms);
    s.on_datagram(accepted(2), kT0 + 50ms);
    s.on_undecodable();
    const StreamStats r = s.result();
    EXPECT_EQ(r.received, 5u);
    EXPECT_EQ(r.accepted, 2u);
    EXPECT_EQ(r.dropped, 3u);
    EXPECT_EQ(r.dropped_for(DropReason::Ssrc), 2u);
    EXPECT_EQ(r.dropped_for(DropReason::Version), 1u);
    EXPECT_EQ(r.dropped_for(DropReason::Short), 1u);
    EXPECT_EQ(r.dropped_for(DropReason::Marker), 0u);
    EXPECT_EQ(r.undecodable, 1u);
    // Inter-arrival and rate only look at accepted frames.
    EXPECT_EQ(r.inter_arrival_ms.count, 1u);
    EXPECT_THAT(r.inter_arrival_ms.max, DoubleNear(50, 1e-6));
}

TEST(StatsCollector, GapsRateAndSeqRange) {
    StatsCollector s(20);
    // seqs 1..10 and 14..20 (11, 12, 13 missing) and 25 (21..24 missing), every 50 ms of nominal schedule.
    std::vector<std::uint16_t> seqs;
    for (std::uint16_t k = 1; k <= 10; ++k) seqs.push_back(k);
    for (std::uint16_t k = 14; k <= 20; ++k) seqs.push_back(k);
    seqs.push_back(25);
    for (std::uint16_t q : seqs) s.on_datagram(accepted(q), kT0 + (q - 1) * 50ms);
    const StreamStats r = s.result();
    EXPECT_EQ(r.first_seq, 1);
    EXPECT_EQ(r.last_seq, 25);
    EXPECT_EQ(r.missing, 7u);
    EXPECT_THAT(r.gaps, ElementsAre(GapRange{11, 13}, GapRange{21, 24}));
    EXPECT_THAT(r.stream_duration_s, DoubleNear(1.2, 1e-9));
    EXPECT_THAT(*r.mean_rate, DoubleNear(17.0 / 1.2, 1e-9));  // 18 frames, 17 intervals
    EXPECT_THAT(*r.jitter_ms, DoubleNear(0, 1e-6));
    EXPECT_THAT(r.inter_arrival_ms.max, DoubleNear(250, 1e-6));
    EXPECT_TRUE(r.kernel_timestamps);
}

TEST(StatsCollector, GapAcrossTheWrapIsCountedOnce) {
    StatsCollector s;
    s.on_datagram(accepted(65534), kT0);
    s.on_datagram(accepted(1), kT0 + 150ms);  // 65535 and 0 missing
    const StreamStats r = s.result();
    EXPECT_EQ(r.missing, 2u);
    EXPECT_THAT(r.gaps, ElementsAre(GapRange{65535, 65536}));
    EXPECT_EQ(s.last_extended_seq(), 65537u);
}

TEST(StatsCollector, UserSpaceTimesAreFlagged) {
    StatsCollector s;
    s.on_datagram(accepted(1), kT0, false);
    EXPECT_FALSE(s.result().kernel_timestamps);
}

TEST(StatsCollector, NoFramesNoRate) {
    StatsCollector s;
    s.on_datagram(dropped({DropReason::Short}), kT0);
    const StreamStats r = s.result();
    EXPECT_EQ(r.mean_rate, std::nullopt);
    EXPECT_EQ(r.jitter_ms, std::nullopt);
    EXPECT_EQ(r.first_seq, std::nullopt);
    EXPECT_EQ(r.inter_arrival_ms.count, 0u);
}

}  // namespace
}  // namespace tpc3::client
