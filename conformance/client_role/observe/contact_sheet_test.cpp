#include "observe/contact_sheet.h"

#include "harness/temp_dir.h"
#include "marker/marker.h"

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

namespace tpc3::observe {
namespace {

using marker::MarkerValue;

TEST(ContactSheet, GridOfCaptionedThumbnailsThatStillDecode) {
    std::vector<ContactThumbnail> cells;
    for (std::uint32_t k = 1; k <= 10; ++k)
        cells.push_back({marker::render_frame(640, 480, MarkerValue::frame(k), ""), "frame " + std::to_string(k), false});
    cells.push_back({marker::render_frame(320, 240, MarkerValue::poison(4, 2), ""), "poison", true});
    ContactSheetOptions o;
    o.columns = 4;
    o.cell_width = 320;  // big enough for the markers to be read back
    o.cell_height = 240;
    o.title = "client run";
    const cv::Mat sheet = make_contact_sheet(cells, o);
    ASSERT_FALSE(sheet.empty());
    EXPECT_EQ(sheet.type(), CV_8UC3);
    // 3 rows of 4 columns.
    EXPECT_GT(sheet.cols, 4 * 320);
    EXPECT_LT(sheet.cols, 4 * 340);
    EXPECT_GT(sheet.rows, 3 * 240);
    // Every thumbnail is there, in order (top to bottom, left to right).
    const auto readings = marker::decode_markers(sheet);
    ASSERT_EQ(readings.size(), 11u);
    for (std::uint32_t k = 1; k <= 10; ++k) EXPECT_EQ(readings[k - 1].value, MarkerValue::frame(k));
    EXPECT_EQ(readings[10].value, MarkerValue::poison(4, 2));
}

TEST(ContactSheet, TooManyThumbnailsAreCappedAndNothingIsEmpty) {
    std::vector<ContactThumbnail> cells(30, {cv::Mat(10, 10, CV_8UC4, cv::Scalar(1, 2, 3, 0)), "x", false});
    ContactSheetOptions o;
    o.columns = 5;
    o.max_thumbnails = 9;
    const cv::Mat sheet = make_contact_sheet(cells, o);
    // 9 thumbnails and the "+21 more" cell: 2 rows.
    EXPECT_LT(sheet.rows, 3 * (o.cell_height + 18));
    EXPECT_TRUE(make_contact_sheet({}).empty());
}

TEST(ContactSheet, WritePngReportsFailureWithThePath) {
    harness::TempDir dir("tpc3-sheet-");
    std::string error;
    const cv::Mat img(20, 30, CV_8UC4, cv::Scalar(10, 20, 30, 0));
    ASSERT_TRUE(write_png(dir / "a.png", img, &error)) << error;
    const cv::Mat back = cv::imread((dir / "a.png").string(), cv::IMREAD_UNCHANGED);
    EXPECT_EQ(back.type(), CV_8UC3);
    EXPECT_EQ(back.at<cv::Vec3b>(0, 0), cv::Vec3b(10, 20, 30));
    EXPECT_FALSE(write_png(dir / "missing-dir" / "b.png", img, &error));
    EXPECT_NE(error.find("missing-dir"), std::string::npos) << error;
    EXPECT_FALSE(write_png(dir / "c.png", cv::Mat(), &error));
}

}  // namespace
}  // namespace tpc3::observe
