#include "control/control_message.h"
#include "control/dialect.h"
#include "control/tpc3_dialect.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tpc3::control {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

Bytes b(const std::string& s) { return Bytes(s.begin(), s.end()); }
std::string s(const Bytes& bytes) { return std::string(bytes.begin(), bytes.end()); }

const Tpc3Dialect tpc3;

Parsed<Request> request(const std::string& text) { return tpc3.parse_request(b(text)); }
Parsed<Reply> reply(const std::string& text) { return tpc3.parse_reply(b(text)); }
Parsed<Go> go(const std::string& text) { return tpc3.parse_go(b(text)); }

const char* status_name(ParseStatus st) {
    switch (st) {
        case ParseStatus::Complete: return "Complete";
        case ParseStatus::Incomplete: return "Incomplete";
        case ParseStatus::Invalid: return "Invalid";
    }
    return "?";
}

// ---------------------------------------------------------------- encoders

TEST(Tpc3Encode, MessagesHaveNoTrailingNewline) {
    EXPECT_EQ(s(tpc3.encode(Request{"movie.mpeg", 25000})), "movie.mpeg 25000");
    EXPECT_EQ(s(tpc3.encode(Reply{483920})), "483920");
    EXPECT_EQ(s(tpc3.encode(Reply{0})), "0");
    EXPECT_EQ(s(tpc3.encode(Reply{4294967295})), "4294967295");
    EXPECT_EQ(s(tpc3.encode(Reply{})), "-1");
    EXPECT_EQ(s(tpc3.encode(Go{})), "Go");
}

TEST(Tpc3Encode, EncodedMessagesParseBackToTheSameValue) {
    for (const Request& r : {Request{"movie.mpeg", 25000}, Request{"a", 1}, Request{"film\xc3\xa9.Mjpeg", 65535},
                             Request{"dir/x.mpeg", 5008}}) {
        const Bytes wire = tpc3.encode(r);
        const auto p = tpc3.parse_request(wire);
        ASSERT_EQ(p.status, ParseStatus::Complete) << r.file;
        EXPECT_EQ(*p.value, r);
        EXPECT_EQ(p.consumed, wire.size());
        EXPECT_THAT(p.problems, IsEmpty());
    }
    for (const std::int64_t id : {std::int64_t{-1}, std::int64_t{0}, std::int64_t{1}, std::int64_t{100000},
                                  std::int64_t{999999}, std::int64_t{4294967295}}) {
        const auto p = tpc3.parse_reply(tpc3.encode(Reply{id}));
        ASSERT_EQ(p.status, ParseStatus::Complete) << id;
        EXPECT_EQ(p.value->session_id, id);
        EXPECT_THAT(p.problems, IsEmpty());
    }
    const auto p = tpc3.parse_go(tpc3.encode(Go{}));
    EXPECT_EQ(p.status, ParseStatus::Complete);
    EXPECT_EQ(p.consumed, 2u);
}

// ---------------------------------------------------------------- request

struct AcceptedRequest {
    std::string wire;
    Request value;
    std::size_t consumed;
    std::vector<std::string> problems;
};

TEST(Tpc3Request, AcceptedVariants) {
    const std::vector<AcceptedRequest> cases = {
        {"movie.mpeg 25000", {"movie.mpeg", 25000}, 16, {}},
        {"movie.mpeg 25000\n", {"movie.mpeg", 25000}, 17, {}},
        {"movie.mpeg 25000\r\n", {"movie.mpeg", 25000}, 18, {}},
        {"  movie.mpeg    25000   ", {"movie.mpeg", 25000}, 24, {}},
        {" \t movie.mpeg  25000 \t\r\n", {"movie.mpeg", 25000}, 24, {}},
        {"\r\n\nmovie.mpeg 25000\n", {"movie.mpeg", 25000}, 20, {}},
        {"movie.mpeg 1", {"movie.mpeg", 1}, 12, {}},
        {"movie.mpeg 65535", {"movie.mpeg", 65535}, 16, {}},
        {"Movie.Mjpeg 5008", {"Movie.Mjpeg", 5008}, 16, {}},
        {"film\xc3\xa9.mpeg 25000", {"film\xc3\xa9.mpeg", 25000}, 17, {}},
        {"../etc/passwd 25000", {"../etc/passwd", 25000}, 19, {}},
        {"movie.mpeg\t25000", {"movie.mpeg", 25000}, 16,
         {"a tab separates the file name and the port (expected spaces)"}},
        {"movie.mpeg 025000\n", {"movie.mpeg", 25000}, 18, {"port \"025000\" has leading zeros"}},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(escape(c.wire));
        const auto p = request(c.wire);
        ASSERT_EQ(p.status, ParseStatus::Complete) << (p.problems.empty() ? "" : p.problems[0]);
        ASSERT_TRUE(p.value.has_value());
        EXPECT_EQ(*p.value, c.value);
        EXPECT_EQ(p.consumed, c.consumed);
        EXPECT_EQ(p.problems, c.problems);
        EXPECT_EQ(p.seen, escape(c.wire));
    }
}

