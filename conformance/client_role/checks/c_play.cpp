// C-PLAY: the client shows and writes the valid frames, in order (PROTOCOL.md
// sections 1 and 5).
#include <algorithm>
#include <chrono>
#include <cmath>

#include "client_role/checks/check_support.h"

namespace tpc3::conform::client {
namespace {

using report::CheckResult;

double ms(std::chrono::steady_clock::duration d)
{
    return std::chrono::duration<double, std::milli>(d).count();
}

// C-PLAY-01: it shows (and writes) the valid frames, in order, at least 90 %
// of them. Reports frames shown, frames written, display latency (send to
// the first grab showing the frame) and the frames skipped.
CheckResult play_01(const JudgeContext& ctx)
{
    const report::CheckInfo& info = report::lookup("C-PLAY-01");
    const Playback& pb = ctx.main;
    if (pb.run == nullptr || pb.served == nullptr) return report::error(info, pb.why_no_run);
    const ServedSession& s = *pb.served;
    const std::string note = process_note(pb.run->process);
    nlohmann::json evidence{{"served", to_string(s.end)}};
    if (!note.empty()) evidence["process"] = process_evidence(pb.run->process);
    if (!s.connected_at)
        return report::error(info, "the client never connected to the runner's server, so playback could not be "
                                   "observed" + note,
                             evidence);
    if (pb.sent_count == 0) {
        if (!s.reply_at)
            return report::error(info, "the runner sent no SessionID (" + s.error + "), so playback could not be "
                                       "observed" + note,
                                 evidence);
        if (!s.go_received())
            return report::fail(info, "the client sent no Go, so no frame was sent and none was shown" + note,
                                evidence);
        return report::error(info, "no datagram could be sent (" + s.error + ")" + note, evidence);
    }
    if (!pb.screen_observed) return report::error(info, pb.why_no_screen, evidence);
    if (!pb.files_observed) return report::error(info, pb.why_no_files, evidence);

    const InjectionPlan& plan = pb.plan();
    std::vector<std::size_t> valid;  // valid frames actually sent
    for (std::size_t i : plan.expected_shown())
        if (pb.was_sent(i)) valid.push_back(i);
    std::vector<std::size_t> skipped, not_written;
    std::size_t shown = 0, written = 0;
    for (std::size_t i : valid) {
        if (pb.is_shown(i)) ++shown;
        else skipped.push_back(i);
        if (pb.written_exact[i] != nullptr) ++written;
        else not_written.push_back(i);
    }
    const std::size_t total = valid.size();
    const double ratio = ctx.limits().min_played_ratio;
    const auto enough = [&](std::size_t n) {
        return static_cast<double>(n) + 1e-9 >= ratio * static_cast<double>(total);
    };
    const auto percent = [&](std::size_t n) {
        return total == 0 ? std::string("0") : fixed(100.0 * static_cast<double>(n) / static_cast<double>(total), 1);
    };

    // Order on the screen: a frame shown after a later frame (poisons do not count).
    std::vector<nlohmann::json> screen_order;
    for (const auto& v : pb.timeline.order_violations) {
        screen_order.push_back({{"grab", v.grab}, {"frame", v.shown}, {"after_frame", v.after}});
    }
    // Order of the files: a valid frame written after a later one.
    std::vector<nlohmann::json> file_order;
    if (pb.run->files) {
        std::uint32_t highest = 0;
        for (const WrittenFile& f : *pb.run->files) {
            if (!f.final || f.final_scan || !f.exact() || !f.datagram) continue;
            const PlannedDatagram& d = plan.at(*f.datagram);
            if (!d.is_valid_frame() || !d.marker) continue;
            if (d.marker->number < highest)
                file_order.push_back({{"file", f.name}, {"frame", d.marker->number}, {"after_frame", highest}});
            highest = std::max(highest, d.marker->number);
        }
    }

    const auto& lat = pb.timeline.latency;
    evidence["valid_frames_sent"] = total;
    evidence["frames_shown"] = shown;
    evidence["frames_written"] = written;
    evidence["frames_skipped"] = frame_list(pb, skipped, 40);
    evidence["frames_not_written"] = frame_list(pb, not_written, 40);
    evidence["poisons_shown"] = pb.timeline.poisons.size();
    evidence["grabs"] = pb.timeline.grabs;
    evidence["grabs_with_reading"] = pb.timeline.grabs_with_reading;
    if (lat.count > 0)
        evidence["display_latency_ms"] = {{"frames", lat.count},
                                          {"min", std::round(ms(lat.min))},
                                          {"median", std::round(ms(lat.median))},
                                          {"p95", std::round(ms(lat.p95))},
                                          {"max", std::round(ms(lat.max))}};
    if (!screen_order.empty()) evidence["shown_out_of_order"] = screen_order;
    if (!file_order.empty()) evidence["written_out_of_order"] = file_order;
    if (pb.run->screen && !pb.run->screen->contact_sheet.empty())
        evidence["contact_sheet"] = pb.run->screen->contact_sheet;

    std::string summary = "shown " + count_of(shown, total, "valid frames") + " (" + percent(shown) + " %), written " +
                          std::to_string(written) + " (" + percent(written) + " %)";
    if (lat.count > 0)
        summary += "; display latency median " + fixed(ms(lat.median), 0) + " ms (p95 " + fixed(ms(lat.p95), 0) +
                   ", max " + fixed(ms(lat.max), 0) + ")";
    if (!skipped.empty()) summary += "; skipped frames " + frame_list(pb, skipped);

    const std::string at_least = "at least " + fixed(ratio * 100.0, 0) + " %";
    if (!enough(shown)) {
        std::string why = shown == 0 ? "the window showed no valid frame" : "too few valid frames shown";
        if (shown == 0 && pb.run->screen && pb.run->screen->stats.no_window > 0 &&
            pb.timeline.grabs_readable == 0)
            why += " (no window was ever mapped)";
        return report::fail(info, why + ": " + summary + ", expected " + at_least + note, evidence);
    }
    if (!enough(written)) {
        std::string why = written == 0 ? "no valid frame was written to a file (byte for byte)"
                                       : "too few valid frames written to a file (byte for byte)";
        return report::fail(info, why + ": " + summary + ", expected " + at_least + note, evidence);
    }
    if (!screen_order.empty()) {
        const auto& v = pb.timeline.order_violations.front();
        return report::fail(info,
                            "frames shown out of order: frame " + std::to_string(v.shown) + " was shown after frame " +
                                std::to_string(v.after) + " (" + std::to_string(screen_order.size()) +
                                " times); " + summary,
                            evidence);
    }
    if (!file_order.empty())
        return report::fail(info,
                            "frames written out of order: frame " + file_order.front()["frame"].dump() +
                                " was written after frame " + file_order.front()["after_frame"].dump() + "; " + summary,
                            evidence);
    return report::pass(info, summary, evidence);
}

}  // namespace

std::vector<ClientCheck> play_checks()
{
    return {{"C-PLAY-01", play_01}};
}

}  // namespace tpc3::conform::client
