// Network fuzzing of a client under test: `tpc3-conform fuzz --client-cmd`.
//
// Cases (make_client_case): 9 in 10 are datagram cases (datagram_mutators.h),
// 1 in 10 a control-reply case (reply_mutators.h). Case i depends only on
// (seed, i).
//
// Launching a client costs ~0.5-1 s, so datagram cases run in BATCHES: one
// launch, the session prologue (the client's request, a valid reply with
// client_session_id(seed), its Go, two valid lead-in frames, a liveness
// check), then case after case, each followed by a liveness check (see
// ClientLaunch::check). A batch ends at max_batch cases, at a finding, or when
// the budget is used. Reply cases met while filling a batch are set aside and
// run after it, one launch each (so cases do not run strictly in order; each
// is still the same case).
//
// On a finding the client is stopped and the finding confirmed in a fresh
// launch: first the case alone; if that does not reproduce it, the batch up
// to that case (one combined case, mutator "batch"). The reproducer saved
// (case-<i>.json + case-<i>.pcap in out_dir; the pcap holds the bytes of the
// confirming run as really sent, both directions) is the smallest that
// reproduced, and the evidence says which (or that nothing reproduced: then
// the batch as first run is saved).
//
// Replay (replay_client_case): a case whose first step is a Datagram gets the
// session prologue first (SessionID client_session_id(case.seed)); any other
// case starts right after the client's request. Then the liveness check:
// strict (alive, reading, control open) when the case ends with a datagram,
// else only a crash or a traceback counts.
//
// Every wait has a deadline; each launch's client (its whole process family)
// is stopped and its temp dir removed before the next one starts; the run's
// one Xvfb goes at the end. Call from a thread that lives until it returns.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>

#include "core/fuzz_case.h"
#include "core/fuzz_options.h"
#include "core/fuzz_summary.h"

namespace tpc3::fuzz::net {

struct ClientFuzzOptions {
    FuzzOptions fuzz;               // seed, iterations / time budget, out_dir, stop_at_first, verbose
    std::string client_cmd;         // '... {host} {tcp_port} {udp_port} {file}' (all four required)
    std::filesystem::path workdir;  // the submission, copied fresh for every launch (may be empty)
    std::string file = "movie.mpeg";
    std::map<std::string, std::string> env;  // added to the client's environment
    std::size_t max_batch = 100;    // datagram cases per client launch
    std::chrono::milliseconds connect_timeout{10'000};
    std::chrono::milliseconds drain_deadline{1'500};  // liveness: the UDP queue empties within this
    std::chrono::milliseconds grace{1'000};           // SIGTERM -> SIGKILL
    bool confirm = true;            // replay a finding in a fresh launch before saving it
    std::filesystem::path temp_base;  // where launches make their temp dirs; empty: the default ($TMPDIR or /tmp)
};

// The fuzzer cannot fuzz this client at all: bad options, Xvfb does not start,
// the command cannot run, or the client does not complete a valid session
// (it never connects, sends no Go, does not read a valid stream). The CLI
// maps it to exit status 2.
class ClientFuzzError : public FuzzHarnessError {
public:
    using FuzzHarnessError::FuzzHarnessError;
};

// Case `iteration` of a run with `seed` (no I/O).
FuzzCase make_client_case(std::uint64_t seed, std::uint64_t iteration);

// Runs cases first_iteration, first_iteration + 1, ... until the iterations
// or the time budget are used (or the first finding with stop_at_first).
// Throws ClientFuzzError (see above).
FuzzSummary fuzz_client(const ClientFuzzOptions& options);

// Runs one case (a reproducer) in a fresh launch and checks liveness; the
// summary has one finding when it reproduces, none when it does not
// (stopped_because says which). Saves nothing. Throws ClientFuzzError.
FuzzSummary replay_client_case(const ClientFuzzOptions& options, const FuzzCase& fuzz_case);

}  // namespace tpc3::fuzz::net
