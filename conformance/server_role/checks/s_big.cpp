// S-BIG: large frames (PROTOCOL.md section 4: up to 99,999 bytes per frame;
// the harness tests about 64,000).
#include <algorithm>

#include "analysis/movie_match.h"
#include "analysis/session_facts.h"
#include "checks/check_support.h"

namespace tpc3::conform::server {
namespace {

using report::CheckResult;
using namespace analysis;

// S-BIG-01 (advisory): frames of up to about 64,000 bytes arrive whole, in
// one datagram each (PROTOCOL.md 4).
CheckResult big_01(const JudgeContext& ctx)
{
    const report::CheckInfo& info = report::lookup("S-BIG-01");
    if (!ctx.obs.big_frames) return unobserved(info, ctx.obs.big_frames, ctx.obs, "the large-frame session");
    const BigFrameSession& big = *ctx.obs.big_frames;
    const SessionRecord& r = big.session;
    std::size_t largest = 0;
    for (const auto& f : big.movie.frames) largest = std::max(largest, f.size());
    nlohmann::json evidence{{"movie", big.movie.path}, {"frames", big.movie.frames.size()},
                            {"largest_frame", largest}, {"datagrams", r.packets.size()},
                            {"reply", describe_reply(r)}};
    if (big.movie.frames.empty()) return report::error(info, "the large-frame movie has no frame", evidence);
    if (r.end == SessionEnd::ConnectFailed)
        return report::error(info, "the runner could not ask for \"" + r.file + "\": " + describe_reply(r), evidence);
    const auto id = granted_session_id(r);
    if (!id)
        return report::fail(info, report::expected_actual("the reply to \"" + r.file + "\" (a movie of frames up to " +
                                                              std::to_string(largest) + " bytes)",
                                                          "a SessionID", describe_reply(r)),
                            evidence);

    const auto views = view_packets(r, id);
    for (const PacketView& p : views)
        if (p.truncated)
            return report::fail(info,
                                p.name() + " was larger than the runner's receive buffer (" +
                                    std::to_string(p.size) + " bytes kept)",
                                evidence);
    const MovieComparison c = compare_with_movie(views, big.movie.frames);
    std::vector<std::size_t> not_whole;
    for (std::size_t k = 0; k < big.movie.frames.size(); ++k) {
        const bool whole = std::any_of(c.identities.begin(), c.identities.end(), [&](const PayloadIdentity& id_) {
            return id_.carriage == Carriage::Exact && id_.frames.size() == 1 && id_.frames[0] == k;
        });
        if (!whole) not_whole.push_back(k);
    }
    evidence["not_whole"] = not_whole;
    if (not_whole.empty())
        return report::pass(info,
                            "all " + std::to_string(big.movie.frames.size()) + " frames arrived whole (largest " +
                                std::to_string(largest) + " bytes)",
                            evidence);
    const std::size_t k = not_whole.front();
    std::string how = "never arrived";
    for (const PayloadIdentity& id_ : c.identities)
        if (std::find(id_.frames.begin(), id_.frames.end(), k) != id_.frames.end() && id_.carriage != Carriage::Exact) {
            how = "arrived as " + std::string(to_string(id_.carriage)) + " (" + std::to_string(id_.size) +
                  " bytes in packet " + std::to_string(id_.packet_index) + ")";
            break;
        }
    return report::fail(info,
                        "frame " + std::to_string(k) + " (" + std::to_string(big.movie.frames[k].size()) + " bytes) " +
                            how + ", expected it whole in one datagram (" +
                            count_of(not_whole.size(), big.movie.frames.size(), "frames") + " not whole; " +
                            std::to_string(r.packets.size()) + " datagrams received, " + describe_end(r.end) + ")",
                        evidence);
}

}  // namespace

std::vector<ServerCheck> big_frame_checks()
{
    return {{"S-BIG-01", big_01}};
}

}  // namespace tpc3::conform::server