struct RejectedRequest {
    std::string wire;
    std::string problem;
};

TEST(Tpc3Request, RejectedVariantsNameWhatWasSeen) {
    const std::vector<RejectedRequest> cases = {
        {"movie.mpeg 0", "port 0 is out of range 1..65535"},
        {"movie.mpeg 00000", "port 00000 is out of range 1..65535"},
        {"movie.mpeg 65536", "port 65536 is out of range 1..65535"},
        {"movie.mpeg 99999\n", "port 99999 is out of range 1..65535"},
        {"movie.mpeg 99999999999999999999999", "port 99999999999999999999999 is out of range 1..65535"},
        {"movie.mpeg abc", "port \"abc\" is not a decimal number 1..65535"},
        {"movie.mpeg -1", "port \"-1\" is not a decimal number 1..65535"},
        {"movie.mpeg +25000", "port \"+25000\" is not a decimal number 1..65535"},
        {"movie.mpeg 25000x", "port \"25000x\" is not a decimal number 1..65535"},
        {"movie.mpeg 0x61a8", "port \"0x61a8\" is not a decimal number 1..65535"},
        {"movie.mpeg 25000.0\n", "port \"25000.0\" is not a decimal number 1..65535"},
        {"movie.mpeg\n", "request \"movie.mpeg\" has one word, expected \"<fileName> <UDPDataPort>\""},
        {"25000\r\n", "request \"25000\" has one word, expected \"<fileName> <UDPDataPort>\""},
        {"my movie.mpeg 25000",
         "request \"my movie.mpeg 25000\" has 3 words, expected \"<fileName> <UDPDataPort>\" (a file name cannot "
         "contain spaces)"},
        {"movie.mpeg 25000 extra", "request \"movie.mpeg 25000 extra\" has 3 words, expected \"<fileName> "
                                   "<UDPDataPort>\" (a file name cannot contain spaces)"},
        {"movie.mpeg 25000 Go", "request \"movie.mpeg 25000 Go\" has 3 words, expected \"<fileName> "
                                "<UDPDataPort>\" (a file name cannot contain spaces)"},
        {"movie\xff.mpeg 25000", "request is not valid UTF-8: byte 0xff at offset 5"},
        {"\xc0\xaf 25000", "request is not valid UTF-8: byte 0xc0 at offset 0"},          // overlong '/'
        {"a\xed\xa0\x80 25000", "request is not valid UTF-8: byte 0xed at offset 1"},     // surrogate
        {"a\xf4\x90\x80\x80 25000", "request is not valid UTF-8: byte 0xf4 at offset 1"},  // above U+10FFFF
        {"movie\xc3\n", "request is not valid UTF-8: byte 0xc3 at offset 5"},  // cut sequence, then newline
        {std::string("\x80\x04\x95\x15\x00", 5), "request is not valid UTF-8: byte 0x80 at offset 0"},  // pickle
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(escape(c.wire));
        const auto p = request(c.wire);
        EXPECT_EQ(p.status, ParseStatus::Invalid) << status_name(p.status);
        EXPECT_FALSE(p.value.has_value());
        EXPECT_THAT(p.problems, ElementsAre(c.problem));
        EXPECT_EQ(p.seen, escape(c.wire));
    }
}

