#include "report/check_result.h"

#include <array>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

#include "report/catalogue.h"

namespace tpc3::report {
namespace {

TEST(CheckResult, FactoriesSetStatusMessageAndEvidence)
{
    const CheckInfo& info = lookup("S-RTP-06");
    const CheckResult p = pass(info);
    EXPECT_EQ(p.status(), Status::Pass);
    EXPECT_EQ(p.message(), "");
    EXPECT_EQ(p.info(), info);

    const CheckResult f = fail(info, "packet 1: PT was 96, expected 26", {{"packet", 1}, {"pt", 96}});
    EXPECT_EQ(f.status(), Status::Fail);
    EXPECT_EQ(f.message(), "packet 1: PT was 96, expected 26");
    EXPECT_EQ(f.evidence().at("pt"), 96);

    EXPECT_EQ(skip(info, "not asked for").status(), Status::Skip);
    EXPECT_EQ(error(info, "server never started").status(), Status::Error);
    EXPECT_EQ(error(info, "server never started").message(), "server never started");
}

TEST(CheckResult, AnythingButAPassMustSayWhy)
{
    const CheckInfo& info = lookup("S-ROB-04");
    EXPECT_THROW(skip(info, ""), std::invalid_argument);
    EXPECT_THROW(error(info, ""), std::invalid_argument);
    EXPECT_THROW(fail(info, ""), std::invalid_argument);
    EXPECT_NO_THROW(pass(info, ""));
    try {
        skip(info, "");
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("S-ROB-04"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("skip"), std::string::npos) << e.what();
    }
}

TEST(CheckResult, EvidenceIsAlwaysAnObject)
{
    const CheckInfo& info = lookup("S-PAY-02");
    EXPECT_TRUE(pass(info).evidence().is_object());
    EXPECT_TRUE(pass(info).evidence().empty());
    const CheckResult wrapped = fail(info, "frame 3 differs", nlohmann::json::array({1, 2}));
    ASSERT_TRUE(wrapped.evidence().is_object());
    EXPECT_EQ(wrapped.evidence().at("value"), nlohmann::json::array({1, 2}));

    CheckResult r = fail(info, "frame 3 differs", {{"frame", 3}});
    r.with_evidence("offset", 1234).with_evidence("frame", 4).with_duration(0.25);
    EXPECT_EQ(r.evidence().at("offset"), 1234);
    EXPECT_EQ(r.evidence().at("frame"), 4);
    EXPECT_DOUBLE_EQ(r.duration_s(), 0.25);
}

TEST(ExpectedActual, NamesWhatWasSeenAndWhatWasExpected)
{
    EXPECT_EQ(expected_actual("packet 7 (seq 7): PT", 26, 96), "packet 7 (seq 7): PT was 96, expected 26");
    EXPECT_EQ(expected_actual("reply", "\"-1\"", "\"0\""), "reply was \"0\", expected \"-1\"");
    EXPECT_EQ(expected_actual("first seq", std::uint16_t{1}, std::uint16_t{0}), "first seq was 0, expected 1");
    // uint8_t is a number here, not a character.
    EXPECT_EQ(expected_actual("byte 0", std::uint8_t{0x80}, std::uint8_t{0x40}), "byte 0 was 64, expected 128");
    EXPECT_EQ(expected_actual("SSRC", 4294967295u, -1), "SSRC was -1, expected 4294967295");
    EXPECT_EQ(expected_actual("M", false, true), "M was true, expected false");
    EXPECT_EQ(expected_actual("mean rate", 20.0, 18.5), "mean rate was 18.5, expected 20");
    EXPECT_EQ(expected_actual("name", std::string("movie.mpeg"), std::string_view("movie")),
              "name was movie, expected movie.mpeg");
}

TEST(HexBytes, PairsSeparatedBySpacesAndTruncated)
{
    const std::array<std::uint8_t, 4> header{0x80, 0x1a, 0x00, 0xff};
    EXPECT_EQ(hex_bytes(header), "80 1a 00 ff");
    EXPECT_EQ(hex_bytes(header, 2), "80 1a ... (4 bytes)");
    EXPECT_EQ(hex_bytes(std::span<const std::uint8_t>{}), "");
    const std::vector<std::uint8_t> big(100, 0xab);
    EXPECT_EQ(hex_bytes(big).size(), 64u * 3 - 1 + std::string(" ... (100 bytes)").size());
}

}  // namespace
}  // namespace tpc3::report
