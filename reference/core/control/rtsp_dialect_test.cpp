#include "control/dialect.h"
#include "control/rtsp_dialect.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace tpc3::control {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const RtspDialect rtsp;

Bytes b(const std::string& s) { return Bytes(s.begin(), s.end()); }
std::string s(const Bytes& bytes) { return std::string(bytes.begin(), bytes.end()); }

const char* status_name(ParseStatus st) {
    switch (st) {
        case ParseStatus::Complete: return "Complete";
        case ParseStatus::Incomplete: return "Incomplete";
        case ParseStatus::Invalid: return "Invalid";
    }
    return "?";
}

// What the lab's Client.py and ServerWorker.py send: '\n' between lines, nothing after the last.
const std::string kLabSetup = "SETUP movie.Mjpeg RTSP/1.0\nCSeq: 1\nTransport: RTP/UDP; client_port= 25000";
const std::string kLabReply = "RTSP/1.0 200 OK\nCSeq: 1\nSession: 483920";
const std::string kLabPlay = "PLAY movie.Mjpeg RTSP/1.0\nCSeq: 2\nSession: 483920";
const std::string kLabPlayReply = "RTSP/1.0 200 OK\nCSeq: 2\nSession: 483920";
const std::string kNotFound = "RTSP/1.0 404 NOT FOUND\nCSeq: 1";

// ---------------------------------------------------------------- encoders

TEST(RtspEncode, TheLabsBytes) {
    EXPECT_EQ(s(rtsp.encode(Request{"movie.Mjpeg", 25000, 1})), kLabSetup);
    EXPECT_EQ(s(rtsp.encode(Request{"movie.Mjpeg", 25000})), kLabSetup);  // CSeq 1 by default
    EXPECT_EQ(s(rtsp.encode(Request{"movie.Mjpeg", 25000, 7})),
              "SETUP movie.Mjpeg RTSP/1.0\nCSeq: 7\nTransport: RTP/UDP; client_port= 25000");
    EXPECT_EQ(s(rtsp.encode(Reply{483920, 1})), kLabReply);
    EXPECT_EQ(s(rtsp.encode(Reply{483920})), kLabReply);
    EXPECT_EQ(s(rtsp.encode(Reply{483920, 2})), kLabPlayReply);
    EXPECT_EQ(s(rtsp.encode(Reply{Reply::kNotFound, 1})), kNotFound);
    EXPECT_EQ(s(rtsp.encode(Reply{4294967295, 3})), "RTSP/1.0 200 OK\nCSeq: 3\nSession: 4294967295");
    EXPECT_EQ(s(rtsp.encode(Go{"movie.Mjpeg", 2, 483920})), kLabPlay);
    EXPECT_EQ(s(rtsp.encode(Go{})), "PLAY * RTSP/1.0\nCSeq: 2");
}

TEST(RtspEncode, EncodedMessagesParseBackToTheSameValue) {
    for (const Request& r : {Request{"movie.Mjpeg", 25000, 1}, Request{"a", 1, 0}, Request{"x.mpeg", 65535, 4294967295},
                             Request{"film\xc3\xa9.Mjpeg", 5008, 12}}) {
        const Bytes wire = rtsp.encode(r);
        const auto p = rtsp.parse_request(wire);
        ASSERT_EQ(p.status, ParseStatus::Complete) << s(wire) << (p.problems.empty() ? "" : p.problems[0]);
        EXPECT_EQ(*p.value, r);
        EXPECT_EQ(p.consumed, wire.size());
        EXPECT_THAT(p.problems, IsEmpty());
    }
    for (const Reply& r : {Reply{483920, 1}, Reply{0, 2}, Reply{4294967295, 9}, Reply{-1, 1}}) {
        const Bytes wire = rtsp.encode(r);
        const auto p = rtsp.parse_reply(wire);
        ASSERT_EQ(p.status, ParseStatus::Complete) << s(wire);
        EXPECT_EQ(*p.value, r);
        EXPECT_EQ(p.consumed, wire.size());
        EXPECT_THAT(p.problems, IsEmpty());
    }
    const auto play = rtsp.parse_go(b(kLabPlay));
    ASSERT_EQ(play.status, ParseStatus::Complete);
    EXPECT_EQ(*play.value, (Go{"movie.Mjpeg", 2, 483920}));
    EXPECT_THAT(play.problems, IsEmpty());
    EXPECT_EQ(rtsp.parse_go(rtsp.encode(*play.value)).value, play.value);
}

