#include "observe/screen_timeline.h"

#include <algorithm>
#include <map>

namespace tpc3::observe {

const ShownValue* ScreenTimeline::frame(std::uint32_t seq) const {
    for (const auto& f : frames)
        if (f.value.number == seq) return &f;
    return nullptr;
}

const ShownValue* ScreenTimeline::poison(const marker::MarkerValue& value) const {
    for (const auto& p : poisons)
        if (p.value == value) return &p;
    return nullptr;
}

namespace {

void note(std::vector<ShownValue>& list, std::map<std::uint32_t, std::size_t>& where, const marker::MarkerValue& v,
          const GrabRecord& g) {
    auto [it, inserted] = where.try_emplace(v.number, list.size());
    if (inserted) {
        ShownValue s;
        s.value = v;
        s.first_grab = g.index;
        s.first_seen = g.finished;
        list.push_back(s);
    }
    ShownValue& s = list[it->second];
    s.last_grab = g.index;
    s.last_seen = g.finished;
    ++s.grabs;
}

Clock::duration percentile(const std::vector<Clock::duration>& sorted, double p) {
    const auto i = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
    return sorted[std::min(i, sorted.size() - 1)];
}

}  // namespace

ScreenTimeline build_screen_timeline(std::span<const GrabRecord> grabs, std::span<const SentFrame> sent) {
    ScreenTimeline t;
    std::map<std::uint32_t, std::size_t> frame_at, poison_at;
    std::uint32_t highest = 0;
    for (const auto& g : grabs) {
        ++t.grabs;
        if (!g.readable()) {
            ++t.grabs_not_readable;
            continue;
        }
        ++t.grabs_readable;
        if (!g.readings.empty()) ++t.grabs_with_reading;
        if (g.readings.size() > 1) ++t.grabs_with_several;
        for (const auto& r : g.readings) {
            if (r.value.kind == marker::MarkerValue::Poison) {
                note(t.poisons, poison_at, r.value, g);
                continue;
            }
            note(t.frames, frame_at, r.value, g);
            if (r.value.number < highest) t.order_violations.push_back({g.index, r.value.number, highest});
            highest = std::max(highest, r.value.number);
        }
    }

    std::map<std::uint32_t, Clock::time_point> sent_at;
    for (const auto& s : sent) sent_at.try_emplace(s.seq, s.sent);
    if (!sent_at.empty()) {
        for (const auto& [seq, when] : sent_at)
            if (!frame_at.contains(seq)) t.frames_skipped.push_back(seq);
        for (const auto& f : t.frames)
            if (!sent_at.contains(f.value.number)) t.frames_not_sent.push_back(f.value.number);
    } else if (!frame_at.empty()) {
        for (std::uint32_t seq = frame_at.begin()->first; seq < frame_at.rbegin()->first; ++seq)
            if (!frame_at.contains(seq)) t.frames_skipped.push_back(seq);
    }

    std::vector<Clock::duration> latencies;
    for (auto& f : t.frames) {
        const auto it = sent_at.find(f.value.number);
        if (it == sent_at.end()) continue;
        f.latency = f.first_seen - it->second;
        latencies.push_back(*f.latency);
    }
    if (!latencies.empty()) {
        std::sort(latencies.begin(), latencies.end());
        t.latency.count = latencies.size();
        t.latency.min = latencies.front();
        t.latency.median = percentile(latencies, 0.5);
        t.latency.p95 = percentile(latencies, 0.95);
        t.latency.max = latencies.back();
    }
    return t;
}

}  // namespace tpc3::observe
