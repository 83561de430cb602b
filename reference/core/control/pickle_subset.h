// The subset of Python's pickle format that the tpc3-pickle control messages
// use: str, bytes, int, bool, None and tuples of those. A strict decoder for
// hostile input and an encoder that writes what Python 3's pickle.dumps()
// writes with protocol 4 (the default of Python 3.8 to 3.13).
//
// The decoder never throws, never reads past its input, never allocates more
// than the input justifies (a declared length is checked against the bytes
// present and the message limit before anything is copied), and never
// executes anything: GLOBAL, REDUCE and every other opcode outside the subset
// make the pickle Invalid.
#pragma once

#include "control/dialect.h"  // Bytes, ParseStatus

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tpc3::control::pickle {

struct Value;
using ValuePtr = std::shared_ptr<const Value>;  // shared: a memo GET is O(1), never a deep copy

// One decoded Python object.
struct Value {
    enum class Kind { None, Bool, Int, Str, Bytes, Tuple };
    Kind kind = Kind::None;
    bool boolean = false;                 // Bool
    std::optional<std::int64_t> integer;  // Int: the value when it fits in 64 bits
    std::size_t int_width = 0;            // Int: bytes of a LONG1/LONG4 that did not fit (for messages)
    bool int_negative = false;            // Int that did not fit: its sign
    std::string text;                     // Str (UTF-8) or Bytes (raw)
    std::size_t offset = 0;               // Str, Bytes: byte offset of `text`'s first byte in the pickle (for messages)
    std::vector<ValuePtr> items;          // Tuple
    bool py2_str = false;                 // Str from SHORT_BINSTRING/BINSTRING (a Python 2 str)
    std::size_t depth = 0;                // Tuple: 1 + the deepest tuple inside it; 0 for the others

    static ValuePtr make_none();
    static ValuePtr make_bool(bool b);
    static ValuePtr make_int(std::int64_t v);
    static ValuePtr make_str(std::string utf8);
    static ValuePtr make_bytes(std::string raw);
    static ValuePtr make_tuple(std::vector<ValuePtr> items);
};

// Python's name of the type: "str", "bytes", "int", "bool", "NoneType", "tuple".
std::string_view type_name(const Value& v);
// Python-like repr, shortened: ('movie.mpeg', 25000), 'Go', b'Go', 483920.
std::string repr(const Value& v, std::size_t max_chars = 80);

struct DecodeLimits {
    std::size_t max_message_bytes = 8192;  // a pickle with no STOP within this many bytes is Invalid
    std::size_t max_depth = 16;            // tuples nested deeper are Invalid
    int highest_protocol = 5;              // PROTO n above this is Invalid
};

struct Decoded {
    ParseStatus status = ParseStatus::Invalid;
    ValuePtr value;                  // Complete: the object STOP returned
    std::size_t consumed = 0;        // Complete: bytes up to and including STOP, or to the end of the
                                     // furthest FRAME when that is later (Python's Unpickler reads whole frames)
    int protocol = 0;                // from PROTO; 0 when there is none (protocol 0 or 1)
    bool text_opcodes = false;       // protocol 0 opcodes (INT, LONG, UNICODE, PUT, GET lines) were seen
    std::string error;               // Invalid: why, with the opcode and its byte offset
    std::vector<std::string> notes;  // Complete: oddities Python tolerates (a FRAME of the wrong length);
                                     // Incomplete: why bytes are awaited after STOP (a FRAME not yet ended)
};

// Decodes one pickle from the start of `bytes`. Incomplete: the bytes are a
// prefix of a pickle of the subset (a declared length reaching past the input,
// a protocol 0 line without its '\n', no STOP yet, a FRAME that declares more
// bytes than are there yet), within the limits.
//
// A FRAME's bytes belong to the message even past STOP: Python's stream
// Unpickler reads a whole frame before it decodes it (and pickle.loads() of
// fewer bytes fails, "pickle data was truncated"), so `consumed` reaches the
// end of the furthest FRAME, and the bytes after the STOP are noted.
Decoded decode(std::span<const std::uint8_t> bytes, const DecodeLimits& limits = {});

// pickle.dumps(value, protocol=4) for values of the subset: MEMOIZE after every
// str, bytes and tuple, one FRAME when the body is 4 bytes or more. Python
// emits a memo GET for an object that appears twice; this encoder never does,
// so it matches Python byte for byte for values without repeated objects
// (every TPC3 message) and whose str/bytes are under 64 KiB.
Bytes dumps(const Value& v);

}  // namespace tpc3::control::pickle
