#include "observe/screen_timeline.h"

#include <gtest/gtest.h>

namespace tpc3::observe {
namespace {

using namespace std::chrono_literals;
using marker::MarkerValue;

const Clock::time_point T0 = Clock::time_point(100s);

// A grab every 20 ms from T0 showing `values` (none: nothing readable).
struct Script {
    std::vector<GrabRecord> grabs;
    void add(std::vector<MarkerValue> values, GrabRecord::Status status = GrabRecord::Status::decoded) {
        GrabRecord g;
        g.index = grabs.size();
        g.started = T0 + std::chrono::milliseconds(20 * g.index);
        g.finished = g.started + 2ms;
        g.status = status;
        for (const auto& v : values) g.readings.push_back({v, {}});
        grabs.push_back(g);
    }
};

TEST(ScreenTimeline, FirstSightingsLatencyAndSkippedFrames) {
    Script s;
    s.add({});
    s.add({MarkerValue::frame(1)});
    s.add({MarkerValue::frame(1)}, GrabRecord::Status::unchanged);
    s.add({MarkerValue::frame(2)});
    s.add({MarkerValue::frame(4)});  // 3 never shown
    s.add({MarkerValue::poison(5, 1)});
    s.add({}, GrabRecord::Status::dropped);
    s.add({MarkerValue::frame(5)});
    std::vector<SentFrame> sent;
    for (std::uint32_t k = 1; k <= 6; ++k) sent.push_back({k, T0 + std::chrono::milliseconds(20 * (k - 1))});

    const auto t = build_screen_timeline(s.grabs, sent);
    ASSERT_EQ(t.frames.size(), 4u);
    EXPECT_EQ(t.frames[0].value, MarkerValue::frame(1));
    EXPECT_EQ(t.frames[0].first_grab, 1u);
    EXPECT_EQ(t.frames[0].last_grab, 2u);
    EXPECT_EQ(t.frames[0].grabs, 2u);
    EXPECT_EQ(t.frames[0].first_seen, T0 + 22ms);
    ASSERT_TRUE(t.frames[0].latency.has_value());
    EXPECT_EQ(*t.frames[0].latency, 22ms);           // sent at T0, first seen in grab 1 (T0+20+2)
    EXPECT_EQ(*t.frame(4)->latency, 82ms - 60ms);    // grab 4 ends at T0+82, frame 4 sent at T0+60
    EXPECT_EQ(t.frames_skipped, (std::vector<std::uint32_t>{3, 6}));
    EXPECT_TRUE(t.frames_not_sent.empty());
    ASSERT_EQ(t.poisons.size(), 1u);
    EXPECT_EQ(t.poisons[0].value, MarkerValue::poison(5, 1));
    EXPECT_EQ(t.poisons[0].first_grab, 5u);
    EXPECT_TRUE(t.in_order());
    EXPECT_EQ(t.grabs, 8u);
    EXPECT_EQ(t.grabs_readable, 7u);
    EXPECT_EQ(t.grabs_with_reading, 6u);
    EXPECT_EQ(t.grabs_not_readable, 1u);
    EXPECT_EQ(t.latency.count, 4u);
    // Latencies 22 (frame 1), 42 (2: seen T0+62, sent T0+20), 22 (4), 62 (5: seen T0+142, sent T0+80).
    EXPECT_EQ(t.latency.min, 22ms);
    EXPECT_EQ(t.latency.median, 42ms);
    EXPECT_EQ(t.latency.max, 62ms);
}

TEST(ScreenTimeline, AnOlderFrameAfterANewerOneIsAnOrderViolation) {
    Script s;
    s.add({MarkerValue::frame(3)});
    s.add({MarkerValue::frame(9)});
    s.add({MarkerValue::frame(4)});
    s.add({MarkerValue::frame(10)});
    const auto t = build_screen_timeline(s.grabs);
    EXPECT_FALSE(t.in_order());
    ASSERT_EQ(t.order_violations.size(), 1u);
    EXPECT_EQ(t.order_violations[0].grab, 2u);
    EXPECT_EQ(t.order_violations[0].shown, 4u);
    EXPECT_EQ(t.order_violations[0].after, 9u);
    // Without a send list, the gaps between the first and last frame shown are skipped frames.
    EXPECT_EQ(t.frames_skipped, (std::vector<std::uint32_t>{5, 6, 7, 8}));
}

TEST(ScreenTimeline, FramesShownButNeverSentAndSeveralAtOnce) {
    Script s;
    s.add({MarkerValue::frame(1), MarkerValue::frame(2)});
    s.add({MarkerValue::frame(77)});
    const std::vector<SentFrame> sent{{1, T0}, {2, T0}};
    const auto t = build_screen_timeline(s.grabs, sent);
    EXPECT_EQ(t.grabs_with_several, 1u);
    EXPECT_EQ(t.frames_not_sent, (std::vector<std::uint32_t>{77}));
    EXPECT_FALSE(t.frame(77)->latency.has_value());
}

TEST(ScreenTimeline, NothingGrabbedIsEmpty) {
    const auto t = build_screen_timeline({});
    EXPECT_TRUE(t.frames.empty());
    EXPECT_TRUE(t.frames_skipped.empty());
    EXPECT_EQ(t.latency.count, 0u);
    EXPECT_EQ(t.frame(1), nullptr);
}

}  // namespace
}  // namespace tpc3::observe
