// Dialect "rtsp": the Kurose & Ross RTSP/RTP lab that TPC3 derives from
// (PROTOCOL.md 3). The lab's client and server write, with '\n' between lines
// and no line end after the last one:
//   request  "SETUP <file> RTSP/1.0\nCSeq: <n>\nTransport: RTP/UDP; client_port= <port>"
//   reply    "RTSP/1.0 200 OK\nCSeq: <n>\nSession: <id>"   (also the reply to PLAY)
//            "RTSP/1.0 404 NOT FOUND\nCSeq: <n>"            -> Reply{-1} (not found)
//   Go       "PLAY <file> RTSP/1.0\nCSeq: <n>\nSession: <id>"
#pragma once

#include "control/dialect.h"

namespace tpc3::control {

// A message longer than this (from its first non-blank byte to its end) is Invalid.
inline constexpr std::size_t kMaxRtspMessageBytes = 4096;

// Encoders write the lab's bytes. Unset optional fields get defaults: CSeq 1
// for a request and a reply, 2 for PLAY (the lab client's numbering), PLAY's
// file "*", and no Session header in PLAY. The reply to PLAY is
// encode(Reply{id, cseq}) with the PLAY's CSeq.
//
// Parsers are lenient about what real submissions send: "\r\n" line ends,
// blank lines before the message, extra spaces, header names in any case, any
// header order, extra headers, no line end after the last line, "client_port=N"
// with or without spaces and with a "-M" range. Framing: a message ends at a
// blank line (consumed includes it), just before a line that starts another
// RTSP message ("PLAY ...", "RTSP/1.0 ..."), or at the end of the input.
//   - Complete once the start line ended with '\n' and the required headers
//     are there: SETUP needs CSeq and Transport (client_port), a 200 reply
//     CSeq and Session, a 404 reply CSeq, PLAY CSeq (a missing Session is a
//     problem, not fatal: the lab's server ignores it). Like tpc3's digits, an
//     unterminated last header may still grow; callers decide with an idle time.
//   - Incomplete while the message may still become one: a prefix of the start
//     line, a header line in progress, a required header not seen yet (then
//     problems says which, e.g. "SETUP request without a Transport header (so
//     far)"). consumed is 0.
//   - Invalid: the wrong method (parse_go on PAUSE or TEARDOWN says "expected
//     PLAY, got PAUSE"; on SETUP "a second SETUP"), a status other than 200 and
//     404 ("500 CONNECTION ERROR" is named), a line that is not "Name: value",
//     a required header missing when the message has ended, a bad CSeq,
//     Session or port, a file name with spaces, non-UTF-8 bytes, over
//     kMaxRtspMessageBytes.
// Complete results note deviations that break the lab's own code, which reads
// headers by position and splits on single spaces: CSeq not on line 2,
// Transport/Session not on line 3, a Transport whose 4th space-separated word
// is not the port, no "RTSP/1.0" version, a duplicated header.
class RtspDialect final : public Dialect {
public:
    std::string_view name() const override { return "rtsp"; }
    Bytes encode(const Request& r) const override;
    Bytes encode(const Reply& r) const override;
    Bytes encode(const Go& g) const override;
    Parsed<Request> parse_request(std::span<const std::uint8_t> bytes) const override;
    Parsed<Reply> parse_reply(std::span<const std::uint8_t> bytes) const override;
    Parsed<Go> parse_go(std::span<const std::uint8_t> bytes) const override;
    // A first message that starts with "SETUP " (after no other byte).
    bool recognises_first_message(std::span<const std::uint8_t> bytes) const override;
};

}  // namespace tpc3::control
