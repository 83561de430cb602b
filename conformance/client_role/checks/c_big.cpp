// C-BIG: large frames (PROTOCOL.md section 4: a frame of up to 99,999 bytes
// fits in one datagram; the plan sends one of about 60,000 bytes).
#include "client_role/checks/check_support.h"

namespace tpc3::conform::client {
namespace {

using report::CheckResult;

// C-BIG-01 (advisory): the 60,000-byte frame is shown whole: written byte
// for byte, and/or shown on the screen (a cut JPEG shows no marker: its
// padding comes first).
CheckResult big_01(const JudgeContext& ctx)
{
    const report::CheckInfo& info = report::lookup("C-BIG-01");
    const Playback& pb = ctx.main;
    if (auto unjudgeable = playback_unjudgeable(info, ctx)) return *unjudgeable;
    const auto bigs = pb.plan().for_check("C-BIG-01");
    if (bigs.empty()) return report::skip(info, "the injection plan has no large frame");
    {
        const std::size_t i = bigs.front();  // the plan sends one
        nlohmann::json evidence = datagram_evidence(pb, i);
        const std::string name = name_of(pb, i) + " of " + std::to_string(pb.plan().at(i).payload.size()) + " bytes";
        if (!pb.was_sent(i)) return report::error(info, name + " was not sent (the stream ended before it)", evidence);
        if (!pb.screen_observed && !pb.files_observed)
            return report::error(info, pb.why_no_screen + "; " + pb.why_no_files, evidence);
        const bool shown = pb.is_shown(i);
        const WrittenFile* exact = pb.written_exact[i];
        if (shown) evidence["shown"] = shown_evidence(pb, i);
        if (pb.is_written(i)) evidence["written"] = written_evidence(pb, i);
        if (exact == nullptr && pb.is_written(i)) {
            const WrittenFile& f = *pb.written[i].front();
            if (!f.exact())
                return report::fail(info,
                                    name + " was written cut: " + f.name + " holds " + observe::describe(f.match) +
                                        " (a receive buffer smaller than the datagram?)",
                                    evidence);
        }
        if (exact != nullptr || shown) {
            std::string how;
            if (exact != nullptr) how = "written byte for byte to " + exact->name;
            if (shown) how += std::string(how.empty() ? "" : " and ") + "shown on the screen";
            return report::pass(info, name + " " + how, evidence);
        }
        if (!shown_before(pb, i))
            return report::error(info,
                                 name + " was neither written nor shown, but the client showed no valid frame right "
                                        "before it either: it had stopped earlier" +
                                     process_note(pb.run->process),
                                 evidence);
        return report::fail(info,
                            name + " was neither written nor shown while frames around it were (a receive buffer "
                                   "smaller than the datagram?)" +
                                process_note(pb.run->process),
                            evidence);
    }
}

}  // namespace

std::vector<ClientCheck> big_frame_checks()
{
    return {{"C-BIG-01", big_01}};
}

}  // namespace tpc3::conform::client
