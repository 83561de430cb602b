// What the client's window showed over time, from the grabs (pure analysis):
// which frames and poisons were shown and when first, frames never shown,
// frames shown out of order, and display latency (sent -> first grab showing
// it).
#pragma once

#include "observe/grab_record.h"

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace tpc3::observe {

struct SentFrame {
    std::uint32_t seq = 0;
    Clock::time_point sent;
};

struct ShownValue {
    marker::MarkerValue value;
    std::size_t first_grab = 0;     // GrabRecord::index
    std::size_t last_grab = 0;
    Clock::time_point first_seen;   // `finished` of the first grab showing it
    Clock::time_point last_seen;
    std::size_t grabs = 0;          // readable grabs showing it
    // Frames with a known send time: first_seen - sent (an upper bound that is
    // at most one grab period too long).
    std::optional<Clock::duration> latency;
};

// A frame shown after a later frame had been shown.
struct OrderViolation {
    std::size_t grab = 0;
    std::uint32_t shown = 0;
    std::uint32_t after = 0;  // the highest frame shown before it
};

struct LatencySummary {
    std::size_t count = 0;
    Clock::duration min{}, median{}, p95{}, max{};
};

struct ScreenTimeline {
    std::vector<ShownValue> frames;   // in order of first appearance
    std::vector<ShownValue> poisons;  // in order of first appearance
    std::vector<std::uint32_t> frames_skipped;     // sent (or, with no send list, between the first
                                                   // and last shown) but never seen
    std::vector<std::uint32_t> frames_not_sent;    // shown but not in the send list (given one)
    std::vector<OrderViolation> order_violations;
    LatencySummary latency;

    std::size_t grabs = 0;             // records given
    std::size_t grabs_readable = 0;    // decoded or unchanged
    std::size_t grabs_with_reading = 0;
    std::size_t grabs_with_several = 0;  // more than one value at once (several windows?)
    std::size_t grabs_not_readable = 0;  // dropped, failed, no window

    bool in_order() const { return order_violations.empty(); }
    const ShownValue* frame(std::uint32_t seq) const;
    const ShownValue* poison(const marker::MarkerValue& value) const;
};

// `sent`: the frames sent, with send times (may be empty).
ScreenTimeline build_screen_timeline(std::span<const GrabRecord> grabs, std::span<const SentFrame> sent = {});

}  // namespace tpc3::observe
