#include "rtp/rtp_header.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

namespace tpc3::rtp {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes to_vector(const std::array<std::uint8_t, kHeaderSize>& a) { return Bytes(a.begin(), a.end()); }

RtpHeader tpc3_header(std::uint16_t seq, std::uint32_t ts, std::uint32_t ssrc) {
    RtpHeader h;
    h.sequence = seq;
    h.timestamp = ts;
    h.ssrc = ssrc;
    return h;
}

TEST(RtpEncode, ProfileHeaderMatchesHandWrittenBytes) {
    const auto b = encode(tpc3_header(1, 0x01020304, 483920));  // 483920 = 0x00076250
    EXPECT_EQ(to_vector(b), (Bytes{0x80, 0x1a, 0x00, 0x01, 0x01, 0x02, 0x03, 0x04, 0x00, 0x07, 0x62, 0x50}));
}

TEST(RtpEncode, EachFieldSitsAtItsBitPosition) {
    RtpHeader zero;
    zero.version = 0;
    zero.payload_type = 0;
    EXPECT_EQ(to_vector(encode(zero)), Bytes(12, 0x00));

    struct Case {
        const char* what;
        RtpHeader h;
        Bytes bytes;
    };
    auto with = [&zero](auto set) {
        RtpHeader h = zero;
        set(h);
        return h;
    };
    const std::vector<Case> cases = {
        {"V=2", with([](RtpHeader& h) { h.version = 2; }), {0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
        {"V=1", with([](RtpHeader& h) { h.version = 1; }), {0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
        {"P", with([](RtpHeader& h) { h.padding = true; }), {0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
        {"X", with([](RtpHeader& h) { h.extension = true; }), {0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
        {"CC=1", with([](RtpHeader& h) { h.csrc_count = 1; }), {0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
        {"CC=8", with([](RtpHeader& h) { h.csrc_count = 8; }), {0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
        {"M", with([](RtpHeader& h) { h.marker = true; }), {0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
        {"PT=26", with([](RtpHeader& h) { h.payload_type = 26; }), {0, 0x1a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
        {"PT=96", with([](RtpHeader& h) { h.payload_type = 96; }), {0, 0x60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
        {"seq", with([](RtpHeader& h) { h.sequence = 0x1234; }), {0, 0, 0x12, 0x34, 0, 0, 0, 0, 0, 0, 0, 0}},
        {"ts", with([](RtpHeader& h) { h.timestamp = 0xA1B2C3D4; }),
         {0, 0, 0, 0, 0xa1, 0xb2, 0xc3, 0xd4, 0, 0, 0, 0}},
        {"ssrc", with([](RtpHeader& h) { h.ssrc = 0x0A0B0C0D; }), {0, 0, 0, 0, 0, 0, 0, 0, 0x0a, 0x0b, 0x0c, 0x0d}},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(to_vector(encode(c.h)), c.bytes) << c.what;
        const auto parsed = parse(c.bytes);
        ASSERT_TRUE(parsed.ok()) << c.what;
        EXPECT_EQ(*parsed.header, c.h) << c.what;
    }
}

TEST(RtpEncode, MasksFieldsToTheirBitWidths) {
    RtpHeader h = tpc3_header(7, 9, 11);
    h.version = 0xFF;       // 2 bits -> 3
    h.csrc_count = 0xF3;    // 4 bits -> 3
    h.payload_type = 0xFF;  // 7 bits -> 127; must not spill into M
    const auto b = encode(h);
    EXPECT_EQ(b[0], 0xC3);
    EXPECT_EQ(b[1], 0x7F);

    const auto parsed = parse(b);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed.header->version, 3);
    EXPECT_EQ(parsed.header->csrc_count, 3);
    EXPECT_EQ(parsed.header->payload_type, 127);
    EXPECT_FALSE(parsed.header->marker);
    EXPECT_FALSE(parsed.header->padding);
    EXPECT_FALSE(parsed.header->extension);

    h.version = 0x06;  // 0b110 -> 0b10: masking, not clamping
    h.payload_type = 0x80 | 26;
    EXPECT_EQ(encode(h)[0] & 0xC0, 0x80);
    EXPECT_EQ(encode(h)[1], 0x1A);
}

TEST(RtpRoundTrip, EncodeThenParseGivesTheSameHeader) {
    const std::vector<std::uint8_t> versions = {0, 1, 2, 3};
    const std::vector<std::uint8_t> ccs = {0, 1, 7, 15};
    const std::vector<std::uint8_t> pts = {0, 1, 26, 96, 127};
    const std::vector<std::uint16_t> seqs = {0, 1, 2, 255, 256, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF};
    const std::vector<std::uint32_t> words = {0, 1, 0xFF, 0x100, 483920, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE,
                                              0xFFFFFFFF};
    std::size_t checked = 0;
    for (auto v : versions)
        for (int flags = 0; flags < 8; ++flags)
            for (auto cc : ccs)
                for (auto pt : pts) {
                    RtpHeader h;
                    h.version = v;
                    h.padding = flags & 1;
                    h.extension = flags & 2;
                    h.marker = flags & 4;
                    h.csrc_count = cc;
                    h.payload_type = pt;
                    h.sequence = seqs[checked % seqs.size()];
                    h.timestamp = words[checked % words.size()];
                    h.ssrc = words[(checked / 3) % words.size()];
                    const auto parsed = parse(encode(h));
                    ASSERT_TRUE(parsed.ok());
                    ASSERT_EQ(*parsed.header, h) << "case " << checked;
                    ++checked;
                }
    for (auto seq : seqs)
        for (auto ts : words)
            for (auto ssrc : words) {
                const RtpHeader h = tpc3_header(seq, ts, ssrc);
                const auto parsed = parse(encode(h));
                ASSERT_TRUE(parsed.ok());
                ASSERT_EQ(*parsed.header, h);
                ++checked;
            }
    EXPECT_GT(checked, 1000u);
}

TEST(RtpPacket, PayloadFollowsTheHeader) {
    const Bytes payload = {0xFF, 0xD8, 0x01, 0x02, 0xFF, 0xD9};
    const auto packet = encode_packet(tpc3_header(5, 6, 7), payload);
    ASSERT_EQ(packet.size(), kHeaderSize + payload.size());
    EXPECT_EQ(Bytes(packet.begin(), packet.begin() + kHeaderSize), to_vector(encode(tpc3_header(5, 6, 7))));
    const auto parsed = parse(packet);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(Bytes(parsed.payload.begin(), parsed.payload.end()), payload);
    EXPECT_EQ(parsed.payload.data(), packet.data() + kHeaderSize);
}

TEST(RtpPacket, HeaderOnlyHasEmptyPayload) {
    const auto packet = encode_packet(tpc3_header(1, 2, 3), {});
    const auto parsed = parse(packet);
    ASSERT_TRUE(parsed.ok());
    EXPECT_FALSE(parsed.error.has_value());
    EXPECT_TRUE(parsed.payload.empty());
}

TEST(RtpParse, ShortDatagramsAreErrorsNamingTheirSize) {
    const Bytes full = to_vector(encode(tpc3_header(1, 2, 3)));
    for (std::size_t n = 0; n < kHeaderSize; ++n) {
        const auto parsed = parse(std::span<const std::uint8_t>(full.data(), n));
        EXPECT_FALSE(parsed.ok()) << n;
        EXPECT_FALSE(parsed.header.has_value()) << n;
        ASSERT_TRUE(parsed.error.has_value()) << n;
        EXPECT_EQ(parsed.error->size, n);
        EXPECT_TRUE(parsed.payload.empty());
        const std::string unit = n == 1 ? " byte" : " bytes";
        EXPECT_EQ(parsed.error->message,
                  "datagram of " + std::to_string(n) + unit + " is shorter than the 12-byte RTP header");
    }
    EXPECT_TRUE(parse(full).ok());
}

TEST(RtpDeviations, ProfileHeaderHasNone) {
    const RtpHeader h = tpc3_header(1, 2, 483920);
    EXPECT_TRUE(profile_deviations(h).empty());
    EXPECT_TRUE(profile_deviations(h, 483920u).empty());
}

TEST(RtpDeviations, EachFieldIsReportedWithSeenAndExpected) {
    struct Case {
        Field field;
        void (*set)(RtpHeader&);
        std::uint32_t seen, expected;
        const char* message;
    };
    const std::vector<Case> cases = {
        {Field::Version, [](RtpHeader& h) { h.version = 1; }, 1, 2, "V was 1, expected 2"},
        {Field::Version, [](RtpHeader& h) { h.version = 0; }, 0, 2, "V was 0, expected 2"},
        {Field::Padding, [](RtpHeader& h) { h.padding = true; }, 1, 0, "P was 1, expected 0"},
        {Field::Extension, [](RtpHeader& h) { h.extension = true; }, 1, 0, "X was 1, expected 0"},
        {Field::CsrcCount, [](RtpHeader& h) { h.csrc_count = 15; }, 15, 0, "CC was 15, expected 0"},
        {Field::Marker, [](RtpHeader& h) { h.marker = true; }, 1, 0, "M was 1, expected 0"},
        {Field::PayloadType, [](RtpHeader& h) { h.payload_type = 96; }, 96, 26, "PT was 96, expected 26"},
        {Field::Ssrc, [](RtpHeader& h) { h.ssrc = 7; }, 7, 483920, "SSRC was 7, expected 483920"},
    };
    for (const auto& c : cases) {
        RtpHeader h = tpc3_header(1, 2, 483920);
        c.set(h);
        const auto devs = profile_deviations(h, 483920u);
        ASSERT_EQ(devs.size(), 1u) << c.message;
        EXPECT_EQ(devs[0].field, c.field);
        EXPECT_EQ(devs[0].seen, c.seen);
        EXPECT_EQ(devs[0].expected, c.expected);
        EXPECT_EQ(describe(devs[0]), c.message);
    }
}

TEST(RtpDeviations, SsrcIsJudgedOnlyWhenExpected) {
    const RtpHeader h = tpc3_header(1, 2, 99);
    EXPECT_TRUE(profile_deviations(h).empty());
    ASSERT_EQ(profile_deviations(h, 100u).size(), 1u);
    EXPECT_EQ(describe(profile_deviations(h, 100u)[0]), "SSRC was 99, expected 100");
    EXPECT_EQ(describe(profile_deviations(tpc3_header(1, 2, 0xFFFFFFFF), 0u)[0]), "SSRC was 4294967295, expected 0");
}

TEST(RtpDeviations, AllDeviationsAreReportedInFieldOrder) {
    RtpHeader h = tpc3_header(1, 2, 3);
    h.version = 1;
    h.padding = true;
    h.extension = true;
    h.csrc_count = 2;
    h.marker = true;
    h.payload_type = 96;
    const auto devs = profile_deviations(h, 4u);
    std::vector<std::string> messages;
    for (const auto& d : devs) messages.push_back(describe(d));
    EXPECT_EQ(messages, (std::vector<std::string>{"V was 1, expected 2", "P was 1, expected 0", "X was 1, expected 0",
                                                  "CC was 2, expected 0", "M was 1, expected 0",
                                                  "PT was 96, expected 26", "SSRC was 3, expected 4"}));

    RtpHeader two = tpc3_header(1, 2, 3);
    two.marker = true;
    two.payload_type = 0;
    const auto devs2 = profile_deviations(two);
    ASSERT_EQ(devs2.size(), 2u);
    EXPECT_EQ(devs2[0].field, Field::Marker);
    EXPECT_EQ(devs2[1].field, Field::PayloadType);
}

TEST(RtpDeviations, ParsedBytesOfABadHeaderGiveTheirDeviations) {
    const Bytes bytes = {0x40, 0xe0, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1};  // V=1, M=1, PT=96
    const auto parsed = parse(bytes);
    ASSERT_TRUE(parsed.ok());
    const auto devs = profile_deviations(*parsed.header, 1u);
    ASSERT_EQ(devs.size(), 3u);
    EXPECT_EQ(describe(devs[0]), "V was 1, expected 2");
    EXPECT_EQ(describe(devs[1]), "M was 1, expected 0");
    EXPECT_EQ(describe(devs[2]), "PT was 96, expected 26");
}

TEST(RtpFieldName, NamesEveryField) {
    EXPECT_STREQ(field_name(Field::Version), "V");
    EXPECT_STREQ(field_name(Field::Padding), "P");
    EXPECT_STREQ(field_name(Field::Extension), "X");
    EXPECT_STREQ(field_name(Field::CsrcCount), "CC");
    EXPECT_STREQ(field_name(Field::Marker), "M");
    EXPECT_STREQ(field_name(Field::PayloadType), "PT");
    EXPECT_STREQ(field_name(Field::Ssrc), "SSRC");
}

TEST(RtpHex, LowerCaseSpaceSeparatedAndLimited) {
    const auto b = encode(tpc3_header(1, 0, 0xABCDEF01));
    EXPECT_EQ(hex(b), "80 1a 00 01 00 00 00 00 ab cd ef 01");
    EXPECT_EQ(hex(b, 4), "80 1a 00 01 ...");
    EXPECT_EQ(hex(b, 0), "...");
    EXPECT_EQ(hex({}), "");
    const Bytes one = {0x0f};
    EXPECT_EQ(hex(one), "0f");
    const Bytes packet = encode_packet(tpc3_header(1, 0, 0), Bytes{0xff, 0xd8});
    EXPECT_EQ(hex(packet), "80 1a 00 01 00 00 00 00 00 00 00 00 ...");
    EXPECT_EQ(hex(packet, 14), "80 1a 00 01 00 00 00 00 00 00 00 00 ff d8");
}

}  // namespace
}  // namespace tpc3::rtp
