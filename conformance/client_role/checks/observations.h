// Everything the client suite observed, as plain values: the input of
// judge_client(). The suite (I/O) fills it; the C-* checks (pure functions)
// read it, so every check can be tested on hand-made observations.
//
// Two client runs feed the checks:
//  - the main run: the runner replies a SessionID and sends the injection
//    plan (valid marker frames around poisons and malformed datagrams);
//    C-SETUP-01/02, C-PLAY-01, C-REJ-*, C-ROB-*, C-BIG-01;
//  - the refusal run: the runner replies -1 and sends nothing; C-SETUP-03
//    (and C-SETUP-01 when its request is wrong too).
//
// Each part the suite may fail to observe is an Observed<T> (as in the
// server role): the value, or why it is missing. A check whose part is
// missing says `error` with that reason (or `skip` when not applicable),
// never `pass`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "observe/file_matcher.h"
#include "observe/grab_record.h"
#include "observe/screen_observer.h"
#include "serve/injection_plan.h"
#include "serve/served_session.h"
#include "report/observed.h"

namespace tpc3::conform::client {

// Observed<T>: the value, or why it is missing (report/observed.h).
using report::Observed;

// One file the client wrote (closed after writing, or renamed into place) in
// its working directory or TMPDIR, classified against the payloads sent.
struct WrittenFile {
    std::size_t record = 0;   // the watcher's record index: the order of writes
    SteadyTime when{};        // when the watcher read it
    std::string path;         // absolute path during the run (the directory is gone afterwards)
    std::string name;         // relative to the client's working directory ("cache-1.jpg", "tmp/x.jpg")
    std::string how;          // observe::to_string(ObservedFile::How): "closed_after_write", "moved_in", ...
    bool final = true;        // not a temporary file renamed later (the write counts under the new name)
    bool final_scan = false;  // found only by the watcher's last scan (usually the last write again)
    std::uint64_t size = 0;
    observe::FileMatch match;  // what its bytes are
    // The plan index of the datagram whose payload it holds: exactly, a prefix
    // of it, or (an `unknown` match) the same marker re-encoded. nullopt: none.
    std::optional<std::size_t> datagram;
    std::string artifact;  // a copy the runner kept as evidence (poisons, cut frames), else empty

    bool exact() const { return match.exact(); }
};

// What the client's window showed: every grab and what was read in it.
struct ScreenRecord {
    std::vector<observe::GrabRecord> grabs;
    observe::ScreenObserverStats stats;
    // Evidence PNGs (the first grab showing a poison), by MarkerValue::number
    // of the poison value.
    std::map<std::uint32_t, std::string> poison_screenshots;
    std::string contact_sheet;  // PNG of what was shown over time, or empty
};

// The client process of one run.
struct ClientProcess {
    std::string command;    // the command line as run (placeholders replaced)
    WallTime started{};
    double lifetime_s = 0;  // from start until it ended (on its own or stopped)
    bool ended_on_own = false;               // it exited (or crashed) before the runner stopped it
    std::optional<WallTime> ended_at;        // when, if it ended on its own
    std::string exit_status;                 // "exited with status 1", "killed by signal 11 (SIGSEGV)"
    bool killed_by_signal_on_own = false;    // it ended on its own by a signal (a crash)
    bool stopped_by_runner = false;          // still running at the end of the run: SIGTERM...
    bool needed_sigkill = false;             // ... and SIGKILL after the grace period
    std::string stderr_tail;                 // the last bytes of stderr
    std::string traceback;                   // the last Python traceback on stderr (its end), or empty
    std::string error_line;                  // the traceback's last line
    std::string stdout_path, stderr_path;    // kept copies of the output, when kept

    bool has_traceback() const { return !traceback.empty(); }
};

// One client run: what it was given, and what was observed.
struct ClientRun {
    std::string label;    // "main run", "refusal run"
    std::string host;     // what the client was told: {host} {tcp_port} {udp_port} {file}
    std::uint16_t tcp_port = 0;
    std::uint16_t udp_port = 0;
    std::string file;
    InjectionPlan plan;   // what the runner was to send (a refusal plan for the -1 run)

    Observed<ServedSession> served;               // the runner's server record
    Observed<std::vector<WrittenFile>> files;     // in write order
    Observed<ScreenRecord> screen;
    Observed<ClientProcess> process;
};

// Judging thresholds (options of the CLI).
struct ClientThresholds {
    double min_played_ratio = 0.90;   // C-PLAY-01: share of the valid frames shown and written
    double refusal_exit_s = 4.0;      // C-SETUP-03: the client must exit this soon after -1
};

struct ClientObservations {
    std::string target;  // the client command template
    // Set when the runner could not run the suite as planned (Xvfb would not
    // start...): checks without observations cite it.
    std::string harness_problem;
    ClientThresholds thresholds;

    Observed<ClientRun> main;
    Observed<ClientRun> refusal;
};

}  // namespace tpc3::conform::client
