#include "report/report.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <sys/wait.h>

#include "report/catalogue.h"
#include "report/timestamp.h"

namespace tpc3::report {
namespace {

namespace fs = std::filesystem;

// A directory for one test's files, removed with everything in it.
class ScratchDir {
public:
    ScratchDir()
    {
        std::string tmpl = (fs::temp_directory_path() / "tpc3-report-test-XXXXXX").string();
        if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + tmpl);
        path_ = tmpl;
    }
    ~ScratchDir()
    {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    fs::path operator/(const std::string& name) const { return path_ / name; }

private:
    fs::path path_;
};

std::string read_file(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// A server report: every status, a required and an advisory failure.
Report sample_report()
{
    Report r;
    r.role = Role::Server;
    r.target = "127.0.0.1:5000";
    r.dialect = "tpc3";
    r.started = "2024-05-01T12:34:56.789Z";
    r.duration_s = 4.321;
    r.checks.push_back(pass(lookup("S-SETUP-01"), "SessionID 483920").with_duration(0.5));
    r.checks.push_back(fail(lookup("S-RTP-06"), expected_actual("packet 1 (seq 1): PT", 26, 96),
                            {{"packet", 1}, {"header_hex", "80 60 00 01"}})
                           .with_duration(0.01));
    r.checks.push_back(pass(lookup("S-RTP-07")));
    r.checks.push_back(skip(lookup("S-ROB-04"), "not asked for: pass --concurrency"));
    r.checks.push_back(fail(lookup("S-BIG-01"), "frame 2 arrived cut at 65507 bytes"));
    r.checks.push_back(error(lookup("S-TIME-01"), "too few packets to judge the rate"));
    r.artifacts["pcap"] = "out/run.pcap";
    return r;
}

// ---------------------------------------------------------------- exit status

TEST(ReportExitStatus, ZeroWhenEveryRequiredCheckPassed)
{
    Report r;
    EXPECT_EQ(r.exit_status(), 0) << "a run without checks";
    r.checks.push_back(pass(lookup("S-RTP-01")));
    EXPECT_EQ(r.exit_status(), 0);
    r.checks.push_back(skip(lookup("S-RTP-02"), "deselected"));  // skipped required: not a failure
    EXPECT_EQ(r.exit_status(), 0);
    r.checks.push_back(fail(lookup("S-ROB-04"), "second session got nothing"));  // advisory
    r.checks.push_back(error(lookup("S-SEC-01"), "could not create ../name"));   // advisory
    EXPECT_EQ(r.exit_status(), 0);
}

TEST(ReportExitStatus, OneWhenARequiredCheckFailedOrErrored)
{
    Report failed;
    failed.checks.push_back(pass(lookup("S-RTP-01")));
    failed.checks.push_back(fail(lookup("S-RTP-06"), "PT was 96, expected 26"));
    EXPECT_EQ(failed.exit_status(), 1);

    Report errored;
    errored.checks.push_back(error(lookup("C-REJ-01"), "the client showed nothing"));
    EXPECT_EQ(errored.exit_status(), 1);
}

TEST(ReportSummary, CountsEveryStatusAndTheRequiredOnes)
{
    const Summary s = sample_report().summary();
    EXPECT_EQ(s.pass, 2);
    EXPECT_EQ(s.fail, 2);
    EXPECT_EQ(s.skip, 1);
    EXPECT_EQ(s.error, 1);
    EXPECT_EQ(s.required_fail, 1);   // S-RTP-06; S-BIG-01 is advisory
    EXPECT_EQ(s.required_error, 1);  // S-TIME-01
    EXPECT_EQ(s.total(), 6);
}

// ----------------------------------------------------------------------- JSON

TEST(ReportJson, HasEveryContractFieldWithTheRightType)
{
    const nlohmann::ordered_json j = sample_report().to_json();
    EXPECT_EQ(j.at("tool"), "tpc3-conform");
    ASSERT_TRUE(j.at("version").is_string());
    EXPECT_TRUE(std::regex_match(j.at("version").get<std::string>(), std::regex(R"(\d+\.\d+\.\d+)")))
        << j.at("version");
    EXPECT_EQ(j.at("version"), std::string(tool_version()));
    EXPECT_EQ(j.at("role"), "server");
    EXPECT_EQ(j.at("target"), "127.0.0.1:5000");
    EXPECT_EQ(j.at("dialect"), "tpc3");
    EXPECT_EQ(j.at("started"), "2024-05-01T12:34:56.789Z");
    ASSERT_TRUE(j.at("duration_s").is_number());
    EXPECT_DOUBLE_EQ(j.at("duration_s").get<double>(), 4.321);

    const auto& checks = j.at("checks");
    ASSERT_TRUE(checks.is_array());
    ASSERT_EQ(checks.size(), 6u);
    for (const auto& c : checks) {
        for (const char* key : {"id", "title", "severity", "status", "message"})
            EXPECT_TRUE(c.at(key).is_string()) << key << " in " << c;
        EXPECT_TRUE(c.at("evidence").is_object()) << c;
        EXPECT_TRUE(parse_status(c.at("status").get<std::string>())) << c;
        EXPECT_TRUE(parse_severity(c.at("severity").get<std::string>())) << c;
    }
    EXPECT_EQ(checks.at(1).at("id"), "S-RTP-06");
    EXPECT_EQ(checks.at(1).at("title"), "payload type is 26");
    EXPECT_EQ(checks.at(1).at("severity"), "required");
    EXPECT_EQ(checks.at(1).at("status"), "fail");
    EXPECT_EQ(checks.at(1).at("message"), "packet 1 (seq 1): PT was 96, expected 26");
    EXPECT_EQ(checks.at(1).at("evidence").at("packet"), 1);
    EXPECT_EQ(checks.at(3).at("status"), "skip");
    EXPECT_EQ(checks.at(3).at("severity"), "advisory");
    EXPECT_EQ(checks.at(5).at("status"), "error");

    const auto& summary = j.at("summary");
    EXPECT_EQ(summary.at("pass"), 2);
    EXPECT_EQ(summary.at("fail"), 2);
    EXPECT_EQ(summary.at("skip"), 1);
    EXPECT_EQ(summary.at("error"), 1);
    for (const char* key : {"pass", "fail", "skip", "error"})
        EXPECT_TRUE(summary.at(key).is_number_integer()) << key;

    ASSERT_TRUE(j.at("artifacts").is_object());
    EXPECT_EQ(j.at("artifacts").at("pcap"), "out/run.pcap");
    EXPECT_EQ(j.at("exit_status"), 1);
    EXPECT_FALSE(j.contains("extra"));
}

TEST(ReportJson, ClientRoleEmptyArtifactsAndExtra)
{
    Report r;
    r.role = Role::Client;
    r.target = "/usr/bin/python3 Client.py 127.0.0.1 5000 25000 movie.mpeg";
    r.extra = {{"options", {{"rate_tolerance", 0.05}}}};
    const nlohmann::ordered_json j = r.to_json();
    EXPECT_EQ(j.at("role"), "client");
    EXPECT_TRUE(j.at("artifacts").is_object());
    EXPECT_TRUE(j.at("checks").is_array());
    EXPECT_EQ(j.at("extra").at("options").at("rate_tolerance"), 0.05);
}

TEST(ReportJson, WritesAFileThatParsesBackEvenWithInvalidUtf8)
{
    ScratchDir dir;
    Report r = sample_report();
    r.checks.push_back(fail(lookup("S-ROB-01"), "request \xff\xfe was answered with \x01",
                            {{"bytes", "\xc3\x28"}}));
    const fs::path path = dir / "report.json";
    r.write_json(path.string());
    const nlohmann::json back = nlohmann::json::parse(read_file(path));
    EXPECT_EQ(back.at("checks").size(), 7u);
    EXPECT_EQ(back.at("checks").at(6).at("message"), "request \xEF\xBF\xBD\xEF\xBF\xBD was answered with \x01");
    EXPECT_EQ(back.at("summary").at("fail"), 3);
}

TEST(ReportJson, AnUnwritablePathIsNamedInTheError)
{
    ScratchDir dir;
    const std::string path = (dir / "no-such-dir" / "report.json").string();
    try {
        sample_report().write_json(path);
        FAIL() << "writing into a missing directory must throw";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
}

// ---------------------------------------------------------------------- JUnit

// Parses a JUnit file with Python's expat-based XML parser (strict about
// well-formedness, forbidden characters and encoding) and prints its
// structure as JSON. nullopt when the file does not parse.
std::optional<nlohmann::json> parse_junit(const ScratchDir& dir, const fs::path& xml)
{
    const fs::path script = dir / "junit_dump.py";
    std::ofstream(script) << R"(import json, sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
out = {"tag": root.tag, "attrib": root.attrib, "suites": []}
for s in root:
    suite = {"tag": s.tag, "attrib": s.attrib, "properties": {}, "cases": []}
    for c in s:
        if c.tag == "properties":
            for p in c:
                suite["properties"][p.get("name")] = p.get("value")
        elif c.tag == "testcase":
            kids = [{"tag": k.tag, "attrib": k.attrib, "text": k.text or ""} for k in c]
            suite["cases"].append({"attrib": c.attrib, "children": kids})
    out["suites"].append(suite)
json.dump(out, sys.stdout)
)";
    const std::string command = std::string(TPC3_PYTHON) + " '" + script.string() + "' '" + xml.string() +
                                "' 2>'" + (dir / "parse.err").string() + "'";
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) {
        ADD_FAILURE() << "cannot run " << command;
        return std::nullopt;
    }
    std::string output;
    char buf[4096];
    while (const std::size_t n = std::fread(buf, 1, sizeof buf, pipe)) output.append(buf, n);
    const int status = pclose(pipe);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
    return nlohmann::json::parse(output);
}

TEST(ReportJunit, TheParserUsedByTheseTestsRejectsForbiddenCharacters)
{
    ScratchDir dir;
    const fs::path bad = dir / "bad.xml";
    std::ofstream(bad) << "<testsuites><testsuite name=\"a\x01\"/></testsuites>";
    EXPECT_FALSE(parse_junit(dir, bad)) << "a raw control byte must not parse";
    const fs::path good = dir / "good.xml";
    std::ofstream(good) << "<testsuites><testsuite name=\"a\"/></testsuites>";
    EXPECT_TRUE(parse_junit(dir, good));
}

TEST(ReportJunit, ParsesAsXmlAndCountsMatchTheSummary)
{
    ScratchDir dir;
    const Report report = sample_report();
    const fs::path path = dir / "junit.xml";
    report.write_junit(path.string());
    const auto doc = parse_junit(dir, path);
    ASSERT_TRUE(doc) << read_file(path) << read_file(dir / "parse.err");

    EXPECT_EQ(doc->at("tag"), "testsuites");
    EXPECT_EQ(doc->at("attrib").at("tests"), "6");
    ASSERT_EQ(doc->at("suites").size(), 1u);
    const auto& suite = doc->at("suites").at(0);
    EXPECT_EQ(suite.at("tag"), "testsuite");
    EXPECT_EQ(suite.at("attrib").at("name"), "tpc3-conform server");
    EXPECT_EQ(suite.at("attrib").at("tests"), "6");
    EXPECT_EQ(suite.at("attrib").at("failures"), "2");
    EXPECT_EQ(suite.at("attrib").at("errors"), "1");
    EXPECT_EQ(suite.at("attrib").at("skipped"), "1");
    EXPECT_EQ(suite.at("attrib").at("time"), "4.321");
    EXPECT_EQ(suite.at("properties").at("target"), "127.0.0.1:5000");
    EXPECT_EQ(suite.at("properties").at("artifact.pcap"), "out/run.pcap");

    const auto& cases = suite.at("cases");
    ASSERT_EQ(cases.size(), 6u);
    int failures = 0, errors = 0, skipped = 0;
    for (const auto& c : cases) {
        for (const auto& kid : c.at("children")) {
            failures += kid.at("tag") == "failure";
            errors += kid.at("tag") == "error";
            skipped += kid.at("tag") == "skipped";
        }
    }
    EXPECT_EQ(failures, 2);
    EXPECT_EQ(errors, 1);
    EXPECT_EQ(skipped, 1);

    const auto& pt = cases.at(1);
    EXPECT_EQ(pt.at("attrib").at("name"), "S-RTP-06 payload type is 26");
    EXPECT_EQ(pt.at("attrib").at("classname"), "S-RTP");
    EXPECT_EQ(pt.at("attrib").at("time"), "0.010");
    ASSERT_EQ(pt.at("children").size(), 1u);
    const auto& failure = pt.at("children").at(0);
    EXPECT_EQ(failure.at("tag"), "failure");
    EXPECT_EQ(failure.at("attrib").at("message"), "packet 1 (seq 1): PT was 96, expected 26");
    EXPECT_EQ(failure.at("attrib").at("type"), "required");
    const std::string body = failure.at("text");
    EXPECT_NE(body.find("\"header_hex\": \"80 60 00 01\""), std::string::npos) << body;
    EXPECT_NE(body.find("every packet has PT=26"), std::string::npos) << body;

    EXPECT_EQ(cases.at(3).at("children").at(0).at("tag"), "skipped");
    EXPECT_EQ(cases.at(3).at("children").at(0).at("attrib").at("message"), "not asked for: pass --concurrency");
    EXPECT_EQ(cases.at(5).at("children").at(0).at("tag"), "error");
    EXPECT_EQ(cases.at(5).at("children").at(0).at("attrib").at("message"), "too few packets to judge the rate");
    EXPECT_EQ(cases.at(0).at("attrib").at("classname"), "S-SETUP");
}

TEST(ReportJunit, EscapesMarkupQuotesAndControlBytes)
{
    ScratchDir dir;
    Report r;
    r.role = Role::Client;
    r.target = "127.0.0.1:5000 <\"quoted\" & 'single'>";
    r.checks.push_back(fail(lookup("C-SETUP-01"), "sent \"<movie & co>\" 'x'\x01\x1b\xff then \x7f",
                            {{"raw", "a\x02<b>&\"c\""}}));
    r.checks.push_back(skip(lookup("C-BIG-01"), "tab\there, newline\nthere"));
    const fs::path path = dir / "junit.xml";
    r.write_junit(path.string());
    const std::string raw = read_file(path);
    EXPECT_EQ(raw.find('\x01'), std::string::npos);
    EXPECT_EQ(raw.find('\x1b'), std::string::npos);

    const auto doc = parse_junit(dir, path);
    ASSERT_TRUE(doc) << raw << read_file(dir / "parse.err");
    const auto& suite = doc->at("suites").at(0);
    EXPECT_EQ(suite.at("properties").at("target"), "127.0.0.1:5000 <\"quoted\" & 'single'>");
    const auto& failure = suite.at("cases").at(0).at("children").at(0);
    EXPECT_EQ(failure.at("attrib").at("message"), "sent \"<movie & co>\" 'x'\\x01\\x1B\\xFF then \x7f");
    EXPECT_NE(failure.at("text").get<std::string>().find("a\\u0002<b>&\\\"c\\\""), std::string::npos)
        << failure.at("text");
    // Tab and newline survive inside an attribute (not normalised to spaces).
    EXPECT_EQ(suite.at("cases").at(1).at("children").at(0).at("attrib").at("message"), "tab\there, newline\nthere");
}

TEST(ReportJunit, ChecksOfTheOtherRoleGetTheirOwnSuite)
{
    ScratchDir dir;
    Report r;
    r.role = Role::Client;
    r.checks.push_back(pass(lookup("C-PLAY-01")));
    r.checks.push_back(pass(lookup("S-RTP-01")));
    const fs::path path = dir / "junit.xml";
    r.write_junit(path.string());
    const auto doc = parse_junit(dir, path);
    ASSERT_TRUE(doc) << read_file(path);
    ASSERT_EQ(doc->at("suites").size(), 2u);
    EXPECT_EQ(doc->at("suites").at(0).at("attrib").at("name"), "tpc3-conform client");
    EXPECT_EQ(doc->at("suites").at(0).at("attrib").at("tests"), "1");
    EXPECT_EQ(doc->at("suites").at(1).at("attrib").at("name"), "tpc3-conform server");

    Report empty;
    const fs::path empty_path = dir / "empty.xml";
    empty.write_junit(empty_path.string());
    const auto empty_doc = parse_junit(dir, empty_path);
    ASSERT_TRUE(empty_doc);
    ASSERT_EQ(empty_doc->at("suites").size(), 1u);
    EXPECT_EQ(empty_doc->at("suites").at(0).at("attrib").at("tests"), "0");
}

// -------------------------------------------------------------------- console

std::string console(const Report& r, bool colour, bool verbose)
{
    std::ostringstream out;
    r.print_console(out, colour, verbose);
    return out.str();
}

TEST(ReportConsole, GroupsChecksUnderHeadersAndExplainsFailures)
{
    const std::string text = console(sample_report(), false, false);
    EXPECT_EQ(text,
              "S-SETUP  control exchange\n"
              "  [PASS] S-SETUP-01  SessionID for a file the server has\n"
              "S-RTP  RTP header\n"
              "  [FAIL] S-RTP-06    payload type is 26\n"
              "         packet 1 (seq 1): PT was 96, expected 26\n"
              "  [PASS] S-RTP-07    first sequence number is 1\n"
              "S-ROB  robustness\n"
              "  [SKIP] S-ROB-04    serves two sessions at once (advisory)\n"
              "         not asked for: pass --concurrency\n"
              "S-BIG  large frames\n"
              "  [FAIL] S-BIG-01    large frames arrive whole (advisory)\n"
              "         frame 2 arrived cut at 65507 bytes\n"
              "S-TIME  timing\n"
              "  [ERR ] S-TIME-01   mean rate is 20 datagrams/s\n"
              "         too few packets to judge the rate\n"
              "server under test 127.0.0.1:5000: 2 passed, 2 failed, 1 skipped, 1 error "
              "(required: 1 failed, 1 error) in 4.3 s\n");
    EXPECT_EQ(text.find('\033'), std::string::npos) << "no colour unless asked";
}

TEST(ReportConsole, SummaryOfAPassingRun)
{
    Report r;
    r.target = "127.0.0.1:5000";
    r.duration_s = 12.04;
    r.checks.push_back(pass(lookup("S-RTP-01")));
    r.checks.push_back(skip(lookup("S-RTP-02"), "deselected"));
    const std::string text = console(r, false, false);
    EXPECT_NE(text.find("server under test 127.0.0.1:5000: 1 passed, 0 failed, 1 skipped, 0 errors "
                        "(required: none failed) in 12.0 s\n"),
              std::string::npos)
        << text;
}

TEST(ReportConsole, ColoursOnlyWhenAsked)
{
    const std::string text = console(sample_report(), true, false);
    EXPECT_NE(text.find("\033[32m[PASS]\033[0m"), std::string::npos) << text;
    EXPECT_NE(text.find("\033[31m[FAIL]\033[0m"), std::string::npos) << text;
    EXPECT_NE(text.find("\033[33m[SKIP]\033[0m"), std::string::npos) << text;
    EXPECT_NE(text.find("\033[35m[ERR ]\033[0m"), std::string::npos) << text;
    EXPECT_NE(text.find("\033[1mS-RTP\033[0m"), std::string::npos) << text;
    EXPECT_NE(text.find("\033[31mserver under test"), std::string::npos) << "a failing run ends in red";
}

TEST(ReportConsole, VerboseAddsPassMessagesRequirementsAndEvidence)
{
    const std::string quiet = console(sample_report(), false, false);
    const std::string verbose = console(sample_report(), false, true);
    EXPECT_EQ(quiet.find("SessionID 483920"), std::string::npos);
    EXPECT_NE(verbose.find("         SessionID 483920\n"), std::string::npos) << verbose;
    EXPECT_NE(verbose.find("         requirement: every packet has PT=26 (PROTOCOL.md 4)\n"), std::string::npos)
        << verbose;
    EXPECT_NE(verbose.find("         evidence: {\"header_hex\":\"80 60 00 01\",\"packet\":1}\n"),
              std::string::npos)
        << verbose;
}

TEST(ReportConsole, MessagesCannotDriveTheTerminal)
{
    Report r;
    r.checks.push_back(fail(lookup("C-SETUP-01"), "sent \x1b[2Jgo\rline two\nthird"));
    const std::string text = console(r, false, false);
    EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
    EXPECT_EQ(text.find('\r'), std::string::npos) << text;
    EXPECT_NE(text.find("         sent \\x1B[2Jgo\\x0Dline two\n         third\n"), std::string::npos) << text;
}

TEST(ColourDefault, TerminalWithATermAndNoNoColor)
{
    EXPECT_TRUE(colour_wanted(true, "xterm-256color", nullptr));
    EXPECT_TRUE(colour_wanted(true, "xterm", ""));  // NO_COLOR empty counts as unset
    EXPECT_FALSE(colour_wanted(false, "xterm", nullptr));
    EXPECT_FALSE(colour_wanted(true, "dumb", nullptr));
    EXPECT_FALSE(colour_wanted(true, nullptr, nullptr));
    EXPECT_FALSE(colour_wanted(true, "xterm", "1"));
    std::FILE* file = std::tmpfile();
    ASSERT_NE(file, nullptr);
    EXPECT_FALSE(colour_default(file)) << "a file is not a terminal";
    std::fclose(file);
}

// ------------------------------------------------------------------ timestamp

TEST(Timestamp, Iso8601UtcWithMilliseconds)
{
    using namespace std::chrono;
    const system_clock::time_point t{milliseconds(1714566896789)};
    EXPECT_EQ(iso8601_utc(t), "2024-05-01T12:34:56.789Z");
    EXPECT_EQ(iso8601_utc(system_clock::time_point{}), "1970-01-01T00:00:00.000Z");
    EXPECT_TRUE(std::regex_match(iso8601_utc_now(),
                                 std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
}

}  // namespace
}  // namespace tpc3::report
