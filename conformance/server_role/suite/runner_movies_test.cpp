// The runner's movies: real marker JPEGs, frames padded to exact sizes that
// stay valid JPEGs, user movies read with their errors located.
#include <fstream>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "harness/temp_dir.h"
#include "marker/marker.h"
#include "movie/movie_format.h"
#include "suite/runner_movies.h"

namespace tpc3::conform::server {
namespace {

std::vector<std::uint8_t> small_jpeg()
{
    return marker::encode_jpeg(marker::render_frame(160, 120, marker::MarkerValue::frame(7), "x"), 70);
}

TEST(PadJpeg, MakesExactlyTheAskedSizeAndStillDecodesToTheSameImage)
{
    const auto jpeg = small_jpeg();
    const auto padded = pad_jpeg(jpeg, 60000);
    ASSERT_EQ(padded.size(), 60000u);
    EXPECT_EQ(padded[0], 0xFF);
    EXPECT_EQ(padded[1], 0xD8);
    EXPECT_EQ(padded[2], 0xFF);
    EXPECT_EQ(padded[3], 0xFE);  // COM segment right after SOI
    EXPECT_EQ(padded[padded.size() - 2], 0xFF);
    EXPECT_EQ(padded[padded.size() - 1], 0xD9);
    const cv::Mat a = cv::imdecode(jpeg, cv::IMREAD_COLOR);
    const cv::Mat b = cv::imdecode(padded, cv::IMREAD_COLOR);
    ASSERT_FALSE(b.empty());
    EXPECT_EQ(cv::norm(a, b, cv::NORM_INF), 0.0);
    EXPECT_EQ(marker::decode_single(b), marker::MarkerValue::frame(7));
}

TEST(PadJpeg, RefusesWhatItCannotDo)
{
    const auto jpeg = small_jpeg();
    EXPECT_THROW(pad_jpeg(jpeg, jpeg.size() + 3), std::invalid_argument);  // a COM segment needs 4 bytes
    EXPECT_NO_THROW(pad_jpeg(jpeg, jpeg.size() + 4));
    EXPECT_THROW(pad_jpeg(jpeg, jpeg.size() + 4 + 65534), std::invalid_argument);  // over one segment
    std::vector<std::uint8_t> not_jpeg(jpeg.begin() + 2, jpeg.end());
    EXPECT_THROW(pad_jpeg(not_jpeg, 60000), std::invalid_argument);
}

TEST(RunnerMovies, MarkerMovieFramesSayTheirSequenceNumber)
{
    harness::TempDir dir("tpc3-movies-test-");
    const MovieUnderTest m = make_marker_movie(dir.path(), "m.mpeg", liveness_movie_spec());
    ASSERT_EQ(m.frames.size(), 8u);
    EXPECT_EQ(m.name, "m.mpeg");
    for (std::size_t k = 0; k < m.frames.size(); ++k)
        EXPECT_EQ(marker::decode_single(marker::decode_image(m.frames[k])), marker::MarkerValue::frame(static_cast<std::uint32_t>(k + 1)));
    const MovieUnderTest again = load_movie(m.path, "same");
    EXPECT_EQ(again.frames, m.frames);
}

TEST(RunnerMovies, TheSuiteMoviesHaveTheSizesTheChecksAndFixturesAssume)
{
    harness::TempDir dir("tpc3-movies-test-");
    const MovieUnderTest big = make_marker_movie(dir.path(), "big.mpeg", big_movie_spec());
    ASSERT_EQ(big.frames.size(), 6u);
    for (const auto& f : big.frames) {
        EXPECT_GE(f.size(), 60000u);
        EXPECT_LE(f.size(), 64000u);  // + 12 header bytes: under the 65,507-byte UDP limit
    }
    const MovieUnderTest main = make_marker_movie(dir.path(), "main.mpeg", main_movie_spec());
    ASSERT_EQ(main.frames.size(), 40u);
    for (const auto& f : main.frames) EXPECT_LT(f.size(), 20000u);
}

TEST(RunnerMovies, LoadMovieNamesTheFileAndOffsetOfAMalformedPart)
{
    harness::TempDir dir("tpc3-movies-test-");
    const auto path = dir / "bad.mpeg";
    std::ofstream(path, std::ios::binary) << "00004\xFF\xD8\xFF\xD9" << "12a45";
    try {
        load_movie(path, "bad.mpeg");
        FAIL() << "no error";
    } catch (const movie::MovieError& e) {
        EXPECT_NE(std::string(e.what()).find("bad.mpeg"), std::string::npos) << e.what();
        EXPECT_EQ(e.offset(), 9u);
        EXPECT_EQ(e.frame_index(), 1u);
    }
}

}  // namespace
}  // namespace tpc3::conform::server