// ---------------------------------------------------------------- SETUP

constexpr std::size_t kAll = std::string::npos;  // consumed: the whole input

struct Accepted {
    std::string wire;
    Request value;
    std::size_t consumed;
    std::vector<std::string> problems;
};

TEST(RtspRequest, WhatRealSubmissionsSend) {
    const std::vector<Accepted> cases = {
        {kLabSetup, {"movie.Mjpeg", 25000, 1}, kLabSetup.size(), {}},
        {kLabSetup + "\n", {"movie.Mjpeg", 25000, 1}, kLabSetup.size() + 1, {}},
        {kLabSetup + "\n\n", {"movie.Mjpeg", 25000, 1}, kLabSetup.size() + 2, {}},
        {"SETUP movie.Mjpeg RTSP/1.0\r\nCSeq: 1\r\nTransport: RTP/UDP; client_port= 25000\r\n\r\n",
         {"movie.Mjpeg", 25000, 1}, kAll, {}},
        {"\r\n SETUP   movie.Mjpeg   RTSP/1.0  \nCSeq:   1 \nTransport: RTP/UDP; client_port= 25000",
         {"movie.Mjpeg", 25000, 1}, kAll, {}},
        {"SETUP movie.Mjpeg RTSP/1.0\ncseq: 3\ntransport: RTP/UDP; client_port= 25000", {"movie.Mjpeg", 25000, 3},
         kAll, {}},
        {"SETUP movie.Mjpeg RTSP/1.0\nCSeq: 1\nTransport: RTP/UDP; client_port= 25000\nUser-Agent: x\n\n",
         {"movie.Mjpeg", 25000, 1}, kLabSetup.size() + 16, {}},
        {"SETUP movie.Mjpeg RTSP/1.0\nTransport: RTP/UDP; client_port= 25000\nCSeq: 1",
         {"movie.Mjpeg", 25000, 1},
         kLabSetup.size(),
         {"CSeq is on line 3, not line 2: the lab's ServerWorker reads it by position",
          "Transport is on line 2, not line 3: the lab's ServerWorker reads it by position"}},
        {"SETUP movie.Mjpeg RTSP/1.0\nCSeq: 1\nTransport: RTP/UDP;client_port=25000",
         {"movie.Mjpeg", 25000, 1},
         kAll,
         {"Transport line \"Transport: RTP/UDP;client_port=25000\": its 4th space-separated word is not the port, "
          "which the lab's ServerWorker expects (\"Transport: RTP/UDP; client_port= 25000\")"}},
        {"SETUP rtsp://127.0.0.1:5554/movie.Mjpeg RTSP/1.0\r\nCSeq: 302\r\nTransport: RTP/AVP;unicast;"
         "client_port=4588-4589\r\n\r\n",
         {"rtsp://127.0.0.1:5554/movie.Mjpeg", 4588, 302},
         kAll,
         {"Transport line \"Transport: RTP/AVP;unicast;client_port=4588-4589\": its 4th space-separated word is "
          "not the port, which the lab's ServerWorker expects (\"Transport: RTP/UDP; client_port= 4588\")"}},
        {"SETUP movie.Mjpeg\nCSeq: 1\nTransport: RTP/UDP; client_port= 25000",
         {"movie.Mjpeg", 25000, 1},
         kAll,
         {"SETUP line \"SETUP movie.Mjpeg\" has no RTSP/1.0 version"}},
        {"SETUP movie.Mjpeg RTSP/1.0\nCSeq: 1\nCSeq: 2\nTransport: RTP/UDP; client_port= 25000",
         {"movie.Mjpeg", 25000, 1},
         kLabSetup.size() + 8,
         {"CSeq header appears more than once (line 2 is used, line 3 ignored)",
          "Transport is on line 4, not line 3: the lab's ServerWorker reads it by position"}},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(escape(c.wire));
        const auto p = rtsp.parse_request(b(c.wire));
        ASSERT_EQ(p.status, ParseStatus::Complete) << status_name(p.status) << (p.problems.empty() ? "" : p.problems[0]);
        EXPECT_EQ(*p.value, c.value);
        EXPECT_EQ(p.consumed, c.consumed == kAll ? c.wire.size() : c.consumed);
        EXPECT_EQ(p.problems, c.problems);
        EXPECT_EQ(p.seen, escape(c.wire));
    }
}

