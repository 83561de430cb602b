#include "report/selection.h"

#include <gtest/gtest.h>

namespace tpc3::report {
namespace {

TEST(GlobMatch, StarQuestionMarkAndCase)
{
    EXPECT_TRUE(glob_match("S-RTP-*", "S-RTP-06"));
    EXPECT_TRUE(glob_match("s-rtp-*", "S-RTP-06"));
    EXPECT_TRUE(glob_match("S-RTP-0?", "S-RTP-06"));
    EXPECT_FALSE(glob_match("S-RTP-0?", "S-RTP-10"));
    EXPECT_TRUE(glob_match("*", "C-REJ-01"));
    EXPECT_TRUE(glob_match("*-01", "C-REJ-01"));
    EXPECT_TRUE(glob_match("S-*-0*", "S-PAY-02"));
    EXPECT_FALSE(glob_match("S-RTP", "S-RTP-06"));  // whole string, not a prefix
    EXPECT_FALSE(glob_match("RTP-06", "S-RTP-06"));
    EXPECT_TRUE(glob_match("S-RTP-06", "S-RTP-06"));
    EXPECT_FALSE(glob_match("S-RTP-06?", "S-RTP-06"));
    EXPECT_TRUE(glob_match("S-RTP-06*", "S-RTP-06"));
    EXPECT_TRUE(glob_match("**a*b", "xxaxxab"));  // needs backtracking
    EXPECT_FALSE(glob_match("*a*b", "xxaxxa"));
    EXPECT_TRUE(glob_match("", ""));
    EXPECT_FALSE(glob_match("", "S-RTP-06"));
}

TEST(Selection, DefaultSelectsEverything)
{
    const Selection all;
    for (const CheckInfo& c : all_checks()) EXPECT_TRUE(all.selected(c.id)) << c.id;
    const Selection parsed = Selection::parse("", "");
    for (const CheckInfo& c : all_checks()) EXPECT_TRUE(parsed.selected(c.id)) << c.id;
}

TEST(Selection, OnlyKeepsMatchingChecks)
{
    const Selection s = Selection::parse("S-RTP-*, s-pay-02", "");
    EXPECT_TRUE(s.selected("S-RTP-01"));
    EXPECT_TRUE(s.selected("S-RTP-10"));
    EXPECT_TRUE(s.selected("S-PAY-02"));
    EXPECT_FALSE(s.selected("S-PAY-01"));
    EXPECT_FALSE(s.selected("S-SETUP-01"));
    EXPECT_EQ(s.only_patterns(), (std::vector<std::string>{"S-RTP-*", "s-pay-02"}));
}

TEST(Selection, SkipWinsOverOnly)
{
    const Selection s = Selection::parse("S-RTP-*", "S-RTP-09,S-RTP-1?");
    EXPECT_TRUE(s.selected("S-RTP-08"));
    EXPECT_FALSE(s.selected("S-RTP-09"));
    EXPECT_FALSE(s.selected("S-RTP-10"));
    const Selection skip_only = Selection::parse("", "S-TIME-*");
    EXPECT_TRUE(skip_only.selected("S-RTP-06"));
    EXPECT_FALSE(skip_only.selected("S-TIME-02"));
}

TEST(Selection, EmptyItemsAndSpacesAreIgnored)
{
    const Selection s = Selection::parse(" S-RTP-06 ,, ", "");
    EXPECT_EQ(s.only_patterns(), std::vector<std::string>{"S-RTP-06"});
    EXPECT_TRUE(s.selected("S-RTP-06"));
    EXPECT_FALSE(s.selected("S-RTP-05"));
}

TEST(Selection, APatternMatchingNothingIsAUsageErrorNamingIt)
{
    try {
        Selection::parse("S-RTP-*,S-RPT-06", "");
        FAIL() << "a typo must be a usage error";
    } catch (const UsageError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("S-RPT-06"), std::string::npos) << what;
        EXPECT_NE(what.find("--only"), std::string::npos) << what;
    }
    try {
        Selection::parse("", "C-NOPE-*");
        FAIL() << "a typo in --skip must be a usage error too";
    } catch (const UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("--skip: pattern 'C-NOPE-*'"), std::string::npos) << e.what();
    }
}

TEST(Selection, PatternsAreJudgedAgainstTheChecksOfTheRoleUnderTest)
{
    const auto server = checks_for(Role::Server);
    EXPECT_NO_THROW(Selection::parse("C-REJ-*", ""));  // some check of the whole catalogue
    EXPECT_THROW(Selection::parse("C-REJ-*", "", server), UsageError);
    EXPECT_NO_THROW(Selection::parse("S-*", "", server));
}

}  // namespace
}  // namespace tpc3::report