TEST(Tpc3Request, IncompleteWhileMoreBytesMayCome) {
    for (const std::string wire : {"", " ", "\r\n", "\n\n  ", "m", "movie.mpeg", "movie.mpeg ", "  movie.mpeg\t",
                                   "film\xc3" /* UTF-8 sequence cut by the end */}) {
        SCOPED_TRACE(escape(wire));
        const auto p = request(wire);
        EXPECT_EQ(p.status, ParseStatus::Incomplete) << status_name(p.status);
        EXPECT_FALSE(p.value.has_value());
        EXPECT_EQ(p.consumed, 0u);
        EXPECT_THAT(p.problems, IsEmpty());
    }
}

TEST(Tpc3Request, EveryPrefixOfAValidRequestIsNeverInvalid) {
    const std::string wire = "  movie.mpeg   25000\r\n";
    for (std::size_t n = 0; n <= wire.size(); ++n) {
        const auto p = request(wire.substr(0, n));
        EXPECT_NE(p.status, ParseStatus::Invalid) << escape(wire.substr(0, n));
    }
    // A prefix that ends inside the port is already Complete: the runner's idle timeout decides.
    const auto partial = request("movie.mpeg 250");
    ASSERT_EQ(partial.status, ParseStatus::Complete);
    EXPECT_EQ(partial.value->udp_port, 250);
}

TEST(Tpc3Request, SplitOverTwoReads) {
    std::string buffer = "movie.m";
    EXPECT_EQ(request(buffer).status, ParseStatus::Incomplete);
    buffer += "peg 25000\n";
    const auto p = request(buffer);
    ASSERT_EQ(p.status, ParseStatus::Complete);
    EXPECT_EQ(*p.value, (Request{"movie.mpeg", 25000}));
}

TEST(Tpc3Request, CoalescedWithTheNextMessage) {
    const std::string buffer = "movie.mpeg 25000\nGo";
    const auto p = request(buffer);
    ASSERT_EQ(p.status, ParseStatus::Complete);
    EXPECT_EQ(*p.value, (Request{"movie.mpeg", 25000}));
    EXPECT_EQ(p.consumed, 17u);
    EXPECT_EQ(p.seen, "movie.mpeg 25000\\nGo");
    EXPECT_EQ(go(buffer.substr(p.consumed)).status, ParseStatus::Complete);
}

TEST(Tpc3Request, AnOverlongLineIsInvalidNotAwaitedForever) {
    const std::string line(64 * 1024, 'a');
    const auto p = request(line);
    EXPECT_EQ(p.status, ParseStatus::Invalid);
    EXPECT_THAT(p.problems, ElementsAre("request without an end after 65536 bytes: the longest accepted is 4096 bytes"));
    EXPECT_EQ(p.seen, escape(line));
    EXPECT_THAT(p.seen, HasSubstr("...(65280 more bytes)"));

    const auto terminated = request(std::string(5000, 'a') + " 25000\n");
    EXPECT_EQ(terminated.status, ParseStatus::Invalid);
    EXPECT_THAT(terminated.problems[0], HasSubstr("request line of 5006 bytes"));

    const std::string longest = std::string(kMaxTpc3MessageBytes - 6, 'a') + " 25000";
    ASSERT_EQ(longest.size(), kMaxTpc3MessageBytes);
    EXPECT_EQ(request(longest + "\n").status, ParseStatus::Complete);
    EXPECT_EQ(request(longest + "0").status, ParseStatus::Invalid);
}

// ---------------------------------------------------------------- reply

struct AcceptedReply {
    std::string wire;
    std::int64_t id;
    std::size_t consumed;
    std::vector<std::string> problems;
};

