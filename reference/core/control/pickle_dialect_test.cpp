#include "control/dialect.h"
#include "control/pickle_dialect.h"
#include "control/pickle_subset.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace tpc3::control {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const Tpc3PickleDialect dialect;

Bytes b(const std::string& s) { return Bytes(s.begin(), s.end()); }
Bytes cat(Bytes a, const Bytes& c) {
    a.insert(a.end(), c.begin(), c.end());
    return a;
}
const char* status_name(ParseStatus st) {
    switch (st) {
        case ParseStatus::Complete: return "Complete";
        case ParseStatus::Incomplete: return "Incomplete";
        case ParseStatus::Invalid: return "Invalid";
    }
    return "?";
}

// Bytes of the pickles Python writes, as literals (what Python 3.11 wrote when this test was made).
const Bytes kRequestMovie25000 = {0x80, 0x04, 0x95, 0x13, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x8c,
                                  0x0a, 'm',  'o',  'v',  'i',  'e',  '.',  'm',  'p',  'e',  'g',  0x94,
                                  0x4d, 0xa8, 0x61, 0x86, 0x94, 0x2e};
const Bytes kReplyMinus1 = {0x80, 0x04, 0x95, 0x06, 0, 0, 0, 0, 0, 0, 0, 0x4a, 0xff, 0xff, 0xff, 0xff, 0x2e};
const Bytes kReply483920 = {0x80, 0x04, 0x95, 0x06, 0, 0, 0, 0, 0, 0, 0, 0x4a, 0x50, 0x62, 0x07, 0x00, 0x2e};
const Bytes kReplyMax = {0x80, 0x04, 0x95, 0x08, 0, 0, 0, 0, 0, 0, 0, 0x8a, 0x05, 0xff, 0xff, 0xff, 0xff, 0x00, 0x2e};
const Bytes kGo = {0x80, 0x04, 0x95, 0x06, 0, 0, 0, 0, 0, 0, 0, 0x8c, 0x02, 'G', 'o', 0x94, 0x2e};

// ---------------------------------------------------------------- Python at test time

struct PythonRun {
    bool available = false;
    std::vector<Bytes> outputs;  // one per line of hex the script printed
};

// Runs a Python script that prints one hex string per line.
PythonRun run_python(const std::string& script) {
    PythonRun run;
    if (access(TPC3_PYTHON, X_OK) != 0) return run;
    const auto path = std::filesystem::temp_directory_path() /
                      ("tpc3_pickle_test_" + std::to_string(getpid()) + ".py");
    struct Remove {
        std::filesystem::path p;
        ~Remove() { std::filesystem::remove(p); }
    } remove{path};
    std::ofstream(path) << script;
    const std::string cmd = std::string(TPC3_PYTHON) + " " + path.string();
    FILE* pipe = popen(cmd.c_str(), "r");
    if (pipe == nullptr) return run;
    std::string text;
    char buf[4096];
    std::size_t n;
    while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) text.append(buf, n);
    if (pclose(pipe) != 0) return run;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        Bytes bytes;
        for (std::size_t i = 0; i + 1 < line.size(); i += 2) {
            bytes.push_back(static_cast<std::uint8_t>(std::stoi(line.substr(i, 2), nullptr, 16)));
        }
        run.outputs.push_back(bytes);
    }
    run.available = true;
    return run;
}

std::string py_str(const std::string& s) {  // a Python str literal of UTF-8 text
    std::string out = "bytes([";
    for (const char c : s) out += std::to_string(static_cast<unsigned char>(c)) + ",";
    return out + "]).decode('utf-8')";
}

// ---------------------------------------------------------------- encoders

TEST(PickleEncode, LiteralBytesOfPython3) {
    EXPECT_EQ(dialect.encode(Request{"movie.mpeg", 25000}), kRequestMovie25000);
    EXPECT_EQ(dialect.encode(Reply{}), kReplyMinus1);
    EXPECT_EQ(dialect.encode(Reply{483920}), kReply483920);
    EXPECT_EQ(dialect.encode(Reply{4294967295}), kReplyMax);
    EXPECT_EQ(dialect.encode(Go{}), kGo);
    EXPECT_EQ(dialect.encode(Reply{0}), (Bytes{0x80, 0x04, 0x4b, 0x00, 0x2e}));  // no FRAME under 4 bytes
    EXPECT_EQ(dialect.encode(Reply{256}), (Bytes{0x80, 0x04, 0x95, 0x04, 0, 0, 0, 0, 0, 0, 0, 0x4d, 0x00, 0x01, 0x2e}));
}

struct EncodeCase {
    std::string python;  // the Python expression
    Bytes ours;
};

