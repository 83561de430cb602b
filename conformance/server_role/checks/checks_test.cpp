// judge_server on hand-made observations: a perfect run passes every check;
// each single fault fails exactly the checks it should and no other; what was
// not observed gives error (or skip where the check does not apply), never pass.
#include <algorithm>
#include <map>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "analysis/test_records.h"
#include "checks/judge.h"
#include "report/catalogue.h"

namespace tpc3::conform::server {
namespace {

using namespace tpc3::conform::server::testing;
using report::Status;
using ::testing::HasSubstr;

const std::vector<Bytes>& movie40()
{
    static const std::vector<Bytes> frames = tiny_movie(40);
    return frames;
}

const std::vector<Bytes>& big_movie()
{
    static const std::vector<Bytes> frames{big_jpeg(1, 60000), big_jpeg(2, 62000), big_jpeg(3, 30000)};
    return frames;
}

MovieUnderTest movie_under_test() { return {"movie.mpeg", "/tmp/tpc3/movie.mpeg", movie40()}; }

SessionRecord missing_file_session()
{
    SessionRecord r = exchange("missing file", "no-such-movie.mpeg", -1);
    r.end = SessionEnd::NotFound;
    r.ended_at = at(kStart + 1.0);
    return r;
}

SessionRecord id_only_session(const std::string& label, std::uint32_t id, double start)
{
    SessionRecord r = exchange(label, "movie.mpeg", id, start);
    r.end = SessionEnd::EndedBeforeGo;
    r.ended_at = at(start + 0.01);
    return r;
}

RobustnessStep step(const std::string& name, std::uint32_t liveness_id)
{
    RobustnessStep s;
    s.name = name;
    s.action = "sent \"" + name + "\" and closed";
    s.hostile.push_back(exchange("hostile " + name, "x", -1));
    s.liveness = perfect_session(tiny_movie(3), liveness_id, "liveness after " + name);
    s.process = ProcessEvidence{name, false, "", "", "", std::nullopt, false, ""};
    return s;
}

Observations perfect_run()
{
    Observations o;
    o.target = "python3 Server.py {port}";
    o.launched = true;
    o.movie = movie_under_test();
    o.main_stream = perfect_session(movie40());
    o.missing_file = missing_file_session();
    o.id_sessions = std::vector<SessionRecord>{id_only_session("id 1", 111111, kStart + 3),
                                               id_only_session("id 2", 222222, kStart + 3.1)};
    std::vector<RobustnessStep> malformed;
    std::uint32_t id = 300000;
    for (const char* name : {"garbage request", "empty request", "one word", "non-numeric port", "64 KiB line",
                             "non-UTF-8"})
        malformed.push_back(step(name, ++id));
    o.malformed_requests = malformed;
    o.vanishing_clients = std::vector<RobustnessStep>{step("UDP port closed mid-stream", 400001),
                                                      step("TCP reset mid-stream", 400002)};
    o.second_session = step("second session", 500001);
    ConcurrentSessions pair{perfect_session(movie40(), 600001, "concurrent 1"),
                            perfect_session(movie40(), 600002, "concurrent 2", kStart + 0.3), movie_under_test()};
    o.concurrency = pair;
    TraversalAttempt up{"../name", "/tmp/tpc3/outside.mpeg", exchange("traversal ../", "../outside.mpeg", -1)};
    TraversalAttempt abs{"absolute path", "/tmp/tpc3/outside.mpeg",
                         exchange("traversal absolute", "/tmp/tpc3/outside.mpeg", -1)};
    o.traversal = std::vector<TraversalAttempt>{up, abs};
    o.big_frames = BigFrameSession{perfect_session(big_movie(), 700001, "big frames"),
                                   {"big.mpeg", "/tmp/tpc3/big.mpeg", big_movie()}};
    return o;
}

const report::CheckResult& result_of(const std::vector<report::CheckResult>& results, const std::string& id)
{
    for (const auto& r : results)
        if (r.info().id == id) return r;
    throw std::out_of_range(id);
}

// Every check in `failing` fails, every other one passes.
void expect_exactly_failing(const Observations& o, const std::set<std::string>& failing)
{
    const auto results = judge_server(o);
    for (const auto& r : results) {
        const Status expected = failing.count(r.info().id) ? Status::Fail : Status::Pass;
        EXPECT_EQ(r.status(), expected) << r.info().id << ": " << r.message();
    }
}

// ------------------------------------------------------------------ perfect

TEST(JudgeServer, PerfectRunPassesEveryServerCheckInCatalogueOrder)
{
    const auto results = judge_server(perfect_run());
    const auto catalogue = report::checks_for(report::Role::Server);
    ASSERT_EQ(results.size(), catalogue.size());
    for (std::size_t k = 0; k < results.size(); ++k) {
        EXPECT_EQ(results[k].info(), catalogue[k]);
        EXPECT_EQ(results[k].status(), Status::Pass) << results[k].info().id << ": " << results[k].message();
    }
    EXPECT_THAT(result_of(results, "S-RTP-09").message(), HasSubstr("1 Hz"));
    EXPECT_THAT(result_of(results, "S-SETUP-01").message(), HasSubstr("SessionID 483920"));
}

// ----------------------------------------------------------------- S-SETUP

TEST(JudgeServer, NoSessionIdForAnExistingFileFailsSetup01AndErrorsTheRest)
{
    Observations o = perfect_run();
    SessionRecord r = exchange("main stream", "movie.mpeg", -1);
    r.end = SessionEnd::NotFound;
    r.ended_at = at(kStart + 1);
    o.main_stream = r;
    const auto results = judge_server(o);
    const auto& s01 = result_of(results, "S-SETUP-01");
    EXPECT_EQ(s01.status(), Status::Fail);
    EXPECT_THAT(s01.message(), HasSubstr("was -1, expected a SessionID"));
    EXPECT_EQ(result_of(results, "S-SETUP-03").status(), Status::Error);
    EXPECT_THAT(result_of(results, "S-SETUP-03").message(), HasSubstr("never got a SessionID"));
    for (const char* id : {"S-RTP-01", "S-RTP-06", "S-RTP-09", "S-PAY-01", "S-PAY-02", "S-PAY-03", "S-TIME-01",
                           "S-TIME-02"})
        EXPECT_EQ(result_of(results, id).status(), Status::Error) << id << ": " << result_of(results, id).message();
    EXPECT_THAT(result_of(results, "S-RTP-10").message(), HasSubstr("never got a SessionID, so SSRCs"));
    EXPECT_THAT(result_of(results, "S-RTP-06").message(), HasSubstr("received no datagram (it got no SessionID: the reply was -1)"));
    // S-SETUP-04 cannot count three IDs: error, not fail.
    EXPECT_EQ(result_of(results, "S-SETUP-04").status(), Status::Error);
    for (const char* id : {"S-ROB-01", "S-ROB-02", "S-ROB-03", "S-ROB-04", "S-SEC-01", "S-BIG-01", "S-SETUP-02"})
        EXPECT_EQ(result_of(results, id).status(), Status::Pass) << id;
}

TEST(JudgeServer, SessionIdForAMissingFileFailsSetup02)
{
    Observations o = perfect_run();
    SessionRecord r = id_only_session("missing file", 424242, kStart);
    r.file = "no-such-movie.mpeg";
    o.missing_file = r;
    expect_exactly_failing(o, {"S-SETUP-02"});
    EXPECT_THAT(result_of(judge_server(o), "S-SETUP-02").message(), HasSubstr("was SessionID 424242, expected -1"));
}

TEST(JudgeServer, DatagramsAfterMinusOneFailSetup02)
{
    Observations o = perfect_run();
    SessionRecord r = missing_file_session();
    rtp::RtpHeader h;
    h.sequence = 1;
    r.packets.push_back(packet(0, h, movie40()[0], kStart + 0.2));
    o.missing_file = r;
    expect_exactly_failing(o, {"S-SETUP-02"});
    const auto all = judge_server(o);
    const auto& res = result_of(all, "S-SETUP-02");
    EXPECT_THAT(res.message(), HasSubstr("replied -1 but 1 datagram followed (packet 0 (seq 1) arrived 0.200 s"));
    EXPECT_EQ(res.evidence()["first_datagram"]["header_hex"], "80 1a 00 01 00 00 00 00 00 00 00 00");
}

TEST(JudgeServer, ShortWatchAfterMinusOneIsAnError)
{
    Observations o = perfect_run();
    o.missing_file->ended_at = at(kStart + 0.1);
    EXPECT_EQ(result_of(judge_server(o), "S-SETUP-02").status(), Status::Error);
}

TEST(JudgeServer, DatagramBeforeGoFailsSetup03Only)
{
    Observations o = perfect_run();
    // The server streamed from its reply: Go went out 0.7 s after it, after 4 datagrams.
    o.main_stream->go_at = at(kStart + 0.5 + 0.16);
    expect_exactly_failing(o, {"S-SETUP-03"});
    const auto all = judge_server(o);
    const auto& res = result_of(all, "S-SETUP-03");
    EXPECT_THAT(res.message(), HasSubstr("packet 0 (seq 1) arrived 0.502 s after the SessionID reply, before Go"));
    EXPECT_THAT(res.message(), HasSubstr("4 datagrams before Go"));
}

TEST(JudgeServer, GoSentTooSoonIsAnErrorNotAPass)
{
    Observations o = perfect_run();
    o.main_stream->go_at = at(kStart + 0.1);
    EXPECT_EQ(result_of(judge_server(o), "S-SETUP-03").status(), Status::Error);
}

TEST(JudgeServer, TwoEqualSessionIdsFailSetup04Only)
{
    Observations o = perfect_run();
    (*o.id_sessions)[1] = id_only_session("id 2", kSessionId, kStart + 3.1);
    expect_exactly_failing(o, {"S-SETUP-04"});
    EXPECT_THAT(result_of(judge_server(o), "S-SETUP-04").message(),
                HasSubstr("sessions \"main stream\" and \"id 2\" both got SessionID 483920"));
}

// -------------------------------------------------------------------- S-RTP

TEST(JudgeServer, VersionOneOnOnePacketFailsRtp01Only)
{
    Observations o = perfect_run();
    edit_header(*o.main_stream, 5, [](rtp::RtpHeader& h) { h.version = 1; });
    expect_exactly_failing(o, {"S-RTP-01"});
    const auto all = judge_server(o);
    const auto& res = result_of(all, "S-RTP-01");
    EXPECT_THAT(res.message(), HasSubstr("packet 5 (seq 6): V was 1, expected 2 (1 of 40 packets; header 40 1a 00 06"));
    EXPECT_EQ(res.evidence()["first"]["index"], 5);
    EXPECT_EQ(res.evidence()["first"]["seq"], 6);
}

TEST(JudgeServer, AnExtraDatagramShorterThanAHeaderFailsRtp01Only)
{
    Observations o = perfect_run();
    auto& packets = o.main_stream->packets;
    ReceivedPacket runt = packets[4];
    runt.bytes = {0x80, 0x1a, 0x00};
    runt.received = packets[4].received + std::chrono::milliseconds(25);
    packets.insert(packets.begin() + 5, runt);
    reindex(*o.main_stream);
    expect_exactly_failing(o, {"S-RTP-01"});
    EXPECT_THAT(result_of(judge_server(o), "S-RTP-01").message(),
                HasSubstr("packet 5 (3 bytes, no RTP header): 3 bytes, shorter than the 12-byte RTP header"));
}

TEST(JudgeServer, EachFlagFailsItsOwnCheckOnly)
{
    const std::vector<std::pair<std::string, std::function<void(rtp::RtpHeader&)>>> faults{
        {"S-RTP-02", [](rtp::RtpHeader& h) { h.padding = true; }},
        {"S-RTP-03", [](rtp::RtpHeader& h) { h.extension = true; }},
        {"S-RTP-04", [](rtp::RtpHeader& h) { h.csrc_count = 3; }},
        {"S-RTP-05", [](rtp::RtpHeader& h) { h.marker = true; }},
    };
    for (const auto& [id, change] : faults) {
        SCOPED_TRACE(id);
        Observations o = perfect_run();
        edit_every_header(*o.main_stream, change);
        expect_exactly_failing(o, {id});
    }
}

TEST(JudgeServer, PayloadType96FailsRtp06Only)
{
    Observations o = perfect_run();
    edit_every_header(*o.main_stream, [](rtp::RtpHeader& h) { h.payload_type = 96; });
    expect_exactly_failing(o, {"S-RTP-06"});
    EXPECT_THAT(result_of(judge_server(o), "S-RTP-06").message(),
                HasSubstr("packet 0 (seq 1): PT was 96, expected 26 (40 of 40 packets; header 80 60 00 01"));
}

TEST(JudgeServer, FirstSequenceNumberZeroFailsRtp07Only)
{
    Observations o = perfect_run();
    edit_every_header(*o.main_stream, [](rtp::RtpHeader& h) { --h.sequence; });
    expect_exactly_failing(o, {"S-RTP-07"});
    EXPECT_THAT(result_of(judge_server(o), "S-RTP-07").message(),
                HasSubstr("packet 0 (the first): sequence number was 0, expected 1"));
}

TEST(JudgeServer, GapOrDuplicateInSequenceFailsRtp08Only)
{
    Observations gap = perfect_run();
    for (std::size_t k = 10; k < 40; ++k) edit_header(*gap.main_stream, k, [](rtp::RtpHeader& h) { ++h.sequence; });
    expect_exactly_failing(gap, {"S-RTP-08"});
    EXPECT_THAT(result_of(judge_server(gap), "S-RTP-08").message(),
                HasSubstr("packet 10 (seq 12): sequence number was 12, expected 11"));

    Observations dup = perfect_run();
    for (std::size_t k = 10; k < 40; ++k) edit_header(*dup.main_stream, k, [](rtp::RtpHeader& h) { --h.sequence; });
    expect_exactly_failing(dup, {"S-RTP-08"});
    EXPECT_THAT(result_of(judge_server(dup), "S-RTP-08").message(), HasSubstr("a repeated number"));
}

TEST(JudgeServer, SsrcOtherThanTheSessionIdFailsRtp10Only)
{
    Observations o = perfect_run();
    edit_every_header(*o.main_stream, [](rtp::RtpHeader& h) { h.ssrc = 12345; });
    expect_exactly_failing(o, {"S-RTP-10"});
    EXPECT_THAT(result_of(judge_server(o), "S-RTP-10").message(),
                HasSubstr("packet 0 (seq 1): SSRC was 12345, expected 483920"));
}

void restamp(SessionRecord& r, const std::function<std::uint32_t(double)>& stamp)
{
    for (std::size_t k = 0; k < r.packets.size(); ++k) {
        const double sent = std::chrono::duration<double>(r.packets[k].received.time_since_epoch()).count() - 0.0005;
        edit_header(r, k, [&](rtp::RtpHeader& h) { h.timestamp = stamp(sent); });
    }
}

std::uint32_t mod32(double ticks) { return static_cast<std::uint32_t>(std::fmod(std::floor(ticks), 4294967296.0)); }

TEST(JudgeServer, MillisecondTimestampsFailRtp09WithTheDetectedRate)
{
    Observations o = perfect_run();
    restamp(*o.main_stream, [](double t) { return mod32(t * 1000); });
    expect_exactly_failing(o, {"S-RTP-09"});
    const auto all = judge_server(o);
    const auto& res = result_of(all, "S-RTP-09");
    EXPECT_EQ(res.evidence()["detected_rate_hz"], 1000.0);
    EXPECT_THAT(res.message(), HasSubstr("1000 Hz (milliseconds), expected 1 Hz"));
    EXPECT_THAT(res.message(), HasSubstr("a deviation a grader may accept"));
}

TEST(JudgeServer, NinetyKilohertzTimestampsFailRtp09WithTheDetectedRate)
{
    Observations o = perfect_run();
    restamp(*o.main_stream, [](double t) { return mod32(t * 90000); });
    expect_exactly_failing(o, {"S-RTP-09"});
    EXPECT_EQ(result_of(judge_server(o), "S-RTP-09").evidence()["detected_rate_hz"], 90000.0);
}

TEST(JudgeServer, ConstantZeroTimestampsFailRtp09)
{
    Observations o = perfect_run();
    edit_every_header(*o.main_stream, [](rtp::RtpHeader& h) { h.timestamp = 0; });
    expect_exactly_failing(o, {"S-RTP-09"});
    EXPECT_THAT(result_of(judge_server(o), "S-RTP-09").message(), HasSubstr("the timestamp was 0 in all 40 packets"));
}

TEST(JudgeServer, TimestampsADayOffFailRtp09)
{
    Observations o = perfect_run();
    restamp(*o.main_stream, [](double t) { return mod32(t + 86400); });
    expect_exactly_failing(o, {"S-RTP-09"});
    EXPECT_THAT(result_of(judge_server(o), "S-RTP-09").message(), HasSubstr("off by +86400 s (40 of 40 packets"));
}

TEST(JudgeServer, DecreasingTimestampsFailRtp09NamingThePacket)
{
    Observations o = perfect_run();
    edit_header(*o.main_stream, 20, [](rtp::RtpHeader& h) { h.timestamp -= 10; });
    expect_exactly_failing(o, {"S-RTP-09"});
    EXPECT_THAT(result_of(judge_server(o), "S-RTP-09").message(), HasSubstr("packet 20 (seq 21): timestamp was"));
}

TEST(JudgeServer, TimestampsAFewSecondsOffStillPass)
{
    Observations o = perfect_run();
    restamp(*o.main_stream, [](double t) { return mod32(t - 2); });
    EXPECT_EQ(result_of(judge_server(o), "S-RTP-09").status(), Status::Pass);
}

// -------------------------------------------------------------------- S-PAY

Bytes with_length_digits(const Bytes& frame)
{
    char digits[8];
    std::snprintf(digits, sizeof digits, "%05zu", frame.size());
    Bytes out(digits, digits + 5);
    out.insert(out.end(), frame.begin(), frame.end());
    return out;
}

TEST(JudgeServer, LengthDigitsInThePayloadFailPay01AndPay02)
{
    Observations o = perfect_run();
    for (std::size_t k = 0; k < 40; ++k) set_payload(*o.main_stream, k, with_length_digits(movie40()[k]));
    expect_exactly_failing(o, {"S-PAY-01", "S-PAY-02"});
    const auto results = judge_server(o);
    EXPECT_THAT(result_of(results, "S-PAY-01").message(), HasSubstr("packet 0 (seq 1): the payload starts with the 5 length digits"));
    EXPECT_THAT(result_of(results, "S-PAY-02").message(),
                HasSubstr("payload 0 (packet 0, seq 1) is the 5 length digits of the movie file followed by frame 0"));
}

TEST(JudgeServer, TruncatedJpegFailsPay01AndPay02)
{
    Observations o = perfect_run();
    const Bytes& f = movie40()[12];
    set_payload(*o.main_stream, 12, Bytes(f.begin(), f.begin() + static_cast<long>(f.size() - 40)));
    expect_exactly_failing(o, {"S-PAY-01", "S-PAY-02"});
    const auto results = judge_server(o);
    EXPECT_THAT(result_of(results, "S-PAY-01").message(), HasSubstr("packet 12 (seq 13): the JPEG is cut short"));
    EXPECT_THAT(result_of(results, "S-PAY-02").message(), HasSubstr("is the first"));
}

TEST(JudgeServer, SwappedFramesFailPay02AndPay03)
{
    Observations o = perfect_run();
    set_payload(*o.main_stream, 7, movie40()[8]);
    set_payload(*o.main_stream, 8, movie40()[7]);
    expect_exactly_failing(o, {"S-PAY-02", "S-PAY-03"});
    const auto results = judge_server(o);
    EXPECT_THAT(result_of(results, "S-PAY-02").message(),
                HasSubstr("payload 7 (packet 7, seq 8) is frame 8 byte for byte, expected frame 7 (2 of 40 payloads"));
    EXPECT_THAT(result_of(results, "S-PAY-03").message(), HasSubstr("frame 7 arrived after frame 8 (packet 8, seq 9)"));
}

TEST(JudgeServer, OneFrameMissingFailsPay02AndPay03)
{
    Observations o = perfect_run();
    std::vector<Bytes> sent = movie40();
    sent.erase(sent.begin() + 20);
    o.main_stream = perfect_session(sent);  // 39 datagrams, seq 1..39: the frame was skipped, not lost
    expect_exactly_failing(o, {"S-PAY-02", "S-PAY-03"});
    EXPECT_THAT(result_of(judge_server(o), "S-PAY-03").message(), HasSubstr("frame 20 never arrived (1 of 40 frames)"));
}

TEST(JudgeServer, FrameSentTwiceFailsPay03)
{
    Observations o = perfect_run();
    std::vector<Bytes> sent = movie40();
    sent.insert(sent.begin() + 8, movie40()[7]);
    sent.pop_back();
    o.main_stream = perfect_session(sent);
    const auto results = judge_server(o);
    EXPECT_EQ(result_of(results, "S-PAY-03").status(), Status::Fail);
    EXPECT_THAT(result_of(results, "S-PAY-03").message(), HasSubstr("frame 7 arrived 2 times (packets 7, 8)"));
    EXPECT_THAT(result_of(results, "S-PAY-03").message(), HasSubstr("frame 39 never arrived"));
}

TEST(JudgeServer, WithoutALocalMovieCopyPay02And03Skip)
{
    Observations o = perfect_run();
    o.movie = Observed<MovieUnderTest>::not_applicable("no local copy of the movie: give --movie LOCAL_COPY");
    const auto results = judge_server(o);
    for (const auto& r : results) {
        if (r.info().id == "S-PAY-02" || r.info().id == "S-PAY-03") {
            EXPECT_EQ(r.status(), Status::Skip);
            EXPECT_THAT(r.message(), HasSubstr("--movie"));
        } else {
            EXPECT_EQ(r.status(), Status::Pass) << r.info().id << ": " << r.message();
        }
    }
}

TEST(JudgeServer, AMovieThatCouldNotBeReadIsAnError)
{
    Observations o = perfect_run();
    o.movie = Observed<MovieUnderTest>::missing("movie.mpeg: frame 3 at offset 1234: truncated frame");
    EXPECT_EQ(result_of(judge_server(o), "S-PAY-02").status(), Status::Error);
    EXPECT_THAT(result_of(judge_server(o), "S-PAY-03").message(), HasSubstr("truncated frame"));
}

// ------------------------------------------------------------------- S-TIME

TEST(JudgeServer, TwentyFivePerSecondFailsTime01Only)
{
    Observations o = perfect_run();
    o.main_stream = perfect_session(movie40(), kSessionId, "main stream", kStart, 0.04);
    expect_exactly_failing(o, {"S-TIME-01"});
    EXPECT_THAT(result_of(judge_server(o), "S-TIME-01").message(),
                HasSubstr("mean rate was 25.00 datagrams/s (40 datagrams over 1.560 s), expected 20 within 5% "
                          "(19.00..21.00)"));
}

TEST(JudgeServer, BurstsOfTenThenASleepFailTime02OnlyEvenWithTheRightMeanRate)
{
    Observations o = perfect_run();
    std::vector<double> times;
    const double go = kStart + 0.5;
    for (std::size_t k = 0; k < 40; ++k)
        times.push_back(go + 0.002 + 0.65 * static_cast<double>(k / 10) + 0.0002 * static_cast<double>(k % 10));
    set_receive_times(*o.main_stream, times);
    restamp(*o.main_stream, [](double t) { return mod32(t); });
    expect_exactly_failing(o, {"S-TIME-02"});
    const auto all = judge_server(o);
    const auto& res = result_of(all, "S-TIME-02");
    EXPECT_THAT(res.message(), HasSubstr("packets 0-9 (seq 1-10) arrived within 1.8 ms: a burst of 10 datagrams"));
    EXPECT_THAT(res.message(), HasSubstr("the median inter-arrival was 0.2 ms"));
}

TEST(JudgeServer, SleepingFiftyMillisecondsOnALoadedMachinePassesPacing)
{
    // time.sleep(0.05) after each send: 50-58 ms, now and then a 90 ms hiccup.
    Observations o = perfect_run();
    std::vector<double> times{kStart + 0.502};
    for (std::size_t k = 1; k < 40; ++k) {
        double gap = 0.050 + 0.001 * static_cast<double>((k * 7) % 9);  // 50..58 ms
        if (k == 13) gap = 0.090;
        times.push_back(times.back() + gap);
    }
    set_receive_times(*o.main_stream, times);
    restamp(*o.main_stream, [](double t) { return mod32(t); });
    const auto results = judge_server(o);
    EXPECT_EQ(result_of(results, "S-TIME-02").status(), Status::Pass) << result_of(results, "S-TIME-02").message();
}

TEST(JudgeServer, CatchingUpAfterAStallPassesPacing)
{
    // An absolute schedule that fell 200 ms behind once sends 5 datagrams back to back.
    Observations o = perfect_run();
    std::vector<double> times;
    for (std::size_t k = 0; k < 40; ++k) times.push_back(kStart + 0.502 + 0.05 * static_cast<double>(k));
    for (std::size_t k = 20; k < 24; ++k) times[k] = times[24] - 0.0003 * static_cast<double>(24 - k);
    set_receive_times(*o.main_stream, times);
    restamp(*o.main_stream, [](double t) { return mod32(t); });
    EXPECT_EQ(result_of(judge_server(o), "S-TIME-02").status(), Status::Pass)
        << result_of(judge_server(o), "S-TIME-02").message();
}

TEST(JudgeServer, TooFewDatagramsForTimingIsAnError)
{
    Observations o = perfect_run();
    o.main_stream->packets.resize(5);
    const auto results = judge_server(o);
    EXPECT_EQ(result_of(results, "S-TIME-01").status(), Status::Error);
    EXPECT_EQ(result_of(results, "S-TIME-02").status(), Status::Error);
}

// -------------------------------------------------------------------- S-ROB

TEST(JudgeServer, ADeadLivenessSessionWithATracebackFailsRob01Only)
{
    Observations o = perfect_run();
    RobustnessStep& s = (*o.malformed_requests)[4];
    SessionRecord dead = exchange("liveness after 64 KiB line", "movie.mpeg", 1);
    dead.reply.reset();
    dead.control.pop_back();
    dead.end = SessionEnd::ConnectFailed;
    dead.error = "connection refused";
    s.liveness = dead;
    s.process->died = true;
    s.process->exit_status = "exited with status 1";
    s.process->traceback =
        "Traceback (most recent call last):\n  File \"Server.py\", line 40, in run\n"
        "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 0\n";
    s.process->restarted = true;
    expect_exactly_failing(o, {"S-ROB-01"});
    const auto all = judge_server(o);
    const auto& res = result_of(all, "S-ROB-01");
    EXPECT_THAT(res.message(), HasSubstr("after \"64 KiB line\""));
    EXPECT_THAT(res.message(), HasSubstr("the server process died: exited with status 1; traceback ends: "
                                         "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 0"));
    EXPECT_EQ(res.evidence()["steps"][4]["process"]["exit_status"], "exited with status 1");
}

TEST(JudgeServer, ALivenessSessionWithoutDatagramsFailsRob02)
{
    Observations o = perfect_run();
    RobustnessStep& s = (*o.vanishing_clients)[0];
    s.liveness->packets.clear();
    s.liveness->end = SessionEnd::Idle;
    expect_exactly_failing(o, {"S-ROB-02"});
    EXPECT_THAT(result_of(judge_server(o), "S-ROB-02").message(),
                HasSubstr("the next session got SessionID 400001 and sent Go, but received 0 RTP datagrams"));
}

TEST(JudgeServer, AServerThatServesOneSessionFailsRob03)
{
    Observations o = perfect_run();
    SessionRecord refused;
    refused.label = "second session";
    refused.file = "movie.mpeg";
    refused.server = {"127.0.0.1", 5000};
    refused.end = SessionEnd::ConnectFailed;
    refused.error = "connection refused";
    o.second_session->liveness = refused;
    expect_exactly_failing(o, {"S-ROB-03"});
    EXPECT_THAT(result_of(judge_server(o), "S-ROB-03").message(),
                HasSubstr("could not connect to 127.0.0.1:5000 (connection refused)"));
}

TEST(JudgeServer, MissingLivenessIsAnErrorNotAPass)
{
    Observations o = perfect_run();
    (*o.malformed_requests)[2].liveness = Observed<SessionRecord>::missing("the runner timed out restarting the server");
    const auto all = judge_server(o);
    const auto& res = result_of(all, "S-ROB-01");
    EXPECT_EQ(res.status(), Status::Error);
    EXPECT_THAT(res.message(), HasSubstr("restarting the server"));
}

TEST(JudgeServer, SessionsServedOneAfterTheOtherFailRob04)
{
    Observations o = perfect_run();
    o.concurrency->second = perfect_session(movie40(), 600002, "concurrent 2", kStart + 3);
    expect_exactly_failing(o, {"S-ROB-04"});
    EXPECT_THAT(result_of(judge_server(o), "S-ROB-04").message(), HasSubstr("served one after the other"));
}

TEST(JudgeServer, CrossedStreamsFailRob04)
{
    Observations o = perfect_run();
    edit_header(o.concurrency->second, 5, [](rtp::RtpHeader& h) { h.ssrc = 600001; });
    expect_exactly_failing(o, {"S-ROB-04"});
    EXPECT_THAT(result_of(judge_server(o), "S-ROB-04").message(), HasSubstr("expected its own SessionID 600002"));
}

TEST(JudgeServer, ConcurrencyNotAskedForIsASkip)
{
    Observations o = perfect_run();
    o.concurrency = Observed<ConcurrentSessions>::not_applicable("the concurrency test was not asked for");
    EXPECT_EQ(result_of(judge_server(o), "S-ROB-04").status(), Status::Skip);
}

// ---------------------------------------------------------- S-SEC and S-BIG

TEST(JudgeServer, ServingAFileOutsideTheDirectoryFailsSec01)
{
    Observations o = perfect_run();
    (*o.traversal)[0].session = id_only_session("traversal ../", 999, kStart);
    (*o.traversal)[0].session.file = "../outside.mpeg";
    expect_exactly_failing(o, {"S-SEC-01"});
    EXPECT_THAT(result_of(judge_server(o), "S-SEC-01").message(),
                HasSubstr("the reply to \"../outside.mpeg\" (../name) was SessionID 999, expected -1"));
}

TEST(JudgeServer, Sec01SkipsForARemoteTarget)
{
    Observations o = perfect_run();
    o.launched = false;
    EXPECT_EQ(result_of(judge_server(o), "S-SEC-01").status(), Status::Skip);
}

TEST(JudgeServer, BigFrameCutShortFailsBig01)
{
    Observations o = perfect_run();
    const Bytes& f = big_movie()[1];
    set_payload(o.big_frames->session, 1, Bytes(f.begin(), f.begin() + 1000));
    expect_exactly_failing(o, {"S-BIG-01"});
    EXPECT_THAT(result_of(judge_server(o), "S-BIG-01").message(),
                HasSubstr("frame 1 (" + std::to_string(f.size()) + " bytes) arrived as first bytes of a frame"));
}

TEST(JudgeServer, BigFramesNeverSentFailBig01)
{
    Observations o = perfect_run();
    o.big_frames->session.packets.resize(1);
    expect_exactly_failing(o, {"S-BIG-01"});
    EXPECT_THAT(result_of(judge_server(o), "S-BIG-01").message(), HasSubstr("frame 1"));
}

// ------------------------------------------------------- nothing observed

TEST(JudgeServer, NothingObservedIsNeverAPass)
{
    Observations o;
    o.launched = true;
    o.harness_problem = "the server exited before its port accepted: exited with status 1; "
                        "ModuleNotFoundError: No module named 'PIL'";
    const auto results = judge_server(o);
    ASSERT_EQ(results.size(), report::checks_for(report::Role::Server).size());
    for (const auto& r : results) {
        EXPECT_EQ(r.status(), Status::Error) << r.info().id << ": " << r.message();
        EXPECT_THAT(r.message(), HasSubstr("No module named 'PIL'")) << r.info().id;
    }
}

TEST(JudgeServer, ServerDeathDuringTheMainStreamIsNamedInItsFailures)
{
    Observations o = perfect_run();
    o.main_stream->packets.resize(20);
    o.main_stream->end = SessionEnd::Idle;
    o.process_events.push_back(ProcessEvidence{"main stream", true, "killed by signal 11 (SIGSEGV)", "", "",
                                               at(kStart + 1.6), true, ""});
    const auto results = judge_server(o);
    const auto& pay03 = result_of(results, "S-PAY-03");
    EXPECT_EQ(pay03.status(), Status::Fail);
    EXPECT_THAT(pay03.message(), HasSubstr("frames 20-39 never arrived"));
    EXPECT_THAT(pay03.message(), HasSubstr("the server process died during \"main stream\": killed by signal 11 (SIGSEGV)"));
    EXPECT_EQ(pay03.evidence()["process"][0]["exit_status"], "killed by signal 11 (SIGSEGV)");
    EXPECT_EQ(result_of(results, "S-RTP-06").status(), Status::Pass);  // what arrived was fine
    EXPECT_TRUE(result_of(results, "S-RTP-06").evidence().find("process") == result_of(results, "S-RTP-06").evidence().end());
}

}  // namespace
}  // namespace tpc3::conform::server
