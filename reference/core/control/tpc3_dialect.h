// Dialect "tpc3": "<fileName> <UDPDataPort>", "<SessionID>" or "-1", "Go".
#pragma once

#include "control/dialect.h"

namespace tpc3::control {

// A message (up to its '\n') longer than this is Invalid: no valid request is
// this long, and a peer streaming a 64 KiB line must not be waited on forever.
inline constexpr std::size_t kMaxTpc3MessageBytes = 4096;

// Parsing (PROTOCOL.md sections 3 and 6): leading whitespace (blank lines too)
// and trailing whitespace are ignored; a message ends at the first '\n'
// (a "\r\n" too), and consumed counts that '\n'. Without a '\n':
//   - request: one word so far is Incomplete; "<file> <digits>" is Complete.
//   - reply: "" or "-" is Incomplete; a run of digits is Complete (the caller
//     decides with an idle timeout whether more digits follow).
//   - Go: "" or "G" is Incomplete.
// Non-UTF-8 bytes are Invalid, except a sequence cut by the end of the input
// (Incomplete). Incomplete results have consumed 0.
// Complete results may carry problems: leading zeros, a tab as separator.
class Tpc3Dialect final : public Dialect {
public:
    std::string_view name() const override { return "tpc3"; }
    Bytes encode(const Request& r) const override;
    Bytes encode(const Reply& r) const override;
    Bytes encode(const Go& g) const override;
    Parsed<Request> parse_request(std::span<const std::uint8_t> bytes) const override;
    Parsed<Reply> parse_reply(std::span<const std::uint8_t> bytes) const override;
    Parsed<Go> parse_go(std::span<const std::uint8_t> bytes) const override;
    bool recognises_first_message(std::span<const std::uint8_t> bytes) const override;
};

}  // namespace tpc3::control