TEST(RtspRequest, RejectedVariantsSayWhy) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"SETUP movie.Mjpeg RTSP/1.0\nCSeq: 1\nTransport: RTP/UDP; client_port= 99999",
         "port 99999 is out of range 1..65535"},
        {"SETUP movie.Mjpeg RTSP/1.0\nCSeq: 1\nTransport: RTP/UDP; client_port= 0\n",
         "port 0 is out of range 1..65535"},
        {"SETUP movie.Mjpeg RTSP/1.0\nCSeq: 1\nTransport: RTP/UDP\n",
         "Transport \"RTP/UDP\" has no client_port, expected \"RTP/UDP; client_port= <port>\""},
        {"SETUP movie.Mjpeg RTSP/1.0\nCSeq: 1\nTransport: RTP/UDP; client_port= abc\n",
         "Transport \"RTP/UDP; client_port= abc\": client_port is not a number, expected \"RTP/UDP; "
         "client_port= <port>\""},
        {"SETUP movie.Mjpeg RTSP/1.0\nCSeq: one\nTransport: RTP/UDP; client_port= 25000",
         "CSeq \"one\" is not a number 0..4294967295"},
        {"SETUP movie.Mjpeg RTSP/1.0\nCSeq: \nTransport: RTP/UDP; client_port= 2",
         "CSeq \"\" is not a number 0..4294967295"},
        {"SETUP movie.Mjpeg RTSP/1.0\nCSeq: 1\n\n", "SETUP request without a Transport header"},
        {"SETUP movie.Mjpeg RTSP/1.0\nTransport: RTP/UDP; client_port= 25000\r\n\r\n",
         "SETUP request without a CSeq header"},
        {"SETUP my movie.Mjpeg RTSP/1.0\nCSeq: 1\nTransport: RTP/UDP; client_port= 25000",
         "SETUP line \"SETUP my movie.Mjpeg RTSP/1.0\" has 4 words, expected \"SETUP <fileName> RTSP/1.0\" (a file "
         "name cannot contain spaces)"},
        {"SETUP\nCSeq: 1\n", "SETUP line \"SETUP\" names no file, expected \"SETUP <fileName> RTSP/1.0\""},
        {"SETUP movie.Mjpeg RTSP/1.0\nCSeq 1\nTransport: RTP/UDP; client_port= 25000",
         "SETUP request line 2 \"CSeq 1\" is not a header (\"Name: value\")"},
        {"PLAY movie.Mjpeg RTSP/1.0\nCSeq: 1\n", "expected a SETUP request, got PLAY"},
        {"setup movie.Mjpeg RTSP/1.0\n", "expected a SETUP request, got \"setup movie.Mjpeg RTSP/1.0\""},
        {"movie.Mjpeg 25000", "expected a SETUP request, got \"movie.Mjpeg 25000\""},
        {"SETUPX", "expected a SETUP request, got \"SETUPX\""},
        {"SETUP movie\xff.Mjpeg RTSP/1.0\n", "SETUP request is not valid UTF-8: byte \\xff at offset 11"},
    };
    for (const auto& [wire, problem] : cases) {
        SCOPED_TRACE(escape(wire));
        const auto p = rtsp.parse_request(b(wire));
        EXPECT_EQ(p.status, ParseStatus::Invalid) << status_name(p.status);
        EXPECT_FALSE(p.value.has_value());
        EXPECT_THAT(p.problems, ElementsAre(problem));
        EXPECT_EQ(p.seen, escape(wire));
    }
    const std::string huge = "SETUP " + std::string(5000, 'a');
    EXPECT_THAT(rtsp.parse_request(b(huge)).problems,
                ElementsAre("SETUP request has no end within 4096 bytes (the longest accepted)"));
}