TEST(PickleEncode, SameBytesAsPythonAtTestTime) {
    const std::string long_name(300, 'x');  // BINUNICODE instead of SHORT_BINUNICODE
    const std::string name255(255, 'y');
    std::vector<EncodeCase> cases;
    for (const std::string& file : {std::string("movie.mpeg"), std::string("film\xc3\xa9 \xe2\x82\xac.Mjpeg"),
                                    std::string("a"), name255, long_name, std::string("")}) {
        for (const int port : {1, 255, 256, 25000, 65535}) {
            cases.push_back({"(" + py_str(file) + ", " + std::to_string(port) + ")",
                             dialect.encode(Request{file, static_cast<std::uint16_t>(port)})});
        }
    }
    for (const std::int64_t id : {std::int64_t{-1}, std::int64_t{0}, std::int64_t{255}, std::int64_t{256},
                                  std::int64_t{65535}, std::int64_t{65536}, std::int64_t{100000},
                                  std::int64_t{483920}, std::int64_t{999999}, std::int64_t{2147483647},
                                  std::int64_t{2147483648}, std::int64_t{4294967295}}) {
        cases.push_back({std::to_string(id), dialect.encode(Reply{id})});
    }
    cases.push_back({"'Go'", dialect.encode(Go{})});
    // Values beyond the messages, for the encoder of the subset.
    for (const std::int64_t v : {std::int64_t{-2147483648LL}, std::int64_t{-2147483649LL}, std::int64_t{-128},
                                 std::int64_t{-129}, std::int64_t{-256}, std::int64_t{-32768},
                                 std::int64_t{9223372036854775807LL}, std::int64_t{-9223372036854775807LL - 1}}) {
        cases.push_back({std::to_string(v) + (v == std::numeric_limits<std::int64_t>::min() ? "" : ""),
                         pickle::dumps(*pickle::Value::make_int(v))});
    }
    cases.back().python = "-9223372036854775808";

    std::string script = "import pickle, sys\nassert pickle.DEFAULT_PROTOCOL >= 4\n";
    for (const auto& c : cases) script += "print(pickle.dumps(" + c.python + ", protocol=4).hex())\n";
    // And with the default protocol, when it is 4 (Python 3.8-3.13).
    script += "if pickle.DEFAULT_PROTOCOL == 4:\n";
    for (const auto& c : cases) script += "    print(pickle.dumps(" + c.python + ").hex())\n";
    const PythonRun py = run_python(script);
    if (!py.available) GTEST_SKIP() << TPC3_PYTHON << " did not run";
    ASSERT_TRUE(py.outputs.size() == cases.size() || py.outputs.size() == 2 * cases.size()) << py.outputs.size();
    for (std::size_t i = 0; i < py.outputs.size(); ++i) {
        const auto& c = cases[i % cases.size()];
        EXPECT_EQ(c.ours, py.outputs[i]) << "pickle.dumps(" << c.python << ")" << (i >= cases.size() ? " default" : "")
                                         << ": ours " << escape(c.ours) << ", Python's " << escape(py.outputs[i]);
    }
}

// ---------------------------------------------------------------- what Python writes, decoded

TEST(PickleDecode, EveryProtocolPythonWrites) {
    std::string script = "import pickle\n";
    for (int p = 0; p <= 5; ++p) {
        const std::string ps = std::to_string(p);
        script += "print(pickle.dumps(('movie.mpeg', 25000), protocol=" + ps + ").hex())\n";
        script += "print(pickle.dumps((" + py_str("f\xc3\xa9\xe2\x82\xac\xf0\x9f\x8e\xac.mpeg") + ", 65535), protocol=" +
                  ps + ").hex())\n";
        script += "print(pickle.dumps(483920, protocol=" + ps + ").hex())\n";
        script += "print(pickle.dumps(-1, protocol=" + ps + ").hex())\n";
        script += "print(pickle.dumps(4294967295, protocol=" + ps + ").hex())\n";
        script += "print(pickle.dumps('Go', protocol=" + ps + ").hex())\n";
    }
    const PythonRun py = run_python(script);
    if (!py.available) GTEST_SKIP() << TPC3_PYTHON << " did not run";
    ASSERT_EQ(py.outputs.size(), 36u);
    for (int p = 0; p <= 5; ++p) {
        SCOPED_TRACE("protocol " + std::to_string(p));
        const Bytes* m = &py.outputs[static_cast<std::size_t>(p) * 6];
        const std::vector<std::string> proto_problem =
            p < 2 ? std::vector<std::string>{"protocol " + std::to_string(p) +
                                             " pickle (Python 3 writes protocol 4 by default; a first message "
                                             "without PROTO 0x80 is not detected as tpc3-pickle)"}
                  : std::vector<std::string>{};
        const auto req = dialect.parse_request(m[0]);
        ASSERT_EQ(req.status, ParseStatus::Complete) << escape(m[0]) << (req.problems.empty() ? "" : req.problems[0]);
        EXPECT_EQ(*req.value, (Request{"movie.mpeg", 25000}));
        EXPECT_EQ(req.consumed, m[0].size());
        EXPECT_EQ(req.problems, proto_problem);
        const auto uni = dialect.parse_request(m[1]);
        ASSERT_EQ(uni.status, ParseStatus::Complete) << escape(m[1]) << (uni.problems.empty() ? "" : uni.problems[0]);
        EXPECT_EQ(*uni.value, (Request{"f\xc3\xa9\xe2\x82\xac\xf0\x9f\x8e\xac.mpeg", 65535}));
        EXPECT_EQ(dialect.parse_reply(m[2]).value, (Reply{483920}));
        EXPECT_EQ(dialect.parse_reply(m[3]).value, (Reply{-1}));
        EXPECT_EQ(dialect.parse_reply(m[4]).value, (Reply{4294967295}));
        const auto go = dialect.parse_go(m[5]);
        EXPECT_EQ(go.status, ParseStatus::Complete) << escape(m[5]);
        EXPECT_EQ(go.consumed, m[5].size());
        EXPECT_EQ(go.problems, proto_problem);
        // Every strict prefix of what Python wrote is Incomplete, never Invalid.
        for (std::size_t k = 0; k < 6; ++k) {
            for (std::size_t n = 0; n < m[k].size(); ++n) {
                const Bytes prefix(m[k].begin(), m[k].begin() + static_cast<long>(n));
                EXPECT_EQ(dialect.parse_request(prefix).status, ParseStatus::Incomplete) << escape(prefix);
                EXPECT_EQ(dialect.parse_reply(prefix).status, ParseStatus::Incomplete) << escape(prefix);
            }
        }
    }
}

