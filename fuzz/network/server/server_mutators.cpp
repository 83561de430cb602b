#include "server/server_mutators.h"

#include <algorithm>
#include <array>

#include "control/control_message.h"

namespace tpc3::fuzz::net {

namespace {

using Bytes = std::vector<std::uint8_t>;
using std::chrono::milliseconds;

constexpr milliseconds kReplyWait{700};  // ExpectReply after a request
constexpr milliseconds kAfterGo{150};    // let the stream start before the case moves on

Bytes bytes_of(std::string_view s) { return Bytes(s.begin(), s.end()); }
Bytes concat(Bytes a, const Bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}
std::string shown(const Bytes& b, std::size_t max = 40) { return "\"" + control::escape(b, max) + "\""; }
std::string shown(std::string_view s, std::size_t max = 40) { return shown(bytes_of(s), max); }

template <typename T, std::size_t N>
const T& pick_of(Rng& r, const std::array<T, N>& items) {
    return items[static_cast<std::size_t>(r.below(N))];
}

// The UDP port a case asks to be streamed to (20000..29999: below Linux's
// ephemeral range, so it is usually free to bind). Registered in udp_ports.
std::uint16_t ask_udp_port(Rng& r, FuzzCase& c) {
    const auto port = static_cast<std::uint16_t>(20000 + r.below(10000));
    if (std::find(c.udp_ports.begin(), c.udp_ports.end(), port) == c.udp_ports.end()) c.udp_ports.push_back(port);
    return port;
}
void also_listen(FuzzCase& c, std::uint16_t port) {
    if (port != 0 && std::find(c.udp_ports.begin(), c.udp_ports.end(), port) == c.udp_ports.end())
        c.udp_ports.push_back(port);
}

std::string valid_request(const ServerCaseContext& ctx, std::uint16_t port) {
    return ctx.file + " " + std::to_string(port);
}

void add(FuzzCase& c, WireStep s) { c.steps.push_back(std::move(s)); }

// connect, valid request, read the reply.
void open_valid(Rng& r, const ServerCaseContext& ctx, FuzzCase& c, int conn) {
    const auto port = ask_udp_port(r, c);
    add(c, connect_step(conn));
    add(c, send_text_step(conn, valid_request(ctx, port), "valid request"));
    add(c, expect_reply_step(conn, kReplyWait, "read the SessionID"));
}

void send_go(FuzzCase& c, int conn, std::string note = "Go") {
    add(c, send_text_step(conn, "Go", std::move(note)));
    add(c, pause_step(kAfterGo, "let the stream start"));
}

// After a mutated request: read the answer and, half of the time, say Go
// anyway (a server that replied -1 must ignore it).
void finish_after_request(Rng& r, FuzzCase& c, int conn) {
    add(c, expect_reply_step(conn, kReplyWait, "read the answer"));
    if (r.chance(1, 2)) send_go(c, conn, "Go after the mutated request");
}

Bytes non_utf8(Rng& r) {
    static const std::array<std::string_view, 5> kinds{"\xff\xfe", "\xc0\xaf", "\x80", "\xed\xa0\x80", "\xf8\x88\x80\x80\x80"};
    Bytes b = bytes_of(pick_of(r, kinds));
    if (r.chance(1, 3)) {
        auto noise = r.bytes(static_cast<std::size_t>(r.between(1, 12)));
        for (auto& x : noise) x = static_cast<std::uint8_t>(x | 0x80);
        b = concat(b, noise);
    }
    return b;
}

// --- request fields --------------------------------------------------------

void mutate_file(Rng& r, const ServerCaseContext& ctx, FuzzCase& c) {
    const auto port = ask_udp_port(r, c);
    Bytes name;
    std::string what;
    switch (r.below(10)) {
        case 0: what = "empty"; break;
        case 1: {
            const auto n = static_cast<std::size_t>(r.chance(1, 2) ? r.between(256, 4096) : r.between(4097, 70000));
            name.assign(n, static_cast<std::uint8_t>('A' + r.below(26)));
            what = "huge (" + std::to_string(n) + " bytes)";
            break;
        }
        case 2: {
            const std::array<std::string, 11> t{"../" + ctx.file, "../../../../../../../../etc/passwd", "/etc/passwd",
                                                "..", ".", "./" + ctx.file, "/", "%2e%2e/" + ctx.file,
                                                "..\\..\\" + ctx.file, ctx.file + "/", "/proc/self/environ"};
            name = bytes_of(pick_of(r, t));
            what = "path traversal";
            break;
        }
        case 3: {
            Bytes bad = non_utf8(r);
            name = r.chance(1, 2) ? concat(bad, bytes_of(ctx.file)) : concat(bytes_of(ctx.file), bad);
            what = "not UTF-8";
            break;
        }
        case 4: {
            name = bytes_of(ctx.file);
            const auto at = static_cast<std::size_t>(r.below(name.size() + 1));
            name.insert(name.begin() + static_cast<std::ptrdiff_t>(at), 0);
            what = "NUL at byte " + std::to_string(at);
            break;
        }
        case 5: {
            static const std::array<std::string_view, 9> f{"%s%s%s%s%s%n", "%x%x%x%x%x%x%x%x", "{0}{1}{2}", "%(file)s",
                                                           "${HOME}", "$(id)", "`id`", "'; DROP TABLE movies; --",
                                                           "%99999999d"};
            name = bytes_of(pick_of(r, f));
            what = "format specifiers / shell metacharacters";
            break;
        }
        case 6: {
            name = bytes_of(r.chance(1, 2) ? "my " + ctx.file : ctx.file + " extra");
            what = "a space inside the name";
            break;
        }
        case 7: {
            static const std::array<std::string_view, 5> u{"film\xc3\xa9.mpeg", "\xe5\xbd\xb1\xe7\x89\x87.mpeg",
                                                           "\xe2\x80\xaegepm.eivom", "\xf0\x9f\x8e\xac.mpeg",
                                                           "\xef\xbb\xbfmovie.mpeg"};
            name = bytes_of(pick_of(r, u));
            what = "non-ASCII UTF-8";
            break;
        }
        case 8: {
            static const std::array<std::string_view, 4> k{"\r", "\t", "\x1b[31m", "\x7f\x08"};
            name = concat(bytes_of(pick_of(r, k)), bytes_of(ctx.file));
            what = "control characters";
            break;
        }
        default: {
            std::string v = ctx.file;
            if (r.chance(1, 2))
                std::transform(v.begin(), v.end(), v.begin(), [](char ch) { return static_cast<char>(std::toupper(static_cast<unsigned char>(ch))); });
            else
                v += "~";
            name = bytes_of(v);
            what = "almost the served name";
            break;
        }
    }
    const std::string note = "file name -> " + what + ": " + shown(name);
    c.description = "request whose file name is " + what;
    add(c, connect_step(0));
    add(c, send_step(0, concat(name, bytes_of(" " + std::to_string(port))), note));
    finish_after_request(r, c, 0);
}

void mutate_port(Rng& r, const ServerCaseContext& ctx, FuzzCase& c) {
    const auto port = ask_udp_port(r, c);
    const std::string p = std::to_string(port);
    const std::array<std::string, 22> values{
        "0", "65536", "-1", "-" + p, "99999999999999999999999999", "abc", "", "0x61a8", p + ".5", "+" + p,
        // Arabic-Indic and full-width digits: Python's isdigit() and int() accept them.
        "\xd9\xa2\xd9\xa5\xd9\xa0\xd9\xa0\xd9\xa0", "\xef\xbc\x92\xef\xbc\x95\xef\xbc\x90\xef\xbc\x90\xef\xbc\x90",
        "1e4", p + "abc", "000" + p, "65535", "1", "4294967297", p + " " + p, "NaN", "inf", "(missing)"};
    const std::string& v = pick_of(r, values);
    if (v == "65535") also_listen(c, 65535);
    Bytes request;
    std::string note;
    if (v == "(missing)") {
        request = bytes_of(ctx.file);
        note = "port field missing (and its separator)";
    } else {
        request = bytes_of(ctx.file + " " + v);
        note = "port field -> " + shown(v);
    }
    if (r.chance(1, 4)) {
        request.push_back('\n');
        note += ", newline";
    }
    c.description = "request with " + note;
    add(c, connect_step(0));
    add(c, send_step(0, request, note));
    finish_after_request(r, c, 0);
}

void mutate_separator(Rng& r, const ServerCaseContext& ctx, FuzzCase& c) {
    const auto port = ask_udp_port(r, c);
    const std::string p = std::to_string(port);
    struct Shape {
        std::string_view what, before, sep, after;
    };
    static const std::array<Shape, 12> shapes{{{"tab separator", "", "\t", ""},
                                               {"many spaces", "", "        ", ""},
                                               {"no separator", "", "", ""},
                                               {"comma separator", "", ",", ""},
                                               {"colon separator", "", ":", ""},
                                               {"newline between the fields", "", "\n", ""},
                                               {"CRLF terminator", "", " ", "\r\n"},
                                               {"several newlines after", "", " ", "\n\n\n"},
                                               {"blank lines before", "   \n\n", " ", ""},
                                               {"trailing spaces", "", " ", "   "},
                                               {"NUL separator", "", std::string_view("\0", 1), ""},
                                               {"vertical tab separator", "", "\v", ""}}};
    const Shape& s = pick_of(r, shapes);
    std::string text = std::string(s.before) + ctx.file + std::string(s.sep) + p + std::string(s.after);
    const std::string note = "separators -> " + std::string(s.what) + ": " + shown(text);
    c.description = "request with " + std::string(s.what);
    add(c, connect_step(0));
    add(c, send_text_step(0, text, note));
    add(c, expect_reply_step(0, kReplyWait, "read the answer"));
    send_go(c, 0);
}

// --- shape of the request on the wire ------------------------------------

void truncate_request(Rng& r, const ServerCaseContext& ctx, FuzzCase& c) {
    const Bytes full = bytes_of(valid_request(ctx, ask_udp_port(r, c)) + "\n");
    const auto cut = static_cast<std::size_t>(r.below(full.size()));
    const Bytes part(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(cut));
    add(c, connect_step(0));
    if (!part.empty()) add(c, send_step(0, part, "request truncated to " + std::to_string(cut) + " of " +
                                                     std::to_string(full.size()) + " bytes"));
    switch (r.below(4)) {
        case 0: add(c, close_step(0, "close right after the truncated request")); break;
        case 1:
            add(c, shutdown_write_step(0, "half-close after the truncated request"));
            add(c, expect_reply_step(0, kReplyWait, "read what the server answers to the end of stream"));
            break;
        case 2:
            add(c, pause_step(milliseconds(r.between(100, 500)), "stay silent"));
            add(c, close_step(0, "then close"));
            break;
        default: add(c, reset_step(0, "reset after the truncated request")); break;
    }
    c.description = "request cut after " + std::to_string(cut) + " bytes, then the connection ends";
}

void repeat_request(Rng& r, const ServerCaseContext& ctx, FuzzCase& c) {
    const std::string req = valid_request(ctx, ask_udp_port(r, c));
    const auto times = static_cast<int>(r.between(2, 5));
    const bool newline = r.chance(1, 2);
    add(c, connect_step(0));
    if (r.chance(1, 2)) {
        std::string all;
        for (int i = 0; i < times; ++i) all += req + (newline ? "\n" : "");
        add(c, send_text_step(0, all, "request repeated " + std::to_string(times) + " times in one send"));
    } else {
        for (int i = 0; i < times; ++i) {
            add(c, send_text_step(0, req + (newline ? "\n" : ""),
                                  "request " + std::to_string(i + 1) + " of " + std::to_string(times)));
            add(c, pause_step(milliseconds(r.below(120)), "between repeats"));
        }
    }
    add(c, expect_reply_step(0, kReplyWait, "read the answer(s)"));
    send_go(c, 0);
    c.description = "the request sent " + std::to_string(times) + " times";
}

void split_request(Rng& r, const ServerCaseContext& ctx, FuzzCase& c) {
    const std::string port = std::to_string(ask_udp_port(r, c));
    const bool use_utf8_name = r.chance(1, 6);
    const std::string file = use_utf8_name ? "film\xc3\xa9-" + ctx.file : ctx.file;
    const std::string terminator = r.chance(1, 2) ? "\n" : "";
    const std::string req = file + " " + port + terminator;
    struct Boundary {
        std::string what;
        std::size_t at;
    };
    std::vector<Boundary> kinds{
        {"inside the file name", 1 + static_cast<std::size_t>(r.below(std::max<std::size_t>(file.size() - 1, 1)))},
        {"before the separator", file.size()},
        {"after the separator", file.size() + 1},
        {"inside the port", file.size() + 1 + 1 + static_cast<std::size_t>(r.below(std::max<std::size_t>(port.size() - 1, 1)))},
    };
    if (!terminator.empty()) kinds.push_back({"before the newline", req.size() - 1});
    if (use_utf8_name) kinds.push_back({"inside a UTF-8 character", 5});
    const Boundary b = kinds[static_cast<std::size_t>(r.below(kinds.size()))];
    const auto at = std::min(b.at, req.size() - 1);
    const auto pause = milliseconds(r.between(10, 400));
    add(c, connect_step(0));
    add(c, send_text_step(0, req.substr(0, at), "first piece, cut " + b.what + " (byte " + std::to_string(at) + ")"));
    add(c, pause_step(pause, "pause between the pieces"));
    add(c, send_text_step(0, req.substr(at), "second piece"));
    add(c, expect_reply_step(0, kReplyWait, "read the SessionID"));
    if (r.chance(1, 3)) {
        add(c, send_text_step(0, "G", "Go split: \"G\""));
        add(c, pause_step(milliseconds(r.between(10, 300)), "pause inside Go"));
        add(c, send_text_step(0, "o", "Go split: \"o\""));
        add(c, pause_step(kAfterGo, "let the stream start"));
    } else {
        send_go(c, 0);
    }
    c.description = "request split " + b.what + " with a " + std::to_string(pause.count()) + " ms pause";
}

void slow_request(Rng& r, const ServerCaseContext& ctx, FuzzCase& c) {
    const std::string req = valid_request(ctx, ask_udp_port(r, c)) + (r.chance(1, 2) ? "\n" : "");
    const auto gap = milliseconds(r.between(5, 25));
    add(c, connect_step(0));
    std::size_t i = 0;
    for (; i < req.size() && i < static_cast<std::size_t>(kMaxSlowBytes); ++i) {
        add(c, send_text_step(0, req.substr(i, 1), i == 0 ? "byte by byte, " + std::to_string(gap.count()) + " ms apart" : ""));
        add(c, pause_step(gap));
    }
    if (i < req.size()) add(c, send_text_step(0, req.substr(i), "the rest at once (slow part bounded)"));
    add(c, expect_reply_step(0, kReplyWait, "read the SessionID"));
    add(c, send_text_step(0, "G", "Go byte by byte"));
    add(c, pause_step(gap));
    add(c, send_text_step(0, "o"));
    add(c, pause_step(kAfterGo, "let the stream start"));
    c.description = "request sent one byte every " + std::to_string(gap.count()) + " ms";
}

void huge_message(Rng& r, const ServerCaseContext& ctx, FuzzCase& c) {
    const auto port = ask_udp_port(r, c);
    Bytes msg;
    std::string what;
    switch (r.below(5)) {
        case 0:
            msg.assign(kHugeMessageBytes, 'A');
            what = "1 MiB of 'A' without a newline";
            break;
        case 1:
            msg = r.bytes(kHugeMessageBytes);
            what = "1 MiB of random bytes";
            break;
        case 2:
            msg = bytes_of(valid_request(ctx, port));
            msg.resize(kHugeMessageBytes, ' ');
            what = "a valid request padded with spaces to 1 MiB";
            break;
        case 3:
            msg.assign(kHugeMessageBytes, 'm');
            msg = concat(msg, bytes_of(" " + std::to_string(port)));
            what = "a 1 MiB file name";
            break;
        default:
            msg.assign(kHugeMessageBytes, '\n');
            what = "1 MiB of newlines";
            break;
    }
    add(c, connect_step(0));
    add(c, send_step(0, msg, what));
    add(c, expect_reply_step(0, kReplyWait, "read the answer"));
    c.description = "a huge request: " + what;
}

void garbage_request(Rng& r, const ServerCaseContext& ctx, FuzzCase& c) {
    const auto port = ask_udp_port(r, c);
    Bytes msg;
    std::string what;
    switch (r.below(5)) {
        case 0:
            msg = r.bytes(static_cast<std::size_t>(r.between(1, 512)));
            what = "random bytes";
            break;
        case 1:
            msg = bytes_of("SETUP " + ctx.file + " RTSP/1.0\nCSeq: 1\nTransport: RTP/UDP; client_port= " +
                           std::to_string(port) + "\n\n");
            what = "an RTSP SETUP (other dialect)";
            break;
        case 2: {
            // pickle.dumps((file, port)), protocol 4, for a short name and a port < 65536.
            Bytes p{0x80, 0x04, 0x95};
            Bytes body{0x8c, static_cast<std::uint8_t>(ctx.file.size())};
            body = concat(body, bytes_of(ctx.file));
            body.push_back(0x94);
            body.push_back(0x4d);  // BININT2
            body.push_back(static_cast<std::uint8_t>(port & 0xff));
            body.push_back(static_cast<std::uint8_t>(port >> 8));
            body = concat(body, Bytes{0x86, 0x94, 0x2e});
            for (int i = 0; i < 8; ++i) p.push_back(i == 0 ? static_cast<std::uint8_t>(body.size()) : 0);
            msg = concat(p, body);
            what = "a pickled request (other dialect)";
            break;
        }
        case 3:
            msg = bytes_of("GET /" + ctx.file + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            what = "an HTTP request";
            break;
        default:
            msg = Bytes{0x16, 0x03, 0x01, 0x00, 0x2f, 0x01, 0x00, 0x00, 0x2b, 0x03, 0x03};
            msg = concat(msg, r.bytes(32));
            what = "the start of a TLS ClientHello";
            break;
    }
    add(c, connect_step(0));
    add(c, send_step(0, msg, what));
    finish_after_request(r, c, 0);
    c.description = "a request that is " + what;
}

// --- order of the messages ---------------------------------------------------

void go_first(Rng& r, const ServerCaseContext& ctx, FuzzCase& c) {
    add(c, connect_step(0));
    add(c, send_text_step(0, "Go", "Go before any request"));
    add(c, expect_reply_step(0, kReplyWait, "read the answer"));
    if (r.chance(1, 2)) {
        add(c, send_text_step(0, valid_request(ctx, ask_udp_port(r, c)), "then a valid request"));
        add(c, expect_reply_step(0, kReplyWait, "read the answer"));
        send_go(c, 0);
    }
    c.description = "Go before the request";
}

void go_twice(Rng& r, const ServerCaseContext& ctx, FuzzCase& c) {
    open_valid(r, ctx, c, 0);
    add(c, send_text_step(0, "Go", "first Go"));
    add(c, pause_step(milliseconds(r.between(0, 200)), "while streaming"));
    add(c, send_text_step(0, "Go", "second Go"));
    add(c, pause_step(kAfterGo, "watch the stream"));
    c.description = "Go sent twice";
}

void request_after_go(Rng& r, const ServerCaseContext& ctx, FuzzCase& c) {
    open_valid(r, ctx, c, 0);
    send_go(c, 0);
    const std::string second = r.chance(1, 2) ? valid_request(ctx, ask_udp_port(r, c)) : "other.mpeg 1";
    add(c, send_text_step(0, second, "a second request after Go"));
    add(c, expect_reply_step(0, milliseconds(300), "read whatever comes"));
    c.description = "a request after Go";
}

void coalesced(Rng& r, const ServerCaseContext& ctx, FuzzCase& c) {
    const std::string req = valid_request(ctx, ask_udp_port(r, c));
    static const std::array<std::string_view, 4> joins{"", "\n", " ", "\r\n"};
    const std::string join(pick_of(r, joins));
    const std::string all = req + join + "Go" + (r.chance(1, 2) ? "\n" : "");
    add(c, connect_step(0));
    add(c, send_text_step(0, all, "request and Go in one segment, joined by " + shown(join)));
    add(c, expect_reply_step(0, kReplyWait, "read the answer"));
    add(c, pause_step(kAfterGo, "watch the stream"));
    c.description = "request and Go in one send";
}

void go_without_waiting(Rng& r, const ServerCaseContext& ctx, FuzzCase& c) {
    add(c, connect_step(0));
    add(c, send_text_step(0, valid_request(ctx, ask_udp_port(r, c)), "valid request"));
    add(c, pause_step(milliseconds(r.below(30)), "no wait for the reply"));
    add(c, send_text_step(0, "Go", "Go before the SessionID was read"));
    add(c, expect_reply_step(0, kReplyWait, "read the answer"));
    c.description = "Go sent without waiting for the SessionID";
}

// --- hostile client behaviour around the stream ------------------------------

void close_after_go(Rng& r, const ServerCaseContext& ctx, FuzzCase& c) {
    open_valid(r, ctx, c, 0);
    add(c, send_text_step(0, "Go", "Go"));
    const auto wait = milliseconds(r.chance(1, 2) ? 0 : r.between(1, 200));
    if (wait.count() > 0) add(c, pause_step(wait, "a little streaming"));
    add(c, close_step(0, "close right after Go"));
    c.description = "close " + std::to_string(wait.count()) + " ms after Go";
}

void half_close(Rng& r, const ServerCaseContext& ctx, FuzzCase& c) {
    static const std::array<std::string_view, 4> points{"before the request", "after the request", "after the reply",
                                                        "after Go"};
    const auto point = static_cast<int>(r.below(points.size()));
    add(c, connect_step(0));
    if (point >= 1) add(c, send_text_step(0, valid_request(ctx, ask_udp_port(r, c)), "valid request"));
    if (point >= 2) add(c, expect_reply_step(0, kReplyWait, "read the SessionID"));
    if (point >= 3) add(c, send_text_step(0, "Go", "Go"));
    add(c, shutdown_write_step(0, "half-close (FIN) " + std::string(points[static_cast<std::size_t>(point)])));
    add(c, expect_reply_step(0, milliseconds(500), "keep reading"));
    c.description = "half-close " + std::string(points[static_cast<std::size_t>(point)]);
}

void reset_connection(Rng& r, const ServerCaseContext& ctx, FuzzCase& c) {
    static const std::array<std::string_view, 6> points{"right after connect", "in the middle of the request",
                                                        "before the reply", "after the reply", "right after Go",
                                                        "while streaming"};
    const auto point = static_cast<int>(r.below(points.size()));
    const std::string req = valid_request(ctx, ask_udp_port(r, c));
    add(c, connect_step(0));
    if (point == 1) add(c, send_text_step(0, req.substr(0, req.size() / 2), "half a request"));
    if (point >= 2) add(c, send_text_step(0, req, "valid request"));
    if (point >= 3) add(c, expect_reply_step(0, kReplyWait, "read the SessionID"));
    if (point >= 4) add(c, send_text_step(0, "Go", "Go"));
    if (point >= 5) add(c, pause_step(milliseconds(r.between(60, 300)), "streaming"));
    add(c, reset_step(0, "reset (RST, SO_LINGER 0) " + std::string(points[static_cast<std::size_t>(point)])));
    c.description = "reset " + std::string(points[static_cast<std::size_t>(point)]);
}

void many_connections(Rng& r, const ServerCaseContext& ctx, FuzzCase& c) {
    const auto n = static_cast<int>(r.between(2, kMaxConnectionsPerCase));
    std::vector<int> kind(static_cast<std::size_t>(n));
    for (int k = 0; k < n; ++k) {
        kind[static_cast<std::size_t>(k)] = static_cast<int>(r.below(4));  // 0 silent, 1 partial, 2 valid, 3 valid+Go
        add(c, connect_step(k, k == 0 ? std::to_string(n) + " connections at once" : ""));
    }
    for (int k = 0; k < n; ++k) {
        const std::string req = valid_request(ctx, ask_udp_port(r, c));
        switch (kind[static_cast<std::size_t>(k)]) {
            case 0: break;
            case 1: add(c, send_text_step(k, req.substr(0, 1 + static_cast<std::size_t>(r.below(req.size() - 1))), "partial request")); break;
            default: add(c, send_text_step(k, req, "valid request")); break;
        }
    }
    for (int k = 0; k < n; ++k)
        if (kind[static_cast<std::size_t>(k)] >= 2) add(c, expect_reply_step(k, milliseconds(150), "read the SessionID"));
    for (int k = 0; k < n; ++k)
        if (kind[static_cast<std::size_t>(k)] == 3) add(c, send_text_step(k, "Go", "Go"));
    add(c, pause_step(kAfterGo, "everything open"));
    for (int k = n - 1; k >= 0; --k) {
        if (r.chance(1, 3))
            add(c, reset_step(k));
        else
            add(c, close_step(k));
    }
    c.description = std::to_string(n) + " connections at once (silent, partial, valid, streaming)";
}

void never_go(Rng& r, const ServerCaseContext& ctx, FuzzCase& c) {
    open_valid(r, ctx, c, 0);
    add(c, pause_step(milliseconds(r.between(100, 800)), "never send Go"));
    if (r.chance(1, 2))
        add(c, close_step(0, "close without Go"));
    else
        add(c, reset_step(0, "reset without Go"));
    c.description = "SessionID read, Go never sent";
}

void garbage_after_go(Rng& r, const ServerCaseContext& ctx, FuzzCase& c) {
    open_valid(r, ctx, c, 0);
    send_go(c, 0);
    Bytes junk;
    std::string what;
    switch (r.below(4)) {
        case 0:
            junk = r.bytes(static_cast<std::size_t>(r.between(1, 256)));
            what = "random bytes";
            break;
        case 1: {
            std::string gos;
            for (int i = 0; i < 100; ++i) gos += "Go";
            junk = bytes_of(gos);
            what = "\"Go\" 100 times";
            break;
        }
        case 2:
            junk = bytes_of("PAUSE\nTEARDOWN\n");
            what = "RTSP-like commands";
            break;
        default:
            junk.assign(64 * 1024, 'x');
            what = "64 KiB";
            break;
    }
    add(c, send_step(0, junk, "after Go: " + what));
    add(c, pause_step(milliseconds(r.between(50, 250)), "watch the stream"));
    c.description = "garbage after Go: " + what;
}

const std::vector<ServerMutator> kMutators{
    {"request.file", "the file name: empty, huge, path traversal, not UTF-8, NUL, format specifiers, ...", mutate_file},
    {"request.port", "the port: 0, 65536, negative, huge, not digits, missing, non-ASCII digits, ...", mutate_port},
    {"request.separator", "separators and terminators: tab, runs of spaces, none, CRLF, blank lines, ...",
     mutate_separator},
    {"request.truncated", "the request cut short, then close, half-close, silence or reset", truncate_request},
    {"request.repeated", "the request sent several times", repeat_request},
    {"request.split", "the request (and Go) split across TCP segments at each kind of boundary, with pauses",
     split_request},
    {"request.slow", "the request sent byte by byte (bounded)", slow_request},
    {"request.huge", "a 1 MiB message", huge_message},
    {"request.garbage", "random bytes, other dialects, HTTP, TLS", garbage_request},
    {"order.go_first", "Go before the request", go_first},
    {"order.go_twice", "Go twice", go_twice},
    {"order.request_after_go", "a request after Go", request_after_go},
    {"order.coalesced", "request and Go in one segment", coalesced},
    {"order.go_without_waiting", "Go before the SessionID arrived", go_without_waiting},
    {"stream.close_after_go", "close right after Go", close_after_go},
    {"stream.half_close", "half-close at each point of the exchange", half_close},
    {"stream.reset", "reset (SO_LINGER 0) at each point of the exchange", reset_connection},
    {"stream.many_connections", "up to 20 connections at once", many_connections},
    {"stream.never_go", "read the SessionID, never send Go", never_go},
    {"stream.garbage_after_go", "garbage on the control connection while streaming", garbage_after_go},
};

}  // namespace

const std::vector<ServerMutator>& server_mutators() { return kMutators; }

FuzzCase make_server_case(std::uint64_t seed, std::uint64_t iteration, const ServerCaseContext& ctx) {
    Rng r = Rng::for_case(seed, iteration);
    const ServerMutator& m = kMutators[static_cast<std::size_t>(r.below(kMutators.size()))];
    FuzzCase c;
    c.role = "server";
    c.seed = seed;
    c.iteration = iteration;
    c.mutator = std::string(m.name);
    m.build(r, ctx, c);
    return c;
}

}  // namespace tpc3::fuzz::net