TEST(RtspRequest, IncompleteWhileItMayStillBecomeOne) {
    for (const std::string wire :
         {"", "\r\n", "S", "SETUP", "SETUP ", "SETUP movie.Mjpeg RTSP/1.0", "SETUP movie.Mjpeg RTSP/1.0\n",
          "SETUP movie.Mjpeg RTSP/1.0\nCSeq: 1", "SETUP movie.Mjpeg RTSP/1.0\nCSeq: 1\nTrans",
          "SETUP movie.Mjpeg RTSP/1.0\nCSeq: 1\nTransport: RTP/UDP; client_po",
          "SETUP movie.Mjpeg RTSP/1.0\nCSeq: 1\nTransport: RTP/UDP; client_port= ",
          "SETUP movie.Mjpeg RTSP/1.0\nCSeq: 1\nTransport: RTP/UDP; client_port= 0"}) {
        SCOPED_TRACE(escape(wire));
        const auto p = rtsp.parse_request(b(wire));
        EXPECT_EQ(p.status, ParseStatus::Incomplete) << status_name(p.status)
                                                     << (p.problems.empty() ? "" : p.problems[0]);
        EXPECT_EQ(p.consumed, 0u);
        EXPECT_FALSE(p.value.has_value());
    }
    // What is still missing is said, for a runner that gives up waiting.
    EXPECT_THAT(rtsp.parse_request(b("SETUP movie.Mjpeg RTSP/1.0\nCSeq: 1\n")).problems,
                ElementsAre("SETUP request without a Transport header (so far)"));
}

// Every prefix of a valid message is never Invalid; a prefix shorter than
// `complete_from` (without all the required headers) is Incomplete; the whole
// is Complete. Longer prefixes may be Complete early (an unterminated last
// value, like tpc3's digits: the caller's idle time decides) or Incomplete
// again (an optional header in progress).
template <typename Parse>
void expect_prefixes_never_invalid(const std::string& wire, Parse parse, std::size_t complete_from) {
    for (std::size_t n = 0; n <= wire.size(); ++n) {
        const auto p = parse(b(wire.substr(0, n)));
        EXPECT_NE(p.status, ParseStatus::Invalid) << escape(wire.substr(0, n)) << ": " << p.problems.front();
        if (n < complete_from) {
            EXPECT_EQ(p.status, ParseStatus::Incomplete) << escape(wire.substr(0, n));
        }
        if (n == complete_from || n == wire.size()) {
            EXPECT_EQ(p.status, ParseStatus::Complete) << escape(wire.substr(0, n));
        }
    }
}

TEST(RtspRequest, SplitAtEveryByte) {
    const auto parse = [](const Bytes& x) { return rtsp.parse_request(x); };
    expect_prefixes_never_invalid(kLabSetup, parse, kLabSetup.size() - 4);  // "client_port= 2" is a port already
    const std::string crlf = "SETUP movie.Mjpeg RTSP/1.0\r\nCSeq: 1\r\nTransport: RTP/UDP; client_port= 25000\r\n\r\n";
    expect_prefixes_never_invalid(crlf, parse, crlf.find("25000") + 1);
    EXPECT_EQ(rtsp.parse_request(b(crlf.substr(0, crlf.find("25000") + 3))).value->udp_port, 250);
}

TEST(RtspRequest, CoalescedWithThePlay) {
    const std::string both = kLabSetup + "\n" + kLabPlay;
    const auto p = rtsp.parse_request(b(both));
    ASSERT_EQ(p.status, ParseStatus::Complete);
    EXPECT_EQ(p.consumed, kLabSetup.size() + 1);
    const auto go = rtsp.parse_go(b(both.substr(p.consumed)));
    EXPECT_EQ(go.status, ParseStatus::Complete);
    EXPECT_EQ(go.consumed, kLabPlay.size());
}