TEST(Tpc3Reply, AcceptedVariants) {
    const std::vector<AcceptedReply> cases = {
        {"483920", 483920, 6, {}},
        {"483920\n", 483920, 7, {}},
        {"483920\r\n", 483920, 8, {}},
        {"  483920 \t\r\n", 483920, 12, {}},
        {"0", 0, 1, {}},
        {"4294967295", 4294967295, 10, {}},
        {"-1", -1, 2, {}},
        {" -1\n", -1, 4, {}},
        {"007\n", 7, 4, {"SessionID \"007\" has leading zeros"}},
        {"-01", -1, 3, {"reply \"-01\" has leading zeros"}},
        {"483", 483, 3, {}},  // a prefix of digits is Complete; consumed says how much was used
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(escape(c.wire));
        const auto p = reply(c.wire);
        ASSERT_EQ(p.status, ParseStatus::Complete) << (p.problems.empty() ? "" : p.problems[0]);
        EXPECT_EQ(p.value->session_id, c.id);
        EXPECT_EQ(p.value->not_found(), c.id == -1);
        EXPECT_EQ(p.consumed, c.consumed);
        EXPECT_EQ(p.problems, c.problems);
        EXPECT_EQ(p.seen, escape(c.wire));
    }
}

TEST(Tpc3Reply, RejectedVariantsNameWhatWasSeen) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"4294967296", "SessionID 4294967296 is out of range 0..4294967295"},
        {"99999999999999999999999\n", "SessionID 99999999999999999999999 is out of range 0..4294967295"},
        {"-2", "reply \"-2\" is negative: only -1 (file not found) is allowed"},
        {"-10", "reply \"-10\" is negative: only -1 (file not found) is allowed"},
        {"-0", "reply \"-0\" is negative: only -1 (file not found) is allowed"},
        {"-\n", "reply \"-\" is neither a SessionID (0..4294967295) nor -1"},
        {"--1", "reply \"--1\" is neither a SessionID (0..4294967295) nor -1"},
        {"+5", "reply \"+5\" is neither a SessionID (0..4294967295) nor -1"},
        {"48 3920", "reply \"48 3920\" is neither a SessionID (0..4294967295) nor -1"},
        {"483920x", "reply \"483920x\" is neither a SessionID (0..4294967295) nor -1"},
        {"1.5", "reply \"1.5\" is neither a SessionID (0..4294967295) nor -1"},
        {"OK 483920", "reply \"OK 483920\" is neither a SessionID (0..4294967295) nor -1"},
        {"say \"hi\"\\", "reply \"say \\\"hi\\\"\\\\\" is neither a SessionID (0..4294967295) nor -1"},
        {std::string("\x80\x04\x4b\x05\x2e", 5), "reply is not valid UTF-8: byte 0x80 at offset 0"},  // pickle 5
    };
    for (const auto& [wire, problem] : cases) {
        SCOPED_TRACE(escape(wire));
        const auto p = reply(wire);
        EXPECT_EQ(p.status, ParseStatus::Invalid) << status_name(p.status);
        EXPECT_FALSE(p.value.has_value());
        EXPECT_THAT(p.problems, ElementsAre(problem));
    }
}

TEST(Tpc3Reply, IncompleteWhileMoreBytesMayCome) {
    for (const std::string wire : {"", "  ", "\r\n", "-", " -"}) {
        SCOPED_TRACE(escape(wire));
        const auto p = reply(wire);
        EXPECT_EQ(p.status, ParseStatus::Incomplete) << status_name(p.status);
        EXPECT_EQ(p.consumed, 0u);
    }
}

TEST(Tpc3Reply, SplitOverTwoReads) {
    EXPECT_EQ(reply("-").status, ParseStatus::Incomplete);
    EXPECT_EQ(reply("-1").value->session_id, -1);
    const auto first = reply("4839");
    EXPECT_EQ(first.status, ParseStatus::Complete);
    EXPECT_EQ(first.consumed, 4u);
    EXPECT_EQ(reply("483920\n").value->session_id, 483920);
}

// ---------------------------------------------------------------- Go

TEST(Tpc3Go, AcceptedVariants) {
    const std::vector<std::pair<std::string, std::size_t>> cases = {
        {"Go", 2}, {"Go\n", 3}, {"Go\r\n", 4}, {"  Go \t", 6}, {"\nGo\n", 4}, {"Go\nGo", 3},
    };
    for (const auto& [wire, consumed] : cases) {
        SCOPED_TRACE(escape(wire));
        const auto p = go(wire);
        ASSERT_EQ(p.status, ParseStatus::Complete);
        EXPECT_TRUE(p.value.has_value());
        EXPECT_EQ(p.consumed, consumed);
        EXPECT_THAT(p.problems, IsEmpty());
        EXPECT_EQ(p.seen, escape(wire));
    }
}

