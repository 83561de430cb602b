#include "client/reply_mutators.h"

#include <array>
#include <string>

#include "client/client_datagrams.h"

namespace tpc3::fuzz::net {

namespace {

using namespace std::chrono_literals;
using Bytes = std::vector<std::uint8_t>;
constexpr std::string_view kPrefix = "reply.";

std::string n(std::uint64_t v) { return std::to_string(v); }

template <typename T>
T pick_of(Rng& rng, std::initializer_list<T> items)
{
    return *(items.begin() + static_cast<std::ptrdiff_t>(rng.below(items.size())));
}

std::uint32_t draw_session_id(Rng& rng)
{
    return static_cast<std::uint32_t>(rng.between(100'000, 999'999));
}

// Wait for Go, then valid frames with the replied SessionID.
void play_after(std::uint32_t session_id, std::vector<WireStep>& out, std::uint16_t first_seq = 1, int frames = 3)
{
    out.push_back(expect_reply_step(0, kGoWait, "wait for Go"));
    for (int k = 0; k < frames; ++k) {
        const auto seq = static_cast<std::uint16_t>(first_seq + k);
        out.push_back(datagram_step(valid_datagram(session_id, seq),
                                    "valid frame seq " + n(seq) + ", SSRC " + n(session_id)));
    }
}

// The runner gives up on the client: a pause to let it react, then close.
void close_after(std::vector<WireStep>& out)
{
    out.push_back(pause_step(kReactPause, "let the client react"));
    out.push_back(close_step(0, "the runner closes the control connection"));
}

void send_text(std::vector<WireStep>& out, const std::string& text, std::string note)
{
    out.push_back(send_text_step(0, text, std::move(note)));
}

// ---- valid-class ----------------------------------------------------------

void boundary(Rng& rng, std::vector<WireStep>& out)
{
    const std::uint32_t id = pick_of<std::uint32_t>(rng, {0, 1, 4294967295u, 2147483648u, 999999});
    send_text(out, std::to_string(id), "SessionID " + n(id) + " (a boundary value, valid)");
    play_after(id, out);
}

void trailing_newline(Rng& rng, std::vector<WireStep>& out)
{
    const auto id = draw_session_id(rng);
    const bool crlf = rng.chance(1, 2);
    send_text(out, std::to_string(id) + (crlf ? "\r\n" : "\n"),
              "SessionID " + n(id) + (crlf ? " + CRLF" : " + LF") + " (valid)");
    play_after(id, out);
}

void split(Rng& rng, std::vector<WireStep>& out)
{
    const auto id = draw_session_id(rng);
    const std::string text = std::to_string(id) + (rng.chance(1, 2) ? "\n" : "");
    const auto cut = static_cast<std::size_t>(rng.between(1, text.size() - 1));
    const auto pause = std::chrono::milliseconds(rng.between(10, 100));
    send_text(out, text.substr(0, cut), "first " + n(cut) + " byte(s) of SessionID " + n(id));
    out.push_back(pause_step(pause, "the reply is split across two TCP segments"));
    send_text(out, text.substr(cut), "the rest of the reply");
    play_after(id, out);
}

void delayed(Rng& rng, std::vector<WireStep>& out)
{
    const auto id = draw_session_id(rng);
    const auto pause = std::chrono::milliseconds(rng.between(500, 2500));
    out.push_back(pause_step(pause, "the reply comes " + n(static_cast<std::uint64_t>(pause.count())) + " ms late"));
    send_text(out, std::to_string(id), "SessionID " + n(id));
    play_after(id, out);
}

void mid_stream_bytes(Rng& rng, std::vector<WireStep>& out)
{
    const auto id = draw_session_id(rng);
    send_text(out, std::to_string(id), "SessionID " + n(id));
    play_after(id, out, 1, 2);
    if (rng.chance(1, 2)) {
        send_text(out, std::to_string(id) + "\n", "the reply again, in the middle of the stream");
    } else {
        const auto size = static_cast<std::size_t>(rng.between(1, 2000));
        out.push_back(send_step(0, rng.bytes(size), n(size) + " random bytes on the control connection mid-stream"));
    }
    for (std::uint16_t seq = 3; seq <= 5; ++seq)
        out.push_back(datagram_step(valid_datagram(id, seq), "valid frame seq " + n(seq) + ", SSRC " + n(id)));
}

void mid_stream_close(Rng& rng, std::vector<WireStep>& out)
{
    const auto id = draw_session_id(rng);
    send_text(out, std::to_string(id), "SessionID " + n(id));
    play_after(id, out, 1, 2);
    if (rng.chance(1, 2))
        out.push_back(close_step(0, "the runner closes the control connection mid-stream"));
    else
        out.push_back(reset_step(0, "the runner resets the control connection mid-stream"));
    for (std::uint16_t seq = 3; seq <= 4; ++seq)
        out.push_back(datagram_step(valid_datagram(id, seq), "valid frame seq " + n(seq) + " after the close"));
}

// ---- invalid --------------------------------------------------------------

void huge(Rng& rng, std::vector<WireStep>& out)
{
    // 4301+: past the default limit of Python's int() on a str (4,300 digits).
    const std::size_t digits = pick_of<std::size_t>(rng, {10, 11, 20, 40, 400, 4301, 5000, 10'000, 70'000});
    std::string text = digits == 10 ? "4294967296" : std::string();
    if (text.empty()) {
        text.push_back(static_cast<char>('1' + rng.below(9)));
        while (text.size() < digits) text.push_back(static_cast<char>('0' + rng.below(10)));
    }
    const bool newline = rng.chance(1, 2);
    if (newline) text += "\n";
    send_text(out, text,
              "SessionID of " + n(digits) + " digits" + (digits == 10 ? " (2^32)" : "") + (newline ? " + LF" : ""));
    close_after(out);
}

void negative(Rng& rng, std::vector<WireStep>& out)
{
    const std::string text =
        pick_of<const char*>(rng, {"-2", "-0", "-4294967295", "-1-1", "--1", "-99999999999999999999", "-1.5"});
    send_text(out, text, "SessionID \"" + text + "\" (negative, not -1)");
    close_after(out);
}

void non_digits(Rng& rng, std::vector<WireStep>& out)
{
    const std::string text = pick_of<const char*>(
        rng, {"abc", "12a", "1e5", "0x1F", " 12 34", "+5", "1.0", "\xd9\xa1\xd9\xa2\xd9\xa3", "NaN", "None",
              "SESSION 123456", "RTSP/1.0 200 OK\nCSeq: 1\nSession: 123456\n\n"});
    send_text(out, text, "SessionID \"" + text + "\" (not a decimal number)");
    close_after(out);
}

void empty(Rng& rng, std::vector<WireStep>& out)
{
    const std::string text = pick_of<const char*>(rng, {"\n", "\r\n", " ", "\t\n", "\n\n\n"});
    send_text(out, text, "an empty reply (whitespace only)");
    close_after(out);
}

void repeated(Rng& rng, std::vector<WireStep>& out)
{
    const auto id = draw_session_id(rng);
    const std::string one = std::to_string(id);
    const std::string text = rng.chance(1, 2) ? one + "\n" + one + "\n" : one + one;
    send_text(out, text, "SessionID " + one + " twice in one segment");
    close_after(out);
}

void extra_lines(Rng& rng, std::vector<WireStep>& out)
{
    const auto id = draw_session_id(rng);
    const std::string tail = pick_of<const char*>(rng, {"\nhello\n", "\n\n\n", "\n-1\n", "\nGo\n", " 25000\n"});
    send_text(out, std::to_string(id) + tail, "SessionID " + n(id) + " followed by extra text");
    close_after(out);
}

void binary(Rng& rng, std::vector<WireStep>& out)
{
    const auto size = static_cast<std::size_t>(rng.between(1, 200));
    out.push_back(send_step(0, rng.bytes(size), n(size) + " bytes of binary garbage instead of a reply"));
    close_after(out);
}

void nul(Rng& rng, std::vector<WireStep>& out)
{
    const auto id = std::to_string(draw_session_id(rng));
    Bytes b(id.begin(), id.end());
    if (rng.chance(1, 2))
        b.push_back(0);
    else
        b.insert(b.begin(), 0);
    out.push_back(send_step(0, b, "SessionID " + id + " with a NUL byte"));
    close_after(out);
}

void closed(Rng& rng, std::vector<WireStep>& out)
{
    if (rng.chance(1, 2))
        out.push_back(close_step(0, "the runner closes the connection instead of replying"));
    else
        out.push_back(reset_step(0, "the runner resets the connection instead of replying"));
    out.push_back(pause_step(kReactPause, "let the client react"));
}

void refusal_then_id(Rng& rng, std::vector<WireStep>& out)
{
    const auto id = draw_session_id(rng);
    send_text(out, "-1", "-1 (no such file)");
    out.push_back(pause_step(std::chrono::milliseconds(rng.between(50, 300)), "then, after a pause"));
    send_text(out, std::to_string(id), "a SessionID anyway (" + n(id) + ")");
    close_after(out);
}

void half_close(Rng&, std::vector<WireStep>& out)
{
    out.push_back(shutdown_write_step(0, "the runner half-closes (FIN) without replying, and keeps reading"));
    close_after(out);
}

constexpr std::array<ReplyMutator, 18> kMutators{{
    {"boundary", true, boundary},
    {"trailing_newline", true, trailing_newline},
    {"split", true, split},
    {"delayed", true, delayed},
    {"mid_stream_bytes", true, mid_stream_bytes},
    {"mid_stream_close", true, mid_stream_close},
    {"huge", false, huge},
    {"huge", false, huge},  // twice: the most productive one (int parsers, buffer sizes)
    {"negative", false, negative},
    {"non_digits", false, non_digits},
    {"empty", false, empty},
    {"repeated", false, repeated},
    {"extra_lines", false, extra_lines},
    {"binary", false, binary},
    {"nul", false, nul},
    {"closed", false, closed},
    {"refusal_then_id", false, refusal_then_id},
    {"half_close", false, half_close},
}};

}  // namespace

std::span<const ReplyMutator> reply_mutators() { return kMutators; }

const ReplyMutator* find_reply_mutator(std::string_view name)
{
    if (name.starts_with(kPrefix)) name.remove_prefix(kPrefix.size());
    for (const auto& m : kMutators)
        if (m.name == name) return &m;
    return nullptr;
}

FuzzCase make_reply_case(std::uint64_t seed, std::uint64_t iteration, Rng& rng)
{
    return make_reply_case(seed, iteration, kMutators[static_cast<std::size_t>(rng.below(kMutators.size()))], rng);
}

FuzzCase make_reply_case(std::uint64_t seed, std::uint64_t iteration, const ReplyMutator& m, Rng& rng)
{
    FuzzCase c;
    c.role = "client";
    c.seed = seed;
    c.iteration = iteration;
    c.mutator = std::string(kPrefix) + std::string(m.name);
    m.mutate(rng, c.steps);
    std::string what;
    for (const WireStep& s : c.steps)
        if (!s.note.empty() && s.kind != WireStep::Kind::ExpectReply && s.kind != WireStep::Kind::Datagram) {
            what = s.note;
            break;
        }
    c.description = c.mutator + ": " + what +
                    (m.valid ? "; a valid reply: the client must send Go and keep playing"
                             : "; not a valid reply: the client may give up, not crash");
    return c;
}

bool is_reply_case(const FuzzCase& c) { return c.mutator.starts_with(kPrefix); }

}  // namespace tpc3::fuzz::net