// ---------------------------------------------------------------- replies

TEST(RtspReply, OkAndNotFound) {
    const std::vector<std::tuple<std::string, Reply, std::size_t, std::vector<std::string>>> cases = {
        {kLabReply, {483920, 1}, kLabReply.size(), {}},
        {kLabReply + "\r\n\r\n", {483920, 1}, kLabReply.size() + 4, {}},
        {"RTSP/1.0 200 OK\r\nCSeq: 1\r\nSession: 483920;timeout=60\r\n\r\n", {483920, 1}, kAll, {}},
        {kNotFound, {-1, 1}, kNotFound.size(), {}},
        {"RTSP/1.0 404 Not Found\r\nCSeq: 1\r\n\r\n", {-1, 1}, kAll, {}},
        {"RTSP/1.0 200 OK\nSession: 7\nCSeq: 2",
         {7, 2},
         kAll,
         {"CSeq is on line 3, not line 2: the lab's Client reads it by position",
          "Session is on line 2, not line 3: the lab's Client reads it by position"}},
        {"RTSP/1.1 200 OK\nCSeq: 1\nSession: 5", {5, 1}, kAll,
         {"status line \"RTSP/1.1 200 OK\" has version \"RTSP/1.1\", expected \"RTSP/1.0\""}},
    };
    for (const auto& [wire, value, consumed, problems] : cases) {
        SCOPED_TRACE(escape(wire));
        const auto p = rtsp.parse_reply(b(wire));
        ASSERT_EQ(p.status, ParseStatus::Complete) << (p.problems.empty() ? "" : p.problems[0]);
        EXPECT_EQ(*p.value, value);
        EXPECT_EQ(p.value->not_found(), value.session_id == -1);
        EXPECT_EQ(p.consumed, consumed == kAll ? wire.size() : consumed);
        EXPECT_EQ(p.problems, problems);
    }
}

TEST(RtspReply, ErrorsAndBadValues) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"RTSP/1.0 500 CONNECTION ERROR\nCSeq: 1",
         "the server answered \"500 CONNECTION ERROR\": connection error (the lab's 500 CONNECTION ERROR), no session"},
        {"RTSP/1.0 403 Forbidden\n", "the server answered \"403 Forbidden\", expected 200 OK or 404 NOT FOUND"},
        {"RTSP/1.0 200 OK\nCSeq: 1\nSession: abc\n", "Session \"abc\" is not a SessionID 0..4294967295"},
        {"RTSP/1.0 200 OK\nCSeq: 1\nSession: 4294967296\n", "Session \"4294967296\" is not a SessionID 0..4294967295"},
        {"RTSP/1.0 200 OK\nCSeq: 1\n\n", "200 reply without a Session header"},
        {"RTSP/1.0\n", "status line \"RTSP/1.0\" has no status code"},
        {"483920", "expected an RTSP reply (\"RTSP/1.0 200 OK\"), got \"483920\""},
        {"HTTP/1.1 200 OK\r\n", "expected an RTSP reply (\"RTSP/1.0 200 OK\"), got \"HTTP/1.1 200 OK\""},
    };
    for (const auto& [wire, problem] : cases) {
        SCOPED_TRACE(escape(wire));
        const auto p = rtsp.parse_reply(b(wire));
        EXPECT_EQ(p.status, ParseStatus::Invalid) << status_name(p.status);
        EXPECT_THAT(p.problems, ElementsAre(problem));
    }
}

TEST(RtspReply, SplitAtEveryByteAndCoalesced) {
    const auto parse = [](const Bytes& x) { return rtsp.parse_reply(x); };
    expect_prefixes_never_invalid(kLabReply, parse, kLabReply.size() - 5);
    expect_prefixes_never_invalid(kNotFound, parse, kNotFound.size());
    const auto first = rtsp.parse_reply(b(kLabReply + "\n" + kLabPlayReply));
    ASSERT_EQ(first.status, ParseStatus::Complete);
    EXPECT_EQ(first.consumed, kLabReply.size() + 1);
    EXPECT_EQ(first.value->cseq, 1u);
}

