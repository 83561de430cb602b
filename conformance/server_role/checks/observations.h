// Everything the server suite observed in one run, as plain values: the input
// of judge_server(). The suite (I/O) fills it; the checks (pure functions)
// read it, so every check can be tested on hand-made observations.
//
// Each part the suite may fail to observe is an Observed<T>: either the value
// or the reason it is missing ("the server died during the main stream and
// could not be restarted"). A check whose part is missing says `error` with
// that reason (or `skip` where CHECKS.md says the check did not apply), never
// `pass`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "session/session_record.h"
#include "report/observed.h"

namespace tpc3::conform::server {

// Observed<T>: the value, or why it is missing (report/observed.h).
using report::Observed;

// What the runner knows about the server process when it launched it.
struct ProcessEvidence {
    std::string during;          // label of the session/step when it was noticed ("main stream")
    bool died = false;           // the process was gone (exited or killed) after that session/step
    std::string exit_status;     // harness::ExitStatus::describe(): "exited with status 1",
                                 // "killed by signal 11 (SIGSEGV)"; empty while alive
    std::string traceback;       // the Python traceback found on stderr (excerpt), or empty
    std::string stderr_excerpt;  // the tail of stderr when there is no traceback
    std::optional<WallTime> when;   // when the runner noticed it
    bool restarted = false;         // the runner started the server again afterwards
    std::string restart_problem;    // why a restart failed, when it did
};

// A movie the runner has a local copy of (frames in file order).
struct MovieUnderTest {
    std::string name;   // the file name requested from the server ("movie.mpeg")
    std::string path;   // the local copy the runner read
    std::vector<std::vector<std::uint8_t>> frames;  // each frame's JPEG bytes (no length digits)
};

// Judging thresholds (PROTOCOL.md section 6 defaults); options of the CLI.
struct Thresholds {
    double nominal_rate_hz = 20.0;       // datagrams per second
    double rate_tolerance = 0.05;        // S-TIME-01: |mean - nominal| <= 5 % of nominal
    // S-TIME-02 (pacing), with period = 1000 / nominal_rate_hz ms, passes when
    //  - the median inter-arrival is within period +- pacing_median_tolerance_ms
    //    (fails every periodic burst pattern: bursts of N >= 2 then a sleep),
    //  - the 95th percentile is at most period + pacing_p95_slack_ms (uneven
    //    pacing; a stall or two of a loaded machine stays above the 95th), and
    //  - no burst: no run of burst_run_length or more consecutive inter-arrivals
    //    under burst_gap_ms (a one-off burst, e.g. 10 frames at once; a server
    //    catching up after a stall of under 250 ms sends at most 5 back to
    //    back: 4 short inter-arrivals).
    double pacing_median_tolerance_ms = 15.0;
    double pacing_p95_slack_ms = 25.0;
    double burst_gap_ms = 10.0;
    std::size_t burst_run_length = 5;
    std::size_t min_timing_packets = 10;  // fewer datagrams: S-TIME-* say error
    double timestamp_tolerance_s = 3.0;   // S-RTP-09: 1 Hz timestamps within this of the runner's clock
    double min_wait_before_go_s = 0.5;    // S-SETUP-03: the runner must have waited this long
    double min_not_found_watch_s = 0.8;   // S-SETUP-02: the runner must have watched this long after -1
    std::size_t liveness_min_packets = 2; // a liveness session is valid with this many datagrams after Go
};

// One hostile step of S-ROB-01/02/03 and the fresh session that followed it.
struct RobustnessStep {
    std::string name;     // "garbage request", "64 KiB line", "UDP port closed mid-stream"
    std::string action;   // what the runner did, in words (for the report)
    std::vector<SessionRecord> hostile;  // the hostile session(s), when the step was one
    Observed<SessionRecord> liveness;    // the valid session attempted afterwards
    std::optional<ProcessEvidence> process;  // when launched: the process after the step
};

// S-ROB-04: two sessions whose streams the runner tried to overlap.
struct ConcurrentSessions {
    SessionRecord first;
    SessionRecord second;
    std::optional<MovieUnderTest> movie;  // the movie both requested, when known locally
};

// S-SEC-01: one request for a file that exists outside the served directory.
struct TraversalAttempt {
    std::string kind;           // "../name" or "absolute path"
    std::string outside_path;   // where the runner put the file (it exists there)
    SessionRecord session;      // session.file is the name requested
};

// S-BIG-01: a session streaming a movie of large frames.
struct BigFrameSession {
    SessionRecord session;
    MovieUnderTest movie;
};

struct Observations {
    // Context.
    std::string target;       // "127.0.0.1:5000" or the server command line
    bool launched = false;    // the runner started the server (process evidence may exist)
    // Set when the runner could not run the suite as planned (e.g. the server
    // never accepted a connection: "exited with status 1: ModuleNotFoundError:
    // No module named 'PIL'"): checks without observations cite it.
    std::string harness_problem;
    Thresholds thresholds;

    // The default movie's local copy. For a remote target without --movie
    // make it not_applicable("no local copy of the movie: give --movie"):
    // S-PAY-02/03 then skip.
    Observed<MovieUnderTest> movie;

    // The main stream of the default movie; the runner waited >= 0.5 s between
    // the reply and Go (S-SETUP-01/03, S-RTP-*, S-PAY-*, S-TIME-*).
    Observed<SessionRecord> main_stream;
    // A request for a file the server lacks, then ~1 s watching the UDP port.
    Observed<SessionRecord> missing_file;
    // Sessions that only asked for a SessionID (ended before Go). S-SETUP-04
    // judges the main stream's ID plus these (two of them make three).
    Observed<std::vector<SessionRecord>> id_sessions;

    Observed<std::vector<RobustnessStep>> malformed_requests;  // S-ROB-01
    Observed<std::vector<RobustnessStep>> vanishing_clients;   // S-ROB-02
    // S-ROB-03: liveness = the second session after the first one was served.
    Observed<RobustnessStep> second_session;
    Observed<ConcurrentSessions> concurrency;                  // S-ROB-04 (advisory; not_applicable: skip)
    // S-SEC-01 (advisory): only when launched (the runner must place the file
    // outside the served directory); skip when !launched, whatever this holds.
    Observed<std::vector<TraversalAttempt>> traversal;
    Observed<BigFrameSession> big_frames;                      // S-BIG-01 (advisory)

    // Every death of the launched server noticed outside the robustness steps,
    // keyed by ProcessEvidence::during = the label of the session.
    std::vector<ProcessEvidence> process_events;
};

}  // namespace tpc3::conform::server
