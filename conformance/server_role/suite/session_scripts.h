// The scripts of the suite's sessions: one factory per kind of session, with
// the waits that kind needs (and no longer: the suite must stay fast).
//
// Short sessions settle the reply for 0.1 s (a tpc3 reply has no line end, so
// the runner can only tell it is complete by the server falling quiet) and
// send Go at once; only the main stream waits the 0.5 s of S-SETUP-03.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "session/hostile_connection.h"
#include "session/session_script.h"

namespace tpc3::conform::server {

// How a stream of a movie ends.
struct StreamLength {
    // Frames in the movie when the runner knows it: the session ends once all
    // have arrived and the server has stayed quiet for a little while.
    std::optional<std::size_t> frames;
    // Remote target, the runner's own movie not available there: hang up (a
    // plain close, like a client whose window was closed) after this many
    // datagrams instead of streaming a movie of unknown length to its end.
    std::optional<std::size_t> hang_up_after;
};

// How long a stream of `frames` frames may take at worst (half the nominal
// rate, plus set-up slack); for an unknown length, `unknown`.
Millis stream_deadline(std::optional<std::size_t> frames, Millis unknown);

// The main stream: waits 0.55 s before Go (S-SETUP-03 needs 0.5 s), 0.3 s reply settle,
// 0.3 s after the last expected frame for extra ones (S-PAY-03).
SessionScript main_stream_script(std::string label, std::string file, std::optional<std::size_t> frames,
                                 Millis deadline);

// A valid short session that proves the server alive (S-ROB-*), also the
// concurrency probe (with a reply deadline long enough to outlast the main
// stream of a one-session-at-a-time server).
SessionScript liveness_script(std::string label, std::string file, StreamLength length,
                              Millis reply_deadline = Millis(3000));

// Asks for a SessionID and ends before Go (S-SETUP-04; S-SEC-01).
SessionScript id_only_script(std::string label, std::string file);

// Asks for a file the server lacks, watches for datagrams for 1 s after the
// -1; never sends Go, whatever the reply (S-SETUP-02).
SessionScript missing_file_script(std::string label, std::string file);

// Vanishes (UDP socket closed, TCP reset) after `after_packets` datagrams (S-ROB-02).
SessionScript vanishing_script(std::string label, std::string file, std::size_t after_packets,
                               std::optional<std::size_t> frames);

// The large-frame movie, streamed whole (S-BIG-01).
SessionScript big_frames_script(std::string label, std::string file, std::size_t frames);

// The malformed requests of S-ROB-01: read for 1 s at most, 0.15 s settle.
HostileOptions hostile_options();

}  // namespace tpc3::conform::server
