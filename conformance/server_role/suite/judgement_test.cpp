// judge_run: the long movie's verdicts join the main stream's (the worse one
// is kept, and named), and --only/--skip turn the rest into skips.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "analysis/test_records.h"
#include "suite/judgement.h"

namespace tpc3::conform::server {
namespace {

using namespace tpc3::conform::server::testing;
using ::testing::HasSubstr;
using ::testing::StartsWith;

const report::CheckResult& result_of(const std::vector<report::CheckResult>& results, const std::string& id)
{
    for (const auto& r : results)
        if (r.info().id == id) return r;
    throw std::out_of_range(id);
}

Observations with_main_stream(const std::vector<Bytes>& frames)
{
    Observations o;
    o.launched = true;
    o.movie = MovieUnderTest{"movie.mpeg", "/tmp/movie.mpeg", frames};
    o.main_stream = perfect_session(frames);
    return o;
}

TEST(JudgeRun, TheLongMoviesFailureIsKeptAndNamed)
{
    const std::vector<Bytes> frames = tiny_movie(20), long_frames = tiny_movie(60);
    SessionRecord long_session = perfect_session(long_frames, 777777, "long movie");
    edit_header(long_session, 33, [](rtp::RtpHeader& h) { h.payload_type = 96; });
    const auto results = judge_run(with_main_stream(frames),
                                   LongStream{long_session, {"long.mpeg", "/tmp/long.mpeg", long_frames}},
                                   report::Selection());
    const report::CheckResult& pt = result_of(results, "S-RTP-06");
    EXPECT_EQ(pt.status(), report::Status::Fail);
    EXPECT_THAT(pt.message(), StartsWith("long movie long.mpeg: "));
    EXPECT_THAT(pt.message(), HasSubstr("96"));
    EXPECT_EQ(pt.evidence().at("main_movie").at("status"), "pass");
    const report::CheckResult& v = result_of(results, "S-RTP-01");
    EXPECT_EQ(v.status(), report::Status::Pass);
    EXPECT_EQ(v.evidence().at("long_movie").at("status"), "pass");
    // Checks the main stream does not decide are left alone.
    EXPECT_FALSE(result_of(results, "S-ROB-01").evidence().contains("long_movie"));
}

TEST(JudgeRun, ALongMovieNeverStreamedIsAnErrorNotAPass)
{
    const std::vector<Bytes> frames = tiny_movie(20);
    const auto results =
        judge_run(with_main_stream(frames),
                  LongStream{Observed<SessionRecord>::missing("the server died"), {"long.mpeg", "/tmp/l", frames}},
                  report::Selection());
    const report::CheckResult& seq = result_of(results, "S-RTP-08");
    EXPECT_EQ(seq.status(), report::Status::Error);
    EXPECT_THAT(seq.message(), HasSubstr("the server died"));
}

TEST(JudgeRun, ChecksNotSelectedAreSkippedWithTheReason)
{
    const auto results =
        judge_run(with_main_stream(tiny_movie(20)), std::nullopt, report::Selection::parse("S-RTP-0?", "S-RTP-09"));
    EXPECT_EQ(result_of(results, "S-RTP-01").status(), report::Status::Pass);
    for (const char* id : {"S-RTP-09", "S-RTP-10", "S-SETUP-01", "S-BIG-01"}) {
        EXPECT_EQ(result_of(results, id).status(), report::Status::Skip) << id;
        EXPECT_THAT(result_of(results, id).message(), HasSubstr("not selected"));
    }
}

}  // namespace
}  // namespace tpc3::conform::server