// ---------------------------------------------------------------- round trips and splits

TEST(PickleDialect, EncodedMessagesParseBackToTheSameValue) {
    for (const Request& r : {Request{"movie.mpeg", 25000}, Request{"a", 1}, Request{"film\xc3\xa9.Mjpeg", 65535},
                             Request{std::string(300, 'z'), 5008}, Request{"", 80}}) {
        const Bytes wire = dialect.encode(r);
        const auto p = dialect.parse_request(wire);
        ASSERT_EQ(p.status, ParseStatus::Complete) << r.file;
        EXPECT_EQ(*p.value, r);
        EXPECT_EQ(p.consumed, wire.size());
        EXPECT_THAT(p.problems, IsEmpty());
    }
    for (const std::int64_t id : {std::int64_t{-1}, std::int64_t{0}, std::int64_t{255}, std::int64_t{65536},
                                  std::int64_t{2147483648}, std::int64_t{4294967295}}) {
        const auto p = dialect.parse_reply(dialect.encode(Reply{id}));
        ASSERT_EQ(p.status, ParseStatus::Complete) << id;
        EXPECT_EQ(p.value->session_id, id);
        EXPECT_THAT(p.problems, IsEmpty());
    }
    const auto go = dialect.parse_go(dialect.encode(Go{}));
    EXPECT_EQ(go.status, ParseStatus::Complete);
    EXPECT_EQ(go.consumed, kGo.size());
}

TEST(PickleDialect, EveryPrefixIsIncompleteAndTheWholeIsComplete) {
    for (const Bytes& wire : {kRequestMovie25000, kReplyMinus1, kReply483920, kReplyMax, kGo}) {
        for (std::size_t n = 0; n < wire.size(); ++n) {
            const Bytes prefix(wire.begin(), wire.begin() + static_cast<long>(n));
            const auto req = dialect.parse_request(prefix);
            EXPECT_EQ(req.status, ParseStatus::Incomplete) << escape(prefix) << status_name(req.status);
            EXPECT_EQ(req.consumed, 0u);
            EXPECT_EQ(dialect.parse_reply(prefix).status, ParseStatus::Incomplete) << escape(prefix);
            if (n >= 1) {
                EXPECT_EQ(dialect.parse_go(prefix).status, ParseStatus::Incomplete) << escape(prefix);
            }
        }
    }
}

TEST(PickleDialect, SplitAndCoalescedMessages) {
    Bytes buffer(kRequestMovie25000.begin(), kRequestMovie25000.begin() + 13);
    EXPECT_EQ(dialect.parse_request(buffer).status, ParseStatus::Incomplete);
    buffer.assign(kRequestMovie25000.begin(), kRequestMovie25000.end());
    const Bytes both = cat(buffer, kGo);  // a client that did not wait for the reply
    const auto p = dialect.parse_request(both);
    ASSERT_EQ(p.status, ParseStatus::Complete);
    EXPECT_EQ(p.consumed, kRequestMovie25000.size());
    const Bytes rest(both.begin() + static_cast<long>(p.consumed), both.end());
    EXPECT_EQ(dialect.parse_go(rest).status, ParseStatus::Complete);
    const auto raw = dialect.parse_go(cat(b("Go"), kGo));
    EXPECT_EQ(raw.status, ParseStatus::Complete);
    EXPECT_EQ(raw.consumed, 2u);
}

// ---------------------------------------------------------------- Go

