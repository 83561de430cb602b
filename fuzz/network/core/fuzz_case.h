// One fuzz case: what to do on the wire, where it came from (seed,
// iteration, mutator), and its reproducer file format.
//
// Reproducer file "case-<iteration>.json" (format "tpc3-fuzz-case/1"):
//   { "format": "tpc3-fuzz-case/1", "role": "server", "seed": 42, "iteration": 7,
//     "mutator": "request.port", "description": "...", "udp_ports": [24001],
//     "steps": [ { "kind": "connect", "connection": 0, "note": "..." },
//                { "kind": "send", "connection": 0, "hex": "6d6f7669652e6d706567203939393939",
//                  "shown": "movie.mpeg 99999", "note": "port field -> 99999" },
//                { "kind": "pause", "pause_ms": 200 }, ... ],
//     "finding": { ... } }          (written by save_reproducer; ignored when read)
// "hex" is what is sent (edit it to change the case); "shown" is the same
// bytes escaped for reading and is ignored when the file is read. A step
// without "hex" may give "text" instead (UTF-8 sent as is), handy for a
// hand-written case. Optional keys: connection (0), pause_ms (0), note ("").
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/wire_step.h"

namespace tpc3::fuzz::net {

inline constexpr const char* kCaseFormat = "tpc3-fuzz-case/1";

struct FuzzCase {
    std::string role;  // "server" | "client": which kind of implementation it targets
    std::uint64_t seed = 0;
    std::uint64_t iteration = 0;
    std::string mutator;      // name of the mutator that made it
    std::string description;  // one line: what the case does
    std::vector<WireStep> steps;
    // [extension] UDP ports the executor keeps bound on 127.0.0.1 for the
    // whole case (the ports a server-role case asks to be streamed to), so a
    // correct server's datagrams land somewhere.
    std::vector<std::uint16_t> udp_ports;

    friend bool operator==(const FuzzCase&, const FuzzCase&) = default;
};

// A reproducer that cannot be read: the message names the file (or
// "<json>") and the field ("steps[2].hex: odd number of hex digits").
class CaseFormatError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

nlohmann::json to_json(const FuzzCase& c);
// `source` names where the JSON came from, for the error message.
FuzzCase case_from_json(const nlohmann::json& j, const std::string& source = "<json>");

// Reads a reproducer file. Throws CaseFormatError (unreadable file, bad JSON
// with its byte offset, a missing or wrong field).
FuzzCase load_case(const std::filesystem::path& path);
// Writes `j` (to_json of a case, maybe with extra keys) pretty-printed.
// Throws std::runtime_error naming the file when it cannot be written.
void write_json_file(const nlohmann::json& j, const std::filesystem::path& path);

// "case-7.json" / "case-7.pcap".
std::string case_file_stem(const FuzzCase& c);

// Lower-case hex and back ("" <-> empty). from_hex returns false on odd
// length or a non-hex digit (and sets bad_offset to the offending index).
std::string to_hex(const std::vector<std::uint8_t>& bytes);
bool from_hex(const std::string& hex, std::vector<std::uint8_t>& out, std::size_t& bad_offset);

// One line per step, for --verbose and reports: "send #0 16 B \"movie.mpeg 99999\" (port field -> 99999)".
std::string describe_steps(const FuzzCase& c, std::size_t max_bytes_shown = 48);

}  // namespace tpc3::fuzz::net
