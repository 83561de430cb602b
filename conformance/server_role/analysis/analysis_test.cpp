#include <cmath>

#include <gtest/gtest.h>

#include "analysis/jpeg_payload.h"
#include "analysis/movie_match.h"
#include "analysis/packet_view.h"
#include "analysis/sequence.h"
#include "analysis/session_facts.h"
#include "analysis/test_records.h"
#include "analysis/timestamp_clock.h"
#include "analysis/timing.h"

namespace tpc3::conform::server::analysis {
namespace {

using namespace tpc3::conform::server::testing;

const std::vector<Bytes>& movie40()
{
    static const std::vector<Bytes> frames = tiny_movie(40);
    return frames;
}

// ---------------------------------------------------------------- packet view

TEST(PacketView, PerfectPacketsHaveNoDeviation)
{
    const SessionRecord r = perfect_session(movie40());
    const auto views = view_packets(r, kSessionId);
    ASSERT_EQ(views.size(), 40u);
    for (const PacketView& v : views) {
        ASSERT_TRUE(v.header);
        EXPECT_TRUE(v.deviations.empty()) << v.name();
        EXPECT_EQ(v.payload.size(), movie40()[v.index].size());
    }
    EXPECT_EQ(views[0].name(), "packet 0 (seq 1)");
    EXPECT_EQ(views[0].header_hex.substr(0, 11), "80 1a 00 01");
    EXPECT_EQ(views[0].header_hex.size(), 12u * 3 - 1);  // exactly the 12 header bytes
}

TEST(PacketView, ListsEveryDeviationOfAPacket)
{
    SessionRecord r = perfect_session(movie40());
    edit_header(r, 3, [](rtp::RtpHeader& h) {
        h.version = 1;
        h.payload_type = 96;
        h.ssrc = 7;
    });
    const auto views = view_packets(r, kSessionId);
    ASSERT_EQ(views[3].deviations.size(), 3u);
    ASSERT_NE(views[3].deviation(rtp::Field::Version), nullptr);
    EXPECT_EQ(views[3].deviation(rtp::Field::PayloadType)->seen, 96u);
    EXPECT_EQ(views[3].deviation(rtp::Field::Ssrc)->seen, 7u);
    EXPECT_EQ(views[3].deviation(rtp::Field::Marker), nullptr);
    EXPECT_TRUE(views[2].deviations.empty());
}

TEST(PacketView, ShortDatagramHasNoHeader)
{
    SessionRecord r = perfect_session(movie40());
    r.packets[5].bytes = {1, 2, 3, 4, 5, 6, 7};
    const auto views = view_packets(r);
    EXPECT_FALSE(views[5].header);
    EXPECT_EQ(views[5].name(), "packet 5 (7 bytes, no RTP header)");
    EXPECT_EQ(views[5].header_hex, "01 02 03 04 05 06 07");
}

// ------------------------------------------------------------------- sequence

TEST(Sequence, PerfectStreamStartsAtOneWithoutFault)
{
    const SessionRecord r = perfect_session(movie40());
    const SequenceAnalysis s = analyse_sequence(view_packets(r));
    EXPECT_EQ(s.first_seq, 1);
    EXPECT_TRUE(s.in_order());
    EXPECT_EQ(s.good_steps, 39u);
}

TEST(Sequence, NamesGapDuplicateAndBackwardsSteps)
{
    SessionRecord r = perfect_session(movie40());
    edit_header(r, 10, [](rtp::RtpHeader& h) { h.sequence = 13; });  // 10 -> 13: 2 skipped, then 13 -> 12 back
    edit_header(r, 20, [](rtp::RtpHeader& h) { h.sequence = 20; });  // repeats 20
    const SequenceAnalysis s = analyse_sequence(view_packets(r));
    ASSERT_EQ(s.faults.size(), 4u);
    EXPECT_EQ(s.faults[0].kind, SequenceFaultKind::Gap);
    EXPECT_EQ(s.faults[0].index, 10u);
    EXPECT_EQ(s.faults[0].expected, 11);
    EXPECT_EQ(s.faults[0].missing, 2u);
    EXPECT_EQ(s.faults[0].describe(),
              "packet 10 (seq 13): sequence number was 13, expected 11 (packet 9 had 10): 2 numbers skipped");
    EXPECT_EQ(s.faults[1].kind, SequenceFaultKind::Backwards);
    EXPECT_EQ(s.faults[1].index, 11u);
    EXPECT_EQ(s.faults[2].kind, SequenceFaultKind::Duplicate);
    EXPECT_EQ(s.faults[2].index, 20u);
    EXPECT_EQ(s.faults[3].kind, SequenceFaultKind::Gap);  // 20 -> 22
    EXPECT_EQ(s.gaps, 2u);
    EXPECT_EQ(s.duplicates, 1u);
    EXPECT_EQ(s.backwards, 1u);
}

TEST(Sequence, WrapFrom65535ToZeroIsPlusOne)
{
    SessionRecord r = perfect_session(movie40());
    edit_every_header(r, [](rtp::RtpHeader& h) { h.sequence = static_cast<std::uint16_t>(h.sequence + 65500); });
    const SequenceAnalysis s = analyse_sequence(view_packets(r));
    EXPECT_EQ(s.first_seq, 65501);
    EXPECT_TRUE(s.in_order());
}

TEST(Sequence, ShortDatagramsAreLeftOut)
{
    SessionRecord r = perfect_session(movie40());
    r.packets[0].bytes = {1, 2};
    const SequenceAnalysis s = analyse_sequence(view_packets(r));
    EXPECT_EQ(s.first_seq, 2);
    EXPECT_EQ(s.first_index, 1u);
    EXPECT_EQ(s.packets, 39u);
}

// ------------------------------------------------------------ timestamp clock

std::vector<TimestampSample> samples_of(const SessionRecord& r) { return timestamp_samples(view_packets(r)); }

// Restamps every packet with floor(rate * (receive time - 0.5 ms + offset)) mod 2^32.
void restamp(SessionRecord& r, double rate, double offset_s = 0)
{
    for (ReceivedPacket& p : r.packets) {
        const double sent = unix_seconds(p.received) - 0.0005 + offset_s;
        const double ticks = std::floor(rate * sent);
        const auto ts = static_cast<std::uint32_t>(std::fmod(ticks, 4294967296.0));
        const std::size_t k = p.index;
        edit_header(r, k, [&](rtp::RtpHeader& h) { h.timestamp = ts; });
    }
}

TEST(TimestampClock, ShortOneHertzStreamIsDetectedExactly)
{
    const SessionRecord r = perfect_session(movie40());  // 1.95 s: three distinct timestamps
    const auto samples = samples_of(r);
    const TimestampClock c = detect_timestamp_clock(samples);
    EXPECT_EQ(c.kind, ClockKind::Seconds) << c.describe();
    ASSERT_TRUE(c.offset_s);
    EXPECT_NEAR(*c.offset_s, -0.5, 0.51);
    const auto w = wall_clock_offset(samples, 3);
    ASSERT_TRUE(w);
    EXPECT_EQ(w->outside, 0u);
    EXPECT_LE(std::llabs(w->off_by_s), 1);
}

TEST(TimestampClock, OneHertzADayOffIsOneHertzButOutsideTheTolerance)
{
    SessionRecord r = perfect_session(movie40());
    restamp(r, 1.0, 86400);
    const auto samples = samples_of(r);
    const TimestampClock c = detect_timestamp_clock(samples);
    EXPECT_EQ(c.kind, ClockKind::Seconds);
    EXPECT_NEAR(*c.offset_s, 86400, 1);
    const auto w = wall_clock_offset(samples, 3);
    EXPECT_EQ(w->outside, 40u);
    EXPECT_EQ(w->first_outside->index, 0u);
    EXPECT_EQ(w->first_outside_off_by_s, 86400);
}

TEST(TimestampClock, AStallBetweenStampingAndSendingIsStillOneHertz)
{
    // Packet 23 is stamped just before a second ticks (at x.952 s) and then
    // stalls 0.4 s before it is sent; the packets due meanwhile follow at once,
    // stamped when sent.
    SessionRecord r = perfect_session(movie40());
    std::vector<double> times;
    for (const ReceivedPacket& p : r.packets) times.push_back(unix_seconds(p.received));
    const double stalled = times[23] + 0.4;
    times[23] = stalled;
    for (std::size_t k = 24; k < 40 && times[k] < stalled; ++k) times[k] = stalled + 0.0002 * static_cast<double>(k - 23);
    set_receive_times(r, times);
    for (std::size_t k = 24; k < 40; ++k)
        edit_header(r, k, [&](rtp::RtpHeader& h) { h.timestamp = static_cast<std::uint32_t>(std::floor(times[k])); });
    const TimestampClock c = detect_timestamp_clock(samples_of(r));
    EXPECT_EQ(c.kind, ClockKind::Seconds) << c.describe();
    EXPECT_GT(c.spread_s, 1.3);  // the case the slack is for
}

TEST(TimestampClock, MillisecondsAndNinetyKilohertzAreNamed)
{
    SessionRecord ms = perfect_session(movie40());
    restamp(ms, 1000.0);
    const TimestampClock c1 = detect_timestamp_clock(samples_of(ms));
    EXPECT_EQ(c1.kind, ClockKind::Milliseconds) << c1.describe();
    EXPECT_EQ(c1.rate_hz, 1000.0);
    EXPECT_NEAR(*c1.offset_s, 0, 0.01);  // int(time.time() * 1000) mod 2^32 tracks the clock
    EXPECT_NEAR(*c1.estimated_rate_hz, 1000, 5);

    SessionRecord rtp = perfect_session(movie40());
    restamp(rtp, 90000.0, 12.25);
    const TimestampClock c2 = detect_timestamp_clock(samples_of(rtp));
    EXPECT_EQ(c2.kind, ClockKind::Rtp90kHz) << c2.describe();
    EXPECT_NEAR(*c2.offset_s, 12.25, 0.01);
}

TEST(TimestampClock, MillisecondClockWrappingPastTwoToThe32IsStillMonotonic)
{
    SessionRecord r = perfect_session(movie40());
    std::uint32_t ts = 0xFFFFFFFFu - 1000;  // wraps after 20 packets
    for (std::size_t k = 0; k < r.packets.size(); ++k) {
        edit_header(r, k, [&](rtp::RtpHeader& h) { h.timestamp = ts; });
        ts += 50;
    }
    const TimestampClock c = detect_timestamp_clock(samples_of(r));
    EXPECT_EQ(c.kind, ClockKind::Milliseconds) << c.describe();
}

TEST(TimestampClock, ConstantZeroIsConstant)
{
    SessionRecord r = perfect_session(movie40());
    edit_every_header(r, [](rtp::RtpHeader& h) { h.timestamp = 0; });
    const auto samples = samples_of(r);
    EXPECT_EQ(detect_timestamp_clock(samples).kind, ClockKind::Constant);
    EXPECT_EQ(wall_clock_offset(samples, 3)->outside, 40u);
}

TEST(TimestampClock, ConstantOverLessThanASecondCannotBeToldFromOneHertz)
{
    SessionRecord r = perfect_session(tiny_movie(12));  // 0.55 s
    edit_every_header(r, [](rtp::RtpHeader& h) { h.timestamp = 1'700'000'000; });
    EXPECT_EQ(detect_timestamp_clock(samples_of(r)).kind, ClockKind::Seconds);
}

TEST(TimestampClock, DecreasingNamesTheFirstPacketThatWentBack)
{
    SessionRecord r = perfect_session(movie40());
    edit_header(r, 17, [](rtp::RtpHeader& h) { h.timestamp -= 5; });
    const TimestampClock c = detect_timestamp_clock(samples_of(r));
    EXPECT_EQ(c.kind, ClockKind::NotMonotonic);
    ASSERT_TRUE(c.went_back);
    EXPECT_EQ(c.went_back->index, 17u);
    EXPECT_EQ(c.before_went_back->index, 16u);
}

TEST(TimestampClock, FrameCounterIsAnUnknownRateNearTwenty)
{
    SessionRecord r = perfect_session(movie40());
    edit_every_header(r, [](rtp::RtpHeader& h) { h.timestamp = h.sequence; });
    const TimestampClock c = detect_timestamp_clock(samples_of(r));
    EXPECT_EQ(c.kind, ClockKind::Unknown);
    ASSERT_TRUE(c.rate_hz);
    EXPECT_NEAR(*c.rate_hz, 20, 0.1);
    EXPECT_EQ(c.describe(), "unknown rate 20.0 Hz");
}

TEST(TimestampClock, FewerThanTwoPacketsAreTooFew)
{
    const SessionRecord r = perfect_session(tiny_movie(1));
    EXPECT_EQ(detect_timestamp_clock(samples_of(r)).kind, ClockKind::TooFew);
}

// --------------------------------------------------------------- JPEG payload

TEST(JpegPayload, RealJpegIsOneCompleteJpeg)
{
    const Bytes jpeg = tiny_jpeg(3);
    EXPECT_EQ(jpeg_image_end(jpeg), jpeg.size());
    const PayloadVerdict v = judge_payload(jpeg);
    EXPECT_TRUE(v.ok()) << v.explanation;
}

TEST(JpegPayload, ExplainsTheUsualMistakes)
{
    const Bytes jpeg = tiny_jpeg(3);
    char digits[8];
    std::snprintf(digits, sizeof digits, "%05zu", jpeg.size());
    Bytes with_digits(digits, digits + 5);
    with_digits.insert(with_digits.end(), jpeg.begin(), jpeg.end());
    const PayloadVerdict d = judge_payload(with_digits);
    EXPECT_EQ(d.shape, PayloadShape::LengthDigitsPrepended);
    EXPECT_EQ(d.length_digits, jpeg.size());
    EXPECT_NE(d.explanation.find("5 length digits"), std::string::npos);

    const Bytes cut(jpeg.begin(), jpeg.begin() + static_cast<long>(jpeg.size() / 2));
    EXPECT_EQ(judge_payload(cut).shape, PayloadShape::Truncated);

    Bytes two = jpeg;
    const Bytes other = tiny_jpeg(4);
    two.insert(two.end(), other.begin(), other.end());
    const PayloadVerdict t = judge_payload(two);
    EXPECT_EQ(t.shape, PayloadShape::TwoFrames);
    EXPECT_EQ(t.first_image_end, jpeg.size());

    Bytes trailing = jpeg;
    trailing.push_back(0);
    trailing.push_back(1);
    EXPECT_EQ(judge_payload(trailing).shape, PayloadShape::TrailingBytes);

    const Bytes tail(jpeg.begin() + 100, jpeg.end());
    EXPECT_EQ(judge_payload(tail).shape, PayloadShape::MissingStart);
    EXPECT_EQ(judge_payload({}).shape, PayloadShape::Empty);
    EXPECT_EQ(judge_payload(Bytes{'h', 'e', 'l', 'l', 'o'}).shape, PayloadShape::NotJpeg);

    const Bytes fake{0xFF, 0xD8, 0x12, 0x34, 0x56, 0xFF, 0xD9};
    EXPECT_EQ(judge_payload(fake).shape, PayloadShape::Undecodable);
}

TEST(JpegPayload, ThumbnailEoiInsideAnAppSegmentIsNotTheEnd)
{
    const Bytes jpeg = tiny_jpeg(5);
    // SOI, then an APP1 segment holding a fake "thumbnail" FF D8 .. FF D9, then the rest.
    Bytes with_app{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x08, 0xFF, 0xD8, 0x00, 0x00, 0xFF, 0xD9};
    with_app.insert(with_app.end(), jpeg.begin() + 2, jpeg.end());
    EXPECT_EQ(jpeg_image_end(with_app), with_app.size());
    EXPECT_TRUE(judge_payload(with_app).ok()) << judge_payload(with_app).explanation;
}

// -------------------------------------------------------------- movie matching

TEST(MovieMatch, PerfectStreamMatchesEveryFrame)
{
    const SessionRecord r = perfect_session(movie40());
    const MovieComparison c = compare_with_movie(view_packets(r), movie40());
    EXPECT_EQ(c.compared, 40u);
    EXPECT_TRUE(c.mismatches.empty());
    EXPECT_TRUE(c.all_frames_in_order());
}

TEST(MovieMatch, SwappedFramesAreOutOfOrderAndMismatched)
{
    SessionRecord r = perfect_session(movie40());
    set_payload(r, 7, movie40()[8]);
    set_payload(r, 8, movie40()[7]);
    const MovieComparison c = compare_with_movie(view_packets(r), movie40());
    ASSERT_EQ(c.mismatches.size(), 2u);
    EXPECT_EQ(c.mismatches[0].describe(), "payload 7 (packet 7, seq 8) is frame 8 byte for byte, expected frame 7");
    ASSERT_EQ(c.out_of_order.size(), 1u);
    EXPECT_EQ(c.out_of_order[0].frame, 7u);
    EXPECT_EQ(c.out_of_order[0].after_frame, 8u);
    EXPECT_TRUE(c.missing.empty());
    EXPECT_TRUE(c.repeated.empty());
}

TEST(MovieMatch, MissingAndRepeatedFramesAreNamed)
{
    SessionRecord r = perfect_session(movie40());
    // Frames 3-5 never sent (the stream carries 0,1,2,6,7,...), frame 7 sent twice.
    std::vector<Bytes> sent;
    for (std::size_t k = 0; k < 40; ++k)
        if (k < 3 || k > 5) sent.push_back(movie40()[k]);
    sent.insert(sent.begin() + 5, movie40()[7]);  // 0 1 2 6 7 7 8 ...
    r = perfect_session(sent);
    const MovieComparison c = compare_with_movie(view_packets(r), movie40());
    ASSERT_EQ(c.missing.size(), 1u);
    EXPECT_EQ(c.missing[0].describe(), "frames 3-5");
    EXPECT_EQ(c.missing_count(), 3u);
    ASSERT_EQ(c.repeated.size(), 1u);
    EXPECT_EQ(c.repeated[0].frame, 7u);
    EXPECT_EQ(c.repeated[0].packets, (std::vector<std::size_t>{4, 5}));
    EXPECT_TRUE(c.out_of_order.empty());
    EXPECT_EQ(c.payloads, 38u);
}

TEST(MovieMatch, RecognisesDigitsPiecesPairsAndStrangers)
{
    SessionRecord r = perfect_session(movie40());
    const Bytes& f2 = movie40()[2];
    char digits[8];
    std::snprintf(digits, sizeof digits, "%05zu", f2.size());
    Bytes with_digits(digits, digits + 5);
    with_digits.insert(with_digits.end(), f2.begin(), f2.end());
    set_payload(r, 2, with_digits);
    set_payload(r, 4, Bytes(movie40()[4].begin(), movie40()[4].begin() + 50));
    set_payload(r, 9, Bytes{0xFF, 0xD8, 0xFF, 0xD9});
    const MovieComparison c = compare_with_movie(view_packets(r), movie40());
    ASSERT_EQ(c.identities.size(), 40u);
    EXPECT_EQ(c.identities[2].carriage, Carriage::LengthDigits);
    EXPECT_EQ(c.identities[4].carriage, Carriage::Prefix);
    EXPECT_EQ(c.identities[9].carriage, Carriage::None);
    ASSERT_EQ(c.mismatches.size(), 3u);
    EXPECT_NE(c.mismatches[0].describe().find("5 length digits"), std::string::npos);
    EXPECT_EQ(c.mismatches[1].describe(),
              "payload 4 (packet 4, seq 5) is the first 50 bytes of frame 4 (" + std::to_string(movie40()[4].size()) +
                  " bytes), expected frame 4 whole");
    EXPECT_EQ(c.mismatches[2].first_difference, 3u);  // FF D8 FF | D9 vs E0 (APP0)
    EXPECT_NE(c.mismatches[2].describe().find("differs from frame 9 at byte 3 (payload d9, frame e0)"),
              std::string::npos)
        << c.mismatches[2].describe();
    ASSERT_EQ(c.extra.size(), 1u);
    EXPECT_EQ(c.extra[0].packet_index, 9u);
    ASSERT_EQ(c.missing.size(), 1u);
    EXPECT_EQ(c.missing[0].describe(), "frame 9");

    // Two frames in one payload carry both.
    std::vector<Bytes> sent{movie40()[0]};
    Bytes pair = movie40()[1];
    pair.insert(pair.end(), movie40()[2].begin(), movie40()[2].end());
    sent.push_back(pair);
    for (std::size_t k = 3; k < 40; ++k) sent.push_back(movie40()[k]);
    const SessionRecord p = perfect_session(sent);
    const MovieComparison cp = compare_with_movie(view_packets(p), movie40());
    EXPECT_EQ(cp.identities[1].carriage, Carriage::Concatenated);
    EXPECT_TRUE(cp.missing.empty());
}

TEST(MovieMatch, ExtraPayloadsAfterTheLastFrameAreExtra)
{
    std::vector<Bytes> sent = movie40();
    sent.push_back(movie40()[0]);  // loops once more
    const SessionRecord r = perfect_session(sent);
    const MovieComparison c = compare_with_movie(view_packets(r), movie40());
    EXPECT_TRUE(c.mismatches.empty());  // positions 0..39 all match
    EXPECT_EQ(c.compared, 40u);
    ASSERT_EQ(c.repeated.size(), 1u);
    EXPECT_EQ(c.repeated[0].frame, 0u);
}

// --------------------------------------------------------------------- timing

TEST(Timing, PerfectStreamIsTwentyPerSecondWithoutJitter)
{
    const SessionRecord r = perfect_session(movie40());
    const TimingAnalysis t = analyse_timing(view_packets(r), 20, 10);
    EXPECT_EQ(t.datagrams, 40u);
    EXPECT_TRUE(t.kernel_timestamps);
    EXPECT_NEAR(t.duration_s, 1.95, 1e-6);
    ASSERT_TRUE(t.mean_rate_hz);
    EXPECT_NEAR(*t.mean_rate_hz, 20, 1e-3);
    EXPECT_NEAR(t.inter_arrival.p50, 50, 1e-3);
    EXPECT_NEAR(t.inter_arrival.max, 50, 1e-3);
    EXPECT_NEAR(*t.jitter_ms, 0, 1e-3);
    EXPECT_FALSE(t.longest_burst);
}

TEST(Timing, BurstsOfTenAreFoundWithTheRightMeanRate)
{
    SessionRecord r = perfect_session(movie40());
    std::vector<double> times;
    for (std::size_t k = 0; k < 40; ++k)
        times.push_back(kStart + 0.5 + 0.5 * static_cast<double>(k / 10) + 0.0002 * static_cast<double>(k % 10));
    set_receive_times(r, times);
    const TimingAnalysis t = analyse_timing(view_packets(r), 20, 10);
    ASSERT_TRUE(t.longest_burst);
    EXPECT_EQ(t.longest_burst->gaps, 9u);
    EXPECT_EQ(t.longest_burst->first_packet, 0u);
    EXPECT_EQ(t.longest_burst->last_packet, 9u);
    EXPECT_EQ(t.short_gaps, 36u);
    EXPECT_LT(t.inter_arrival.p50, 1.0);
    EXPECT_GT(t.inter_arrival.p95, 400.0);
    EXPECT_GT(*t.jitter_ms, 10.0);
}

TEST(Timing, TwentyFivePerSecond)
{
    const SessionRecord r = perfect_session(movie40(), kSessionId, "main stream", kStart, 0.04);
    const TimingAnalysis t = analyse_timing(view_packets(r), 20, 10);
    EXPECT_NEAR(*t.mean_rate_hz, 25, 1e-3);
    EXPECT_NEAR(t.inter_arrival.p95, 40, 1e-3);
}

TEST(Timing, PercentilesAreNearestRank)
{
    std::vector<double> v;
    for (int k = 1; k <= 100; ++k) v.push_back(k);
    EXPECT_EQ(percentile(v, 50), 50);
    EXPECT_EQ(percentile(v, 95), 95);
    EXPECT_EQ(percentile(v, 99), 99);
    EXPECT_EQ(percentile({}, 50), 0);
}

// --------------------------------------------------------------- session facts

TEST(SessionFacts, RepliesInWords)
{
    SessionRecord ok = exchange("s", "movie.mpeg", 483920);
    EXPECT_EQ(granted_session_id(ok), 483920u);
    EXPECT_EQ(describe_reply(ok), "SessionID 483920");

    SessionRecord nf = exchange("s", "nope.mpeg", -1);
    EXPECT_FALSE(granted_session_id(nf));
    EXPECT_TRUE(replied_not_found(nf));
    EXPECT_EQ(describe_reply(nf), "-1");

    SessionRecord bad = exchange("s", "movie.mpeg", 1);
    bad.reply->status = control::ParseStatus::Invalid;
    bad.reply->value.reset();
    bad.reply->seen = "abc";
    bad.reply->problems = {"reply \"abc\" is neither a SessionID (0..4294967295) nor -1"};
    EXPECT_FALSE(granted_session_id(bad));
    EXPECT_NE(describe_reply(bad).find("\"abc\""), std::string::npos);

    SessionRecord none = exchange("s", "movie.mpeg", 1);
    none.reply.reset();
    none.control.pop_back();
    none.server_closed_at = at(kStart);
    none.end = SessionEnd::BadReply;
    EXPECT_EQ(describe_reply(none), "no reply: the server closed the connection");

    SessionRecord refused;
    refused.server = {"127.0.0.1", 5000};
    refused.end = SessionEnd::ConnectFailed;
    refused.error = "connection refused";
    EXPECT_EQ(describe_reply(refused), "no reply: could not connect to 127.0.0.1:5000 (connection refused)");
}

TEST(SessionFacts, DatagramsBeforeGo)
{
    SessionRecord r = perfect_session(movie40());
    EXPECT_TRUE(datagrams_before(r, *r.go_at).empty());
    EXPECT_EQ(datagrams_after_go(r), 40u);
    r.packets[0].received = at(kStart + 0.1);
    ASSERT_EQ(datagrams_before(r, *r.go_at).size(), 1u);
    EXPECT_EQ(datagrams_after_go(r), 39u);
}

TEST(SessionFacts, LivenessNeedsAnIdAndDatagramsAfterGo)
{
    const SessionRecord good = perfect_session(tiny_movie(3), 99, "liveness");
    const Liveness l = judge_liveness(good, 2);
    EXPECT_TRUE(l.valid) << l.explanation;
    EXPECT_EQ(l.datagrams, 3u);

    SessionRecord silent = perfect_session(tiny_movie(3), 99, "liveness");
    silent.packets.resize(1);
    silent.end = SessionEnd::Idle;
    const Liveness s = judge_liveness(silent, 2);
    EXPECT_FALSE(s.valid);
    EXPECT_NE(s.explanation.find("received 1 RTP datagram,"), std::string::npos) << s.explanation;

    SessionRecord refused;
    refused.file = "movie.mpeg";
    refused.end = SessionEnd::ConnectFailed;
    refused.server = {"127.0.0.1", 5000};
    EXPECT_FALSE(judge_liveness(refused, 2).valid);
}

}  // namespace
}  // namespace tpc3::conform::server::analysis
