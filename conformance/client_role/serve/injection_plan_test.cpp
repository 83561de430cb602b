#include "serve/injection_plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <ostream>
#include <set>
#include <utility>

#include "marker/marker.h"

namespace tpc3::conform::client {
namespace {

using ::testing::ElementsAre;

constexpr std::uint32_t kNow = 1'700'000'000;

// Small frames keep the property tests fast; one test renders the default size.
PlanOptions small_options(std::uint32_t session_id, std::uint64_t seed)
{
    PlanOptions o;
    o.session_id = session_id;
    o.seed = seed;
    o.frame_width = 160;
    o.frame_height = 120;
    return o;
}

rtp::RtpHeader parsed_header(const PlannedDatagram& d, std::uint32_t now = kNow)
{
    const auto bytes = d.bytes_at(now);
    const auto r = rtp::parse(bytes);
    EXPECT_TRUE(r.ok()) << d.description;
    return r.header.value_or(rtp::RtpHeader{});
}

rtp::RtpHeader valid_header_of_slot(const PlannedDatagram& d, std::uint32_t session_id, std::uint32_t now = kNow)
{
    rtp::RtpHeader h;
    h.sequence = d.slot_seq;
    h.timestamp = now;
    h.ssrc = session_id;
    return h;
}

// Names of the header fields where a and b differ.
std::vector<std::string> differing_fields(const rtp::RtpHeader& a, const rtp::RtpHeader& b)
{
    std::vector<std::string> out;
    if (a.version != b.version) out.push_back("V");
    if (a.padding != b.padding) out.push_back("P");
    if (a.extension != b.extension) out.push_back("X");
    if (a.csrc_count != b.csrc_count) out.push_back("CC");
    if (a.marker != b.marker) out.push_back("M");
    if (a.payload_type != b.payload_type) out.push_back("PT");
    if (a.sequence != b.sequence) out.push_back("seq");
    if (a.timestamp != b.timestamp) out.push_back("timestamp");
    if (a.ssrc != b.ssrc) out.push_back("SSRC");
    return out;
}

std::string field_under_test(Fault f)
{
    switch (f) {
    case Fault::VersionOne:
    case Fault::VersionThree: return "V";
    case Fault::Padding: return "P";
    case Fault::Extension: return "X";
    case Fault::CsrcCount: return "CC";
    case Fault::Marker: return "M";
    case Fault::PayloadType: return "PT";
    case Fault::Ssrc: return "SSRC";
    case Fault::OlderSeq:
    case Fault::DuplicateSeq: return "seq";
    case Fault::TimestampZero:
    case Fault::TimestampDayOff: return "timestamp";
    default: return "";
    }
}

const std::vector<std::string> kFaultChecks{"C-REJ-01", "C-REJ-02", "C-REJ-03", "C-REJ-04", "C-REJ-05",
                                            "C-REJ-06", "C-REJ-07", "C-REJ-08", "C-REJ-09", "C-REJ-10",
                                            "C-ROB-01", "C-ROB-02", "C-ROB-03", "C-BIG-01"};

struct PlanCase {
    std::uint32_t session_id;
    std::uint64_t seed;
    friend std::ostream& operator<<(std::ostream& os, const PlanCase& c)
    {
        return os << "SessionID " << c.session_id << ", seed " << c.seed;
    }
};

class PlanProperties : public ::testing::TestWithParam<PlanCase> {
protected:
    // Each plan is built once and shared by the tests of its case.
    void SetUp() override
    {
        static std::map<std::pair<std::uint32_t, std::uint64_t>, InjectionPlan> built;
        const auto key = std::make_pair(GetParam().session_id, GetParam().seed);
        auto it = built.find(key);
        if (it == built.end()) it = built.emplace(key, InjectionPlan::build(small_options(key.first, key.second))).first;
        plan_ = it->second;
    }
    std::uint32_t sid() const { return GetParam().session_id; }
    InjectionPlan plan_ = InjectionPlan::refusal();
};

TEST_P(PlanProperties, EveryClientFaultCheckHasADatagram)
{
    for (const auto& id : kFaultChecks) EXPECT_FALSE(plan_.for_check(id).empty()) << id;
    EXPECT_EQ(plan_.for_check("C-REJ-10").size(), 2u);
    EXPECT_EQ(plan_.for_check("C-ROB-01").size(), 3u);
    EXPECT_EQ(plan_.session_id(), sid());
    EXPECT_FALSE(plan_.refuses());
}

TEST_P(PlanProperties, EachPoisonDiffersFromTheValidHeaderOfItsSlotInExactlyTheFieldUnderTest)
{
    std::size_t poisons = 0;
    for (const auto& d : plan_.datagrams()) {
        if (d.kind != DatagramKind::Poison) continue;
        ++poisons;
        ASSERT_TRUE(d.fault.has_value());
        EXPECT_THAT(differing_fields(parsed_header(d), valid_header_of_slot(d, sid())),
                    ElementsAre(field_under_test(*d.fault)))
            << d.description;
    }
    EXPECT_EQ(poisons, 12u);
}

TEST_P(PlanProperties, ValidFramesAndCorruptPayloadCarryTheExactValidHeaderOfTheirSlot)
{
    for (const auto& d : plan_.datagrams()) {
        if (!d.is_valid_frame() && d.kind != DatagramKind::CorruptPayload) continue;
        EXPECT_EQ(parsed_header(d), valid_header_of_slot(d, sid())) << d.description;
        EXPECT_EQ(d.header->sequence, d.slot_seq);
    }
}

TEST_P(PlanProperties, SequenceNumbersFollowTheSlotRules)
{
    std::optional<std::uint16_t> last_valid;
    std::optional<const PlannedDatagram*> pending_fault;
    for (const auto& d : plan_.datagrams()) {
        if (d.is_valid_frame()) {
            ASSERT_EQ(d.marker, marker::MarkerValue::frame(d.slot_seq)) << "frame number = seq";
            if (!last_valid) {
                EXPECT_EQ(d.slot_seq, 1) << "the first frame has seq 1";
            } else if (pending_fault) {
                const PlannedDatagram& f = **pending_fault;
                const bool seq_fault = f.fault == Fault::OlderSeq || f.fault == Fault::DuplicateSeq;
                // After a seq fault the slot was not used; after any other fault it was.
                EXPECT_EQ(d.slot_seq, seq_fault ? *last_valid + 1 : f.slot_seq + 1) << f.description;
            } else {
                EXPECT_EQ(d.slot_seq, *last_valid + 1) << d.description;
            }
            last_valid = d.slot_seq;
            pending_fault.reset();
            continue;
        }
        ASSERT_TRUE(last_valid) << "a fault before any valid frame: " << d.description;
        ASSERT_FALSE(pending_fault) << "two faults in a row: " << d.description;
        EXPECT_EQ(d.slot_seq, *last_valid + 1) << d.description;
        if (d.fault == Fault::OlderSeq) {
            EXPECT_EQ(d.header->sequence, *last_valid - 3);
        }
        if (d.fault == Fault::DuplicateSeq) {
            EXPECT_EQ(d.header->sequence, *last_valid);
        }
        if (d.fault == Fault::RandomBytes) {
            EXPECT_EQ(d.payload[2], d.slot_seq >> 8);
            EXPECT_EQ(d.payload[3], d.slot_seq & 0xFF);
        }
        pending_fault = &d;
    }
}

TEST_P(PlanProperties, EveryFaultHasValidFramesRightBeforeAndAtLeastThreeAfter)
{
    const auto& all = plan_.datagrams();
    std::size_t faults = 0;
    for (const auto& d : all) {
        if (d.kind == DatagramKind::ValidFrame) continue;
        ++faults;
        EXPECT_FALSE(plan_.valid_before(d.index).empty()) << d.description;
        EXPECT_GE(plan_.valid_after(d.index).size(), 3u) << d.description;
    }
    EXPECT_EQ(faults, default_faults().size());
    ASSERT_GE(all.size(), 20u);
    for (std::size_t i = 0; i < 20; ++i) EXPECT_EQ(all[i].kind, DatagramKind::ValidFrame) << "lead-in " << i;
    EXPECT_EQ(all.back().kind, DatagramKind::ValidFrame);
}

TEST_P(PlanProperties, PayloadsAreDistinctAndFoundByBytesAndMarker)
{
    std::set<std::vector<std::uint8_t>> payloads;
    std::set<std::uint32_t> serials;
    for (const auto& d : plan_.datagrams()) {
        if (d.kind == DatagramKind::Short || d.kind == DatagramKind::RandomBytes) continue;
        EXPECT_TRUE(payloads.insert(d.payload).second) << "payload repeated: " << d.description;
        EXPECT_EQ(plan_.find_payload(d.payload), d.index) << d.description;
        if (d.marker) {
            EXPECT_EQ(plan_.find_marker(*d.marker), d.index) << d.description;
        }
        if (d.kind == DatagramKind::Poison) {
            EXPECT_EQ(d.marker->kind, marker::MarkerValue::Poison);
            EXPECT_EQ(check_of_poison_code(d.marker->code()), d.check_id);
            EXPECT_TRUE(serials.insert(d.marker->serial()).second) << "serial repeated: " << d.description;
        }
    }
    auto first_bytes = plan_.at(0).payload;
    first_bytes.pop_back();
    EXPECT_EQ(plan_.find_payload(first_bytes), std::nullopt);
}

TEST_P(PlanProperties, MalformedDatagramsFollowTheirRules)
{
    std::vector<std::size_t> short_sizes;
    for (const auto& d : plan_.datagrams()) {
        const auto bytes = d.bytes_at(kNow);
        EXPECT_EQ(bytes.size(), d.size()) << d.description;
        switch (d.kind) {
        case DatagramKind::Short: {
            short_sizes.push_back(bytes.size());
            const auto valid = rtp::encode(valid_header_of_slot(d, sid()));
            EXPECT_TRUE(std::equal(bytes.begin(), bytes.end(), valid.begin())) << "a prefix of the slot's header";
            break;
        }
        case DatagramKind::RandomBytes: {
            ASSERT_EQ(bytes.size(), 1000u);
            EXPECT_NE(bytes[0] >> 6, 2) << "V must not be 2";
            const auto h = rtp::parse(bytes).header.value();
            EXPECT_NE(h.ssrc, sid());
            EXPECT_EQ(bytes, d.bytes_at(kNow + 1000)) << "random bytes do not depend on time";
            break;
        }
        case DatagramKind::CorruptPayload:
            ASSERT_GE(d.payload.size(), 4u);
            EXPECT_EQ(d.payload[0], 0xFF);
            EXPECT_EQ(d.payload[1], 0xD8);
            EXPECT_NE(d.payload[2], 0xFF);
            EXPECT_EQ(d.payload[d.payload.size() - 2], 0xFF);
            EXPECT_EQ(d.payload.back(), 0xD9);
            EXPECT_TRUE(marker::decode_image(d.payload).empty());
            EXPECT_FALSE(d.marker.has_value());
            break;
        case DatagramKind::BigFrame:
            EXPECT_EQ(d.payload.size(), 60'000u);
            EXPECT_EQ(bytes.size(), 60'012u);
            break;
        default: break;
        }
    }
    EXPECT_THAT(short_sizes, ElementsAre(0u, 1u, 11u));
}

INSTANTIATE_TEST_SUITE_P(SessionIdsAndSeeds, PlanProperties,
                         ::testing::Values(PlanCase{0, 1}, PlanCase{1, 2}, PlanCase{483'920, 1},
                                           PlanCase{0x5a5a5a5a, 7}, PlanCase{0xFFFFFFFF, 12'345}));

TEST(InjectionPlan, MarkersDecodeFromEveryMarkerPayloadAtTheDefaultSize)
{
    PlanOptions o;
    o.session_id = 483'920;
    const InjectionPlan plan = InjectionPlan::build(o);
    std::size_t decoded = 0;
    for (const auto& d : plan.datagrams()) {
        if (!d.marker) continue;
        const cv::Mat image = marker::decode_image(d.payload);
        ASSERT_FALSE(image.empty()) << d.description;
        EXPECT_EQ(image.cols, 320);
        EXPECT_EQ(image.rows, 240);
        EXPECT_EQ(marker::decode_single(image), d.marker) << d.description;
        ++decoded;
    }
    EXPECT_EQ(decoded, plan.expected_shown().size() + 12u);
}

TEST(InjectionPlan, DefaultOrderPutsRejectionsFirstThenRequiredRobustnessThenAdvisory)
{
    const InjectionPlan plan = InjectionPlan::build(small_options(42, 1));
    auto first = [&](const char* id) { return plan.for_check(id).front(); };
    auto last = [&](const char* id) { return plan.for_check(id).back(); };
    std::size_t last_rej = 0;
    for (int n = 1; n <= 10; ++n) last_rej = std::max(last_rej, last(check_of_poison_code(static_cast<std::uint32_t>(n)).c_str()));
    EXPECT_LT(last_rej, first("C-ROB-02"));
    EXPECT_LT(last_rej, first("C-ROB-01"));
    EXPECT_LT(last("C-ROB-01"), first("C-BIG-01"));
    EXPECT_LT(last("C-ROB-02"), first("C-BIG-01"));
    EXPECT_LT(first("C-BIG-01"), first("C-ROB-03"));
    EXPECT_THAT(plan.fault_checks(),
                ElementsAre("C-REJ-01", "C-REJ-02", "C-REJ-03", "C-REJ-04", "C-REJ-05", "C-REJ-06", "C-REJ-07",
                            "C-REJ-08", "C-REJ-09", "C-REJ-10", "C-ROB-02", "C-ROB-01", "C-BIG-01", "C-ROB-03"));
}

TEST(InjectionPlan, TimestampsFollowTheirRuleAtSendTime)
{
    const InjectionPlan plan = InjectionPlan::build(small_options(42, 1));
    for (const std::uint32_t now : {kNow, 0xFFFFFFF0u}) {
        for (const auto& d : plan.datagrams()) {
            if (!d.header || d.truncate_to) continue;
            const std::uint32_t ts = parsed_header(d, now).timestamp;
            if (d.fault == Fault::TimestampZero) {
                EXPECT_EQ(ts, 0u);
            } else if (d.fault == Fault::TimestampDayOff) {
                EXPECT_EQ(ts, static_cast<std::uint32_t>(now + 86'400u));
            } else {
                EXPECT_EQ(ts, now) << d.description;
            }
        }
    }
}

TEST(InjectionPlan, IsDeterministicForASeedAndTheSeedChangesOnlyTheRandomParts)
{
    const InjectionPlan a = InjectionPlan::build(small_options(42, 9));
    const InjectionPlan b = InjectionPlan::build(small_options(42, 9));
    const InjectionPlan c = InjectionPlan::build(small_options(42, 10));
    ASSERT_EQ(a.size(), b.size());
    ASSERT_EQ(a.size(), c.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a.at(i).bytes_at(kNow), b.at(i).bytes_at(kNow)) << i;
        const bool random = a.at(i).kind == DatagramKind::RandomBytes || a.at(i).kind == DatagramKind::CorruptPayload;
        if (random) {
            EXPECT_NE(a.at(i).bytes_at(kNow), c.at(i).bytes_at(kNow)) << i;
        } else {
            EXPECT_EQ(a.at(i).bytes_at(kNow), c.at(i).bytes_at(kNow)) << i;
        }
    }
}

TEST(InjectionPlan, ExpectedShownIsEveryValidFrameInOrder)
{
    const InjectionPlan plan = InjectionPlan::build(small_options(42, 1));
    const auto shown = plan.expected_shown();
    ASSERT_FALSE(shown.empty());
    EXPECT_TRUE(std::is_sorted(shown.begin(), shown.end()));
    std::size_t valid = 0;
    for (const auto& d : plan.datagrams()) valid += d.is_valid_frame() ? 1 : 0;
    EXPECT_EQ(shown.size(), valid);
    for (const auto i : shown) EXPECT_TRUE(plan.at(i).is_valid_frame());
    EXPECT_EQ(plan.last_valid(), shown.back());
    EXPECT_EQ(shown.back(), plan.size() - 1);
    EXPECT_EQ(plan.duration(), std::chrono::milliseconds(50) * static_cast<int>(plan.size() - 1));
}

TEST(InjectionPlan, SubsetsAndRepeatsOfFaultsKeepTheRules)
{
    PlanOptions o = small_options(7, 1);
    o.faults = {Fault::ShortEmpty, Fault::ShortEmpty, Fault::OlderSeq};
    o.lead_in = 4;
    o.valid_between = 5;
    o.tail = 0;
    const InjectionPlan plan = InjectionPlan::build(o);
    ASSERT_EQ(plan.size(), 4u + 3u * 6u);
    EXPECT_EQ(plan.at(4).kind, DatagramKind::Short);
    EXPECT_EQ(plan.at(10).kind, DatagramKind::Short);
    EXPECT_EQ(plan.at(16).fault, Fault::OlderSeq);
    EXPECT_EQ(plan.at(16).header->sequence, plan.at(15).slot_seq - 3);
    EXPECT_THAT(plan.valid_after(4), ElementsAre(5u, 6u, 7u, 8u, 9u));
    EXPECT_THAT(plan.valid_before(4), ElementsAre(3u, 2u, 1u, 0u));
    EXPECT_THAT(plan.fault_checks(), ElementsAre("C-ROB-01", "C-REJ-08"));
    EXPECT_EQ(rejection_faults().size() + robustness_faults().size(), default_faults().size());
}

TEST(InjectionPlan, OptionsThatBreakARuleAreRefused)
{
    auto with = [](auto change) {
        PlanOptions o = small_options(1, 1);
        change(o);
        return o;
    };
    EXPECT_THROW(InjectionPlan::build(with([](PlanOptions& o) { o.lead_in = 3; })), std::invalid_argument);
    EXPECT_THROW(InjectionPlan::build(with([](PlanOptions& o) { o.valid_between = 2; })), std::invalid_argument);
    EXPECT_THROW(InjectionPlan::build(with([](PlanOptions& o) { o.frame_width = 100; })), std::invalid_argument);
    EXPECT_THROW(InjectionPlan::build(with([](PlanOptions& o) { o.big_frame_bytes = 65'496; })),
                 std::invalid_argument);
    EXPECT_THROW(InjectionPlan::build(with([](PlanOptions& o) { o.big_frame_bytes = 100; })),
                 std::invalid_argument);
    EXPECT_THROW(InjectionPlan::build(with([](PlanOptions& o) { o.random_bytes = 11; })), std::invalid_argument);
    EXPECT_THROW(InjectionPlan::build(with([](PlanOptions& o) {
                     o.faults.clear();
                     o.lead_in = 70'000;
                 })),
                 std::invalid_argument);
    EXPECT_THROW(InjectionPlan::build(with([](PlanOptions& o) { o.faults.assign(1000, Fault::Padding); })),
                 std::invalid_argument);
    EXPECT_NO_THROW(InjectionPlan::build(with([](PlanOptions& o) { o.big_frame_bytes = 65'495; })));
}

TEST(InjectionPlan, RefusalRepliesMinusOneAndSendsNothing)
{
    const InjectionPlan plan = InjectionPlan::refusal();
    EXPECT_TRUE(plan.refuses());
    EXPECT_EQ(plan.session_id(), std::nullopt);
    EXPECT_EQ(plan.size(), 0u);
    EXPECT_TRUE(plan.expected_shown().empty());
    EXPECT_EQ(plan.last_valid(), std::nullopt);
}

TEST(InjectionPlan, PoisonCodesAreTheNumbersOfTheRejectionChecks)
{
    EXPECT_EQ(poison_code("C-REJ-01"), 1u);
    EXPECT_EQ(poison_code("C-REJ-10"), 10u);
    EXPECT_EQ(poison_code("C-REJ-11"), std::nullopt);
    EXPECT_EQ(poison_code("C-REJ-00"), std::nullopt);
    EXPECT_EQ(poison_code("C-ROB-01"), std::nullopt);
    EXPECT_EQ(poison_code("C-REJ-1"), std::nullopt);
    for (std::uint32_t c = 1; c <= 10; ++c) EXPECT_EQ(poison_code(check_of_poison_code(c)), c);
    EXPECT_EQ(check_of_poison_code(0), "");
    EXPECT_EQ(check_of_poison_code(11), "");
}

TEST(InjectionPlan, RandomSessionIdsAreNonZeroAndVary)
{
    std::set<std::uint32_t> ids;
    for (int i = 0; i < 8; ++i) {
        const auto id = random_session_id();
        EXPECT_NE(id, 0u);
        ids.insert(id);
    }
    EXPECT_GT(ids.size(), 1u);
}

TEST(PadJpeg, GivesTheExactSizeAndAnImageThatStillDecodes)
{
    const auto jpeg = marker::encode_jpeg(
        marker::render_frame(160, 120, marker::MarkerValue::frame(9), "frame 9"), 75);
    for (const std::size_t size : {jpeg.size() + 4, jpeg.size() + 5, jpeg.size() + 7, jpeg.size() + 8,
                                   std::size_t{60'000}, std::size_t{65'495}, jpeg.size() + 65'537 + 2}) {
        const auto padded = pad_jpeg(jpeg, size);
        ASSERT_EQ(padded.size(), size);
        EXPECT_EQ(marker::decode_single(marker::decode_image(padded)), marker::MarkerValue::frame(9)) << size;
        EXPECT_TRUE(std::equal(jpeg.begin() + 2, jpeg.end(), padded.end() - static_cast<long>(jpeg.size() - 2)));
    }
    EXPECT_THROW(pad_jpeg(jpeg, jpeg.size() + 3), std::invalid_argument);
    std::vector<std::uint8_t> not_jpeg(jpeg.begin() + 1, jpeg.end());
    EXPECT_THROW(pad_jpeg(not_jpeg, 60'000), std::invalid_argument);
}

}  // namespace
}  // namespace tpc3::conform::client