TEST(PickleGo, RawBytesOrAPickledStr) {
    const std::vector<std::pair<Bytes, std::size_t>> accepted = {
        {b("Go"), 2}, {b("Go\n"), 3}, {b("Go\r\n"), 4}, {b("Go\r"), 2}, {kGo, kGo.size()}};
    for (const auto& [wire, consumed] : accepted) {
        const auto p = dialect.parse_go(wire);
        EXPECT_EQ(p.status, ParseStatus::Complete) << escape(wire);
        EXPECT_EQ(p.consumed, consumed) << escape(wire);
        EXPECT_THAT(p.problems, IsEmpty());
    }
    EXPECT_EQ(dialect.parse_go(b("")).status, ParseStatus::Incomplete);
    EXPECT_EQ(dialect.parse_go(b("G")).status, ParseStatus::Incomplete);
    const auto gx = dialect.parse_go(b("Gx"));
    EXPECT_EQ(gx.status, ParseStatus::Invalid);
    EXPECT_THAT(gx.problems, ElementsAre("expected b\"Go\" or pickle.dumps(\"Go\"), got \"Gx\""));
    // pickle.dumps(b"Go") and pickle.dumps("go")
    const Bytes pickled_bytes = {0x80, 0x04, 0x95, 0x06, 0, 0, 0, 0, 0, 0, 0, 0x43, 0x02, 'G', 'o', 0x94, 0x2e};
    EXPECT_THAT(dialect.parse_go(pickled_bytes).problems,
                ElementsAre("expected b\"Go\" or pickle.dumps(\"Go\"), got a pickle of b'Go' (bytes, not a string)"));
    Bytes lower = kGo;
    lower[13] = 'g';
    EXPECT_THAT(dialect.parse_go(lower).problems,
                ElementsAre("expected b\"Go\" or pickle.dumps(\"Go\"), got a pickle of 'go'"));
    EXPECT_EQ(dialect.parse_go(b("go")).status, ParseStatus::Incomplete);  // 'g' is GET: a line may follow
    EXPECT_THAT(dialect.parse_go(b("go\n")).problems, ElementsAre(HasSubstr("GET (0x67) at offset 0: memo key \"o\"")));
}

// ---------------------------------------------------------------- problems

Bytes pickle_of(const pickle::ValuePtr& v) { return pickle::dumps(*v); }
using pickle::Value;

TEST(PickleDialect, WrongTypesAndRangesAreInvalidAndNamed) {
    const std::vector<std::pair<Bytes, std::string>> requests = {
        {pickle_of(Value::make_tuple({Value::make_str("movie.mpeg"), Value::make_int(99999)})),
         "port 99999 is out of range 1..65535"},
        {pickle_of(Value::make_tuple({Value::make_str("movie.mpeg"), Value::make_int(0)})),
         "port 0 is out of range 1..65535"},
        {pickle_of(Value::make_tuple({Value::make_str("movie.mpeg"), Value::make_int(-1)})),
         "port -1 is out of range 1..65535"},
        {pickle_of(Value::make_tuple({Value::make_str("movie.mpeg"), Value::make_str("25000")})),
         "port is a string ('25000'), not an int: expected a (fileName, UDPDataPort) tuple (('movie.mpeg', '25000'))"},
        {pickle_of(Value::make_tuple({Value::make_int(25000), Value::make_str("movie.mpeg")})),
         "file name is an int (25000), not a string: expected a (fileName, UDPDataPort) tuple ((25000, "
         "'movie.mpeg'))"},
        {pickle_of(Value::make_tuple({Value::make_str("movie.mpeg"), Value::make_bool(true)})),
         "port is a bool (True), not an int: expected a (fileName, UDPDataPort) tuple (('movie.mpeg', True))"},
        {pickle_of(Value::make_str("movie.mpeg 25000")),
         "request is a string ('movie.mpeg 25000'), expected a (fileName, UDPDataPort) tuple"},
        {pickle_of(Value::make_tuple({Value::make_str("movie.mpeg"), Value::make_int(25000), Value::make_int(1)})),
         "request is a tuple of 3 items (('movie.mpeg', 25000, 1)), expected a (fileName, UDPDataPort) tuple"},
        // pickle.dumps(["movie.mpeg", 25000])
        {{0x80, 0x04, 0x95, 0x14, 0, 0, 0, 0, 0, 0, 0, 0x5d, 0x94, 0x28, 0x8c, 0x0a, 'm', 'o', 'v', 'i', 'e', '.',
          'm', 'p', 'e', 'g', 0x94, 0x4d, 0xa8, 0x61, 0x65, 0x2e},
         "request is not a pickle of the expected kind: opcode EMPTY_LIST (0x5d) at offset 11 is not part of a "
         "TPC3 control message (only str, bytes, int, bool, None and tuples)"},
    };
    for (const auto& [wire, problem] : requests) {
        const auto p = dialect.parse_request(wire);
        EXPECT_EQ(p.status, ParseStatus::Invalid) << escape(wire);
        EXPECT_THAT(p.problems, ElementsAre(problem)) << escape(wire);
        EXPECT_EQ(p.seen, escape(wire));
    }
    const std::vector<std::pair<Bytes, std::string>> replies = {
        {pickle_of(Value::make_str("483920")),
         "SessionID is a string ('483920'), not an int (0..4294967295, or -1)"},
        {pickle_of(Value::make_int(4294967296)), "SessionID 4294967296 is out of range 0..4294967295"},
        {pickle_of(Value::make_int(-2)), "SessionID -2 is negative: only -1 (file not found) is allowed"},
        {pickle_of(Value::make_none()), "SessionID is None (None), not an int (0..4294967295, or -1)"},
        {pickle_of(Value::make_tuple({Value::make_int(483920)})),
         "SessionID is a tuple ((483920,)), not an int (0..4294967295, or -1)"},
        // LONG1 of 9 bytes: beyond 64 bits
        {{0x80, 0x04, 0x95, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0x8a, 0x09, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x2e},
         "SessionID <int of 9 bytes> is out of range 0..4294967295"},
    };
    for (const auto& [wire, problem] : replies) {
        const auto p = dialect.parse_reply(wire);
        EXPECT_EQ(p.status, ParseStatus::Invalid) << escape(wire);
        EXPECT_THAT(p.problems, ElementsAre(problem)) << escape(wire);
    }
}

