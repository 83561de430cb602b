#include "control/pickle_subset.h"

#include "control/text_framing.h"

#include <algorithm>
#include <map>

namespace tpc3::control::pickle {

namespace {

// Every opcode of pickle protocols 0-5 (Python's pickletools), for messages.
std::string_view opcode_name(std::uint8_t op) {
    switch (op) {
        case '(': return "MARK";
        case '.': return "STOP";
        case '0': return "POP";
        case '1': return "POP_MARK";
        case '2': return "DUP";
        case 'F': return "FLOAT";
        case 'I': return "INT";
        case 'J': return "BININT";
        case 'K': return "BININT1";
        case 'L': return "LONG";
        case 'M': return "BININT2";
        case 'N': return "NONE";
        case 'P': return "PERSID";
        case 'Q': return "BINPERSID";
        case 'R': return "REDUCE";
        case 'S': return "STRING";
        case 'T': return "BINSTRING";
        case 'U': return "SHORT_BINSTRING";
        case 'V': return "UNICODE";
        case 'X': return "BINUNICODE";
        case 'a': return "APPEND";
        case 'b': return "BUILD";
        case 'c': return "GLOBAL";
        case 'd': return "DICT";
        case '}': return "EMPTY_DICT";
        case 'e': return "APPENDS";
        case 'g': return "GET";
        case 'h': return "BINGET";
        case 'i': return "INST";
        case 'j': return "LONG_BINGET";
        case 'l': return "LIST";
        case ']': return "EMPTY_LIST";
        case 'o': return "OBJ";
        case 'p': return "PUT";
        case 'q': return "BINPUT";
        case 'r': return "LONG_BINPUT";
        case 's': return "SETITEM";
        case 't': return "TUPLE";
        case ')': return "EMPTY_TUPLE";
        case 'u': return "SETITEMS";
        case 'G': return "BINFLOAT";
        case 'B': return "BINBYTES";
        case 'C': return "SHORT_BINBYTES";
        case 0x80: return "PROTO";
        case 0x81: return "NEWOBJ";
        case 0x82: return "EXT1";
        case 0x83: return "EXT2";
        case 0x84: return "EXT4";
        case 0x85: return "TUPLE1";
        case 0x86: return "TUPLE2";
        case 0x87: return "TUPLE3";
        case 0x88: return "NEWTRUE";
        case 0x89: return "NEWFALSE";
        case 0x8a: return "LONG1";
        case 0x8b: return "LONG4";
        case 0x8c: return "SHORT_BINUNICODE";
        case 0x8d: return "BINUNICODE8";
        case 0x8e: return "BINBYTES8";
        case 0x8f: return "EMPTY_SET";
        case 0x90: return "ADDITEMS";
        case 0x91: return "FROZENSET";
        case 0x92: return "NEWOBJ_EX";
        case 0x93: return "STACK_GLOBAL";
        case 0x94: return "MEMOIZE";
        case 0x95: return "FRAME";
        case 0x96: return "BYTEARRAY8";
        case 0x97: return "NEXT_BUFFER";
        case 0x98: return "READONLY_BUFFER";
        default: return {};
    }
}

std::string hex_byte(std::uint8_t b) {
    static constexpr char kHex[] = "0123456789abcdef";
    return std::string("0x") + kHex[b >> 4] + kHex[b & 0x0F];
}

// "BININT2 (0x4d) at offset 12"
std::string op_at(std::uint8_t op, std::size_t offset) {
    const std::string_view name = opcode_name(op);
    return std::string(name.empty() ? "byte" : name) + " (" + hex_byte(op) + ") at offset " + std::to_string(offset);
}

std::uint64_t little_endian(std::span<const std::uint8_t> b) {
    std::uint64_t v = 0;
    for (std::size_t i = b.size(); i-- > 0;) v = (v << 8) | b[i];
    return v;
}

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

std::optional<std::uint32_t> hex_value(std::string_view digits) {
    std::uint32_t v = 0;
    for (const char c : digits) {
        v <<= 4;
        if (c >= '0' && c <= '9') v |= static_cast<std::uint32_t>(c - '0');
        else if (c >= 'a' && c <= 'f') v |= static_cast<std::uint32_t>(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= static_cast<std::uint32_t>(c - 'A' + 10);
        else return std::nullopt;
    }
    return v;
}

ValuePtr big_int(std::size_t width, bool negative) {
    auto v = std::make_shared<Value>();
    v->kind = Value::Kind::Int;
    v->int_width = width;
    v->int_negative = negative;
    return v;
}

// LONG1/LONG4 payload: little-endian two's complement.
ValuePtr decode_long(std::span<const std::uint8_t> b) {
    if (b.empty()) return Value::make_int(0);
    const bool negative = (b.back() & 0x80) != 0;
    const std::uint8_t fill = negative ? 0xFF : 0x00;
    std::size_t significant = b.size();
    // Drop redundant sign bytes: a fill byte whose next lower byte carries the same sign bit.
    while (significant > 1 && b[significant - 1] == fill && ((b[significant - 2] & 0x80) != 0) == negative) {
        --significant;
    }
    if (significant > 8) return big_int(significant, negative);
    std::uint64_t u = negative ? ~std::uint64_t{0} : 0;
    for (std::size_t i = significant; i-- > 0;) u = (u << 8) | b[i];
    return Value::make_int(static_cast<std::int64_t>(u));
}

// INT / LONG line of protocol 0: [+-]digits, LONG with an optional trailing 'L'.
std::optional<ValuePtr> decode_decimal_line(std::string_view line, bool is_int_op) {
    if (is_int_op && line == "01") return Value::make_bool(true);
    if (is_int_op && line == "00") return Value::make_bool(false);
    if (!is_int_op && !line.empty() && line.back() == 'L') line.remove_suffix(1);
    bool negative = false;
    if (!line.empty() && (line[0] == '-' || line[0] == '+')) {
        negative = line[0] == '-';
        line.remove_prefix(1);
    }
    if (line.empty()) return std::nullopt;
    std::uint64_t v = 0;
    bool overflow = false;
    for (const char c : line) {
        if (c < '0' || c > '9') return std::nullopt;
        const auto d = static_cast<std::uint64_t>(c - '0');
        if (v > (std::uint64_t{1} << 63) / 10) overflow = true;
        v = v * 10 + d;
        if (v > (std::uint64_t{1} << 63)) overflow = true;
    }
    if (overflow || (!negative && v == (std::uint64_t{1} << 63))) {
        return big_int(line.size() * 10 / 24 + 1, negative);  // ~bytes of that many digits
    }
    return Value::make_int(negative ? static_cast<std::int64_t>(0 - v) : static_cast<std::int64_t>(v));
}

class Decoder {
public:
    Decoder(std::span<const std::uint8_t> bytes, const DecodeLimits& limits)
        : bytes_(bytes), limits_(limits), avail_(std::min(bytes.size(), limits.max_message_bytes)) {}

    Decoded run() {
        while (pos_ < avail_) {
            const std::size_t at = pos_;
            const std::uint8_t op = bytes_[pos_++];
            if (op == '.') return stop(at);
            if (!step(op, at)) return std::move(out_);
        }
        if (bytes_.size() > limits_.max_message_bytes) {
            return invalid("no STOP within the first " + std::to_string(limits_.max_message_bytes) +
                           " bytes (the longest accepted control message)");
        }
        return incomplete();
    }

private:
    std::span<const std::uint8_t> bytes_;
    DecodeLimits limits_;
    std::size_t avail_;
    std::size_t pos_ = 0;
    std::vector<ValuePtr> stack_;
    std::vector<std::size_t> marks_;  // stack sizes at each open MARK
    std::map<std::uint64_t, ValuePtr> memo_;
    struct Frame {
        std::size_t start = 0;  // offset of the FRAME opcode
        std::size_t end = 0;    // one past its last byte
        std::size_t declared() const { return end - start - 9; }
    };
    std::optional<Frame> last_frame_, furthest_frame_;  // the FRAME read last, the one that ends furthest
    Decoded out_;

    // The verdicts are set on out_ in place; run() and stop() hand out_ back once.
    void set_verdict(ParseStatus status, std::string why = {}) {
        out_.status = status;
        out_.value.reset();
        out_.consumed = 0;
        out_.error = std::move(why);
    }
    Decoded invalid(std::string why) {
        set_verdict(ParseStatus::Invalid, std::move(why));
        return std::move(out_);
    }
    Decoded incomplete() {
        set_verdict(ParseStatus::Incomplete);
        return std::move(out_);
    }
    bool fail(std::string why) {
        set_verdict(ParseStatus::Invalid, std::move(why));
        return false;
    }
    bool wait() {
        set_verdict(ParseStatus::Incomplete);
        return false;
    }

    std::size_t fence() const { return marks_.empty() ? 0 : marks_.back(); }
    std::size_t above_fence() const { return stack_.size() - fence(); }

    // Reads n bytes of argument; false (verdict set) when they are not all there.
    bool take(std::size_t n, std::span<const std::uint8_t>& got, std::uint8_t op, std::size_t at) {
        if (n > avail_ - pos_) {
            if (pos_ + n > limits_.max_message_bytes || n > limits_.max_message_bytes) {
                return fail(op_at(op, at) + " needs " + std::to_string(n) + " bytes, past the limit of " +
                            std::to_string(limits_.max_message_bytes) + " bytes for a control message");
            }
            return wait();
        }
        got = bytes_.subspan(pos_, n);
        pos_ += n;
        return true;
    }

    // A length-prefixed payload: `width` bytes of little-endian length, then the payload.
    bool take_counted(std::size_t width, std::span<const std::uint8_t>& payload, std::uint8_t op, std::size_t at,
                      bool signed_length = false) {
        std::span<const std::uint8_t> len_bytes;
        if (!take(width, len_bytes, op, at)) return false;
        const std::uint64_t len = little_endian(len_bytes);
        if (signed_length && (len & 0x8000'0000u) != 0) {
            return fail(op_at(op, at) + " declares a negative length");
        }
        if (len > limits_.max_message_bytes) {
            return fail(op_at(op, at) + " declares " + std::to_string(len) + " bytes, more than the limit of " +
                        std::to_string(limits_.max_message_bytes) + " bytes for a control message");
        }
        return take(static_cast<std::size_t>(len), payload, op, at);
    }

    // A protocol 0 argument: the bytes up to '\n' (not included).
    bool take_line(std::string_view& line, std::uint8_t op, std::size_t at) {
        for (std::size_t i = pos_; i < avail_; ++i) {
            if (bytes_[i] == '\n') {
                line = std::string_view(reinterpret_cast<const char*>(bytes_.data()) + pos_, i - pos_);
                pos_ = i + 1;
                out_.text_opcodes = true;
                return true;
            }
        }
        if (bytes_.size() > limits_.max_message_bytes) {
            return fail(op_at(op, at) + ": no '\\n' ends its argument within the limit of " +
                        std::to_string(limits_.max_message_bytes) + " bytes");
        }
        return wait();
    }

    bool push(ValuePtr v) {
        stack_.push_back(std::move(v));
        return true;
    }

    std::size_t offset_of(std::span<const std::uint8_t> payload) const {
        return static_cast<std::size_t>(payload.data() - bytes_.data());
    }

    // A str or bytes Value, remembering where its payload sits in the pickle.
    bool push_text(ValuePtr made, std::span<const std::uint8_t> payload) {
        auto v = std::make_shared<Value>(*made);
        v->offset = offset_of(payload);
        return push(std::move(v));
    }

    bool push_bytes(std::span<const std::uint8_t> payload) {
        return push_text(Value::make_bytes(std::string(payload.begin(), payload.end())), payload);
    }

    bool push_utf8(std::span<const std::uint8_t> payload, std::uint8_t op, std::size_t at) {
        const auto check = text_framing::check_utf8(payload);
        if (!check.valid) {
            return fail(op_at(op, at) + ": its string is not valid UTF-8 (byte " +
                        hex_byte(payload[check.bad_offset]) + " at offset " +
                        std::to_string(offset_of(payload) + check.bad_offset) + ")");
        }
        return push_text(Value::make_str(std::string(payload.begin(), payload.end())), payload);
    }

    bool push_py2_str(std::span<const std::uint8_t> payload, std::uint8_t op, std::size_t at) {
        for (std::size_t i = 0; i < payload.size(); ++i) {
            if (payload[i] >= 0x80) {
                return fail(op_at(op, at) + ": a Python 2 str with the non-ASCII byte " + hex_byte(payload[i]) +
                            " (Python 3 decodes these as ASCII)");
            }
        }
        auto v = std::make_shared<Value>(*Value::make_str(std::string(payload.begin(), payload.end())));
        v->py2_str = true;
        v->offset = offset_of(payload);
        return push(std::move(v));
    }

    // UNICODE (protocol 0): raw-unicode-escape, i.e. latin-1 bytes with \uXXXX and \UXXXXXXXX escapes.
    bool push_raw_unicode_escape(std::string_view line, std::uint8_t op, std::size_t at) {
        std::string utf8;
        for (std::size_t i = 0; i < line.size(); ++i) {
            const auto c = static_cast<std::uint8_t>(line[i]);
            if (c == '\\' && i + 1 < line.size() && (line[i + 1] == 'u' || line[i + 1] == 'U')) {
                const std::size_t digits = line[i + 1] == 'u' ? 4 : 8;
                const auto cp = i + 2 + digits <= line.size() ? hex_value(line.substr(i + 2, digits)) : std::nullopt;
                if (!cp) return fail(op_at(op, at) + ": a truncated \\" + line[i + 1] + " escape");
                if (*cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF)) {
                    return fail(op_at(op, at) + ": the escape \\" + std::string(line.substr(i + 1, digits + 1)) +
                                " is not a Unicode scalar value");
                }
                append_utf8(utf8, *cp);
                i += 1 + digits;
            } else {
                append_utf8(utf8, c);
            }
        }
        auto v = std::make_shared<Value>(*Value::make_str(std::move(utf8)));
        v->offset = static_cast<std::size_t>(line.data() - reinterpret_cast<const char*>(bytes_.data()));
        return push(std::move(v));
    }

    bool make_tuple(std::size_t n, std::uint8_t op, std::size_t at) {
        if (above_fence() < n) {
            return fail(op_at(op, at) + " needs " + std::to_string(n) + " objects on the stack, there are " +
                        std::to_string(above_fence()));
        }
        std::vector<ValuePtr> items(stack_.end() - static_cast<std::ptrdiff_t>(n), stack_.end());
        stack_.resize(stack_.size() - n);
        auto t = Value::make_tuple(std::move(items));
        if (depth_of(*t) > limits_.max_depth) {
            return fail(op_at(op, at) + ": tuples nested more than " + std::to_string(limits_.max_depth) +
                        " deep");
        }
        return push(std::move(t));
    }

    static std::size_t depth_of(const Value& v) { return v.depth; }

    bool memo_put(std::uint64_t key, std::uint8_t op, std::size_t at) {
        if (above_fence() == 0) return fail(op_at(op, at) + " with nothing on the stack to memoize");
        memo_[key] = stack_.back();
        return true;
    }

    bool memo_get(std::uint64_t key, std::uint8_t op, std::size_t at) {
        const auto it = memo_.find(key);
        if (it == memo_.end()) return fail(op_at(op, at) + " reads memo key " + std::to_string(key) + ", never stored");
        return push(it->second);
    }

    std::optional<std::uint64_t> decimal_key(std::string_view line) {
        if (line.empty() || line.size() > 18) return std::nullopt;
        std::uint64_t v = 0;
        for (const char c : line) {
            if (c < '0' || c > '9') return std::nullopt;
            v = v * 10 + static_cast<std::uint64_t>(c - '0');
        }
        return v;
    }

    // One opcode other than STOP; false when a verdict is set.
    bool step(std::uint8_t op, std::size_t at) {
        std::span<const std::uint8_t> arg;
        std::string_view line;
        switch (op) {
            case 0x80: {  // PROTO
                if (!take(1, arg, op, at)) return false;
                const int proto = arg[0];
                if (proto > limits_.highest_protocol) {
                    return fail("unsupported pickle protocol " + std::to_string(proto) + " (" + op_at(op, at) +
                                "; the highest known is " + std::to_string(limits_.highest_protocol) + ")");
                }
                out_.protocol = proto;
                return true;
            }
            case 0x95: {  // FRAME
                if (!take(8, arg, op, at)) return false;
                const std::uint64_t len = little_endian(arg);
                if (len > limits_.max_message_bytes) {
                    return fail(op_at(op, at) + " declares " + std::to_string(len) +
                                " bytes, more than the limit of " + std::to_string(limits_.max_message_bytes) +
                                " bytes for a control message");
                }
                if (pos_ + len > limits_.max_message_bytes) {
                    return fail(op_at(op, at) + " declares " + std::to_string(len) + " bytes, ending at offset " +
                                std::to_string(pos_ + len) + ", past the limit of " +
                                std::to_string(limits_.max_message_bytes) + " bytes for a control message");
                }
                last_frame_ = Frame{at, pos_ + static_cast<std::size_t>(len)};
                if (!furthest_frame_ || last_frame_->end > furthest_frame_->end) furthest_frame_ = last_frame_;
                return true;
            }
            case 0x8c: return take_counted(1, arg, op, at) && push_utf8(arg, op, at);  // SHORT_BINUNICODE
            case 'X': return take_counted(4, arg, op, at) && push_utf8(arg, op, at);   // BINUNICODE
            case 0x8d: return take_counted(8, arg, op, at) && push_utf8(arg, op, at);  // BINUNICODE8
            case 'V': return take_line(line, op, at) && push_raw_unicode_escape(line, op, at);
            case 'U': return take_counted(1, arg, op, at) && push_py2_str(arg, op, at);
            case 'T': return take_counted(4, arg, op, at, true) && push_py2_str(arg, op, at);
            case 'C': return take_counted(1, arg, op, at) && push_bytes(arg);   // SHORT_BINBYTES
            case 'B': return take_counted(4, arg, op, at) && push_bytes(arg);   // BINBYTES
            case 0x8e: return take_counted(8, arg, op, at) && push_bytes(arg);  // BINBYTES8
            case 'K': return take(1, arg, op, at) && push(Value::make_int(arg[0]));
            case 'M': return take(2, arg, op, at) && push(Value::make_int(static_cast<std::int64_t>(little_endian(arg))));
            case 'J':
                return take(4, arg, op, at) &&
                       push(Value::make_int(static_cast<std::int32_t>(static_cast<std::uint32_t>(little_endian(arg)))));
            case 0x8a: return take_counted(1, arg, op, at) && push(decode_long(arg));  // LONG1
            case 0x8b: return take_counted(4, arg, op, at, true) && push(decode_long(arg));  // LONG4
            case 'I':
            case 'L': {
                if (!take_line(line, op, at)) return false;
                auto v = decode_decimal_line(line, op == 'I');
                if (!v) return fail(op_at(op, at) + ": \"" + std::string(line.substr(0, 32)) + "\" is not an integer");
                return push(std::move(*v));
            }
            case 'N': return push(Value::make_none());
            case 0x88: return push(Value::make_bool(true));
            case 0x89: return push(Value::make_bool(false));
            case '(':
                marks_.push_back(stack_.size());
                return true;
            case 't': {  // TUPLE: everything above the last MARK
                if (marks_.empty()) return fail(op_at(op, at) + " without a MARK");
                const std::size_t n = above_fence();
                std::vector<ValuePtr> items(stack_.end() - static_cast<std::ptrdiff_t>(n), stack_.end());
                stack_.resize(stack_.size() - n);
                marks_.pop_back();
                stack_.insert(stack_.end(), items.begin(), items.end());
                return make_tuple(n, op, at);
            }
            case ')': return push(Value::make_tuple({}));
            case 0x85: return make_tuple(1, op, at);
            case 0x86: return make_tuple(2, op, at);
            case 0x87: return make_tuple(3, op, at);
            case 0x94: return memo_put(memo_.size(), op, at);  // MEMOIZE
            case 'q': return take(1, arg, op, at) && memo_put(arg[0], op, at);
            case 'r': return take(4, arg, op, at) && memo_put(little_endian(arg), op, at);
            case 'h': return take(1, arg, op, at) && memo_get(arg[0], op, at);
            case 'j': return take(4, arg, op, at) && memo_get(little_endian(arg), op, at);
            case 'p':
            case 'g': {
                if (!take_line(line, op, at)) return false;
                const auto key = decimal_key(line);
                if (!key) return fail(op_at(op, at) + ": memo key \"" + std::string(line.substr(0, 32)) + "\" is not a number");
                return op == 'p' ? memo_put(*key, op, at) : memo_get(*key, op, at);
            }
            default: break;
        }
        if (opcode_name(op).empty()) return fail("byte " + hex_byte(op) + " at offset " + std::to_string(at) + " is not a pickle opcode");
        return fail("opcode " + std::string(opcode_name(op)) + " (" + hex_byte(op) + ") at offset " +
                    std::to_string(at) +
                    " is not part of a TPC3 control message (only str, bytes, int, bool, None and tuples)");
    }

    Decoded stop(std::size_t at) {
        if (!marks_.empty()) {
            return invalid(op_at('.', at) + " with " + std::to_string(marks_.size()) + " MARK" +
                           (marks_.size() == 1 ? "" : "s") + " still open");
        }
        if (stack_.size() != 1) {
            return invalid(op_at('.', at) + " leaves " + std::to_string(stack_.size()) +
                           " objects on the stack, expected 1");
        }
        if (last_frame_ && last_frame_->end < at + 1) {
            out_.notes.push_back("FRAME at offset " + std::to_string(last_frame_->start) + " declares " +
                                 std::to_string(last_frame_->declared()) + " bytes but the pickle's STOP is at offset " +
                                 std::to_string(at));
        }
        // Python's Unpickler reads a FRAME whole before it decodes it, so the
        // frame's bytes after the STOP belong to this message, not the next.
        std::size_t end = at + 1;
        if (furthest_frame_ && furthest_frame_->end > end) {
            const Frame& f = *furthest_frame_;
            out_.notes.push_back("FRAME at offset " + std::to_string(f.start) + " declares " +
                                 std::to_string(f.declared()) + " bytes but the pickle stops after " +
                                 std::to_string(at + 1 - (f.start + 9)) + " of them, at offset " +
                                 std::to_string(at) + ": the frame's other " + std::to_string(f.end - (at + 1)) +
                                 " bytes belong to this message too (Python's Unpickler reads whole frames; "
                                 "pickle.loads() without them fails: pickle data was truncated)");
            end = f.end;
        }
        if (end > bytes_.size()) return incomplete();
        out_.status = ParseStatus::Complete;
        out_.value = stack_.back();
        out_.consumed = end;
        return std::move(out_);
    }
};

// ------------------------------------------------------------------ encoder

void put_le(Bytes& out, std::uint64_t v, std::size_t width) {
    for (std::size_t i = 0; i < width; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

void put_counted(Bytes& out, std::string_view payload, std::uint8_t op1, std::uint8_t op4, std::uint8_t op8) {
    if (payload.size() < 256) {
        out.push_back(op1);
        out.push_back(static_cast<std::uint8_t>(payload.size()));
    } else if (payload.size() <= 0xFFFF'FFFFu) {
        out.push_back(op4);
        put_le(out, payload.size(), 4);
    } else {
        out.push_back(op8);
        put_le(out, payload.size(), 8);
    }
    out.insert(out.end(), payload.begin(), payload.end());
    out.push_back(0x94);  // MEMOIZE
}

// Python's save_long for protocol 2+.
void put_int(Bytes& out, std::int64_t v) {
    if (v >= 0 && v <= 0xFF) {
        out.push_back('K');
        out.push_back(static_cast<std::uint8_t>(v));
    } else if (v >= 0 && v <= 0xFFFF) {
        out.push_back('M');
        put_le(out, static_cast<std::uint64_t>(v), 2);
    } else if (v >= -0x8000'0000LL && v <= 0x7FFF'FFFFLL) {
        out.push_back('J');
        put_le(out, static_cast<std::uint64_t>(v), 4);
    } else {
        // LONG1 with encode_long()'s bytes: (bit_length >> 3) + 1 bytes of two's complement,
        // one fewer for a negative number whose top byte is a redundant 0xff.
        const auto u = static_cast<std::uint64_t>(v);
        const std::uint64_t magnitude = v < 0 ? 0 - u : u;  // |INT64_MIN| = 2^63 fits
        std::size_t bits = 0;
        for (std::uint64_t m = magnitude; m != 0; m >>= 1) ++bits;
        const std::size_t n = (bits >> 3) + 1;
        Bytes le;
        for (std::size_t i = 0; i < n; ++i) {
            le.push_back(i < 8 ? static_cast<std::uint8_t>(u >> (8 * i)) : (v < 0 ? 0xFF : 0x00));
        }
        if (v < 0 && n > 1 && le[n - 1] == 0xFF && (le[n - 2] & 0x80) != 0) le.pop_back();
        out.push_back(0x8a);
        out.push_back(static_cast<std::uint8_t>(le.size()));
        out.insert(out.end(), le.begin(), le.end());
    }
}

void put_value(Bytes& out, const Value& v) {
    switch (v.kind) {
        case Value::Kind::None: out.push_back('N'); return;
        case Value::Kind::Bool: out.push_back(v.boolean ? 0x88 : 0x89); return;
        case Value::Kind::Int:
            if (v.integer) put_int(out, *v.integer);
            else out.push_back('N');  // an int beyond 64 bits is never encoded by the dialects
            return;
        case Value::Kind::Str: put_counted(out, v.text, 0x8c, 'X', 0x8d); return;
        case Value::Kind::Bytes: put_counted(out, v.text, 'C', 'B', 0x8e); return;
        case Value::Kind::Tuple:
            if (v.items.empty()) {
                out.push_back(')');
                return;
            }
            if (v.items.size() > 3) out.push_back('(');
            for (const auto& item : v.items) put_value(out, *item);
            if (v.items.size() > 3) out.push_back('t');
            else out.push_back(static_cast<std::uint8_t>(0x84 + v.items.size()));  // TUPLE1..3
            out.push_back(0x94);
            return;
    }
}

std::string repr_into(const Value& v, std::size_t budget);

std::string quoted_repr(std::string_view s, bool bytes) {
    std::string out = bytes ? "b'" : "'";
    for (const char ch : s) {
        const auto c = static_cast<std::uint8_t>(ch);
        if (c == '\'' || c == '\\') {
            out += '\\';
            out += ch;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c == 0x7f || (bytes && c >= 0x80)) {
            static constexpr char kHex[] = "0123456789abcdef";
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 0x0F];
        } else {
            out += ch;
        }
    }
    return out + "'";
}

std::string repr_into(const Value& v, std::size_t budget) {
    switch (v.kind) {
        case Value::Kind::None: return "None";
        case Value::Kind::Bool: return v.boolean ? "True" : "False";
        case Value::Kind::Int:
            if (v.integer) return std::to_string(*v.integer);
            return std::string(v.int_negative ? "<negative int of " : "<int of ") + std::to_string(v.int_width) +
                   " bytes>";
        case Value::Kind::Str: return quoted_repr(v.text.substr(0, budget), false);
        case Value::Kind::Bytes: return quoted_repr(v.text.substr(0, budget), true);
        case Value::Kind::Tuple: {
            std::string out = "(";
            for (std::size_t i = 0; i < v.items.size(); ++i) {
                if (i > 0) out += ", ";
                if (out.size() > budget) {
                    out += "...";
                    break;
                }
                out += repr_into(*v.items[i], budget);
            }
            if (v.items.size() == 1) out += ",";
            return out + ")";
        }
    }
    return "?";
}

}  // namespace

ValuePtr Value::make_none() { return std::make_shared<Value>(); }

ValuePtr Value::make_bool(bool b) {
    auto v = std::make_shared<Value>();
    v->kind = Kind::Bool;
    v->boolean = b;
    return v;
}

ValuePtr Value::make_int(std::int64_t i) {
    auto v = std::make_shared<Value>();
    v->kind = Kind::Int;
    v->integer = i;
    return v;
}

ValuePtr Value::make_str(std::string utf8) {
    auto v = std::make_shared<Value>();
    v->kind = Kind::Str;
    v->text = std::move(utf8);
    return v;
}

ValuePtr Value::make_bytes(std::string raw) {
    auto v = std::make_shared<Value>();
    v->kind = Kind::Bytes;
    v->text = std::move(raw);
    return v;
}

ValuePtr Value::make_tuple(std::vector<ValuePtr> items) {
    auto v = std::make_shared<Value>();
    v->kind = Kind::Tuple;
    v->items = std::move(items);
    v->depth = 1;
    for (const auto& item : v->items) v->depth = std::max(v->depth, item->depth + 1);
    return v;
}

std::string_view type_name(const Value& v) {
    switch (v.kind) {
        case Value::Kind::None: return "NoneType";
        case Value::Kind::Bool: return "bool";
        case Value::Kind::Int: return "int";
        case Value::Kind::Str: return "str";
        case Value::Kind::Bytes: return "bytes";
        case Value::Kind::Tuple: return "tuple";
    }
    return "?";
}

std::string repr(const Value& v, std::size_t max_chars) {
    std::string out = repr_into(v, max_chars);
    if (out.size() > max_chars) out = out.substr(0, max_chars) + "...";
    return out;
}

Decoded decode(std::span<const std::uint8_t> bytes, const DecodeLimits& limits) {
    return Decoder(bytes, limits).run();
}

Bytes dumps(const Value& v) {
    Bytes body;
    put_value(body, v);
    body.push_back('.');
    Bytes out = {0x80, 0x04};
    if (body.size() >= 4) {  // Python's _FRAME_SIZE_MIN
        out.push_back(0x95);
        put_le(out, body.size(), 8);
    }
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

}  // namespace tpc3::control::pickle
