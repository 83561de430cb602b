#include "marker/marker.h"

#include <opencv2/aruco.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace tpc3::marker {
namespace {

const cv::Scalar kWhite(255, 255, 255);
const cv::Scalar kBlack(0, 0, 0);

// Draws text as large as fits in box (centred), white with a black outline so
// that it reads on any background.
void draw_fitted_text(cv::Mat& img, const std::string& text, const cv::Rect& box, const cv::Scalar& colour) {
    if (text.empty() || box.width < 4 || box.height < 4) return;
    const int font = cv::FONT_HERSHEY_DUPLEX;
    int baseline = 0;
    const cv::Size unit = cv::getTextSize(text, font, 1.0, 1, &baseline);
    const double scale = std::min(0.9 * box.width / unit.width, 0.8 * box.height / (unit.height + baseline));
    if (scale <= 0.05) return;
    const int thickness = std::max(1, static_cast<int>(std::lround(scale * 1.5)));
    const cv::Size size = cv::getTextSize(text, font, scale, thickness, &baseline);
    const cv::Point origin(box.x + (box.width - size.width) / 2,
                           box.y + (box.height + size.height) / 2 - baseline / 2);
    cv::putText(img, text, origin, font, scale, kBlack, thickness + std::max(2, thickness), cv::LINE_AA);
    cv::putText(img, text, origin, font, scale, colour, thickness, cv::LINE_AA);
}

// A calm background whose hue changes from frame to frame, so a person sees
// the picture change even without reading the number.
cv::Scalar frame_background(std::uint32_t n) {
    cv::Mat hsv(1, 1, CV_8UC3, cv::Scalar((n * 37) % 180, 140, 110));
    cv::Mat bgr;
    cv::cvtColor(hsv, bgr, cv::COLOR_HSV2BGR);
    const auto p = bgr.at<cv::Vec3b>(0, 0);
    return cv::Scalar(p[0], p[1], p[2]);
}

// Red and black diagonal stripes: nobody takes this for a normal frame.
void draw_poison_background(cv::Mat& img) {
    img.setTo(kBlack);
    const int stripe = std::max(6, std::min(img.cols, img.rows) / 8);
    const cv::Scalar red(0, 0, 220);
    for (int x0 = -img.rows; x0 < img.cols; x0 += 2 * stripe) {
        const cv::Point poly[] = {{x0, img.rows}, {x0 + stripe, img.rows}, {x0 + stripe + img.rows, 0},
                                  {x0 + img.rows, 0}};
        cv::fillConvexPoly(img, poly, 4, red, cv::LINE_AA);
    }
}

std::string poison_label(const MarkerValue& v) {
    return "POISON " + std::to_string(v.code()) + "/" + std::to_string(v.serial());
}

}  // namespace

cv::Mat render_frame(int width, int height, const MarkerValue& value, const std::string& caption) {
    const auto ids = encode_ids(value);
    if (!ids) throw std::invalid_argument("render_frame: invalid marker value (" + to_string(value) + ")");
    const MarkerLayout l = marker_layout(width, height);

    cv::Mat img(height, width, CV_8UC3);
    const int number_h = l.text_area.height * 64 / 100;
    const cv::Rect number_box(0, 0, width, number_h);
    const cv::Rect caption_box(0, number_h, width, l.text_area.height - number_h);
    if (value.kind == MarkerValue::Frame) {
        img.setTo(frame_background(value.number));
        draw_fitted_text(img, std::to_string(value.number), number_box, kWhite);
        draw_fitted_text(img, caption, caption_box, kWhite);
    } else {
        draw_poison_background(img);
        const cv::Scalar yellow(0, 255, 255);
        draw_fitted_text(img, poison_label(value), number_box, yellow);
        draw_fitted_text(img, caption.empty() ? std::string("POISON") : caption, caption_box, yellow);
    }

    img(l.quiet_zone).setTo(kWhite);
    const auto dict = cv::aruco::getPredefinedDictionary(cv::aruco::DICT_4X4_1000);
    for (const auto& [id, rect] : {std::pair{ids->left, l.left_marker}, std::pair{ids->right, l.right_marker}}) {
        cv::Mat marker;
        cv::aruco::drawMarker(dict, id, rect.width, marker, 1);
        cv::Mat bgr;
        cv::cvtColor(marker, bgr, cv::COLOR_GRAY2BGR);
        bgr.copyTo(img(rect));
    }
    return img;
}

}  // namespace tpc3::marker
