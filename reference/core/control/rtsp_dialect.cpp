#include "control/rtsp_dialect.h"

#include "control/text_framing.h"
#include "text/escape.h"

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tpc3::control {

namespace {

constexpr std::size_t kShownBytes = 64;

Bytes bytes_of(std::string_view s) { return Bytes(s.begin(), s.end()); }

std::string quoted(std::string_view s) {
    return "\"" +
           text::escape_bytes(std::span(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()), kShownBytes) +
           "\"";
}

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && text_framing::is_space(static_cast<std::uint8_t>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && text_framing::is_space(static_cast<std::uint8_t>(s.back()))) s.remove_suffix(1);
    return s;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
               return lower(x) == lower(y);
           });
}

std::vector<std::string_view> words_of(std::string_view line) {
    std::vector<std::string_view> words;
    for (std::size_t i = 0; i < line.size();) {
        if (text_framing::is_blank(static_cast<std::uint8_t>(line[i]))) {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < line.size() && !text_framing::is_blank(static_cast<std::uint8_t>(line[j]))) ++j;
        words.push_back(line.substr(i, j - i));
        i = j;
    }
    return words;
}

// Leading decimal digits of s as a value at most max; nullopt when there are none or it is larger.
struct Number {
    std::optional<std::uint64_t> value;  // nullopt: no digits, or above max
    std::size_t digits = 0;
};
Number leading_number(std::string_view s, std::uint64_t max) {
    Number n;
    std::uint64_t v = 0;
    bool over = false;
    while (n.digits < s.size() && s[n.digits] >= '0' && s[n.digits] <= '9') {
        if (!over) {
            v = v * 10 + static_cast<std::uint64_t>(s[n.digits] - '0');
            over = v > max;
        }
        ++n.digits;
    }
    if (n.digits > 0 && !over) n.value = v;
    return n;
}

constexpr std::string_view kMethods[] = {"SETUP", "PLAY", "PAUSE", "TEARDOWN", "OPTIONS", "DESCRIBE"};

// A line that begins another RTSP message: "<METHOD> ..." or "RTSP/...".
bool starts_message(std::string_view line) {
    if (line.starts_with("RTSP/")) return true;
    for (const auto m : kMethods) {
        if (line.size() > m.size() && line.starts_with(m) && text_framing::is_blank(static_cast<std::uint8_t>(line[m.size()])))
            return true;
    }
    return false;
}

struct Header {
    std::string_view name, value;
    std::string_view raw;  // the line without its '\n' (a '\r' kept), as the lab's code splits it
    std::size_t line_no = 0;
    bool terminated = false;
};

// One RTSP message cut out of the byte stream; see RtspDialect in rtsp_dialect.h.
struct Framed {
    std::string_view start_line;  // trimmed
    bool start_terminated = false;
    std::vector<Header> headers;
    bool ended = false;                   // a blank line or the next message ended it
    bool partial_tail = false;            // an unterminated last line that is not a header yet
    std::optional<std::size_t> bad_line;  // index of a terminated line that is not "Name: value"
    std::string_view bad_text;
    std::size_t consumed = 0;
};

// The verdict set in place (a Parsed passed through by value and assigned back
// trips g++ 12's -Wmaybe-uninitialized on the optional inside).
template <typename T>
void decide(Parsed<T>& out, ParseStatus status, std::string problem = {}) {
    out.status = status;
    if (status != ParseStatus::Complete) {
        out.value.reset();
        out.consumed = 0;
    }
    if (!problem.empty()) out.problems.push_back(std::move(problem));
}

template <typename T>
Parsed<T> decided(Parsed<T>&& out, ParseStatus status, std::string problem = {}) {
    decide(out, status, std::move(problem));
    return std::move(out);
}

