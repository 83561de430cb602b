#include "marker/marker.h"

#include <gtest/gtest.h>
#include <opencv2/aruco.hpp>
#include <opencv2/imgproc.hpp>

#include <chrono>
#include <cmath>
#include <iostream>
#include <limits>
#include <random>
#include <set>

namespace tpc3::marker {

// GoogleTest prints values with this.
void PrintTo(const MarkerValue& v, std::ostream* os) { *os << to_string(v); }

namespace {

cv::Mat through_jpeg(const cv::Mat& img, int quality) {
    cv::Mat out = decode_image(encode_jpeg(img, quality));
    EXPECT_FALSE(out.empty());
    return out;
}

cv::Mat scaled(const cv::Mat& img, double f) {
    cv::Mat out;
    cv::resize(img, out, cv::Size(), f, f, f < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
    return out;
}

// A grey desktop with a Tk-like window (border, title bar) whose content is img.
cv::Mat screenshot_with(const cv::Mat& img, cv::Point at, cv::Size desktop = {1024, 768}) {
    cv::Mat shot(desktop, CV_8UC3, cv::Scalar(128, 128, 128));
    const int border = 4, title = 22;
    const cv::Rect window(at.x - border, at.y - title, img.cols + 2 * border, img.rows + title + border);
    cv::rectangle(shot, window, cv::Scalar(60, 60, 60), cv::FILLED);
    cv::rectangle(shot, cv::Rect(window.x, window.y, window.width, title), cv::Scalar(180, 120, 40), cv::FILLED);
    img.copyTo(shot(cv::Rect(at, img.size())));
    return shot;
}

std::vector<MarkerValue> sampled_values() {
    std::vector<MarkerValue> values;
    for (std::uint32_t n = 1; n <= 2000; n += 37) values.push_back(MarkerValue::frame(n));
    for (std::uint32_t n : {2u, 999u, 1000u, 1001u, 1999u, 2000u, 65535u, 123456u, 899999u})
        values.push_back(MarkerValue::frame(n));
    for (auto [c, s] : {std::pair{0u, 0u}, {0u, 1u}, {5u, 123u}, {10u, 999u}, {99u, 0u}, {99u, 999u}})
        values.push_back(MarkerValue::poison(c, s));
    return values;
}

// --- the encoding -----------------------------------------------------------

TEST(MarkerEncoding, DocumentedExamples) {
    EXPECT_EQ(encode_ids(MarkerValue::frame(1)), (MarkerIds{0, 1}));
    EXPECT_EQ(encode_ids(MarkerValue::frame(12345)), (MarkerIds{12, 345}));
    EXPECT_EQ(encode_ids(MarkerValue::frame(899999)), (MarkerIds{899, 999}));
    EXPECT_EQ(encode_ids(MarkerValue::poison(5, 123)), (MarkerIds{905, 123}));
    EXPECT_EQ(encode_ids(MarkerValue::poison(99, 999)), (MarkerIds{999, 999}));
    EXPECT_EQ(MarkerValue::poison(5, 123).code(), 5u);
    EXPECT_EQ(MarkerValue::poison(5, 123).serial(), 123u);
    EXPECT_EQ(to_string(MarkerValue::frame(17)), "frame 17");
    EXPECT_EQ(to_string(MarkerValue::poison(5, 123)), "poison 5/123");
}

TEST(MarkerEncoding, InvalidValuesHaveNoIds) {
    EXPECT_FALSE(encode_ids(MarkerValue::frame(0)));
    EXPECT_FALSE(encode_ids(MarkerValue::frame(900000)));
    EXPECT_FALSE(encode_ids(MarkerValue::poison(100, 0)));
    EXPECT_FALSE(decode_ids({0, 0}));
    EXPECT_FALSE(decode_ids({-1, 5}));
    EXPECT_FALSE(decode_ids({5, 1000}));
    EXPECT_FALSE(decode_ids({1000, 5}));
}

TEST(MarkerEncoding, EveryIdPairIsOneValueAndBack) {
    std::set<std::pair<int, std::uint32_t>> seen;
    for (int left = 0; left < kIdsPerMarker; ++left) {
        for (int right = 0; right < kIdsPerMarker; ++right) {
            const auto v = decode_ids({left, right});
            if (left == 0 && right == 0) {
                EXPECT_FALSE(v);
                continue;
            }
            ASSERT_TRUE(v) << left << "," << right;
            ASSERT_EQ(encode_ids(*v), (MarkerIds{left, right}));
            ASSERT_TRUE(seen.insert({v->kind, v->number}).second);
        }
    }
    EXPECT_EQ(seen.size(), 999'999u);  // 899,999 frames + 100,000 poisons
}

// --- rendering --------------------------------------------------------------

TEST(MarkerRender, LayoutKeepsAQuietZoneInsideTheFrame) {
    for (auto [w, h] : {std::pair{128, 96}, {256, 144}, {320, 240}, {640, 480}, {1920, 1080}, {1000, 100}, {130, 900}}) {
        const MarkerLayout l = marker_layout(w, h);
        const cv::Rect frame(0, 0, w, h);
        SCOPED_TRACE(std::to_string(w) + "x" + std::to_string(h));
        EXPECT_EQ(l.quiet_zone & frame, l.quiet_zone);
        EXPECT_EQ(l.left_marker.width, l.left_marker.height);
        EXPECT_EQ(l.right_marker.size(), l.left_marker.size());
        const int cell = l.left_marker.width / 6;
        EXPECT_GE(cell, 3);
        // two cells of white around and between the markers
        EXPECT_EQ(l.left_marker.x - l.quiet_zone.x, 2 * cell);
        EXPECT_EQ(l.right_marker.x - l.left_marker.br().x, 2 * cell);
        EXPECT_EQ(l.quiet_zone.br().x - l.right_marker.br().x, 2 * cell);
        EXPECT_EQ(l.quiet_zone.br().y - l.left_marker.br().y, 2 * cell);
        EXPECT_EQ(l.text_area.br().y, l.quiet_zone.y);
        EXPECT_GT(l.text_area.height, h / 3);
    }
}

TEST(MarkerRender, RefusesBadSizesAndValues) {
    EXPECT_THROW(marker_layout(127, 96), std::invalid_argument);
    EXPECT_THROW(marker_layout(128, 95), std::invalid_argument);
    EXPECT_THROW(marker_layout(5000, 480), std::invalid_argument);
    EXPECT_THROW(render_frame(320, 240, MarkerValue::frame(0), ""), std::invalid_argument);
    EXPECT_THROW(render_frame(320, 240, MarkerValue::poison(100, 1), ""), std::invalid_argument);
    EXPECT_THROW(encode_jpeg(cv::Mat(), 75), std::invalid_argument);
    EXPECT_THROW(encode_jpeg(render_frame(320, 240, MarkerValue::frame(1), ""), 0), std::invalid_argument);
    EXPECT_THROW(encode_jpeg(render_frame(320, 240, MarkerValue::frame(1), ""), 101), std::invalid_argument);
}

double red_fraction(const cv::Mat& bgr) {
    int red = 0;
    for (int r = 0; r < bgr.rows; ++r)
        for (int c = 0; c < bgr.cols; ++c) {
            const auto p = bgr.at<cv::Vec3b>(r, c);
            red += p[2] > 150 && p[1] < 80 && p[0] < 80;
        }
    return static_cast<double>(red) / (bgr.rows * bgr.cols);
}

TEST(MarkerRender, PoisonFramesLookDifferentToAPerson) {
    const cv::Rect text = marker_layout(320, 240).text_area;
    const cv::Mat poison = render_frame(320, 240, MarkerValue::poison(5, 1), "C-REJ-05");
    const cv::Mat frame = render_frame(320, 240, MarkerValue::frame(5), "movie.mpeg");
    EXPECT_GT(red_fraction(poison(text)), 0.2);
    for (std::uint32_t n = 1; n < 200; n += 7)
        EXPECT_LT(red_fraction(render_frame(320, 240, MarkerValue::frame(n), "x")(text)), 0.01) << n;
    EXPECT_EQ(frame.type(), CV_8UC3);
    EXPECT_EQ(frame.size(), cv::Size(320, 240));
}

TEST(MarkerRender, FramesWithTheSameNumberButDifferentCaptionsDiffer) {
    const cv::Mat a = render_frame(320, 240, MarkerValue::frame(5), "a");
    const cv::Mat b = render_frame(320, 240, MarkerValue::frame(5), "bbbbb");
    EXPECT_GT(cv::norm(a, b, cv::NORM_L1), 0.0);
}

// --- round trip -------------------------------------------------------------

TEST(MarkerRoundTrip, ManyValuesAtSeveralSizes) {
    for (auto [w, h] : {std::pair{128, 96}, {256, 144}, {320, 240}, {640, 480}}) {
        for (const MarkerValue& v : sampled_values()) {
            const cv::Mat img = render_frame(w, h, v, "tpc3 " + to_string(v));
            ASSERT_EQ(decode_single(img), v) << w << "x" << h;
            ASSERT_EQ(decode_single(through_jpeg(img, 75)), v) << w << "x" << h << " jpeg";
        }
    }
}

TEST(MarkerRoundTrip, FullHd) {
    for (const MarkerValue& v : {MarkerValue::frame(1), MarkerValue::frame(1777), MarkerValue::poison(7, 42)}) {
        const cv::Mat img = render_frame(1920, 1080, v, "full hd");
        EXPECT_EQ(decode_single(img), v);
        EXPECT_EQ(decode_single(through_jpeg(img, 30)), v);
    }
}

TEST(MarkerRoundTrip, ReadingSaysWhereTheMarkersAre) {
    const cv::Mat img = render_frame(320, 240, MarkerValue::frame(42), "");
    const auto readings = decode_markers(screenshot_with(img, {100, 50}));
    ASSERT_EQ(readings.size(), 1u);
    const MarkerLayout l = marker_layout(320, 240);
    const cv::Rect expected(l.left_marker.tl() + cv::Point(100, 50), l.right_marker.br() + cv::Point(100, 50));
    EXPECT_NEAR(readings[0].where.x, expected.x, 2.0);
    EXPECT_NEAR(readings[0].where.y, expected.y, 2.0);
    EXPECT_NEAR(readings[0].where.width, expected.width, 3.0);
    EXPECT_NEAR(readings[0].where.height, expected.height, 3.0);
}

// --- robustness: the screen-grab path ---------------------------------------

TEST(MarkerRobustness, JpegScaledAndPastedIntoAScreenshot) {
    const std::vector<MarkerValue> values{MarkerValue::frame(1),    MarkerValue::frame(17),
                                          MarkerValue::frame(1234), MarkerValue::frame(899999),
                                          MarkerValue::poison(5, 3), MarkerValue::poison(99, 999)};
    for (const MarkerValue& v : values) {
        const cv::Mat jpeg = through_jpeg(render_frame(320, 240, v, "C-PLAY-01"), 30);
        for (double f : {0.5, 0.75, 1.0, 1.5, 2.0}) {
            for (cv::Point at : {cv::Point(7, 31), cv::Point(333, 101)}) {
                const cv::Mat shot = screenshot_with(scaled(jpeg, f), at);
                ASSERT_EQ(decode_single(shot), v) << to_string(v) << " scale " << f << " at " << at;
                // and the screenshot itself saved as a JPEG
                ASSERT_EQ(decode_single(through_jpeg(shot, 30)), v) << to_string(v) << " scale " << f;
            }
        }
    }
}

TEST(MarkerRobustness, StretchedFramesStillDecode) {
    // A client may fit the picture to its window without keeping the aspect ratio.
    const MarkerValue v = MarkerValue::frame(2024);
    const cv::Mat jpeg = through_jpeg(render_frame(320, 240, v, "stretched"), 40);
    for (auto [fx, fy] : {std::pair{1.0, 1.6}, {1.6, 1.0}, {0.6, 1.0}, {2.0, 1.2}}) {
        cv::Mat stretched;
        cv::resize(jpeg, stretched, cv::Size(), fx, fy, cv::INTER_LINEAR);
        EXPECT_EQ(decode_single(screenshot_with(stretched, {50, 60})), v) << fx << " x " << fy;
    }
}

TEST(MarkerRobustness, SmallestFrameSurvivesJpegAndUpscaling) {
    const MarkerValue v = MarkerValue::frame(321);
    const cv::Mat jpeg = through_jpeg(render_frame(128, 96, v, "small"), 50);
    EXPECT_EQ(decode_single(screenshot_with(jpeg, {40, 40})), v);
    EXPECT_EQ(decode_single(screenshot_with(scaled(jpeg, 2.0), {40, 40})), v);
}

TEST(MarkerRobustness, TwoFramesSideBySideAreTwoReadings) {
    const cv::Mat a = through_jpeg(render_frame(320, 240, MarkerValue::frame(7), "a"), 50);
    const cv::Mat b = through_jpeg(render_frame(320, 240, MarkerValue::poison(3, 8), "b"), 50);
    for (int gap : {0, 1, 25}) {
        cv::Mat shot(300, 640 + gap + 40, CV_8UC3, cv::Scalar(128, 128, 128));
        a.copyTo(shot(cv::Rect(20, 30, 320, 240)));
        b.copyTo(shot(cv::Rect(340 + gap, 30, 320, 240)));
        const auto readings = decode_markers(shot);
        ASSERT_EQ(readings.size(), 2u) << "gap " << gap;
        EXPECT_EQ(readings[0].value, MarkerValue::frame(7));
        EXPECT_EQ(readings[1].value, MarkerValue::poison(3, 8));
        EXPECT_LT(readings[0].where.x, readings[1].where.x);
        EXPECT_FALSE(decode_single(shot)) << "two readings are not a single one";
    }
}

TEST(MarkerRobustness, FramesAboveEachOtherAreTwoReadings) {
    cv::Mat shot(500, 360, CV_8UC3, cv::Scalar(90, 90, 90));
    render_frame(320, 240, MarkerValue::frame(100), "").copyTo(shot(cv::Rect(20, 10, 320, 240)));
    render_frame(320, 240, MarkerValue::frame(101), "").copyTo(shot(cv::Rect(20, 250, 320, 240)));
    const auto readings = decode_markers(shot);
    ASSERT_EQ(readings.size(), 2u);
    EXPECT_EQ(readings[0].value, MarkerValue::frame(100));
    EXPECT_EQ(readings[1].value, MarkerValue::frame(101));
}

// --- never a wrong value ----------------------------------------------------

TEST(MarkerSafety, AMarkerWithoutItsPartnerYieldsNothing) {
    const MarkerLayout l = marker_layout(320, 240);
    cv::Mat img = render_frame(320, 240, MarkerValue::frame(1234), "");
    cv::Mat no_right = img.clone();
    no_right(l.right_marker).setTo(cv::Scalar(255, 255, 255));
    EXPECT_TRUE(decode_markers(no_right).empty());
    cv::Mat no_left = img.clone();
    no_left(l.left_marker).setTo(cv::Scalar(255, 255, 255));
    EXPECT_TRUE(decode_markers(no_left).empty());
    // sanity: the untouched frame does decode, so the two checks above can fail
    EXPECT_EQ(decode_single(img), MarkerValue::frame(1234));
}

TEST(MarkerSafety, AmbiguousPairingYieldsNothing) {
    // A third marker where a partner of the right marker would sit: the right
    // marker now pairs both ways, so there is no safe answer.
    const MarkerLayout l = marker_layout(320, 240);
    const int step = l.right_marker.x - l.left_marker.x;
    cv::Mat wide(240, 320 + step, CV_8UC3, cv::Scalar(255, 255, 255));
    render_frame(320, 240, MarkerValue::frame(1234), "").copyTo(wide(cv::Rect(0, 0, 320, 240)));
    cv::Mat extra;
    cv::aruco::drawMarker(cv::aruco::getPredefinedDictionary(cv::aruco::DICT_4X4_1000), 56,
                          l.right_marker.width, extra, 1);
    cv::cvtColor(extra, extra, cv::COLOR_GRAY2BGR);
    const cv::Rect third(l.right_marker.x + step, l.right_marker.y, l.right_marker.width, l.right_marker.height);
    // clear the frame's background right of the band so the third marker has a quiet zone
    wide(cv::Rect(l.quiet_zone.br().x - 2, l.quiet_zone.y, wide.cols - l.quiet_zone.br().x + 2,
                  l.quiet_zone.height))
        .setTo(cv::Scalar(255, 255, 255));
    extra.copyTo(wide(third));
    EXPECT_TRUE(decode_markers(wide).empty());

    // sanity: without the third marker the same image decodes
    cv::Mat without = wide.clone();
    without(third).setTo(cv::Scalar(255, 255, 255));
    EXPECT_EQ(decode_single(without), MarkerValue::frame(1234));
}

TEST(MarkerSafety, ACellThatIsNeitherBlackNorWhiteYieldsNothing) {
    // ArUco reads a grey cell as whichever colour it leans to; decode_markers
    // wants every cell clearly one or the other.
    const MarkerLayout l = marker_layout(320, 240);
    const int cell = l.right_marker.width / 6;
    cv::Mat img = render_frame(320, 240, MarkerValue::frame(1234), "");
    cv::Mat grey_cell = img.clone();
    const cv::Rect first_data_cell(l.right_marker.x + cell, l.right_marker.y + cell, cell, cell);
    for (int level : {150, 135}) {  // grey, but on the right side of the middle
        const bool was_white = img.at<cv::Vec3b>(first_data_cell.y + cell / 2, first_data_cell.x + cell / 2)[0] > 128;
        grey_cell(first_data_cell).setTo(cv::Scalar::all(was_white ? level : 255 - level));
        // ArUco alone still reads the marker (so this test can fail)...
        std::vector<std::vector<cv::Point2f>> corners;
        std::vector<int> ids;
        cv::aruco::detectMarkers(grey_cell, cv::aruco::getPredefinedDictionary(cv::aruco::DICT_4X4_1000), corners,
                                 ids);
        EXPECT_EQ(ids.size(), 2u) << level;
        // ...but decode_markers does not trust it.
        EXPECT_TRUE(decode_markers(grey_cell).empty()) << level;
    }
    // sanity: a nearly white cell is fine
    const bool was_white = img.at<cv::Vec3b>(first_data_cell.y + cell / 2, first_data_cell.x + cell / 2)[0] > 128;
    grey_cell(first_data_cell).setTo(cv::Scalar::all(was_white ? 225 : 30));
    EXPECT_EQ(decode_single(grey_cell), MarkerValue::frame(1234));
}

TEST(MarkerSafety, UpsideDownFrameYieldsNothing) {
    const cv::Mat img = render_frame(320, 240, MarkerValue::frame(1234), "");
    cv::Mat flipped;
    cv::rotate(img, flipped, cv::ROTATE_180);
    EXPECT_TRUE(decode_markers(flipped).empty());
}

TEST(MarkerSafety, RandomNoiseYieldsNothing) {
    std::mt19937 rng(12345);
    for (int i = 0; i < 40; ++i) {
        const int w = 16 + static_cast<int>(rng() % 800), h = 16 + static_cast<int>(rng() % 600);
        cv::Mat noise(h, w, CV_8UC3);
        cv::randu(noise, cv::Scalar::all(0), cv::Scalar::all(256));
        if (i % 2) {  // blocky noise: squares of a few pixels, more marker-like
            cv::Mat small(std::max(1, h / 6), std::max(1, w / 6), CV_8UC1);
            cv::randu(small, 0, 2);
            small *= 255;
            cv::resize(small, noise, cv::Size(w, h), 0, 0, cv::INTER_NEAREST);
        }
        EXPECT_TRUE(decode_markers(noise).empty()) << i;
    }
}

TEST(MarkerSafety, BlankAndTruncatedImagesYieldNothing) {
    EXPECT_TRUE(decode_markers(cv::Mat()).empty());
    for (int v : {0, 128, 255})
        EXPECT_TRUE(decode_markers(cv::Mat(480, 640, CV_8UC3, cv::Scalar::all(v))).empty());

    const MarkerValue value = MarkerValue::frame(4321);
    const auto jpeg = encode_jpeg(render_frame(320, 240, value, "truncated"), 75);
    // Cut in half: the markers (at the bottom) are gone.
    const std::vector<std::uint8_t> half(jpeg.begin(), jpeg.begin() + static_cast<long>(jpeg.size() / 2));
    const cv::Mat half_img = decode_image(half);
    ASSERT_FALSE(half_img.empty()) << "libjpeg shows the part it could decode";
    EXPECT_TRUE(decode_markers(half_img).empty());
    // Cut anywhere: a reading, if any, is the right value.
    for (std::size_t cut = 4; cut < jpeg.size(); cut += jpeg.size() / 40) {
        const std::vector<std::uint8_t> part(jpeg.begin(), jpeg.begin() + static_cast<long>(cut));
        for (const auto& r : decode_markers(decode_image(part))) EXPECT_EQ(r.value, value) << "cut at " << cut;
    }
    EXPECT_TRUE(decode_image(std::vector<std::uint8_t>{0xFF, 0xD8, 0xFF}).empty());
}

TEST(MarkerSafety, CorruptedJpegsNeverReadAsAnotherValue) {
    std::mt19937 rng(7);
    auto below = [&rng](std::size_t n) { return static_cast<std::uint32_t>(rng() % n); };
    int right = 0;
    for (int i = 0; i < 150; ++i) {
        const MarkerValue v = i % 5 == 0 ? MarkerValue::poison(below(100), below(1000))
                                         : MarkerValue::frame(1 + below(MarkerValue::kMaxFrame));
        auto jpeg = encode_jpeg(render_frame(320, 240, v, "corrupt"), 30 + static_cast<int>(below(60)));
        const auto flips = 1 + below(8);
        for (std::uint32_t f = 0; f < flips; ++f)
            jpeg[200 + below(jpeg.size() - 202)] ^= static_cast<std::uint8_t>(1u << below(8));
        for (const auto& r : decode_markers(decode_image(jpeg))) {
            ASSERT_EQ(r.value, v) << "iteration " << i;
            ++right;
        }
    }
    // Some survive the damage (so the loop did look at readings); most do not.
    EXPECT_GT(right, 10);
}

TEST(MarkerSafety, OddImageTypesNeverThrow) {
    const cv::Mat img = render_frame(320, 240, MarkerValue::frame(77), "");
    cv::Mat grey, bgra, f32, u16, two;
    cv::cvtColor(img, grey, cv::COLOR_BGR2GRAY);
    cv::cvtColor(img, bgra, cv::COLOR_BGR2BGRA);
    grey.convertTo(f32, CV_32F, 1.0 / 255);
    grey.convertTo(u16, CV_16U, 256);
    cv::merge(std::vector<cv::Mat>{grey, grey}, two);
    // These still show the frame: they must decode.
    EXPECT_EQ(decode_single(grey), MarkerValue::frame(77));
    EXPECT_EQ(decode_single(bgra), MarkerValue::frame(77));
    EXPECT_EQ(decode_single(f32), MarkerValue::frame(77));
    EXPECT_EQ(decode_single(u16), MarkerValue::frame(77));
    EXPECT_EQ(decode_single(two), MarkerValue::frame(77));

    cv::Mat nan(100, 100, CV_32F, cv::Scalar(std::numeric_limits<float>::quiet_NaN()));
    cv::Mat inf(100, 100, CV_64F, cv::Scalar(std::numeric_limits<double>::infinity()));
    const int dims3[] = {4, 4, 4};
    for (const cv::Mat& odd : {cv::Mat(1, 1, CV_8UC3), cv::Mat(1, 5000, CV_8UC1, cv::Scalar(0)),
                               cv::Mat(3000, 2, CV_8UC1, cv::Scalar(255)), nan, inf,
                               cv::Mat(50, 50, CV_8SC1, cv::Scalar(-3)), cv::Mat(3, dims3, CV_8UC1)}) {
        EXPECT_NO_THROW(EXPECT_TRUE(decode_markers(odd).empty()));
    }
}

// --- speed (printed, not asserted) ------------------------------------------

TEST(MarkerSpeed, DecodeTimePer640x480Image) {
    std::vector<cv::Mat> images;
    for (std::uint32_t n = 1; n <= 20; ++n)
        images.push_back(through_jpeg(render_frame(640, 480, MarkerValue::frame(n * 13), "speed"), 50));
    const auto start = std::chrono::steady_clock::now();
    std::size_t found = 0;
    for (int round = 0; round < 2; ++round)
        for (const cv::Mat& img : images) found += decode_markers(img).size();
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::cout << "[ timing   ] decode_markers: " << ms / 40.0 << " ms per 640x480 image\n";
    EXPECT_EQ(found, 40u);
}

}  // namespace
}  // namespace tpc3::marker