TEST(PickleDialect, TolerableDeviationsAreCompleteWithProblems) {
    // pickle.dumps(("movie.mpeg", 25000), protocol=0)
    const Bytes p0 = b("(Vmovie.mpeg\np0\nI25000\ntp1\n.");
    const auto a = dialect.parse_request(p0);
    ASSERT_EQ(a.status, ParseStatus::Complete);
    EXPECT_EQ(*a.value, (Request{"movie.mpeg", 25000}));
    EXPECT_THAT(a.problems, ElementsAre(HasSubstr("protocol 0 pickle")));
    // (b"movie.mpeg", 25000)
    const auto c = dialect.parse_request(
        pickle_of(Value::make_tuple({Value::make_bytes("movie.mpeg"), Value::make_int(25000)})));
    ASSERT_EQ(c.status, ParseStatus::Complete);
    EXPECT_EQ(*c.value, (Request{"movie.mpeg", 25000}));
    EXPECT_THAT(c.problems, ElementsAre("file name is bytes (b'movie.mpeg'), not a string"));
    // Python 2's pickle.dumps(("movie.mpeg", 25000), 2): SHORT_BINSTRING
    const Bytes py2 = {0x80, 0x02, 'U', 0x0a, 'm', 'o', 'v', 'i', 'e', '.', 'm', 'p', 'e', 'g', 'q', 0x00,
                       'M', 0xa8, 0x61, 0x86, 'q', 0x01, '.'};
    const auto d = dialect.parse_request(py2);
    ASSERT_EQ(d.status, ParseStatus::Complete);
    EXPECT_EQ(*d.value, (Request{"movie.mpeg", 25000}));
    EXPECT_THAT(d.problems, ElementsAre(HasSubstr("Python 2 str")));
    // Protocol 0 with \u escapes and a LONG line; True/False lines of INT.
    const auto e = dialect.parse_request(b("(V\\u00e9t\\U0001f3ac\nL25000L\ntp0\n."));
    ASSERT_EQ(e.status, ParseStatus::Complete) << (e.problems.empty() ? "" : e.problems[0]);
    EXPECT_EQ(e.value->file, "\xc3\xa9t\xf0\x9f\x8e\xac");
    EXPECT_EQ(dialect.parse_reply(b("I01\n.")).problems.back(), "SessionID is a bool (True), not an int (0..4294967295, or -1)");
}

// Fuzz reproducers fuzz/parsers/crashes/control/pickle_request_bytes_name_proto{3,0}.bin:
// pickle.dumps((b"\xff\xfe", 7)) parsed Complete, then its re-encoding as a str did not parse.
TEST(PickleDialect, BytesFileNameThatIsNotUtf8IsInvalidAtItsOffset) {
    const Bytes proto3 = {0x80, 0x03, 'C', 0x02, 0xff, 0xfe, 'K', 0x07, 0x86, 'q', 0x00, '.'};
    const auto p = dialect.parse_request(proto3);
    EXPECT_EQ(p.status, ParseStatus::Invalid);
    EXPECT_FALSE(p.value.has_value());
    EXPECT_THAT(p.problems, ElementsAre("file name is bytes (b'\\xff\\xfe') that are not valid UTF-8 (byte 0xff at "
                                        "offset 4): a file name must be text"));
    const Bytes proto0 = b("(C\x02\xff\xfeI7\nt.");
    EXPECT_THAT(dialect.parse_request(proto0).problems,
                ElementsAre(HasSubstr("protocol 0 pickle"), HasSubstr("(byte 0xff at offset 3)")));
    // The bad byte is located inside the name, whatever opcode carried it: BINBYTES, after a good UTF-8 prefix.
    const Bytes binbytes = {0x80, 0x04, 'B', 0x04, 0, 0, 0, 0xc3, 0xa9, 'a', 0xc3, 'K', 0x07, 0x86, '.'};
    EXPECT_THAT(dialect.parse_request(binbytes).problems, ElementsAre(HasSubstr("(byte 0xc3 at offset 10)")));
    // Bytes that are valid UTF-8 name the same file as the str: Complete, noted, and they round-trip.
    const auto ok = dialect.parse_request(
        pickle_of(Value::make_tuple({Value::make_bytes("film\xc3\xa9.Mjpeg"), Value::make_int(7)})));
    ASSERT_EQ(ok.status, ParseStatus::Complete);
    EXPECT_EQ(*ok.value, (Request{"film\xc3\xa9.Mjpeg", 7}));
    EXPECT_THAT(ok.problems, ElementsAre(HasSubstr("file name is bytes")));
    const auto again = dialect.parse_request(dialect.encode(*ok.value));
    ASSERT_EQ(again.status, ParseStatus::Complete);
    EXPECT_EQ(*again.value, *ok.value);
}