TEST(Tpc3Go, RejectedVariants) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"go", "expected \"Go\", got \"go\": the letter case differs"},
        {"GO\n", "expected \"Go\", got \"GO\": the letter case differs"},
        {"gO", "expected \"Go\", got \"gO\": the letter case differs"},
        {"g", "expected \"Go\", got \"g\", which cannot become \"Go\": the letter case differs"},
        {"G\n", "expected \"Go\", got \"G\""},
        {"Go Go", "expected \"Go\", got \"Go Go\""},
        {"Gox", "expected \"Go\", got \"Gox\""},
        {"Go!", "expected \"Go\", got \"Go!\""},
        {"'Go'", "expected \"Go\", got \"'Go'\""},
        {"b'Go'", "expected \"Go\", got \"b'Go'\""},
        {"PLAY", "expected \"Go\", got \"PLAY\""},
        {"\"Go\"", "expected \"Go\", got \"\\\"Go\\\"\""},
        {std::string("\x80\x04\x95\x06\x00", 5), "Go message is not valid UTF-8: byte 0x80 at offset 0"},
    };
    for (const auto& [wire, problem] : cases) {
        SCOPED_TRACE(escape(wire));
        const auto p = go(wire);
        EXPECT_EQ(p.status, ParseStatus::Invalid) << status_name(p.status);
        EXPECT_FALSE(p.value.has_value());
        EXPECT_THAT(p.problems, ElementsAre(problem));
        EXPECT_EQ(p.seen, escape(wire));
    }
}

TEST(Tpc3Go, IncompleteWhileMoreBytesMayCome) {
    for (const std::string wire : {"", " ", "\n", "G", "  G"}) {
        SCOPED_TRACE(escape(wire));
        const auto p = go(wire);
        EXPECT_EQ(p.status, ParseStatus::Incomplete) << status_name(p.status);
        EXPECT_EQ(p.consumed, 0u);
        EXPECT_FALSE(p.value.has_value());
    }
}

TEST(Tpc3Go, ArrivingAsGThenO) {
    std::string buffer;
    buffer += "G";
    EXPECT_EQ(go(buffer).status, ParseStatus::Incomplete);
    buffer += "o";
    const auto p = go(buffer);
    EXPECT_EQ(p.status, ParseStatus::Complete);
    EXPECT_EQ(p.consumed, 2u);
}

// ---------------------------------------------------------------- escape

TEST(Escape, ShowsBinaryInputReadably) {
    EXPECT_EQ(escape(std::string("Go")), "Go");
    EXPECT_EQ(escape(std::string("a b\n\r\t")), "a b\\n\\r\\t");
    EXPECT_EQ(escape(Bytes{0x80, 0x04, 0x95, 0x00, 0x7f, 0xff}), "\\x80\\x04\\x95\\x00\\x7f\\xff");
    EXPECT_EQ(escape(std::string("back\\slash \"q\"")), "back\\\\slash \\\"q\\\"");
    EXPECT_EQ(escape(std::string("\xc3\xa9")), "\\xc3\\xa9");
    EXPECT_EQ(escape(Bytes{}), "");
    EXPECT_EQ(escape(std::string("~ !")), "~ !");
}

TEST(Escape, TruncatesAfterMaxBytes) {
    EXPECT_EQ(escape(std::string("abcdef"), 3), "abc...(3 more bytes)");
    EXPECT_EQ(escape(std::string("abcd"), 3), "abc...(1 more byte)");
    EXPECT_EQ(escape(std::string("abc"), 3), "abc");
    EXPECT_EQ(escape(std::string("abc"), 0), "...(3 more bytes)");
    std::string nul_shown;
    for (int i = 0; i < 256; ++i) nul_shown += "\\x00";
    EXPECT_EQ(escape(Bytes(300, 0x00)), nul_shown + "...(44 more bytes)");
    EXPECT_EQ(escape(std::string(1000, 'x')).size(), 256u + std::string("...(744 more bytes)").size());
}