template <typename T>
std::optional<Framed> frame_rtsp(std::span<const std::uint8_t> bytes, std::string_view what, Parsed<T>& out) {
    out.seen = text::escape_bytes(bytes);
    const std::string_view all(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    std::size_t pos = 0;
    while (pos < all.size() && text_framing::is_space(static_cast<std::uint8_t>(all[pos]))) ++pos;
    const std::size_t begin = pos;
    if (begin == all.size()) {
        decide(out, ParseStatus::Incomplete);
        return std::nullopt;
    }
    Framed f;
    std::size_t line_no = 0;
    std::size_t end = all.size();  // where the message's bytes end (before a next message)
    while (pos < all.size()) {
        const std::size_t nl = all.find('\n', pos);
        const bool terminated = nl != std::string_view::npos;
        const std::size_t line_end = terminated ? nl : all.size();
        const std::string_view raw = all.substr(pos, line_end - pos);
        const std::string_view text = trimmed(raw);
        ++line_no;
        if (line_end - begin > kMaxRtspMessageBytes) {
            decide(out, ParseStatus::Invalid,
                          std::string(what) + " has no end within " + std::to_string(kMaxRtspMessageBytes) +
                              " bytes (the longest accepted)");
            return std::nullopt;
        }
        if (line_no == 1) {
            f.start_line = text;
            f.start_terminated = terminated;
        } else if (terminated && text.empty()) {
            f.ended = true;
            f.consumed = nl + 1;
            end = nl;
            break;
        } else if (starts_message(text)) {
            f.ended = true;
            f.consumed = pos;
            end = pos;
            break;
        } else if (!text.empty()) {
            const std::size_t colon = text.find(':');
            if (colon != std::string_view::npos && !trimmed(text.substr(0, colon)).empty()) {
                f.headers.push_back(
                    {trimmed(text.substr(0, colon)), trimmed(text.substr(colon + 1)), raw, line_no, terminated});
            } else if (!terminated) {
                f.partial_tail = true;
            } else if (!f.bad_line) {
                f.bad_line = line_no;
                f.bad_text = text;
            }
        }
        pos = terminated ? nl + 1 : all.size();
    }
    if (!f.ended) f.consumed = all.size();

    const auto utf8 = text_framing::check_utf8(bytes.subspan(begin, end - begin));
    if (!utf8.valid) {
        if (utf8.cut_at_end && !f.ended) {
            decide(out, ParseStatus::Incomplete);
        } else {
            const std::size_t at = begin + utf8.bad_offset;
            decide(out, ParseStatus::Invalid,
                          std::string(what) + " is not valid UTF-8: byte " +
                              text::escape_bytes(bytes.subspan(at, 1)) + " at offset " + std::to_string(at));
        }
        return std::nullopt;
    }
    return f;
}

const Header* find_header(const Framed& f, std::string_view name, std::vector<std::string>& problems) {
    const Header* first = nullptr;
    for (const auto& h : f.headers) {
        if (!iequals(h.name, name)) continue;
        if (first == nullptr) {
            first = &h;
        } else {
            problems.push_back(std::string(name) + " header appears more than once (line " +
                               std::to_string(first->line_no) + " is used, line " + std::to_string(h.line_no) +
                               " ignored)");
            break;
        }
    }
    return first;
}

// The first word of the start line decides the kind of message at once; the
// rest waits for the start line's '\n'. Returns false with `out` decided.
template <typename T>
bool check_first_word(const Framed& f, std::string_view expected, std::string_view what, Parsed<T>& out,
                      std::string_view (*name_other)(std::string_view)) {
    const std::string_view line = f.start_line;
    std::size_t w = 0;
    while (w < line.size() && !text_framing::is_blank(static_cast<std::uint8_t>(line[w]))) ++w;
    const std::string_view first = line.substr(0, w);
    const bool word_done = w < line.size() || f.start_terminated;
    if (!word_done && expected.starts_with(first)) {
        decide(out, ParseStatus::Incomplete);
        return false;
    }
    if (first != expected) {
        const std::string_view other = name_other(first);
        decide(out, ParseStatus::Invalid,
                      "expected " + std::string(what) + ", got " +
                          (other.empty() ? quoted(line) : std::string(other)));
        return false;
    }
    if (!f.start_terminated) {
        decide(out, ParseStatus::Incomplete);
        return false;
    }
    return true;
}

// A header value that does not parse: Invalid once its line is over, else it may still grow.
template <typename T>
Parsed<T> bad_value(Parsed<T> out, const Framed& f, const Header& h, std::string problem) {
    if (!h.terminated && !f.ended) return decided(std::move(out), ParseStatus::Incomplete);
    return decided(std::move(out), ParseStatus::Invalid, std::move(problem));
}

// Missing required headers: Invalid when the message has ended, else Incomplete with a note.
template <typename T>
std::optional<Parsed<T>> require(Parsed<T>& out, const Framed& f, std::string_view what,
                                 std::initializer_list<std::pair<std::string_view, const Header*>> needed) {
    std::vector<std::string> missing;
    for (const auto& [name, h] : needed) {
        if (h == nullptr) missing.push_back(std::string(what) + " without a " + std::string(name) + " header");
    }
    if (missing.empty()) return std::nullopt;
    if (f.ended) return decided(std::move(out), ParseStatus::Invalid, missing.front());
    for (auto& m : missing) out.problems.push_back(m + " (so far)");
    return decided(std::move(out), ParseStatus::Incomplete);
}

template <typename T>
std::optional<Parsed<T>> common_checks(Parsed<T>& out, const Framed& f, std::string_view what) {
    if (f.bad_line) {
        return decided(std::move(out), ParseStatus::Invalid,
                       std::string(what) + " line " + std::to_string(*f.bad_line) + " " + quoted(f.bad_text) +
                           " is not a header (\"Name: value\")");
    }
    if (f.partial_tail) return decided(std::move(out), ParseStatus::Incomplete);
    return std::nullopt;
}

std::optional<std::uint32_t> parse_cseq(const Header& h) {
    const Number n = leading_number(h.value, 0xFFFF'FFFFu);
    if (!n.value || n.digits != h.value.size()) return std::nullopt;
    return static_cast<std::uint32_t>(*n.value);
}

// "483920" or "483920;timeout=60".
std::optional<std::int64_t> parse_session(const Header& h) {
    const Number n = leading_number(h.value, 0xFFFF'FFFFu);
    if (!n.value) return std::nullopt;
    const std::string_view rest = trimmed(h.value.substr(n.digits));
    if (!rest.empty() && rest[0] != ';') return std::nullopt;
    return static_cast<std::int64_t>(*n.value);
}

void note_position(std::vector<std::string>& problems, const Header* h, std::size_t line_no, std::string_view name,
                   std::string_view reader) {
    if (h != nullptr && h->line_no != line_no) {
        problems.push_back(std::string(name) + " is on line " + std::to_string(h->line_no) + ", not line " +
                           std::to_string(line_no) + ": the lab's " + std::string(reader) +
                           " reads it by position");
    }
}

// The start line "<METHOD> <file> RTSP/1.0": the file, or an Invalid verdict.
template <typename T>
std::optional<std::string> request_line_file(const Framed& f, std::string_view method, Parsed<T>& out) {
    const auto words = words_of(f.start_line);
    const std::string form = "\"" + std::string(method) + " <fileName> RTSP/1.0\"";
    if (words.size() < 2) {
        decide(out, ParseStatus::Invalid,
                      std::string(method) + " line " + quoted(f.start_line) + " names no file, expected " + form);
        return std::nullopt;
    }
    if (words.size() > 3) {
        decide(out, ParseStatus::Invalid,
                      std::string(method) + " line " + quoted(f.start_line) + " has " + std::to_string(words.size()) +
                          " words, expected " + form + " (a file name cannot contain spaces)");
        return std::nullopt;
    }
    if (words.size() == 2) {
        out.problems.push_back(std::string(method) + " line " + quoted(f.start_line) + " has no RTSP/1.0 version");
    } else if (words[2] != "RTSP/1.0") {
        out.problems.push_back(std::string(method) + " line " + quoted(f.start_line) + " has version " +
                               quoted(words[2]) + ", expected \"RTSP/1.0\"");
    }
    return std::string(words[1]);
}

std::string_view request_method_name(std::string_view word) {
    for (const auto m : kMethods) {
        if (word == m) return m;
    }
    return {};
}

}  // namespace

// ------------------------------------------------------------------ encoders

Bytes RtspDialect::encode(const Request& r) const {
    return bytes_of("SETUP " + r.file + " RTSP/1.0\nCSeq: " + std::to_string(r.cseq.value_or(1)) +
                    "\nTransport: RTP/UDP; client_port= " + std::to_string(r.udp_port));
}

Bytes RtspDialect::encode(const Reply& r) const {
    const std::string cseq = std::to_string(r.cseq.value_or(1));
    if (r.not_found()) return bytes_of("RTSP/1.0 404 NOT FOUND\nCSeq: " + cseq);
    return bytes_of("RTSP/1.0 200 OK\nCSeq: " + cseq + "\nSession: " + std::to_string(r.session_id));
}

Bytes RtspDialect::encode(const Go& g) const {
    std::string text = "PLAY " + g.file.value_or("*") + " RTSP/1.0\nCSeq: " + std::to_string(g.cseq.value_or(2));
    if (g.session_id) text += "\nSession: " + std::to_string(*g.session_id);
    return bytes_of(text);
}

// ------------------------------------------------------------------ parsers

Parsed<Request> RtspDialect::parse_request(std::span<const std::uint8_t> bytes) const {
    Parsed<Request> out;
    const auto f = frame_rtsp(bytes, "SETUP request", out);
    if (!f) return out;
    if (!check_first_word(*f, "SETUP", "a SETUP request", out, request_method_name)) return out;
    const auto file = request_line_file(*f, "SETUP", out);
    if (!file) return out;
    if (auto v = common_checks(out, *f, "SETUP request")) return std::move(*v);
    const Header* cseq_h = find_header(*f, "CSeq", out.problems);
    const Header* transport_h = find_header(*f, "Transport", out.problems);
    if (auto v = require(out, *f, "SETUP request", {{"CSeq", cseq_h}, {"Transport", transport_h}})) return std::move(*v);

    const auto cseq = parse_cseq(*cseq_h);
    if (!cseq) return bad_value(std::move(out), *f, *cseq_h, "CSeq " + quoted(cseq_h->value) + " is not a number 0..4294967295");

    // client_port= N, client_port=N, client_port=N-M; anything else around it is tolerated.
    const std::string_view t = transport_h->value;
    std::size_t key = std::string_view::npos;
    for (std::size_t i = 0; i + 11 <= t.size(); ++i) {
        if (iequals(t.substr(i, 11), "client_port")) {
            key = i;
            break;
        }
    }
    const std::string form = "expected \"RTP/UDP; client_port= <port>\"";
    if (key == std::string_view::npos) {
        return bad_value(std::move(out), *f, *transport_h, "Transport " + quoted(t) + " has no client_port, " + form);
    }
    std::size_t i = key + 11;
    while (i < t.size() && text_framing::is_blank(static_cast<std::uint8_t>(t[i]))) ++i;
    if (i >= t.size() || t[i] != '=') {
        return bad_value(std::move(out), *f, *transport_h, "Transport " + quoted(t) + ": no '=' after client_port, " + form);
    }
    ++i;
    while (i < t.size() && text_framing::is_blank(static_cast<std::uint8_t>(t[i]))) ++i;
    const Number port = leading_number(t.substr(i), 65535);
    if (port.digits == 0) {
        return bad_value(std::move(out), *f, *transport_h, "Transport " + quoted(t) + ": client_port is not a number, " + form);
    }
    if (!port.value) {
        return decided(std::move(out), ParseStatus::Invalid,
                       "port " + std::string(t.substr(i, std::min<std::size_t>(port.digits, kShownBytes))) +
                           " is out of range 1..65535");
    }
    if (*port.value == 0) {
        return bad_value(std::move(out), *f, *transport_h, "port 0 is out of range 1..65535");
    }

    note_position(out.problems, cseq_h, 2, "CSeq", "ServerWorker");
    note_position(out.problems, transport_h, 3, "Transport", "ServerWorker");
    const auto lab_words = [&] {  // the lab's ServerWorker: request[2].split(' ')[3]
        std::vector<std::string_view> w;
        std::string_view raw = transport_h->raw;
        for (std::size_t s = 0;;) {
            const std::size_t sp = raw.find(' ', s);
            w.push_back(raw.substr(s, sp == std::string_view::npos ? std::string_view::npos : sp - s));
            if (sp == std::string_view::npos) break;
            s = sp + 1;
        }
        return w;
    }();
    const std::string port_text = std::to_string(*port.value);
    if (lab_words.size() < 4 || trimmed(lab_words[3]) != t.substr(i, port.digits)) {
        out.problems.push_back("Transport line " + quoted(trimmed(transport_h->raw)) +
                               ": its 4th space-separated word is not the port, which the lab's ServerWorker "
                               "expects (\"Transport: RTP/UDP; client_port= " + port_text + "\")");
    }
    out.status = ParseStatus::Complete;
    out.consumed = f->consumed;
    out.value = Request{*file, static_cast<std::uint16_t>(*port.value), *cseq};
    return out;
}

Parsed<Reply> RtspDialect::parse_reply(std::span<const std::uint8_t> bytes) const {
    Parsed<Reply> out;
    const auto f = frame_rtsp(bytes, "reply", out);
    if (!f) return out;
    // The first word is "RTSP/1.0": compare only its "RTSP/" part at once.
    {
        const std::string_view line = f->start_line;
        const std::string_view head = line.substr(0, std::min<std::size_t>(line.size(), 5));
        if (!std::string_view("RTSP/").starts_with(head) || (head.size() < 5 && f->start_terminated)) {
            return decided(std::move(out), ParseStatus::Invalid,
                           "expected an RTSP reply (\"RTSP/1.0 200 OK\"), got " + quoted(line));
        }
        if (!f->start_terminated) return decided(std::move(out), ParseStatus::Incomplete);
    }
    const auto words = words_of(f->start_line);
    if (words.size() < 2) {
        return decided(std::move(out), ParseStatus::Invalid,
                       "status line " + quoted(f->start_line) + " has no status code");
    }
    if (words[0] != "RTSP/1.0") {
        out.problems.push_back("status line " + quoted(f->start_line) + " has version " + quoted(words[0]) +
                               ", expected \"RTSP/1.0\"");
    }
    const std::string_view code = words[1];
    const bool ok = code == "200", not_found = code == "404";
    if (!ok && !not_found) {
        std::string why = "the server answered " + quoted(trimmed(f->start_line.substr(words[0].size())));
        if (code == "500") why += ": connection error (the lab's 500 CONNECTION ERROR), no session";
        else why += ", expected 200 OK or 404 NOT FOUND";
        return decided(std::move(out), ParseStatus::Invalid, std::move(why));
    }
    if (auto v = common_checks(out, *f, "reply")) return std::move(*v);
    const Header* cseq_h = find_header(*f, "CSeq", out.problems);
    const Header* session_h = ok ? find_header(*f, "Session", out.problems) : nullptr;
    if (ok) {
        if (auto v = require(out, *f, "200 reply", {{"CSeq", cseq_h}, {"Session", session_h}})) return std::move(*v);
    } else if (auto v = require(out, *f, "404 reply", {{"CSeq", cseq_h}})) {
        return std::move(*v);
    }
    const auto cseq = parse_cseq(*cseq_h);
    if (!cseq) return bad_value(std::move(out), *f, *cseq_h, "CSeq " + quoted(cseq_h->value) + " is not a number 0..4294967295");
    std::int64_t id = Reply::kNotFound;
    if (ok) {
        const auto session = parse_session(*session_h);
        if (!session) {
            return bad_value(std::move(out), *f, *session_h,
                             "Session " + quoted(session_h->value) + " is not a SessionID 0..4294967295");
        }
        id = *session;
    }
    note_position(out.problems, cseq_h, 2, "CSeq", "Client");
    if (ok) note_position(out.problems, session_h, 3, "Session", "Client");
    out.status = ParseStatus::Complete;
    out.consumed = f->consumed;
    out.value = Reply{id, *cseq};
    return out;
}

namespace {
std::string_view go_other_method(std::string_view word) {
    if (word == "PAUSE") return "PAUSE (PAUSE and TEARDOWN come after streaming started; Go is PLAY)";
    if (word == "TEARDOWN") return "TEARDOWN (the client ended the session instead of starting it)";
    if (word == "SETUP") return "a second SETUP";
    return request_method_name(word);
}
}  // namespace

Parsed<Go> RtspDialect::parse_go(std::span<const std::uint8_t> bytes) const {
    Parsed<Go> out;
    const auto f = frame_rtsp(bytes, "PLAY request", out);
    if (!f) return out;
    if (!check_first_word(*f, "PLAY", "PLAY", out, go_other_method)) return out;
    const auto file = request_line_file(*f, "PLAY", out);
    if (!file) return out;
    if (auto v = common_checks(out, *f, "PLAY request")) return std::move(*v);
    const Header* cseq_h = find_header(*f, "CSeq", out.problems);
    const Header* session_h = find_header(*f, "Session", out.problems);
    if (auto v = require(out, *f, "PLAY request", {{"CSeq", cseq_h}})) return std::move(*v);
    const auto cseq = parse_cseq(*cseq_h);
    if (!cseq) return bad_value(std::move(out), *f, *cseq_h, "CSeq " + quoted(cseq_h->value) + " is not a number 0..4294967295");
    std::optional<std::int64_t> session;
    if (session_h != nullptr) {
        session = parse_session(*session_h);
        if (!session) {
            return bad_value(std::move(out), *f, *session_h,
                             "Session " + quoted(session_h->value) + " is not a SessionID 0..4294967295");
        }
    } else {
        out.problems.push_back("PLAY request without a Session header (the lab asks for the SETUP reply's Session)");
    }
    note_position(out.problems, cseq_h, 2, "CSeq", "ServerWorker");
    out.status = ParseStatus::Complete;
    out.consumed = f->consumed;
    out.value = Go{*file, *cseq, session};
    return out;
}

bool RtspDialect::recognises_first_message(std::span<const std::uint8_t> bytes) const {
    static constexpr std::string_view kSetup = "SETUP ";
    return bytes.size() >= kSetup.size() && std::equal(kSetup.begin(), kSetup.end(), bytes.begin());
}

}  // namespace tpc3::control
