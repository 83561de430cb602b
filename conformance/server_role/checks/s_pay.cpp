// S-PAY: the payloads of the main stream (PROTOCOL.md sections 2 and 4).
#include <map>

#include "analysis/jpeg_payload.h"
#include "analysis/movie_match.h"
#include "checks/check_support.h"
#include "rtp/rtp_header.h"

namespace tpc3::conform::server {
namespace {

using report::CheckResult;
using namespace analysis;

constexpr std::size_t kExamples = 10;

std::string payload_head(const PacketView& p)
{
    return rtp::hex(p.payload, 16);
}

// S-PAY-01: every payload is exactly one complete JPEG that decodes (PROTOCOL.md 4).
CheckResult pay_01(const JudgeContext& ctx)
{
    const report::CheckInfo& info = report::lookup("S-PAY-01");
    if (auto unusable = main_stream_unusable(info, ctx, "payloads")) return *unusable;
    std::size_t judged = 0;
    std::vector<std::pair<const PacketView*, PayloadVerdict>> bad;
    std::map<std::string, std::size_t> shapes;
    for (const PacketView& p : ctx.main.packets) {
        if (!p.header) continue;
        ++judged;
        PayloadVerdict v = judge_payload(p.payload);
        ++shapes[to_string(v.shape)];
        if (!v.ok()) bad.emplace_back(&p, std::move(v));
    }
    nlohmann::json evidence{{"payloads", judged}, {"offending", bad.size()}, {"shapes", shapes}};
    if (bad.empty()) return report::pass(info, std::to_string(judged) + " payloads, each one complete JPEG", evidence);

    nlohmann::json examples = nlohmann::json::array();
    for (std::size_t k = 0; k < bad.size() && k < kExamples; ++k) {
        nlohmann::json e = packet_evidence(*bad[k].first);
        e["payload_size"] = bad[k].second.size;
        e["payload_head_hex"] = payload_head(*bad[k].first);
        e["shape"] = to_string(bad[k].second.shape);
        e["explanation"] = bad[k].second.explanation;
        examples.push_back(e);
    }
    evidence["first"] = examples.front();
    evidence["examples"] = examples;
    const auto& [first, verdict] = bad.front();
    return report::fail(info,
                        first->name() + ": " + verdict.explanation + " (" +
                            count_of(bad.size(), judged, "payloads") + "; header " + first->header_hex +
                            ", payload starts " + payload_head(*first) + ")",
                        evidence);
}

// The movie for S-PAY-02/03, or the skip/error that says why there is none.
std::optional<CheckResult> no_movie(const report::CheckInfo& info, const JudgeContext& ctx)
{
    if (ctx.obs.movie) return std::nullopt;
    if (ctx.obs.movie.is_not_applicable()) return report::skip(info, why_missing(ctx.obs.movie, ctx.obs));
    return report::error(info, "the runner has no copy of the movie to compare with: " +
                                   why_missing(ctx.obs.movie, ctx.obs));
}

nlohmann::json identity_json(const PayloadIdentity& id)
{
    return {{"payload", id.position}, {"index", id.packet_index}, {"seq", id.seq}, {"size", id.size},
            {"carries", to_string(id.carriage)}, {"frames", id.frames}};
}

// S-PAY-02: payload k is byte for byte frame k of the file, without the 5
// length digits (PROTOCOL.md 2, 4). Payloads beyond the last frame, and
// frames never sent, are S-PAY-03's business.
CheckResult pay_02(const JudgeContext& ctx)
{
    const report::CheckInfo& info = report::lookup("S-PAY-02");
    if (auto none = no_movie(info, ctx)) return *none;
    if (auto unusable = main_stream_unusable(info, ctx, "payloads")) return *unusable;
    const MovieUnderTest& movie = *ctx.obs.movie;
    const MovieComparison c = compare_with_movie(ctx.main.packets, movie.frames);
    nlohmann::json evidence{{"movie", movie.path}, {"frames", c.frames}, {"payloads", c.payloads},
                            {"compared", c.compared}, {"differing", c.mismatches.size()}};
    if (c.compared == 0)
        return report::error(info, "the movie \"" + movie.path + "\" has no frame to compare with", evidence);
    if (c.mismatches.empty()) {
        std::string text = "payloads 0-" + std::to_string(c.compared - 1) + " are frames 0-" +
                           std::to_string(c.compared - 1) + " byte for byte";
        if (c.payloads < c.frames)
            text += " (only " + std::to_string(c.payloads) + " of " + std::to_string(c.frames) + " frames arrived)";
        return report::pass(info, text, evidence);
    }
    nlohmann::json examples = nlohmann::json::array();
    for (std::size_t k = 0; k < c.mismatches.size() && k < kExamples; ++k) {
        const PositionMismatch& m = c.mismatches[k];
        nlohmann::json e = identity_json(m.payload);
        e["expected_frame"] = m.frame;
        e["frame_size"] = m.frame_size;
        e["first_difference"] = m.first_difference;
        e["header_hex"] = packet_at(ctx.main, m.payload.packet_index).header_hex;
        examples.push_back(e);
    }
    evidence["first"] = examples.front();
    evidence["examples"] = examples;
    const PositionMismatch& m = c.mismatches.front();
    return report::fail(info,
                        m.describe() + " (" + count_of(c.mismatches.size(), c.compared, "payloads") +
                            " differ; header " + packet_at(ctx.main, m.payload.packet_index).header_hex + ")",
                        evidence);
}

std::string packet_list(const std::vector<std::size_t>& packets)
{
    std::string out;
    for (std::size_t k = 0; k < packets.size(); ++k) out += (k ? ", " : "") + std::to_string(packets[k]);
    return out;
}

// S-PAY-03: every frame arrives, in order, none missing, none extra
// (PROTOCOL.md 4). Payloads are matched to frames by content, so a payload
// with the length digits still or cut short still counts as its frame here
// (S-PAY-01/02 judge its bytes).
CheckResult pay_03(const JudgeContext& ctx)
{
    const report::CheckInfo& info = report::lookup("S-PAY-03");
    if (auto none = no_movie(info, ctx)) return *none;
    if (auto unusable = main_stream_unusable(info, ctx, "which frames arrived")) return *unusable;
    const MovieUnderTest& movie = *ctx.obs.movie;
    const MovieComparison c = compare_with_movie(ctx.main.packets, movie.frames);
    nlohmann::json evidence{{"movie", movie.path}, {"frames", c.frames}, {"payloads", c.payloads}};
    if (c.all_frames_in_order())
        return report::pass(info, "all " + std::to_string(c.frames) + " frames, once each, in order", evidence);

    std::vector<std::string> problems;
    nlohmann::json missing = nlohmann::json::array();
    for (const FrameRange& r : c.missing) missing.push_back({{"first", r.first}, {"last", r.last}});
    if (!c.missing.empty()) {
        std::string text;
        for (std::size_t k = 0; k < c.missing.size() && k < kExamples; ++k)
            text += (k ? ", " : "") + c.missing[k].describe();
        if (c.missing.size() > kExamples) text += ", ...";
        problems.push_back(text + " never arrived (" + count_of(c.missing_count(), c.frames, "frames") + ")");
        evidence["missing"] = missing;
        evidence["missing_count"] = c.missing_count();
    }
    if (!c.repeated.empty()) {
        nlohmann::json list = nlohmann::json::array();
        for (const RepeatedFrame& r : c.repeated) list.push_back({{"frame", r.frame}, {"packets", r.packets}});
        const RepeatedFrame& r = c.repeated.front();
        problems.push_back("frame " + std::to_string(r.frame) + " arrived " + std::to_string(r.packets.size()) +
                           " times (packets " + packet_list(r.packets) + ")" +
                           (c.repeated.size() > 1 ? " and " + std::to_string(c.repeated.size() - 1) +
                                                        " more frames more than once"
                                                  : ""));
        evidence["repeated"] = list;
    }
    if (!c.out_of_order.empty()) {
        nlohmann::json list = nlohmann::json::array();
        for (const OutOfOrderFrame& o : c.out_of_order) {
            nlohmann::json e = identity_json(o.payload);
            e["after_frame"] = o.after_frame;
            list.push_back(e);
        }
        const OutOfOrderFrame& o = c.out_of_order.front();
        problems.push_back("frame " + std::to_string(o.frame) + " arrived after frame " +
                           std::to_string(o.after_frame) + " (packet " + std::to_string(o.payload.packet_index) +
                           ", seq " + std::to_string(o.payload.seq) + ")" +
                           (c.out_of_order.size() > 1
                                ? " and " + std::to_string(c.out_of_order.size() - 1) + " more out of order"
                                : ""));
        evidence["out_of_order"] = list;
    }
    if (!c.extra.empty()) {
        nlohmann::json list = nlohmann::json::array();
        for (const PayloadIdentity& id : c.extra) list.push_back(identity_json(id));
        const PayloadIdentity& e = c.extra.front();
        problems.push_back("packet " + std::to_string(e.packet_index) + " (seq " + std::to_string(e.seq) +
                           ") carries no frame of the movie (" + std::to_string(c.extra.size()) +
                           " such payloads)");
        evidence["extra"] = list;
    }
    std::string message;
    for (std::size_t k = 0; k < problems.size(); ++k) message += (k ? "; " : "") + problems[k];
    message += "; expected frames 0-" + std::to_string(c.frames ? c.frames - 1 : 0) + " once each, in order (" +
               std::to_string(c.payloads) + " payloads for " + std::to_string(c.frames) + " frames)";
    return report::fail(info, message, evidence);
}

}  // namespace

std::vector<ServerCheck> payload_checks()
{
    return {{"S-PAY-01", pay_01}, {"S-PAY-02", pay_02}, {"S-PAY-03", pay_03}};
}

}  // namespace tpc3::conform::server
