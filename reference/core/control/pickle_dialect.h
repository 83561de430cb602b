// Dialect "tpc3-pickle": the three messages as Python pickles (PROTOCOL.md 3).
//   request  pickle.dumps((fileName, UDPDataPort))
//   reply    pickle.dumps(SessionID), pickle.dumps(-1) when the file is missing
//   Go       b"Go" (raw bytes) or pickle.dumps("Go")
#pragma once

#include "control/dialect.h"
#include "control/pickle_subset.h"

namespace tpc3::control {

// Encoders write exactly what Python 3.8-3.13's pickle.dumps() writes (protocol 4);
// Go is written as pickle.dumps("Go").
//
// Parsers decode one pickle of the subset in pickle_subset.h (protocols 0 to 5)
// and check its Python type:
//   - Incomplete: a prefix of a pickle (no STOP yet); consumed 0.
//   - Invalid: an opcode outside the subset (named, with its byte offset), a
//     bad structure, a declared length past pickle::DecodeLimits, the wrong type
//     (a str SessionID or port, a list, a 3-tuple...), a value out of range
//     (port 1..65535, SessionID 0..2^32-1 or -1), a bytes file name that is
//     not valid UTF-8 (the bad byte's offset named: a Request's file is text).
//   - Complete, with problems for what Python tolerates but the spec does not
//     ask for: protocol 0 or 1 (text opcodes; such a first message does not
//     start with 0x80, so it is not detected as tpc3-pickle), a Python 2 str,
//     a bytes file name (valid UTF-8), a FRAME whose length is not the pickle's.
//     A FRAME longer than the pickle keeps the message Incomplete (with that
//     problem) until the frame's last byte, and `consumed` reaches it: Python's
//     Unpickler reads whole frames.
// Go also accepts the raw bytes "Go" (consumed 2, plus a "\n" or "\r\n" that
// follows); "" and "G" are Incomplete.
class Tpc3PickleDialect final : public Dialect {
public:
    std::string_view name() const override { return "tpc3-pickle"; }
    Bytes encode(const Request& r) const override;
    Bytes encode(const Reply& r) const override;
    Bytes encode(const Go& g) const override;
    Parsed<Request> parse_request(std::span<const std::uint8_t> bytes) const override;
    Parsed<Reply> parse_reply(std::span<const std::uint8_t> bytes) const override;
    Parsed<Go> parse_go(std::span<const std::uint8_t> bytes) const override;
    // A first message that starts with 0x80 (PROTO of protocol 2+), whatever follows.
    bool recognises_first_message(std::span<const std::uint8_t> bytes) const override;
};

}  // namespace tpc3::control