// Fuzz reproducer fuzz/parsers/crashes/control/pickle_request_frame_longer_than_pickle.bin: a FRAME
// longer than the pickle parsed Complete only when bytes followed, but the consumed bytes alone did not.
TEST(PickleDialect, AFrameLongerThanThePickleOwnsItsBytesPastStop) {
    // The FRAME declares 23 bytes, the pickle has 19: pickle.loads() says "pickle data was truncated",
    // Python's stream Unpickler waits for the frame's 4 other bytes and swallows them.
    Bytes long_frame = kRequestMovie25000;
    long_frame[3] = 0x17;
    const std::string note =
        "FRAME at offset 2 declares 23 bytes but the pickle stops after 19 of them, at offset 29: the frame's other 4 "
        "bytes belong to this message too (Python's Unpickler reads whole frames; pickle.loads() without them fails: "
        "pickle data was truncated)";
    for (std::size_t missing = 4; missing >= 1; --missing) {
        const Bytes wire = cat(long_frame, Bytes(4 - missing, 'x'));
        const auto p = dialect.parse_request(wire);
        EXPECT_EQ(p.status, ParseStatus::Incomplete) << missing;
        EXPECT_EQ(p.consumed, 0u);
        EXPECT_THAT(p.problems, ElementsAre(note)) << missing;  // why it waits, for a report at the idle timeout
    }
    const Bytes reproducer = cat(long_frame, b("Go\r\n"));
    for (const Bytes& wire : {reproducer, cat(reproducer, kGo)}) {
        const auto p = dialect.parse_request(wire);
        ASSERT_EQ(p.status, ParseStatus::Complete) << escape(wire);
        EXPECT_EQ(*p.value, (Request{"movie.mpeg", 25000}));
        EXPECT_EQ(p.consumed, reproducer.size());
        EXPECT_THAT(p.problems, ElementsAre(note));
        const auto alone = dialect.parse_request(Bytes(wire.begin(), wire.begin() + static_cast<long>(p.consumed)));
        ASSERT_EQ(alone.status, ParseStatus::Complete);
        EXPECT_EQ(alone.value, p.value);
        EXPECT_EQ(alone.consumed, p.consumed);
    }
    // The furthest FRAME counts, even when a later one (inside it) ends before the STOP.
    const Bytes nested = {0x80, 0x04, 0x95, 0x0e, 0, 0, 0, 0, 0, 0, 0, 0x95, 0x02, 0, 0, 0, 0, 0, 0, 0, 'K', 0x05, '.',
                          'x', 'x'};
    const auto n = dialect.parse_reply(nested);
    ASSERT_EQ(n.status, ParseStatus::Complete);
    EXPECT_EQ(n.consumed, nested.size());
    EXPECT_THAT(n.problems, ElementsAre(HasSubstr("FRAME at offset 11 declares 2 bytes but the pickle's STOP is at "
                                                  "offset 22"),
                                        HasSubstr("FRAME at offset 2 declares 14 bytes but the pickle stops after 12")));
    // A frame that would end past the message limit can never complete: Invalid at once.
    const Bytes past_limit = {0x80, 0x04, 0x95, 0x00, 0x20, 0, 0, 0, 0, 0, 0, 'K', 1, '.'};  // 8192 bytes from offset 11
    EXPECT_THAT(dialect.parse_reply(past_limit).problems,
                ElementsAre("reply is not a pickle of the expected kind: FRAME (0x95) at offset 2 declares 8192 bytes, "
                            "ending at offset 8203, past the limit of 8192 bytes for a control message"));
    // A shorter FRAME: Python's C unpickler accepts it; noted.
    Bytes short_frame = kRequestMovie25000;
    short_frame[3] = 0x10;
    const auto q = dialect.parse_request(short_frame);
    EXPECT_EQ(q.status, ParseStatus::Complete);
    EXPECT_THAT(q.problems, ElementsAre("FRAME at offset 2 declares 16 bytes but the pickle's STOP is at offset 29"));
}

// Where Python's stream Unpickler stops reading (f.tell() after pickle.load(f)) is where `consumed` ends.
TEST(PickleDecode, ConsumedEndsWherePythonsStreamUnpicklerStops) {
    Bytes long_frame = kRequestMovie25000;
    long_frame[3] = 0x17;  // 4 bytes past the STOP
    Bytes short_frame = kRequestMovie25000;
    short_frame[3] = 0x10;
    const Bytes nested = {0x80, 0x04, 0x95, 0x0e, 0, 0, 0, 0, 0, 0, 0, 0x95, 0x02, 0, 0, 0, 0, 0, 0, 0, 'K', 0x05, '.',
                          'x', 'x'};
    const std::vector<Bytes> wires = {cat(kRequestMovie25000, kGo), cat(long_frame, b("Go\r\n")),
                                      cat(cat(long_frame, b("Go\r\n")), kGo), cat(short_frame, kGo), nested,
                                      cat(b("(Vmovie.mpeg\np0\nI25000\ntp1\n."), b("Go"))};
    std::string script = "import io, pickle\n";
    for (const Bytes& wire : wires) {
        std::string hex;
        for (const std::uint8_t x : wire) hex += "0123456789abcdef"[x >> 4], hex += "0123456789abcdef"[x & 0x0F];
        script += "f = io.BytesIO(bytes.fromhex('" + hex + "')); pickle.load(f); print(f.tell().to_bytes(2, 'big').hex())\n";
    }
    const PythonRun py = run_python(script);
    if (!py.available) GTEST_SKIP() << TPC3_PYTHON << " did not run";
    ASSERT_EQ(py.outputs.size(), wires.size());
    for (std::size_t i = 0; i < wires.size(); ++i) {
        ASSERT_EQ(py.outputs[i].size(), 2u);
        const std::size_t python_end = static_cast<std::size_t>(py.outputs[i][0] << 8 | py.outputs[i][1]);
        const pickle::Decoded d = pickle::decode(wires[i]);
        ASSERT_EQ(d.status, ParseStatus::Complete) << escape(wires[i]) << " " << d.error;
        EXPECT_EQ(d.consumed, python_end) << escape(wires[i]);
    }
}

