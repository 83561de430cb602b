// What every C-* check shares: the main run's playback analysed once (what
// was sent, shown and written, per datagram of the plan), liveness around an
// injection, evidence snippets, and the registry entry type.
// Internal to tpc3_client_checks.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "client_role/checks/observations.h"
#include "observe/screen_timeline.h"
#include "report/catalogue.h"
#include "report/check_result.h"

namespace tpc3::conform::client {

// The main run, analysed once for all the checks that judge playback.
struct Playback {
    const ClientRun* run = nullptr;       // null when the main run was not observed
    const ServedSession* served = nullptr;  // null when the runner's record is missing
    std::string why_no_run;               // why run or served is null

    std::size_t sent_count = 0;           // datagrams sent
    std::optional<SteadyTime> t0;         // the first datagram's send time

    bool screen_observed = false;
    std::string why_no_screen;
    bool files_observed = false;
    std::string why_no_files;

    observe::ScreenTimeline timeline;     // of the grabs, frames with their send times
    // Per plan index: what the screen showed of its marker (nullopt: never
    // shown, no marker, or the screen was not observed).
    std::vector<std::optional<observe::ShownValue>> shown;
    // Per plan index: every file record holding its payload (exactly, a
    // prefix, or re-encoded), temporaries included.
    std::vector<std::vector<const WrittenFile*>> written;
    // Per plan index: a final record with exactly its payload (the write
    // counts for C-PLAY-01).
    std::vector<const WrittenFile*> written_exact;

    const InjectionPlan& plan() const { return run->plan; }
    bool was_sent(std::size_t i) const;
    bool is_shown(std::size_t i) const { return i < shown.size() && shown[i].has_value(); }
    bool is_written(std::size_t i) const { return i < written.size() && !written[i].empty(); }
    // Seconds from the first datagram's send time (0 without one).
    double seconds(SteadyTime t) const;
};

Playback prepare_playback(const ClientObservations& obs);

struct JudgeContext {
    const ClientObservations& obs;
    const Playback& main;
    const ClientThresholds& limits() const { return obs.thresholds; }
};

// One check: its catalogue ID and the function that decides it.
struct ClientCheck {
    const char* id;
    report::CheckResult (*judge)(const JudgeContext&);
};

// The checks of each group, in catalogue order (one file per group).
std::vector<ClientCheck> setup_checks();       // c_setup.cpp
std::vector<ClientCheck> play_checks();        // c_play.cpp
std::vector<ClientCheck> rejection_checks();   // c_rej.cpp
std::vector<ClientCheck> robustness_checks();  // c_rob.cpp
std::vector<ClientCheck> big_frame_checks();   // c_big.cpp

// Why an Observed part has no value: its own reason, else the run's harness
// problem, else "the suite recorded nothing".
template <class T>
std::string why_missing(const Observed<T>& part, const ClientObservations& obs)
{
    if (!part.why_missing().empty()) return part.why_missing();
    if (!obs.harness_problem.empty()) return obs.harness_problem;
    return "the suite recorded nothing";
}

// `error` when the main run cannot show anything about playback (not
// observed, the client never connected, no datagram was sent); nullopt when
// it can. Used by every check that judges an injection.
std::optional<report::CheckResult> playback_unjudgeable(const report::CheckInfo& info, const JudgeContext& ctx);

// Liveness around datagram i (plan index). Before: a valid frame of the run
// right before it (since the previous injection) was shown, or written by a
// client whose window had shown valid frames before (the file channel misses
// no frame when the screen stalls). After: any valid frame sent after it was
// shown on the screen. A client that shows nothing never looks as if it
// played.
bool shown_before(const Playback& pb, std::size_t i);
bool shown_after(const Playback& pb, std::size_t i);
// The valid frames (plan indices) sent after i and shown.
std::vector<std::size_t> shown_after_list(const Playback& pb, std::size_t i);

// Evidence for one datagram: plan index, what it is, size, header hex, send time.
nlohmann::json datagram_evidence(const Playback& pb, std::size_t i);
// Evidence that datagram i was shown (time, grab, screenshot) / written (files).
nlohmann::json shown_evidence(const Playback& pb, std::size_t i);
nlohmann::json written_evidence(const Playback& pb, std::size_t i);

// What the client process did (exit, traceback), as a sentence to append to
// a non-pass message ("; the client exited with status 1: ZeroDivisionError")
// and as evidence; empty/null when it was running normally.
std::string process_note(const Observed<ClientProcess>& process);
nlohmann::json process_evidence(const Observed<ClientProcess>& process);

// "frame 17 (datagram 40)", "C-REJ-06: PT=96 (expected 26) (datagram 23)".
std::string name_of(const Playback& pb, std::size_t i);
// Seq numbers (frame numbers) of plan indices, for messages: "7, 8, 12 and 3 more".
std::string frame_list(const Playback& pb, const std::vector<std::size_t>& indices, std::size_t shown_max = 8);

// Number with fixed decimals, never "-0.0".
std::string fixed(double value, int decimals);
// "1 of 40 frames".
std::string count_of(std::size_t n, std::size_t total, const std::string& noun);

// Worst outcome of several partial verdicts: fail over error over pass.
enum class Verdict { Pass, Error, Fail };
Verdict worse(Verdict a, Verdict b);

}  // namespace tpc3::conform::client
