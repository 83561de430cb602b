// S-RTP: the RTP header of every packet of the main stream (PROTOCOL.md
// section 4; timestamps also section 6).
#include <cmath>

#include "analysis/sequence.h"
#include "analysis/timestamp_clock.h"
#include "checks/check_support.h"

namespace tpc3::conform::server {
namespace {

using report::CheckResult;
using namespace analysis;

constexpr std::size_t kExamples = 10;

// Every packet must have `field` as the profile says; datagrams too short for
// a header count against S-RTP-01 only (V cannot be read from them).
CheckResult judge_field(const char* id, rtp::Field field, const JudgeContext& ctx, const std::string& pass_text)
{
    const report::CheckInfo& info = report::lookup(id);
    if (auto unusable = main_stream_unusable(info, ctx, "headers")) return *unusable;
    const bool short_counts = field == rtp::Field::Version;
    std::vector<const PacketView*> offenders;
    for (const PacketView& p : ctx.main.packets)
        if ((p.header && p.deviation(field)) || (!p.header && short_counts)) offenders.push_back(&p);
    const std::size_t judged = short_counts ? ctx.main.packets.size() : ctx.main.with_header;
    nlohmann::json evidence{{"packets", judged}, {"offending", offenders.size()}};
    if (offenders.empty()) return report::pass(info, std::to_string(judged) + " packets, " + pass_text, evidence);

    nlohmann::json examples = nlohmann::json::array();
    for (std::size_t k = 0; k < offenders.size() && k < kExamples; ++k) {
        nlohmann::json e = packet_evidence(*offenders[k]);
        if (const rtp::Deviation* d = offenders[k]->header ? offenders[k]->deviation(field) : nullptr) {
            e["seen"] = d->seen;
            e["expected"] = d->expected;
        }
        examples.push_back(e);
    }
    evidence["first"] = examples.front();
    evidence["examples"] = examples;
    const PacketView& first = *offenders.front();
    const rtp::Deviation* d = first.header ? first.deviation(field) : nullptr;
    const std::string what = d ? rtp::describe(*d)
                               : std::to_string(first.size) + " bytes, shorter than the 12-byte RTP header";
    return report::fail(info,
                        first.name() + ": " + what + " (" + count_of(offenders.size(), judged, "packets") +
                            "; header " + first.header_hex + ")",
                        evidence);
}

// S-RTP-01: every packet has V=2 (PROTOCOL.md 4).
CheckResult rtp_01(const JudgeContext& ctx) { return judge_field("S-RTP-01", rtp::Field::Version, ctx, "all V=2"); }
// S-RTP-02: every packet has P=0 (PROTOCOL.md 4).
CheckResult rtp_02(const JudgeContext& ctx) { return judge_field("S-RTP-02", rtp::Field::Padding, ctx, "all P=0"); }
// S-RTP-03: every packet has X=0 (PROTOCOL.md 4).
CheckResult rtp_03(const JudgeContext& ctx) { return judge_field("S-RTP-03", rtp::Field::Extension, ctx, "all X=0"); }
// S-RTP-04: every packet has CC=0 (PROTOCOL.md 4).
CheckResult rtp_04(const JudgeContext& ctx) { return judge_field("S-RTP-04", rtp::Field::CsrcCount, ctx, "all CC=0"); }
// S-RTP-05: every packet has M=0 (PROTOCOL.md 4).
CheckResult rtp_05(const JudgeContext& ctx) { return judge_field("S-RTP-05", rtp::Field::Marker, ctx, "all M=0"); }
// S-RTP-06: every packet has PT=26 (PROTOCOL.md 4).
CheckResult rtp_06(const JudgeContext& ctx) { return judge_field("S-RTP-06", rtp::Field::PayloadType, ctx, "all PT=26"); }

const PacketView* first_with_header(const MainStream& m)
{
    for (const PacketView& p : m.packets)
        if (p.header) return &p;
    return nullptr;
}

// S-RTP-07: the first packet has sequence number 1 (PROTOCOL.md 4).
CheckResult rtp_07(const JudgeContext& ctx)
{
    const report::CheckInfo& info = report::lookup("S-RTP-07");
    if (auto unusable = main_stream_unusable(info, ctx, "the first sequence number")) return *unusable;
    const PacketView& first = *first_with_header(ctx.main);
    nlohmann::json evidence{{"first", packet_evidence(first)}};
    if (first.header->sequence == 1) return report::pass(info, first.name() + " is the first packet", evidence);
    return report::fail(info,
                        report::expected_actual("packet " + std::to_string(first.index) +
                                                    " (the first): sequence number",
                                                1, first.header->sequence) +
                            " (header " + first.header_hex + ")",
                        evidence);
}

// S-RTP-08: each next packet's sequence number is the previous + 1 (PROTOCOL.md 4).
CheckResult rtp_08(const JudgeContext& ctx)
{
    const report::CheckInfo& info = report::lookup("S-RTP-08");
    if (auto unusable = main_stream_unusable(info, ctx, "sequence numbers")) return *unusable;
    const SequenceAnalysis s = analyse_sequence(ctx.main.packets);
    if (s.packets < 2)
        return report::error(info, "only one packet with an RTP header arrived: no step between sequence numbers to judge",
                             {{"packets", s.packets}});
    nlohmann::json evidence{{"packets", s.packets}, {"steps_of_one", s.good_steps}, {"gaps", s.gaps},
                            {"duplicates", s.duplicates}, {"backwards", s.backwards}, {"missing_numbers", s.missing}};
    if (s.in_order()) return report::pass(info, std::to_string(s.good_steps) + " steps, each +1", evidence);

    nlohmann::json faults = nlohmann::json::array();
    for (std::size_t k = 0; k < s.faults.size() && k < kExamples; ++k) {
        const SequenceFault& f = s.faults[k];
        faults.push_back({{"kind", to_string(f.kind)}, {"index", f.index}, {"seq", f.seq},
                          {"expected", f.expected}, {"previous_index", f.previous_index},
                          {"header_hex", packet_at(ctx.main, f.index).header_hex}});
    }
    evidence["faults"] = faults;
    const SequenceFault& f = s.faults.front();
    const std::string header = packet_at(ctx.main, f.index).header_hex;
    return report::fail(info,
                        f.describe() + " (" + count_of(s.faults.size(), s.packets - 1, "steps") + " wrong: " +
                            count_noun(s.gaps, "gap") + ", " + count_noun(s.duplicates, "repeat") + ", " +
                            count_noun(s.backwards, "step", "steps") + " back; header " + header + ")",
                        evidence);
}

// S-RTP-09: timestamps are int(time.time()) mod 2^32: non-decreasing,
// advancing at 1 Hz, within a few seconds of the runner's clock
// (PROTOCOL.md 4, 6). A clock of another rate (1000 Hz, 90 kHz) fails with the
// detected rate in the evidence: a deviation a grader may choose to accept.
CheckResult rtp_09(const JudgeContext& ctx)
{
    const report::CheckInfo& info = report::lookup("S-RTP-09");
    if (auto unusable = main_stream_unusable(info, ctx, "timestamps")) return *unusable;
    const std::vector<TimestampSample> samples = timestamp_samples(ctx.main.packets);
    const TimestampClock clock = detect_timestamp_clock(samples);
    const double tolerance = ctx.limits().timestamp_tolerance_s;

    nlohmann::json evidence{{"packets", samples.size()},
                            {"clock", to_string(clock.kind)},
                            {"first_timestamp", samples.front().timestamp},
                            {"last_timestamp", samples.back().timestamp},
                            {"first_received_unix_s", samples.front().received_s},
                            {"last_received_unix_s", samples.back().received_s},
                            {"tolerance_s", tolerance}};
    if (clock.rate_hz) evidence["detected_rate_hz"] = *clock.rate_hz;
    if (clock.estimated_rate_hz) evidence["estimated_rate_hz"] = *clock.estimated_rate_hz;
    if (clock.offset_s) evidence["offset_s"] = *clock.offset_s;
    auto header_of = [&](std::size_t index) { return packet_at(ctx.main, index).header_hex; };
    auto name_of = [&](const TimestampSample& s) {
        return "packet " + std::to_string(s.index) + " (seq " + std::to_string(s.seq) + ")";
    };

    switch (clock.kind) {
    case ClockKind::TooFew:
        return report::error(info, "only one packet with an RTP header arrived: the timestamp clock needs two",
                             evidence);
    case ClockKind::NotMonotonic: {
        const TimestampSample& now = *clock.went_back;
        const TimestampSample& before = *clock.before_went_back;
        evidence["went_back"] = {{"index", now.index}, {"seq", now.seq}, {"timestamp", now.timestamp},
                                 {"previous_index", before.index}, {"previous_timestamp", before.timestamp},
                                 {"header_hex", header_of(now.index)}};
        return report::fail(info,
                            name_of(now) + ": timestamp was " + std::to_string(now.timestamp) + ", after " +
                                std::to_string(before.timestamp) + " in " + name_of(before) +
                                "; expected non-decreasing timestamps (mod 2^32) advancing at 1 Hz (header " +
                                header_of(now.index) + ")",
                            evidence);
    }
    case ClockKind::Constant:
        return report::fail(info,
                            "the timestamp was " + std::to_string(samples.front().timestamp) + " in all " +
                                std::to_string(samples.size()) + " packets over " +
                                fixed(samples.back().received_s - samples.front().received_s, 2) +
                                " s; expected it to advance at 1 Hz with the wall clock (int(time.time()) mod 2^32)",
                            evidence);
    case ClockKind::Seconds: {
        const auto w = *wall_clock_offset(samples, tolerance);
        evidence["worst_off_by_s"] = w.off_by_s;
        if (w.outside == 0)
            return report::pass(info,
                                "1 Hz, within " + std::to_string(std::llabs(w.off_by_s)) +
                                    " s of the runner's clock",
                                evidence);
        const TimestampSample& s = *w.first_outside;
        const auto runner = static_cast<std::uint32_t>(
            static_cast<std::uint64_t>(std::floor(s.received_s)) % 4294967296ULL);
        evidence["first_outside"] = {{"index", s.index}, {"seq", s.seq}, {"timestamp", s.timestamp},
                                     {"runner_seconds", runner}, {"off_by_s", w.first_outside_off_by_s},
                                     {"header_hex", header_of(s.index)}};
        evidence["outside"] = w.outside;
        const std::string sign = w.first_outside_off_by_s > 0 ? "+" : "";
        return report::fail(info,
                            name_of(s) + ": timestamp was " + std::to_string(s.timestamp) + ", expected within " +
                                fixed(tolerance, 0) + " s of the runner's clock " + std::to_string(runner) +
                                " (int(time.time()) mod 2^32): off by " + sign +
                                std::to_string(w.first_outside_off_by_s) + " s (" +
                                count_of(w.outside, samples.size(), "packets") + "; the clock does run at 1 Hz)",
                            evidence);
    }
    case ClockKind::Milliseconds:
    case ClockKind::Rtp90kHz:
    case ClockKind::Unknown: {
        evidence["deviation"] = "clock rate";
        std::string rate = clock.kind == ClockKind::Milliseconds ? "1000 Hz (milliseconds)"
                           : clock.kind == ClockKind::Rtp90kHz   ? "90 kHz (the RTP video clock)"
                                                                  : "about " + fixed(*clock.rate_hz, 1) + " Hz";
        std::string tracks;
        if (clock.kind != ClockKind::Unknown && clock.offset_s) {
            tracks = std::fabs(*clock.offset_s) <= tolerance
                         ? "; it does track the runner's clock (offset " + fixed(*clock.offset_s, 3) + " s)"
                         : "; offset " + fixed(*clock.offset_s, 3) + " s from the runner's clock";
        }
        return report::fail(info,
                            "timestamps advance at " + rate +
                                ", expected 1 Hz (int(time.time()) mod 2^32, seconds)" + tracks +
                                ": a deviation a grader may accept (PROTOCOL.md 6); packet " +
                                std::to_string(samples.front().index) + " had " +
                                std::to_string(samples.front().timestamp) + ", packet " +
                                std::to_string(samples.back().index) + " had " +
                                std::to_string(samples.back().timestamp),
                            evidence);
    }
    }
    return report::error(info, "unknown timestamp clock", evidence);
}

// S-RTP-10: every packet's SSRC equals the session's SessionID (PROTOCOL.md 3, 4).
CheckResult rtp_10(const JudgeContext& ctx)
{
    const report::CheckInfo& info = report::lookup("S-RTP-10");
    if (ctx.main.record && !ctx.main.session_id)
        return report::error(info, "the main stream session never got a SessionID, so SSRCs could not be judged");
    return judge_field("S-RTP-10", rtp::Field::Ssrc, ctx,
                       "all SSRC " + std::to_string(ctx.main.session_id.value_or(0)) + " (the SessionID)");
}

}  // namespace

std::vector<ServerCheck> rtp_checks()
{
    return {{"S-RTP-01", rtp_01}, {"S-RTP-02", rtp_02}, {"S-RTP-03", rtp_03}, {"S-RTP-04", rtp_04},
            {"S-RTP-05", rtp_05}, {"S-RTP-06", rtp_06}, {"S-RTP-07", rtp_07}, {"S-RTP-08", rtp_08},
            {"S-RTP-09", rtp_09}, {"S-RTP-10", rtp_10}};
}

}  // namespace tpc3::conform::server