// ---------------------------------------------------------------- hostile input

TEST(PickleHostile, OpcodesOutsideTheSubsetAreNamedWithTheirOffset) {
    // pickle of os.system("true") by reduce: PROTO, GLOBAL ...
    const Bytes global = b("\x80\x02" "cos\nsystem\n" "X\x04\x00\x00\x00true" "\x85R.");
    const auto p = dialect.parse_request(global);
    EXPECT_EQ(p.status, ParseStatus::Invalid);
    EXPECT_THAT(p.problems, ElementsAre(HasSubstr("opcode GLOBAL (0x63) at offset 2 is not part of a TPC3 control "
                                                  "message")));
    const Bytes stack_global = {0x80, 0x04, 0x8c, 0x02, 'o', 's', 0x94, 0x8c, 0x06, 's', 'y', 's', 't', 'e', 'm', 0x94,
                                0x93, 0x2e};
    EXPECT_THAT(dialect.parse_reply(stack_global).problems,
                ElementsAre(HasSubstr("opcode STACK_GLOBAL (0x93) at offset 16")));
    EXPECT_THAT(dialect.parse_reply(Bytes{0x80, 0x04, 0xff}).problems,
                ElementsAre(HasSubstr("byte 0xff at offset 2 is not a pickle opcode")));
    EXPECT_THAT(dialect.parse_reply(Bytes{0x80, 0x06, 'K', 1, '.'}).problems,
                ElementsAre(HasSubstr("unsupported pickle protocol 6")));
}

TEST(PickleHostile, HugeDeclaredLengthsAllocateNothing) {
    const std::vector<Bytes> cases = {
        {0x80, 0x04, 'X', 0xff, 0xff, 0xff, 0xff, 'a'},                                       // BINUNICODE 4 GiB
        {0x80, 0x04, 0x8d, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 'a'},              // BINUNICODE8 2^63
        {0x80, 0x04, 0x8e, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},                   // BINBYTES8
        {0x80, 0x04, 0x95, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 'K', 1, '.'},      // FRAME
        {0x80, 0x04, 0x8b, 0x00, 0x00, 0x00, 0x40},                                           // LONG4 1 GiB
        {0x80, 0x04, 'B', 0x01, 0x20, 0x00, 0x00},                                            // BINBYTES 8193
    };
    for (const Bytes& wire : cases) {
        const auto p = dialect.parse_reply(wire);
        EXPECT_EQ(p.status, ParseStatus::Invalid) << escape(wire);
        EXPECT_THAT(p.problems, ElementsAre(HasSubstr("for a control message"))) << escape(wire);
    }
    // Within the limit but not there yet: more bytes may come.
    EXPECT_EQ(dialect.parse_reply(Bytes{0x80, 0x04, 'X', 0x00, 0x01, 0x00, 0x00, 'a'}).status, ParseStatus::Incomplete);
    // BINSTRING's length is signed.
    EXPECT_THAT(dialect.parse_reply(Bytes{0x80, 0x02, 'T', 0xff, 0xff, 0xff, 0xff}).problems,
                ElementsAre(HasSubstr("declares a negative length")));
}

TEST(PickleHostile, DeepNestingAndMemoBombs) {
    // 100000 MARKs then STOP: no recursion, Invalid.
    Bytes marks(100000, '(');
    marks.push_back('.');
    const auto m = dialect.parse_request(marks);
    EXPECT_EQ(m.status, ParseStatus::Invalid);
    // Within the 8 KiB limit: STOP with the MARKs open.
    Bytes few_marks(4000, '(');
    few_marks.push_back('.');
    EXPECT_THAT(dialect.parse_request(few_marks).problems, ElementsAre(HasSubstr("with 4000 MARKs still open")));
    // 1000 nested 1-tuples.
    Bytes nested = {0x80, 0x04, 'K', 0x01};
    nested.insert(nested.end(), 1000, 0x85);
    nested.push_back('.');
    EXPECT_THAT(dialect.parse_reply(nested).problems, ElementsAre(HasSubstr("tuples nested more than 16 deep")));
    // A memo DAG: t = (t, t) twelve times, 2^12 leaves by reference: linear work, then a type error.
    Bytes dag = {0x80, 0x04, 'K', 0x01, 0x94};
    for (std::uint8_t i = 0; i < 12; ++i) {
        dag.insert(dag.end(), {'h', i, 0x86, 0x94});  // (t, t) with t on the stack and in the memo
    }
    dag.push_back('.');
    const auto d = dialect.parse_reply(dag);
    EXPECT_EQ(d.status, ParseStatus::Invalid);
    EXPECT_THAT(d.problems, ElementsAre(HasSubstr("SessionID is a tuple (((((")));
    EXPECT_LT(d.problems[0].size(), 400u);
    // GET of a key never stored; PUT with an empty stack.
    EXPECT_THAT(dialect.parse_reply(Bytes{0x80, 0x04, 'h', 0x07, '.'}).problems,
                ElementsAre(HasSubstr("BINGET (0x68) at offset 2 reads memo key 7, never stored")));
    EXPECT_THAT(dialect.parse_reply(Bytes{0x80, 0x04, 0x94, '.'}).problems,
                ElementsAre(HasSubstr("MEMOIZE (0x94) at offset 2 with nothing on the stack")));
}

