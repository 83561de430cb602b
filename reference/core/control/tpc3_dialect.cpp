#include "control/tpc3_dialect.h"

#include "control/text_framing.h"
#include "text/escape.h"

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>

namespace tpc3::control {

namespace {

using text_framing::FramedText;

constexpr std::size_t kShownBytes = 64;  // how much of a word a problem quotes

Bytes bytes_of(std::string_view s) { return Bytes(s.begin(), s.end()); }

std::string shown(std::string_view s) {
    return text::escape_bytes(std::span(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()), kShownBytes);
}

std::string quoted(std::string_view s) { return "\"" + shown(s) + "\""; }

bool all_digits(std::string_view s) {
    if (s.empty()) return false;
    for (const char c : s) {
        if (c < '0' || c > '9') return false;
    }
    return true;
}

// Value of a string of decimal digits, or nullopt when it exceeds `max`.
std::optional<std::uint64_t> decimal_at_most(std::string_view digits, std::uint64_t max) {
    std::uint64_t v = 0;
    for (const char c : digits) {
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
        if (v > max) return std::nullopt;
    }
    return v;
}

bool has_leading_zero(std::string_view digits) { return digits.size() > 1 && digits[0] == '0'; }

template <typename T>
Parsed<T> decided(Parsed<T> out, ParseStatus status, std::string problem = {}) {
    out.status = status;
    if (status == ParseStatus::Incomplete) out.consumed = 0;
    if (!problem.empty()) out.problems.push_back(std::move(problem));
    return out;
}

// Common start of every tpc3 parser: framing, length limit, UTF-8, nothing-yet.
// Returns the framed message, or fills `out` with its verdict and returns nullopt.
template <typename T>
std::optional<FramedText> frame_message(std::span<const std::uint8_t> bytes, std::string_view what,
                                        Parsed<T>& out) {
    out.seen = text::escape_bytes(bytes);
    const FramedText f = text_framing::frame(bytes);
    out.consumed = f.consumed;
    if (f.line_end > kMaxTpc3MessageBytes) {
        out = decided(std::move(out), ParseStatus::Invalid,
                      std::string(what) + (f.terminated ? " line of " : " without an end after ") +
                          std::to_string(f.line_end) + " bytes: the longest accepted is " +
                          std::to_string(kMaxTpc3MessageBytes) + " bytes");
        return std::nullopt;
    }
    const auto utf8 = text_framing::check_utf8(bytes.first(f.line_end));
    if (!utf8.valid) {
        if (utf8.cut_at_end && !f.terminated) {
            out = decided(std::move(out), ParseStatus::Incomplete);
        } else {
            static constexpr char kHex[] = "0123456789abcdef";
            const std::uint8_t b = bytes[utf8.bad_offset];
            out = decided(std::move(out), ParseStatus::Invalid,
                          std::string(what) + " is not valid UTF-8: byte 0x" + kHex[b >> 4] + kHex[b & 0x0F] +
                              " at offset " + std::to_string(utf8.bad_offset));
        }
        return std::nullopt;
    }
    // Only whitespace so far: frame() skips blank lines, so this is never terminated.
    if (f.text_size() == 0) {
        out = decided(std::move(out), ParseStatus::Incomplete);
        return std::nullopt;
    }
    return f;
}

}  // namespace

Bytes Tpc3Dialect::encode(const Request& r) const {
    return bytes_of(r.file + " " + std::to_string(r.udp_port));
}

Bytes Tpc3Dialect::encode(const Reply& r) const { return bytes_of(std::to_string(r.session_id)); }

Bytes Tpc3Dialect::encode(const Go&) const { return bytes_of("Go"); }

Parsed<Request> Tpc3Dialect::parse_request(std::span<const std::uint8_t> bytes) const {
    Parsed<Request> out;
    const auto f = frame_message(bytes, "request", out);
    if (!f) return out;
    const std::string line = text_framing::text_of(bytes, *f);

    std::vector<std::string_view> words;
    bool tab = false;
    for (std::size_t i = 0; i < line.size();) {
        if (text_framing::is_blank(static_cast<std::uint8_t>(line[i]))) {
            tab = tab || line[i] == '\t';
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < line.size() && !text_framing::is_blank(static_cast<std::uint8_t>(line[j]))) ++j;
        words.emplace_back(line.data() + i, j - i);
        i = j;
    }

    const std::string expected = "expected \"<fileName> <UDPDataPort>\"";
    if (words.size() > 2) {
        return decided(std::move(out), ParseStatus::Invalid,
                       "request " + quoted(line) + " has " + std::to_string(words.size()) + " words, " + expected +
                           " (a file name cannot contain spaces)");
    }
    if (words.size() == 1) {
        if (!f->terminated) return decided(std::move(out), ParseStatus::Incomplete);
        return decided(std::move(out), ParseStatus::Invalid,
                       "request " + quoted(line) + " has one word, " + expected);
    }

    const std::string_view port_text = words[1];
    if (!all_digits(port_text)) {
        return decided(std::move(out), ParseStatus::Invalid,
                       "port " + quoted(port_text) + " is not a decimal number 1..65535");
    }
    const auto port = decimal_at_most(port_text, 65535);
    if (!port || *port == 0) {
        return decided(std::move(out), ParseStatus::Invalid,
                       "port " + shown(port_text) + " is out of range 1..65535");
    }
    if (has_leading_zero(port_text)) out.problems.push_back("port " + quoted(port_text) + " has leading zeros");
    if (tab) out.problems.push_back("a tab separates the file name and the port (expected spaces)");
    out.status = ParseStatus::Complete;
    out.value = Request{std::string(words[0]), static_cast<std::uint16_t>(*port)};
    return out;
}

Parsed<Reply> Tpc3Dialect::parse_reply(std::span<const std::uint8_t> bytes) const {
    Parsed<Reply> out;
    const auto f = frame_message(bytes, "reply", out);
    if (!f) return out;
    const std::string line = text_framing::text_of(bytes, *f);

    if (line == "-" && !f->terminated) return decided(std::move(out), ParseStatus::Incomplete);
    const bool negative = line[0] == '-';
    const std::string_view digits = std::string_view(line).substr(negative ? 1 : 0);
    if (!all_digits(digits)) {
        return decided(std::move(out), ParseStatus::Invalid,
                       "reply " + quoted(line) + " is neither a SessionID (0..4294967295) nor -1");
    }
    if (negative) {
        if (decimal_at_most(digits, 1) != std::uint64_t{1}) {
            return decided(std::move(out), ParseStatus::Invalid,
                           "reply " + quoted(line) + " is negative: only -1 (file not found) is allowed");
        }
        if (has_leading_zero(digits)) out.problems.push_back("reply " + quoted(line) + " has leading zeros");
        out.status = ParseStatus::Complete;
        out.value = Reply{Reply::kNotFound};
        return out;
    }
    const auto id = decimal_at_most(digits, 0xFFFF'FFFFull);
    if (!id) {
        return decided(std::move(out), ParseStatus::Invalid,
                       "SessionID " + shown(line) + " is out of range 0..4294967295");
    }
    if (has_leading_zero(digits)) out.problems.push_back("SessionID " + quoted(line) + " has leading zeros");
    out.status = ParseStatus::Complete;
    out.value = Reply{static_cast<std::int64_t>(*id)};
    return out;
}

Parsed<Go> Tpc3Dialect::parse_go(std::span<const std::uint8_t> bytes) const {
    Parsed<Go> out;
    const auto f = frame_message(bytes, "Go message", out);
    if (!f) return out;
    const std::string line = text_framing::text_of(bytes, *f);
    static constexpr std::string_view kGo = "Go";

    if (line == kGo) {
        out.status = ParseStatus::Complete;
        out.value = Go{};
        return out;
    }
    if (!f->terminated && kGo.starts_with(line)) return decided(std::move(out), ParseStatus::Incomplete);

    std::string lower = line;
    for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (lower == "go") {
        return decided(std::move(out), ParseStatus::Invalid,
                       "expected \"Go\", got " + quoted(line) + ": the letter case differs");
    }
    if (!f->terminated && std::string_view("go").starts_with(lower)) {
        return decided(std::move(out), ParseStatus::Invalid,
                       "expected \"Go\", got " + quoted(line) + ", which cannot become \"Go\": the letter case differs");
    }
    return decided(std::move(out), ParseStatus::Invalid, "expected \"Go\", got " + quoted(line));
}

bool Tpc3Dialect::recognises_first_message(std::span<const std::uint8_t> bytes) const {
    static constexpr std::string_view kRtspSetup = "SETUP ";
    if (bytes.empty() || bytes[0] == 0x80) return false;  // 0x80: a pickle protocol 2+ header
    if (bytes.size() >= kRtspSetup.size() &&
        std::equal(kRtspSetup.begin(), kRtspSetup.end(), bytes.begin())) {
        return false;
    }
    return parse_request(bytes).status != ParseStatus::Invalid;
}

}  // namespace tpc3::control
