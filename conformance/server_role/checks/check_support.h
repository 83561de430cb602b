// What every S-* check shares: the main stream analysed once, wording of
// "could not observe", evidence snippets, and the registry entry type.
// Internal to tpc3_server_checks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/packet_view.h"
#include "checks/observations.h"
#include "report/catalogue.h"
#include "report/check_result.h"

namespace tpc3::conform::server {

// The main stream, parsed once for all the checks that judge it.
struct MainStream {
    const SessionRecord* record = nullptr;  // null when not observed
    std::string why_missing;                // why record is null (error reason)
    std::optional<std::uint32_t> session_id;
    std::vector<analysis::PacketView> packets;  // SSRC judged against session_id when there is one
    std::size_t with_header = 0;                // packets of >= 12 bytes
};

MainStream prepare_main_stream(const Observations& obs);

// The view of the packet with this arrival index (ReceivedPacket::index).
const analysis::PacketView& packet_at(const MainStream& main, std::size_t index);

struct JudgeContext {
    const Observations& obs;
    const MainStream& main;
    const Thresholds& limits() const { return obs.thresholds; }
};

// One check: its catalogue ID and the function that decides it.
struct ServerCheck {
    const char* id;
    report::CheckResult (*judge)(const JudgeContext&);
};

// The checks of each group, in catalogue order (one file per group).
std::vector<ServerCheck> setup_checks();  // s_setup.cpp
std::vector<ServerCheck> rtp_checks();    // s_rtp.cpp
std::vector<ServerCheck> payload_checks();// s_pay.cpp
std::vector<ServerCheck> timing_checks(); // s_time.cpp
std::vector<ServerCheck> robustness_checks();  // s_rob.cpp
std::vector<ServerCheck> security_checks();    // s_sec.cpp
std::vector<ServerCheck> big_frame_checks();   // s_big.cpp

// Why an Observed part has no value, for a message: its own reason, else the
// run's harness problem, else "the suite recorded nothing".
template <class T>
std::string why_missing(const Observed<T>& part, const Observations& obs)
{
    if (!part.why_missing().empty()) return part.why_missing();
    if (!obs.harness_problem.empty()) return obs.harness_problem;
    return "the suite recorded nothing";
}

// `error` (or `skip` when the part is not_applicable) for a check whose
// observation is missing: "<what> could not be observed: <reason>".
template <class T>
report::CheckResult unobserved(const report::CheckInfo& info, const Observed<T>& part, const Observations& obs,
                               const std::string& what)
{
    if (part.is_not_applicable()) return report::skip(info, why_missing(part, obs));
    return report::error(info, what + " could not be observed: " + why_missing(part, obs));
}

// `error` when the main stream cannot be judged at all (not observed, or no
// datagram with an RTP header arrived); nullopt when it can. `what`
// completes "so ... could not be judged" ("headers").
std::optional<report::CheckResult> main_stream_unusable(const report::CheckInfo& info, const JudgeContext& ctx,
                                                        const std::string& what);

// Evidence for one packet: index, seq, size, header hex, receive time.
nlohmann::json packet_evidence(const analysis::PacketView& p);

// "1 of 40", "37 of 40 packets".
std::string count_of(std::size_t n, std::size_t total, const std::string& noun);

// "1 gap", "2 gaps": `noun` is the singular, `plural` defaults to noun + "s".
std::string count_noun(std::size_t n, const std::string& noun, const std::string& plural = {});

// Number with fixed decimals: fixed(20.012, 2) == "20.01"; never "-0.00".
std::string fixed(double value, int decimals);

// What the launched server's process did during the sessions with these
// labels (deaths only): a sentence to append to a non-pass message, and the
// evidence. Empty/null when nothing was recorded.
std::string process_note(const Observations& obs, const std::vector<std::string>& labels);
nlohmann::json process_evidence(const Observations& obs, const std::vector<std::string>& labels);
std::string describe_process(const ProcessEvidence& p);   // "exited with status 1; traceback: ..."
nlohmann::json to_json(const ProcessEvidence& p);

}  // namespace tpc3::conform::server