TEST(PickleHostile, NoStopIsIncompleteUntilTheLimit) {
    EXPECT_EQ(dialect.parse_reply(Bytes{0x80, 0x04, 'K', 0x05}).status, ParseStatus::Incomplete);
    Bytes nones(8192, 'N');
    EXPECT_EQ(dialect.parse_reply(nones).status, ParseStatus::Incomplete);
    nones.push_back('N');
    const auto p = dialect.parse_reply(nones);
    EXPECT_EQ(p.status, ParseStatus::Invalid);
    EXPECT_THAT(p.problems, ElementsAre(HasSubstr("no STOP within the first 8192 bytes")));
    EXPECT_THAT(dialect.parse_reply(Bytes{0x80, 0x04, '.'}).problems,
                ElementsAre(HasSubstr("leaves 0 objects on the stack, expected 1")));
    EXPECT_THAT(dialect.parse_reply(Bytes{0x80, 0x04, 'K', 1, 'K', 2, '.'}).problems,
                ElementsAre(HasSubstr("leaves 2 objects on the stack, expected 1")));
}

template <typename T>
void expect_consistent(const Parsed<T>& p, std::size_t size, const Bytes& wire) {
    switch (p.status) {
        case ParseStatus::Complete:
            EXPECT_TRUE(p.value.has_value()) << escape(wire);
            EXPECT_GE(p.consumed, 1u);
            EXPECT_LE(p.consumed, size);
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

TEST(PickleHostile, RandomAndMutatedBytesNeverCrash) {
    std::mt19937 rng(20261126);  // the sequence only needs to be fixed on one platform to reproduce here
    const std::vector<Bytes> seeds = {kRequestMovie25000, kReplyMinus1, kReplyMax, kGo,
                                      b("(Vmovie.mpeg\np0\nI25000\ntp1\n.")};
    int complete = 0;
    for (int i = 0; i < 20000; ++i) {
        Bytes wire;
        if (i % 2 == 0) {
            wire.resize(rng() % 40);
            for (auto& x : wire) x = static_cast<std::uint8_t>(rng());
            if (!wire.empty() && i % 4 == 0) wire[0] = 0x80;
        } else {
            wire = seeds[rng() % seeds.size()];
            const int edits = 1 + static_cast<int>(rng() % 3);
            for (int e = 0; e < edits; ++e) wire[rng() % wire.size()] = static_cast<std::uint8_t>(rng());
        }
        const auto r = dialect.parse_request(wire);
        expect_consistent(r, wire.size(), wire);
        expect_consistent(dialect.parse_reply(wire), wire.size(), wire);
        expect_consistent(dialect.parse_go(wire), wire.size(), wire);
        if (r.status == ParseStatus::Complete) {
            ++complete;
            EXPECT_EQ(dialect.parse_request(dialect.encode(*r.value)).value, r.value) << escape(wire);
            const Bytes consumed(wire.begin(), wire.begin() + static_cast<long>(r.consumed));
            EXPECT_EQ(dialect.parse_request(consumed).value, r.value) << escape(wire);
        }
        if (HasFailure()) break;
    }
    EXPECT_GT(complete, 0);  // the mutations reach the value checks, not only the decoder's errors
}

// ---------------------------------------------------------------- detection

TEST(PickleDialect, DetectedByItsFirstByte) {
    EXPECT_TRUE(dialect.recognises_first_message(kRequestMovie25000));
    EXPECT_TRUE(dialect.recognises_first_message(Bytes{0x80}));
    EXPECT_FALSE(dialect.recognises_first_message(Bytes{}));
    EXPECT_FALSE(dialect.recognises_first_message(b("movie.mpeg 25000")));
    EXPECT_FALSE(dialect.recognises_first_message(b("(Vmovie.mpeg\np0\nI25000\ntp1\n.")));  // protocol 0
    EXPECT_EQ(detect_dialect(kRequestMovie25000).name(), "tpc3-pickle");
    EXPECT_EQ(detect_dialect(Bytes{0x80}).name(), "tpc3-pickle");
    EXPECT_EQ(detect_dialect(b("movie.mpeg 25000")).name(), "tpc3");
    ASSERT_NE(find_dialect("tpc3-pickle"), nullptr);
    EXPECT_EQ(find_dialect("tpc3-pickle")->name(), "tpc3-pickle");
    EXPECT_THAT(dialect_names(), ::testing::Contains("tpc3-pickle"));
}

}  // namespace
}  // namespace tpc3::control
