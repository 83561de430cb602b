#include "control/pickle_dialect.h"

#include "control/text_framing.h"
#include "text/escape.h"

#include <string>

namespace tpc3::control {

namespace {

using pickle::Value;

constexpr std::size_t kShownChars = 64;  // how much of a value a problem quotes

// Verdicts set in place (a Parsed passed through by value and assigned back
// trips g++ 12's -Wmaybe-uninitialized on the optional inside).
template <typename T>
void set_invalid(Parsed<T>& out, std::string problem) {
    out.status = ParseStatus::Invalid;
    out.value.reset();
    out.consumed = 0;
    out.problems.push_back(std::move(problem));
}

template <typename T>
Parsed<T> invalid(Parsed<T>&& out, std::string problem) {
    set_invalid(out, std::move(problem));
    return std::move(out);
}

template <typename T>
void set_incomplete(Parsed<T>& out) {
    out.status = ParseStatus::Incomplete;
    out.value.reset();
    out.consumed = 0;
}

template <typename T>
Parsed<T> incomplete(Parsed<T>&& out) {
    set_incomplete(out);
    return std::move(out);
}

// Decodes the pickle; on Complete returns its value with the protocol problems
// noted in `out`, else sets `out`'s verdict and returns nullptr.
template <typename T>
pickle::ValuePtr decode_into(std::span<const std::uint8_t> bytes, std::string_view what, Parsed<T>& out) {
    out.seen = text::escape_bytes(bytes);
    pickle::Decoded d = pickle::decode(bytes);
    if (d.status == ParseStatus::Incomplete) {
        set_incomplete(out);
        for (auto& note : d.notes) out.problems.push_back(std::move(note));  // a FRAME not ended yet
        return nullptr;
    }
    if (d.status == ParseStatus::Invalid) {
        set_invalid(out, std::string(what) + " is not a pickle of the expected kind: " + d.error);
        return nullptr;
    }
    out.consumed = d.consumed;
    if (d.protocol < 2) {
        out.problems.push_back("protocol " + std::to_string(d.text_opcodes ? 0 : 1) +
                               " pickle (Python 3 writes protocol 4 by default; a first message without "
                               "PROTO 0x80 is not detected as tpc3-pickle)");
    }
    for (auto& note : d.notes) out.problems.push_back(std::move(note));
    return d.value;
}

std::string shown(const Value& v) { return pickle::repr(v, kShownChars); }

std::string hex_byte(std::uint8_t b) {
    static constexpr char kHex[] = "0123456789abcdef";
    return std::string("0x") + kHex[b >> 4] + kHex[b & 0x0F];
}

bool is_int(const Value& v) { return v.kind == Value::Kind::Int; }

std::string kind_of(const Value& v) {
    return std::string(v.kind == Value::Kind::Str ? "a string" : v.kind == Value::Kind::Bytes ? "bytes"
                       : v.kind == Value::Kind::Tuple                                          ? "a tuple"
                       : v.kind == Value::Kind::Bool                                           ? "a bool"
                       : v.kind == Value::Kind::None                                           ? "None"
                                                                                               : "an int");
}

}  // namespace

Bytes Tpc3PickleDialect::encode(const Request& r) const {
    return pickle::dumps(*Value::make_tuple({Value::make_str(r.file), Value::make_int(r.udp_port)}));
}

Bytes Tpc3PickleDialect::encode(const Reply& r) const { return pickle::dumps(*Value::make_int(r.session_id)); }

Bytes Tpc3PickleDialect::encode(const Go&) const { return pickle::dumps(*Value::make_str("Go")); }

Parsed<Request> Tpc3PickleDialect::parse_request(std::span<const std::uint8_t> bytes) const {
    Parsed<Request> out;
    const auto v = decode_into(bytes, "request", out);
    if (!v) return out;
    const std::string expected = "expected a (fileName, UDPDataPort) tuple";
    if (v->kind != Value::Kind::Tuple) {
        return invalid(std::move(out), "request is " + kind_of(*v) + " (" + shown(*v) + "), " + expected);
    }
    if (v->items.size() != 2) {
        return invalid(std::move(out), "request is a tuple of " + std::to_string(v->items.size()) + " items (" +
                                           shown(*v) + "), " + expected);
    }
    const Value& file = *v->items[0];
    const Value& port = *v->items[1];
    if (file.kind != Value::Kind::Str && file.kind != Value::Kind::Bytes) {
        return invalid(std::move(out), "file name is " + kind_of(file) + " (" + shown(file) +
                                           "), not a string: " + expected + " (" + shown(*v) + ")");
    }
    if (!is_int(port)) {
        return invalid(std::move(out), "port is " + kind_of(port) + " (" + shown(port) + "), not an int: " +
                                           expected + " (" + shown(*v) + ")");
    }
    if (!port.integer || *port.integer < 1 || *port.integer > 65535) {
        return invalid(std::move(out), "port " + shown(port) + " is out of range 1..65535");
    }
    if (file.kind == Value::Kind::Bytes) {
        // A Request's file is text (PROTOCOL.md 3: UTF-8; this dialect writes
        // it back as a str), so bytes that are not UTF-8 cannot be carried
        // honestly. Valid UTF-8 bytes name the same file as that str.
        const auto* raw = reinterpret_cast<const std::uint8_t*>(file.text.data());
        const auto check = text_framing::check_utf8({raw, file.text.size()});
        if (!check.valid) {
            return invalid(std::move(out), "file name is bytes (" + shown(file) +
                                               ") that are not valid UTF-8 (byte " + hex_byte(raw[check.bad_offset]) +
                                               " at offset " + std::to_string(file.offset + check.bad_offset) +
                                               "): a file name must be text");
        }
        out.problems.push_back("file name is bytes (" + shown(file) + "), not a string");
    } else if (file.py2_str) {
        out.problems.push_back("file name is a Python 2 str (SHORT_BINSTRING/BINSTRING), not a Python 3 str");
    }
    out.status = ParseStatus::Complete;
    out.value = Request{file.text, static_cast<std::uint16_t>(*port.integer)};
    return out;
}

Parsed<Reply> Tpc3PickleDialect::parse_reply(std::span<const std::uint8_t> bytes) const {
    Parsed<Reply> out;
    const auto v = decode_into(bytes, "reply", out);
    if (!v) return out;
    if (!is_int(*v)) {
        return invalid(std::move(out), "SessionID is " + kind_of(*v) + " (" + shown(*v) +
                                           "), not an int (0..4294967295, or -1)");
    }
    if (!v->integer || *v->integer < -1 || *v->integer > 0xFFFF'FFFFLL) {
        return invalid(std::move(out), "SessionID " + shown(*v) +
                                           (v->integer && *v->integer < -1
                                                ? " is negative: only -1 (file not found) is allowed"
                                                : " is out of range 0..4294967295"));
    }
    out.status = ParseStatus::Complete;
    out.value = Reply{*v->integer};
    return out;
}

Parsed<Go> Tpc3PickleDialect::parse_go(std::span<const std::uint8_t> bytes) const {
    Parsed<Go> out;
    const std::string expected = "expected b\"Go\" or pickle.dumps(\"Go\"), got ";
    if (!bytes.empty() && bytes[0] == 'G') {  // raw b"Go"; no pickle of the subset starts with 'G' (BINFLOAT)
        out.seen = text::escape_bytes(bytes);
        if (bytes.size() < 2) {
            set_incomplete(out);
        } else if (bytes[1] != 'o') {
            set_invalid(out, expected + "\"" + text::escape_bytes(bytes, kShownChars) + "\"");
        } else {
            std::size_t consumed = 2;  // and a "\n" or "\r\n" after it
            if (bytes.size() > 2 && bytes[2] == '\n') consumed = 3;
            if (bytes.size() > 3 && bytes[2] == '\r' && bytes[3] == '\n') consumed = 4;
            out.status = ParseStatus::Complete;
            out.value.emplace();
            out.consumed = consumed;
        }
        return out;
    }
    const auto v = decode_into(bytes, "Go message", out);
    if (!v) return out;
    if (v->kind == Value::Kind::Str && v->text == "Go") {
        out.status = ParseStatus::Complete;
        out.value.emplace();
    } else {
        const bool bytes_go = v->kind == Value::Kind::Bytes && v->text == "Go";
        set_invalid(out, expected + "a pickle of " + shown(*v) + (bytes_go ? " (bytes, not a string)" : ""));
    }
    return out;
}

bool Tpc3PickleDialect::recognises_first_message(std::span<const std::uint8_t> bytes) const {
    return !bytes.empty() && bytes[0] == 0x80;
}

}  // namespace tpc3::control
