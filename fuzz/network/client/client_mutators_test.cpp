// The client cases without any client: determinism, what each mutator
// builds, the layout conventions (timestamps, sequence slots), and the probes
// that do not need a client (UDP queue, traceback parsing).
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <set>
#include <thread>

#include "client/client_datagrams.h"
#include "client/client_fuzzer.h"
#include "client/client_launch.h"
#include "client/datagram_mutators.h"
#include "client/reply_mutators.h"
#include "net/socket.h"
#include "rtp/rtp_header.h"
#include "target/process_report.h"

namespace tpc3::fuzz::net {
namespace {

using Kind = WireStep::Kind;

std::uint16_t seq_of(const std::vector<std::uint8_t>& d) { return static_cast<std::uint16_t>((d[2] << 8) | d[3]); }

FuzzCase case_with(std::string_view mutator, std::uint64_t seed = 3, std::uint64_t iteration = 5)
{
    Rng rng = Rng::for_case(seed, iteration);
    if (const auto* m = find_datagram_mutator(mutator)) return make_datagram_case(seed, iteration, *m, rng);
    const auto* r = find_reply_mutator(mutator);
    EXPECT_NE(r, nullptr) << mutator;
    return make_reply_case(seed, iteration, *r, rng);
}

// The datagram(s) between the lead-in and the two trailing frames.
std::vector<std::vector<std::uint8_t>> mutated(const FuzzCase& c)
{
    std::vector<std::vector<std::uint8_t>> out;
    for (std::size_t k = 1; k + 2 < c.steps.size(); ++k) out.push_back(c.steps[k].bytes);
    return out;
}

TEST(ClientCases, SameSeedAndIterationGiveTheSameCaseWhateverRanBefore)
{
    std::vector<FuzzCase> forward;
    for (std::uint64_t i = 0; i < 120; ++i) forward.push_back(make_client_case(42, i));
    for (std::uint64_t i = 120; i-- > 0;) EXPECT_EQ(make_client_case(42, i), forward[i]) << "case " << i;
    int differ = 0;
    for (std::uint64_t i = 0; i < 120; ++i) differ += make_client_case(43, i) == forward[i] ? 0 : 1;
    EXPECT_GT(differ, 100) << "another seed should give other cases";
}

TEST(ClientCases, EveryMutatorIsDrawnAndReplyCasesAreAboutOneInTen)
{
    std::map<std::string, int> seen;
    int reply = 0;
    const int total = 4000;
    for (int i = 0; i < total; ++i) {
        const FuzzCase c = make_client_case(1, static_cast<std::uint64_t>(i));
        ++seen[c.mutator];
        reply += is_reply_case(c) ? 1 : 0;
    }
    for (const auto& m : datagram_mutators()) EXPECT_GT(seen["datagram." + std::string(m.name)], 0) << m.name;
    for (const auto& m : reply_mutators()) EXPECT_GT(seen["reply." + std::string(m.name)], 0) << m.name;
    EXPECT_NEAR(reply, total / 10, total / 40);
}

TEST(ClientCases, DatagramCasesHaveALeadInTwoTrailingFramesAndANoteOnEveryStep)
{
    const std::uint32_t ssrc = client_session_id(3);
    for (const auto& m : datagram_mutators()) {
        for (std::uint64_t i = 0; i < 20; ++i) {
            Rng rng = Rng::for_case(3, i);
            const FuzzCase c = make_datagram_case(3, i, m, rng);
            SCOPED_TRACE(c.description);
            EXPECT_EQ(c.role, "client");
            EXPECT_EQ(c.mutator, "datagram." + std::string(m.name));
            ASSERT_GE(c.steps.size(), 3u);
            for (const WireStep& s : c.steps) {
                EXPECT_EQ(s.kind, Kind::Datagram);
                EXPECT_FALSE(s.note.empty());
                EXPECT_LE(s.bytes.size(), kMaxDatagram);
            }
            EXPECT_EQ(c.steps.front().bytes, valid_datagram(ssrc, first_slot(i)));
            const auto& a = c.steps[c.steps.size() - 2].bytes;
            const auto& b = c.steps.back().bytes;
            EXPECT_EQ(a, valid_datagram(ssrc, seq_of(a)));
            EXPECT_EQ(seq_of(b), static_cast<std::uint16_t>(seq_of(a) + 1));
            EXPECT_EQ(seq_of(a), static_cast<std::uint16_t>(first_slot(i) + kTrailingSlot));
        }
    }
}

// A correct client's sequence check (serial arithmetic, PROTOCOL.md 5) over
// a long run of datagram cases in one launch: every case's trailing frames are
// accepted, whatever the cases before it did to the sequence numbers.
TEST(ClientCases, ACorrectClientAcceptsTheTrailingFramesOfEveryCaseOfABatch)
{
    const std::uint64_t seed = 12;
    const std::uint32_t ssrc = client_session_id(seed);
    std::optional<std::uint16_t> last;
    int walked = 0;
    for (std::uint64_t i = 0; i < 3000; ++i) {
        Rng rng = Rng::for_case(seed, i);
        const FuzzCase c = make_datagram_case(seed, i, rng);
        walked += find_datagram_mutator(c.mutator)->moves_sequence ? 1 : 0;
        for (std::size_t k = 0; k < c.steps.size(); ++k) {
            const auto& d = c.steps[k].bytes;
            const auto p = rtp::parse(d);
            bool accepted = false;
            if (p.ok() && rtp::profile_deviations(*p.header, ssrc).empty()) {
                const std::uint32_t offset = p.header->timestamp;
                const bool ts_ok = offset <= 5 || offset >= 0xFFFFFFFBu;
                const auto ahead = last ? static_cast<std::uint16_t>(p.header->sequence - *last) : 1;
                if (ts_ok && ahead >= 1 && ahead <= 32767) {
                    last = p.header->sequence;
                    accepted = true;
                }
            }
            if (k + 2 >= c.steps.size()) {
                ASSERT_TRUE(accepted) << "case " << i << " " << c.description << " step " << k;
            }
        }
    }
    EXPECT_GT(walked, 100);
}

TEST(ClientCases, LengthMutatorsMakeTheSizesTheyName)
{
    EXPECT_EQ(mutated(case_with("length.empty")).at(0).size(), 0u);
    EXPECT_EQ(mutated(case_with("length.one")).at(0).size(), 1u);
    EXPECT_EQ(mutated(case_with("length.eleven")).at(0).size(), 11u);
    EXPECT_EQ(mutated(case_with("length.header_only")).at(0).size(), 12u);
    EXPECT_EQ(mutated(case_with("length.thirteen")).at(0).size(), 13u);
    EXPECT_EQ(mutated(case_with("length.max")).at(0).size(), 65'507u);
    for (std::uint64_t i = 0; i < 30; ++i) {
        const auto s = mutated(case_with("length.short", 9, i)).at(0).size();
        EXPECT_GE(s, 2u);
        EXPECT_LE(s, 10u);
    }
    for (std::uint64_t i = 0; i < 10; ++i)
        for (const auto& d : mutated(case_with("burst.short", 9, i))) EXPECT_LT(d.size(), 12u);
}

TEST(ClientCases, HeaderMutatorsChangeTheFieldTheyName)
{
    const std::uint32_t ssrc = client_session_id(3);
    for (std::uint64_t i = 0; i < 30; ++i) {
        const auto field = [&](std::string_view m) {
            const auto d = mutated(case_with(m, 3, i)).at(0);
            const auto p = rtp::parse(d);
            EXPECT_TRUE(p.ok()) << m;
            return *p.header;
        };
        EXPECT_NE(field("header.version").version, 2);
        EXPECT_TRUE(field("header.padding").padding);
        EXPECT_TRUE(field("header.extension").extension);
        EXPECT_NE(field("header.csrc_count").csrc_count, 0);
        EXPECT_TRUE(field("header.marker").marker);
        EXPECT_NE(field("header.payload_type").payload_type, 26);
        EXPECT_NE(field("header.ssrc").ssrc, ssrc);
        EXPECT_NE(field("timestamp.offset").timestamp, 0u);
        const auto older = field("seq.older").sequence;
        const auto ahead = static_cast<std::uint16_t>(older - first_slot(i));
        EXPECT_GE(ahead, 32768) << "seq.older must be behind the lead-in";
        EXPECT_EQ(field("seq.duplicate").sequence, first_slot(i));
    }
}

TEST(ClientCases, ReplyCasesEndWithFramesWhenTheReplyIsValidAndWithACloseOtherwise)
{
    for (const auto& m : reply_mutators()) {
        for (std::uint64_t i = 0; i < 10; ++i) {
            Rng rng = Rng::for_case(5, i);
            const FuzzCase c = make_reply_case(5, i, m, rng);
            SCOPED_TRACE(c.description);
            ASSERT_FALSE(c.steps.empty());
            for (const WireStep& s : c.steps) EXPECT_FALSE(s.note.empty());
            if (m.valid) {
                EXPECT_EQ(c.steps.back().kind, Kind::Datagram);
                EXPECT_TRUE(std::any_of(c.steps.begin(), c.steps.end(),
                                        [](const WireStep& s) { return s.kind == Kind::ExpectReply; }));
            } else {
                EXPECT_NE(c.steps.back().kind, Kind::Datagram);
                EXPECT_TRUE(std::any_of(c.steps.begin(), c.steps.end(), [](const WireStep& s) {
                    return s.kind == Kind::Close || s.kind == Kind::Reset;
                }));
            }
        }
    }
}

TEST(ClientCases, HugeRepliesIncludeThousandsOfDigits)
{
    std::set<std::size_t> sizes;
    for (std::uint64_t i = 0; i < 200; ++i) sizes.insert(case_with("reply.huge", 1, i).steps.front().bytes.size());
    EXPECT_TRUE(sizes.count(5000) + sizes.count(5001) > 0);
    EXPECT_TRUE(sizes.count(70'000) + sizes.count(70'001) > 0);
}

TEST(ClientCases, CasesSurviveTheirJsonReproducer)
{
    for (std::uint64_t i = 0; i < 40; ++i) {
        const FuzzCase c = make_client_case(11, i);
        EXPECT_EQ(case_from_json(to_json(c)), c) << c.description;
    }
}

TEST(ClientDatagrams, TimestampBytesAreAnOffsetFromTheSendTime)
{
    auto h = valid_header(7, 1);
    h.timestamp = 86'400;
    const auto stored = make_datagram(h, std::vector<std::uint8_t>{0xFF, 0xD8});
    const auto sent = stamp_timestamp(stored, 1'700'000'000);
    EXPECT_EQ(rtp::parse(sent).header->timestamp, 1'700'086'400u);
    auto wrap = valid_header(7, 1);
    wrap.timestamp = 0xFFFFFFFF;  // now - 1
    EXPECT_EQ(rtp::parse(stamp_timestamp(make_datagram(wrap, {}), 10)).header->timestamp, 9u);
    const std::vector<std::uint8_t> short_one{0x80, 0x1A, 0, 1, 9, 9, 9};
    EXPECT_EQ(stamp_timestamp(short_one, 12345), short_one);
    // Everything but the timestamp goes out as stored.
    auto a = stored, b = sent;
    std::fill(a.begin() + 4, a.begin() + 8, 0);
    std::fill(b.begin() + 4, b.begin() + 8, 0);
    EXPECT_EQ(a, b);
}

TEST(ClientDatagrams, ValidFramesAreJpegsAndSlotsIncreaseFromCaseToCase)
{
    const auto& jpeg = valid_jpeg(1);
    ASSERT_GT(jpeg.size(), 100u);
    EXPECT_EQ(jpeg[0], 0xFF);
    EXPECT_EQ(jpeg[1], 0xD8);
    EXPECT_EQ(jpeg[jpeg.size() - 2], 0xFF);
    EXPECT_EQ(jpeg.back(), 0xD9);
    for (std::uint64_t i = 0; i < 5000; ++i) {
        const auto ahead = static_cast<std::uint16_t>(first_slot(i + 1) - first_slot(i));
        EXPECT_EQ(ahead, kSlotsPerCase);
    }
    EXPECT_NE(client_session_id(1), 0u);
    EXPECT_NE(client_session_id(1), client_session_id(2));
}

TEST(ClientProbes, UdpReceiveQueueSeesABoundSocketAndItsBacklog)
{
    auto rx = tpc3::net::UdpSocket::bind("127.0.0.1", 0);
    const auto port = rx.local_port();
    ASSERT_TRUE(udp_receive_queue(port).has_value());
    EXPECT_EQ(*udp_receive_queue(port), 0u);
    auto tx = tpc3::net::UdpSocket::sender();
    ASSERT_TRUE(tx.send_to(tpc3::net::Endpoint{"127.0.0.1", port}, std::vector<std::uint8_t>(500, 1)));
    EXPECT_GT(udp_receive_queue(port).value_or(0), 0u);
    ASSERT_TRUE(rx.receive(std::chrono::milliseconds(500)).has_value());
    EXPECT_EQ(udp_receive_queue(port).value_or(1), 0u);
    std::uint16_t closed_port = 0;
    {
        auto gone = tpc3::net::UdpSocket::bind("127.0.0.1", 0);
        closed_port = gone.local_port();
    }
    EXPECT_FALSE(udp_receive_queue(closed_port).has_value());
}

TEST(ClientProbes, AReceiverThreadsTracebackIsCutAtItsExceptionLine)
{
    const std::string text =
        "client: started\n"
        "Exception in thread Thread-1 (listenRtp):\n"
        "Traceback (most recent call last):\n"
        "  File \"Client.py\", line 80, in listenRtp\n"
        "    packet.decode(data)\n"
        "struct.error: unpack requires a buffer of 12 bytes\n"
        "client: more output\n";
    const std::string tb = conform::server::examine_stderr(text).traceback;
    EXPECT_EQ(tb.rfind("Traceback (most recent call last):", 0), 0u);
    EXPECT_NE(tb.find("struct.error: unpack requires a buffer of 12 bytes"), std::string::npos);
    EXPECT_EQ(tb.find("more output"), std::string::npos);
    EXPECT_EQ(conform::server::examine_stderr("all fine\nno trace here\n").traceback, "");
}

}  // namespace
}  // namespace tpc3::fuzz::net