// ---------------------------------------------------------------- PLAY

TEST(RtspGo, PlayAndTheOtherMethods) {
    const auto no_session = rtsp.parse_go(b("PLAY movie.Mjpeg RTSP/1.0\r\nCSeq: 2\r\n\r\n"));
    ASSERT_EQ(no_session.status, ParseStatus::Complete);
    EXPECT_EQ(*no_session.value, (Go{"movie.Mjpeg", 2, std::nullopt}));
    EXPECT_THAT(no_session.problems,
                ElementsAre("PLAY request without a Session header (the lab asks for the SETUP reply's Session)"));
    const std::vector<std::pair<std::string, std::string>> rejected = {
        {"PAUSE movie.Mjpeg RTSP/1.0\nCSeq: 3\nSession: 483920",
         "expected PLAY, got PAUSE (PAUSE and TEARDOWN come after streaming started; Go is PLAY)"},
        {"TEARDOWN movie.Mjpeg RTSP/1.0\nCSeq: 3\nSession: 483920",
         "expected PLAY, got TEARDOWN (the client ended the session instead of starting it)"},
        {"SETUP movie.Mjpeg RTSP/1.0\nCSeq: 2\nTransport: RTP/UDP; client_port= 25000",
         "expected PLAY, got a second SETUP"},
        {"PAU", "expected PLAY, got \"PAU\""},
        {"Go", "expected PLAY, got \"Go\""},
        {"play movie.Mjpeg RTSP/1.0\n", "expected PLAY, got \"play movie.Mjpeg RTSP/1.0\""},
        {"PLAY movie.Mjpeg RTSP/1.0\nCSeq: 2\nSession: x\n", "Session \"x\" is not a SessionID 0..4294967295"},
        {"PLAY movie.Mjpeg RTSP/1.0\nSession: 1\n\n", "PLAY request without a CSeq header"},
    };
    for (const auto& [wire, problem] : rejected) {
        SCOPED_TRACE(escape(wire));
        const auto p = rtsp.parse_go(b(wire));
        EXPECT_EQ(p.status, ParseStatus::Invalid) << status_name(p.status);
        EXPECT_THAT(p.problems, ElementsAre(problem));
    }
    const auto parse = [](const Bytes& x) { return rtsp.parse_go(x); };
    expect_prefixes_never_invalid(kLabPlay, parse, kLabPlay.find("CSeq: 2") + 7);
}

// ---------------------------------------------------------------- hostile input

template <typename T>
void expect_consistent(const Parsed<T>& p, const Bytes& wire) {
    switch (p.status) {
        case ParseStatus::Complete:
            ASSERT_TRUE(p.value.has_value()) << escape(wire);
            EXPECT_GE(p.consumed, 1u);
            EXPECT_LE(p.consumed, wire.size());
            break;
        case ParseStatus::Incomplete:
            EXPECT_FALSE(p.value.has_value());
            EXPECT_EQ(p.consumed, 0u);
            break;
        case ParseStatus::Invalid:
            EXPECT_FALSE(p.value.has_value());
            EXPECT_FALSE(p.problems.empty()) << escape(wire);
            break;
    }
}

template <typename T, typename Parse>
void expect_round_trip(const Parsed<T>& p, Parse parse, const Bytes& wire) {
    if (p.status != ParseStatus::Complete) return;
    const Bytes again = rtsp.encode(*p.value);
    const auto q = parse(again);
    ASSERT_EQ(q.status, ParseStatus::Complete) << escape(wire) << " -> " << escape(again);
    EXPECT_EQ(*q.value, *p.value) << escape(wire);
    EXPECT_EQ(q.consumed, again.size()) << escape(wire);
}

