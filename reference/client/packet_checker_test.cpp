#include "client/packet_checker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

namespace tpc3::client {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Bytes = std::vector<std::uint8_t>;

constexpr std::uint32_t kSsrc = 483920;
constexpr std::uint32_t kNow = 1'700'000'000;

const Bytes kJpeg = {0xFF, 0xD8, 0x01, 0x02, 0x03, 0xFF, 0xD9};

rtp::RtpHeader good_header(std::uint16_t seq, std::uint32_t ts = kNow) {
    rtp::RtpHeader h;
    h.sequence = seq;
    h.timestamp = ts;
    h.ssrc = kSsrc;
    return h;
}

Bytes packet(const rtp::RtpHeader& h, const Bytes& payload = kJpeg) { return rtp::encode_packet(h, payload); }

TEST(DropReasonNames, AreStableAndRoundTrip) {
    std::vector<std::string> names;
    for (DropReason r : kAllDropReasons) {
        names.push_back(drop_reason_name(r));
        EXPECT_EQ(drop_reason_from_name(drop_reason_name(r)), r);
    }
    EXPECT_THAT(names, ElementsAre("short", "version", "padding", "extension", "csrc_count", "marker",
                                   "payload_type", "ssrc", "old_seq", "duplicate_seq", "timestamp", "not_jpeg"));
    EXPECT_EQ(drop_reason_from_name("nonsense"), std::nullopt);
}

TEST(PacketChecker, AcceptsAValidPacketAndRemembersItsSeq) {
    PacketChecker c(kSsrc);
    const PacketVerdict v = c.check(packet(good_header(1)), kNow);
    EXPECT_TRUE(v.accepted()) << v.summary();
    EXPECT_EQ(v.summary(), "accepted");
    ASSERT_TRUE(v.header);
    EXPECT_EQ(v.header->sequence, 1);
    EXPECT_EQ(v.size, 12 + kJpeg.size());
    EXPECT_EQ(c.last_accepted_seq(), 1);
}

TEST(PacketChecker, ShortDatagramsAreOnlyShort) {
    PacketChecker c(kSsrc);
    for (std::size_t n : {0u, 1u, 11u}) {
        const Bytes b(n, 0x80);
        const PacketVerdict v = c.check(b, kNow);
        EXPECT_THAT(v.reasons(), ElementsAre(DropReason::Short)) << n;
        EXPECT_FALSE(v.header);
        EXPECT_THAT(v.summary(), HasSubstr(std::to_string(n) + " bytes"));
    }
    EXPECT_EQ(c.last_accepted_seq(), std::nullopt);
}

// One field wrong at a time: exactly that reason, nothing else.
struct SingleFault {
    const char* name;
    void (*spoil)(rtp::RtpHeader&);
    DropReason expected;
};

class SingleFaultTest : public ::testing::TestWithParam<SingleFault> {};

TEST_P(SingleFaultTest, ReportsExactlyThatReason) {
    PacketChecker c(kSsrc);
    rtp::RtpHeader h = good_header(1);
    GetParam().spoil(h);
    const PacketVerdict v = c.check(packet(h), kNow);
    EXPECT_THAT(v.reasons(), ElementsAre(GetParam().expected)) << v.summary();
    EXPECT_EQ(c.last_accepted_seq(), std::nullopt) << "a dropped packet must not become the last accepted";
}

INSTANTIATE_TEST_SUITE_P(
    HeaderFields, SingleFaultTest,
    ::testing::Values(SingleFault{"version1", [](rtp::RtpHeader& h) { h.version = 1; }, DropReason::Version},
                      SingleFault{"version3", [](rtp::RtpHeader& h) { h.version = 3; }, DropReason::Version},
                      SingleFault{"padding", [](rtp::RtpHeader& h) { h.padding = true; }, DropReason::Padding},
                      SingleFault{"extension", [](rtp::RtpHeader& h) { h.extension = true; }, DropReason::Extension},
                      SingleFault{"csrc", [](rtp::RtpHeader& h) { h.csrc_count = 3; }, DropReason::CsrcCount},
                      SingleFault{"marker", [](rtp::RtpHeader& h) { h.marker = true; }, DropReason::Marker},
                      SingleFault{"pt96", [](rtp::RtpHeader& h) { h.payload_type = 96; }, DropReason::PayloadType},
                      SingleFault{"ssrc", [](rtp::RtpHeader& h) { h.ssrc = kSsrc + 1; }, DropReason::Ssrc},
                      SingleFault{"ts0", [](rtp::RtpHeader& h) { h.timestamp = 0; }, DropReason::Timestamp},
                      SingleFault{"tsDayAhead", [](rtp::RtpHeader& h) { h.timestamp = kNow + 86400; },
                                  DropReason::Timestamp},
                      SingleFault{"tsDayBehind", [](rtp::RtpHeader& h) { h.timestamp = kNow - 86400; },
                                  DropReason::Timestamp}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(PacketChecker, PayloadMustBeAWholeJpeg) {
    PacketChecker c(kSsrc);
    const std::vector<Bytes> bad = {
        {},                              // header only
        {0xFF, 0xD8},                    // SOI only
        {0xFF, 0xD8, 0x00, 0x00},        // no EOI
        {0x00, 0xD8, 0x00, 0xFF, 0xD9},  // no SOI
        {0x30, 0x38, 0x30, 0x39, 0x38},  // the 5 length digits, not a JPEG
    };
    for (const Bytes& payload : bad) {
        const PacketVerdict v = c.check(packet(good_header(1), payload), kNow);
        EXPECT_THAT(v.reasons(), ElementsAre(DropReason::NotJpeg)) << v.summary();
    }
    EXPECT_TRUE(c.check(packet(good_header(1), {0xFF, 0xD8, 0xFF, 0xD9}), kNow).accepted());
}

TEST(PacketChecker, ReportsEveryReasonInOrder) {
    PacketChecker c(kSsrc);
    ASSERT_TRUE(c.check(packet(good_header(10)), kNow).accepted());
    rtp::RtpHeader h = good_header(10, 0);  // duplicate seq, timestamp 0
    h.version = 1;
    h.padding = true;
    h.extension = true;
    h.csrc_count = 15;
    h.marker = true;
    h.payload_type = 127;
    h.ssrc = 1;
    const PacketVerdict v = c.check(packet(h, {0x00, 0x01}), kNow);
    EXPECT_THAT(v.reasons(),
                ElementsAre(DropReason::Version, DropReason::Padding, DropReason::Extension, DropReason::CsrcCount,
                            DropReason::Marker, DropReason::PayloadType, DropReason::Ssrc,
                            DropReason::DuplicateSeq, DropReason::Timestamp, DropReason::NotJpeg));
    EXPECT_THAT(v.summary(), HasSubstr("; "));
    EXPECT_EQ(c.last_accepted_seq(), 10);

    const PacketVerdict old = c.check(packet(good_header(9), {}), kNow + 100);
    EXPECT_THAT(old.reasons(), ElementsAre(DropReason::OldSeq, DropReason::Timestamp, DropReason::NotJpeg));
}

TEST(PacketChecker, DuplicateAndOldAreToldApartAndAGapIsFine) {
    PacketChecker c(kSsrc);
    ASSERT_TRUE(c.check(packet(good_header(5)), kNow).accepted());
    EXPECT_THAT(c.check(packet(good_header(5)), kNow).reasons(), ElementsAre(DropReason::DuplicateSeq));
    EXPECT_THAT(c.check(packet(good_header(4)), kNow).reasons(), ElementsAre(DropReason::OldSeq));
    EXPECT_THAT(c.check(packet(good_header(1)), kNow).reasons(), ElementsAre(DropReason::OldSeq));
    EXPECT_TRUE(c.check(packet(good_header(9)), kNow).accepted());  // 6..8 lost: fine
    EXPECT_EQ(c.last_accepted_seq(), 9);
    EXPECT_THAT(c.check(packet(good_header(8)), kNow).reasons(), ElementsAre(DropReason::OldSeq));
    EXPECT_THAT(c.check(packet(good_header(8)), kNow).summary(), HasSubstr("last accepted seq 9"));
}

TEST(PacketChecker, DroppedPacketDoesNotMoveLastAccepted) {
    PacketChecker c(kSsrc);
    ASSERT_TRUE(c.check(packet(good_header(3)), kNow).accepted());
    rtp::RtpHeader spoiled = good_header(100);
    spoiled.payload_type = 96;
    EXPECT_FALSE(c.check(packet(spoiled), kNow).accepted());
    EXPECT_EQ(c.last_accepted_seq(), 3);
    EXPECT_TRUE(c.check(packet(good_header(4)), kNow).accepted());
}

TEST(PacketChecker, InspectDoesNotChangeState) {
    PacketChecker c(kSsrc);
    EXPECT_TRUE(c.inspect(packet(good_header(7)), kNow).accepted());
    EXPECT_EQ(c.last_accepted_seq(), std::nullopt);
}

TEST(SeqNewer, UsesSixteenBitSerialArithmetic) {
    EXPECT_TRUE(seq_newer(2, 1));
    EXPECT_FALSE(seq_newer(1, 1));
    EXPECT_FALSE(seq_newer(1, 2));
    EXPECT_TRUE(seq_newer(0, 65535));       // wrap
    EXPECT_TRUE(seq_newer(5, 65530));
    EXPECT_FALSE(seq_newer(65535, 0));
    EXPECT_TRUE(seq_newer(32768, 1));       // 32767 ahead: newer
    EXPECT_FALSE(seq_newer(32769, 1));      // 32768 ahead: taken as old
    EXPECT_FALSE(seq_newer(40000, 1));
}

TEST(PacketChecker, SequenceWrapsFrom65535To0) {
    PacketChecker c(kSsrc);
    ASSERT_TRUE(c.check(packet(good_header(65534)), kNow).accepted());
    EXPECT_TRUE(c.check(packet(good_header(65535)), kNow).accepted());
    EXPECT_TRUE(c.check(packet(good_header(0)), kNow).accepted());
    EXPECT_TRUE(c.check(packet(good_header(1)), kNow).accepted());
    EXPECT_THAT(c.check(packet(good_header(65535)), kNow).reasons(), ElementsAre(DropReason::OldSeq));
    EXPECT_THAT(c.check(packet(good_header(1)), kNow).reasons(), ElementsAre(DropReason::DuplicateSeq));
}

TEST(PacketChecker, TimestampWindowEdgesAreInclusive) {
    PacketChecker c(kSsrc, 5);
    EXPECT_TRUE(c.inspect(packet(good_header(1, kNow + 5)), kNow).accepted());
    EXPECT_TRUE(c.inspect(packet(good_header(1, kNow - 5)), kNow).accepted());
    EXPECT_THAT(c.inspect(packet(good_header(1, kNow + 6)), kNow).reasons(), ElementsAre(DropReason::Timestamp));
    EXPECT_THAT(c.inspect(packet(good_header(1, kNow - 6)), kNow).reasons(), ElementsAre(DropReason::Timestamp));

    PacketChecker strict(kSsrc, 0);
    EXPECT_TRUE(strict.inspect(packet(good_header(1, kNow)), kNow).accepted());
    EXPECT_FALSE(strict.inspect(packet(good_header(1, kNow + 1)), kNow).accepted());
}

TEST(PacketChecker, TimestampWindowSpansTheTwoToThe32Wrap) {
    PacketChecker c(kSsrc, 5);
    EXPECT_TRUE(c.inspect(packet(good_header(1, 2)), 0xFFFFFFFDu).accepted());            // 5 s ahead, wrapped
    EXPECT_TRUE(c.inspect(packet(good_header(1, 0xFFFFFFFDu)), 2).accepted());            // 5 s behind, wrapped
    EXPECT_FALSE(c.inspect(packet(good_header(1, 3)), 0xFFFFFFFDu).accepted());           // 6 s ahead
    EXPECT_FALSE(c.inspect(packet(good_header(1, 0x80000000u)), 0).accepted());           // half the circle away
    EXPECT_EQ(timestamp_offset(2, 0xFFFFFFFDu), 5);
    EXPECT_EQ(timestamp_offset(0xFFFFFFFDu, 2), -5);
}

TEST(PacketChecker, MessagesNameTheValues) {
    PacketChecker c(kSsrc);
    rtp::RtpHeader h = good_header(1, 12345);
    h.payload_type = 96;
    const PacketVerdict v = c.check(packet(h), kNow);
    ASSERT_EQ(v.rejections.size(), 2u);
    EXPECT_THAT(v.rejections[0].message, HasSubstr("96"));
    EXPECT_THAT(v.rejections[1].message, HasSubstr("12345"));
}

TEST(PacketChecker, RandomBytesNeverCrashIt) {
    PacketChecker c(kSsrc);
    std::uint32_t x = 12345;
    for (int n = 0; n < 2000; ++n) {
        Bytes b(static_cast<std::size_t>(n % 64));
        for (auto& byte : b) {
            x = x * 1664525u + 1013904223u;
            byte = static_cast<std::uint8_t>(x >> 24);
        }
        const PacketVerdict v = c.check(b, kNow);
        if (b.size() < 12) {
            EXPECT_THAT(v.reasons(), ElementsAre(DropReason::Short));
        }
    }
}

}  // namespace
}  // namespace tpc3::client