TEST(Escape, BothOverloadsAgree) {
    const std::string text("movie.mpeg\x01\xfe 25000\r\n", 19);
    EXPECT_EQ(escape(text), escape(Bytes(text.begin(), text.end())));
    EXPECT_EQ(escape(text, 5), escape(Bytes(text.begin(), text.end()), 5));
}

// ---------------------------------------------------------------- registry

TEST(DialectRegistry, Tpc3IsTheDefaultAndListedFirst) {
    EXPECT_EQ(default_dialect().name(), "tpc3");
    const auto names = dialect_names();
    ASSERT_FALSE(names.empty());
    EXPECT_EQ(names.front(), "tpc3");
    for (const auto& name : names) {
        const Dialect* d = find_dialect(name);
        ASSERT_NE(d, nullptr) << name;
        EXPECT_EQ(d->name(), name);
        EXPECT_EQ(std::count(names.begin(), names.end(), name), 1) << name;
    }
    EXPECT_EQ(find_dialect("tpc3"), &default_dialect());
    EXPECT_EQ(find_dialect("nope"), nullptr);
    EXPECT_EQ(find_dialect(""), nullptr);
    EXPECT_EQ(find_dialect("TPC3"), nullptr);
}

TEST(DialectRegistry, DetectsTheDialectOfAClientsFirstMessage) {
    const Dialect* pickle = find_dialect("tpc3-pickle");
    const Dialect* rtsp = find_dialect("rtsp");
    const std::string_view expect_pickle = pickle ? "tpc3-pickle" : "tpc3";
    const std::string_view expect_rtsp = rtsp ? "rtsp" : "tpc3";

    EXPECT_EQ(detect_dialect(b("movie.mpeg 25000")).name(), "tpc3");
    EXPECT_EQ(detect_dialect(b("movie.mpeg 25000\n")).name(), "tpc3");
    EXPECT_EQ(detect_dialect(b("")).name(), "tpc3");
    EXPECT_EQ(detect_dialect(b("garbage garbage garbage")).name(), "tpc3");
    // pickle.dumps(("movie.mpeg", 25000)) with protocol 4
    const Bytes pickled = {0x80, 0x04, 0x95, 0x17, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x8c, 0x0a,
                           'm',  'o',  'v',  'i',  'e',  '.',  'm',  'p',  'e',  'g',  0x94, 0x4d,
                           0xa8, 0x61, 0x86, 0x94, 0x2e};
    EXPECT_EQ(detect_dialect(pickled).name(), expect_pickle);
    EXPECT_EQ(detect_dialect(b("SETUP movie.Mjpeg RTSP/1.0\nCSeq: 1\nTransport: RTP/UDP; client_port= 25000\n"))
                  .name(),
              expect_rtsp);
}

TEST(Tpc3Dialect, RecognisesOnlyItsOwnFirstMessages) {
    EXPECT_TRUE(tpc3.recognises_first_message(b("movie.mpeg 25000")));
    EXPECT_TRUE(tpc3.recognises_first_message(b("movie.mpeg 25000\r\n")));
    EXPECT_TRUE(tpc3.recognises_first_message(b("movie.mp")));  // a valid start
    EXPECT_FALSE(tpc3.recognises_first_message(b("")));
    EXPECT_FALSE(tpc3.recognises_first_message(Bytes{0x80, 0x04, 0x95}));
    EXPECT_FALSE(tpc3.recognises_first_message(b("SETUP movie.Mjpeg RTSP/1.0\nCSeq: 1\n")));
    EXPECT_FALSE(tpc3.recognises_first_message(b("SETUP ")));
    EXPECT_FALSE(tpc3.recognises_first_message(b("movie.mpeg 0")));
    EXPECT_FALSE(tpc3.recognises_first_message(b("a b c")));
    EXPECT_EQ(tpc3.name(), "tpc3");
}

}  // namespace
}  // namespace tpc3::control
