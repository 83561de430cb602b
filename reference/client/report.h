// The end-of-session report: a human table and the --json document.
#pragma once

#include "client/client.h"

#include <filesystem>
#include <iosfwd>

#include <nlohmann/json.hpp>

namespace tpc3::client {

// Keys: server, file, udp_port, session_id (null when none), refused,
// received, accepted, dropped, dropped_by_reason {<drop reason name>: n, every
// reason listed}, undecodable, first_seq, last_seq, missing, gaps [[first,last]],
// duration_s, stream_duration_s, mean_rate_fps, inter_arrival_ms
// {count,p50,p95,p99,max}, jitter_ms, kernel_timestamps, end_reason,
// server_closed_control, frames_written, frames_shown, movie (null or
// {path, frames, identical, different, extra, missing, first_missing_seq,
// first_mismatch {seq, byte_offset, message}, matched}), exit_status, error.
nlohmann::json to_json(const SessionReport& r);

void print_report(std::ostream& out, const SessionReport& r);

// Writes the JSON (pretty, 2 spaces) via a .tmp file and rename. Throws
// std::runtime_error naming the file.
void write_json(const std::filesystem::path& path, const SessionReport& r);

}  // namespace tpc3::client