TEST(RtspHostile, RandomAndMutatedBytesNeverCrashAndRoundTrip) {
    std::mt19937 rng(20261126);
    const std::vector<std::string> seeds = {kLabSetup, kLabReply, kLabPlay, kNotFound,
                                            "SETUP a RTSP/1.0\r\nCSeq: 1\r\nTransport: RTP/UDP;client_port=9-10\r\n\r\n"};
    const std::string alphabet = "SETUPLAYRTS/1.0 \r\n:;=-0123456789CSeqTransportSession\xff\xc3";
    int complete = 0;
    for (int i = 0; i < 20000; ++i) {
        Bytes wire = b(seeds[rng() % seeds.size()]);
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits; ++e) {
            const auto at = rng() % (wire.size() + 1);
            const auto c = i % 3 == 0 ? static_cast<std::uint8_t>(rng())
                                      : static_cast<std::uint8_t>(alphabet[rng() % alphabet.size()]);
            switch (rng() % 3) {
                case 0: if (at < wire.size()) wire[at] = c; break;
                case 1: wire.insert(wire.begin() + static_cast<long>(at), c); break;
                default: if (at < wire.size()) wire.erase(wire.begin() + static_cast<long>(at)); break;
            }
        }
        const auto r = rtsp.parse_request(wire);
        const auto y = rtsp.parse_reply(wire);
        const auto g = rtsp.parse_go(wire);
        expect_consistent(r, wire);
        expect_consistent(y, wire);
        expect_consistent(g, wire);
        expect_round_trip(r, [](const Bytes& x) { return rtsp.parse_request(x); }, wire);
        expect_round_trip(y, [](const Bytes& x) { return rtsp.parse_reply(x); }, wire);
        expect_round_trip(g, [](const Bytes& x) { return rtsp.parse_go(x); }, wire);
        complete += r.status == ParseStatus::Complete || y.status == ParseStatus::Complete ||
                    g.status == ParseStatus::Complete;
        if (HasFailure()) break;
    }
    EXPECT_GT(complete, 100);
}

TEST(RtspHostile, LongAndManyLines) {
    std::string many = "SETUP a RTSP/1.0\n";
    while (many.size() < 5000) many += "X-Pad: 0123456789\n";
    EXPECT_EQ(rtsp.parse_request(b(many)).status, ParseStatus::Invalid);
    const std::string blank_lines(100000, '\n');
    EXPECT_EQ(rtsp.parse_request(b(blank_lines)).status, ParseStatus::Incomplete);
    EXPECT_EQ(rtsp.parse_reply(b(std::string(100000, 'R'))).status, ParseStatus::Invalid);
}

// ---------------------------------------------------------------- detection and registry

TEST(RtspDialect, DetectedBySetupSpace) {
    EXPECT_TRUE(rtsp.recognises_first_message(b(kLabSetup)));
    EXPECT_TRUE(rtsp.recognises_first_message(b("SETUP ")));
    EXPECT_FALSE(rtsp.recognises_first_message(b("SETUP")));
    EXPECT_FALSE(rtsp.recognises_first_message(b(" SETUP movie.Mjpeg RTSP/1.0")));
    EXPECT_FALSE(rtsp.recognises_first_message(b("movie.mpeg 25000")));
    EXPECT_FALSE(rtsp.recognises_first_message(b(kLabPlay)));
    EXPECT_EQ(detect_dialect(b(kLabSetup)).name(), "rtsp");
    EXPECT_EQ(detect_dialect(b("SETUP movie.Mjpeg RTSP/1.0\r\n")).name(), "rtsp");
    EXPECT_EQ(detect_dialect(b("movie.mpeg 25000")).name(), "tpc3");
    EXPECT_EQ(detect_dialect(Bytes{0x80, 0x04}).name(), "tpc3-pickle");
    EXPECT_THAT(dialect_names(), ElementsAre("tpc3", "tpc3-pickle", "rtsp"));
    ASSERT_NE(find_dialect("rtsp"), nullptr);
    EXPECT_EQ(find_dialect("rtsp")->name(), "rtsp");
}

}  // namespace
}  // namespace tpc3::control
