// The three control messages of a TPC3 session, independent of their wire
// dialect (PROTOCOL.md section 3).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace tpc3::control {

// Fields only the rtsp dialect carries (its CSeq and Session headers, the
// file named by PLAY) are optional and unset for the other dialects, so a
// message built from the required fields alone compares equal as before. The
// rtsp encoder writes defaults for unset ones (see rtsp_dialect.h).

// client -> server: which file, and the UDP port to stream to.
struct Request {
    std::string file;
    std::uint16_t udp_port = 0;
    std::optional<std::uint32_t> cseq = std::nullopt;  // rtsp: CSeq of the SETUP
    friend bool operator==(const Request&, const Request&) = default;
};

// server -> client: a SessionID, or -1 (file not found).
struct Reply {
    static constexpr std::int64_t kNotFound = -1;
    std::int64_t session_id = kNotFound;  // 0 .. 2^32-1, or -1
    std::optional<std::uint32_t> cseq = std::nullopt;  // rtsp: CSeq of the request this answers
    bool not_found() const { return session_id == kNotFound; }
    friend bool operator==(const Reply&, const Reply&) = default;
};

// client -> server: start streaming.
struct Go {
    std::optional<std::string> file = std::nullopt;          // rtsp: the file PLAY names
    std::optional<std::uint32_t> cseq = std::nullopt;        // rtsp: CSeq of the PLAY
    std::optional<std::int64_t> session_id = std::nullopt;   // rtsp: its Session header
    friend bool operator==(const Go&, const Go&) = default;
};

using Message = std::variant<Request, Reply, Go>;

// What a lenient parser made of some bytes. It never throws; it reports.
enum class ParseStatus {
    Complete,   // a whole message was recognised (value is set)
    Incomplete, // a valid prefix: more bytes may complete it
    Invalid,    // cannot become a valid message (problems says why)
};

template <typename T>
struct Parsed {
    ParseStatus status = ParseStatus::Invalid;
    std::optional<T> value;
    std::size_t consumed = 0;           // bytes of the input that made up the message (incl. a trailing newline);
                                        // 0 when Incomplete
    std::vector<std::string> problems;  // deviations seen, even when Complete (e.g. "port 99999 out of range")
    std::string seen;                   // the input bytes, escaped for a report (see escape())
};

// Bytes as printable text for reports: printable ASCII as is (but \ and " as
// \\ and \"), \n \r \t, others \xNN. At most max_bytes bytes are shown, then
// "...(N more bytes)" ("...(1 more byte)"). Same as text::escape_bytes.
std::string escape(const std::vector<std::uint8_t>& bytes, std::size_t max_bytes = 256);
std::string escape(const std::string& bytes, std::size_t max_bytes = 256);

}  // namespace tpc3::control
