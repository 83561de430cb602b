#include "observe/contact_sheet.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace tpc3::observe {

namespace {

constexpr int kCaptionHeight = 18;
constexpr int kGap = 6;
constexpr int kTitleHeight = 28;

cv::Mat to_bgr(const cv::Mat& image) {
    if (image.empty()) return {};
    cv::Mat bgr;
    if (image.channels() == 4) cv::cvtColor(image, bgr, cv::COLOR_BGRA2BGR);
    else if (image.channels() == 1) cv::cvtColor(image, bgr, cv::COLOR_GRAY2BGR);
    else bgr = image;
    if (bgr.depth() != CV_8U) bgr.convertTo(bgr, CV_8U);
    return bgr;
}

// The image scaled to fit the box, centred on a grey background.
void paste_fitted(cv::Mat& canvas, const cv::Rect& box, const cv::Mat& image) {
    canvas(box).setTo(cv::Scalar(64, 64, 64));
    const cv::Mat bgr = to_bgr(image);
    if (bgr.empty() || bgr.channels() != 3) return;
    const double scale = std::min(static_cast<double>(box.width) / bgr.cols, static_cast<double>(box.height) / bgr.rows);
    const cv::Size size(std::max(1, static_cast<int>(bgr.cols * scale)), std::max(1, static_cast<int>(bgr.rows * scale)));
    cv::Mat small;
    cv::resize(bgr, small, size, 0, 0, cv::INTER_AREA);
    const cv::Rect at(box.x + (box.width - size.width) / 2, box.y + (box.height - size.height) / 2, size.width,
                      size.height);
    small.copyTo(canvas(at));
}

void put_caption(cv::Mat& canvas, const std::string& text, cv::Point origin, int max_width) {
    const int font = cv::FONT_HERSHEY_SIMPLEX;
    double scale = 0.4;
    int baseline = 0;
    const cv::Size size = cv::getTextSize(text, font, scale, 1, &baseline);
    if (size.width > max_width) scale *= static_cast<double>(max_width) / size.width;
    cv::putText(canvas, text, origin, font, scale, cv::Scalar(20, 20, 20), 1, cv::LINE_AA);
}

}  // namespace

cv::Mat make_contact_sheet(const std::vector<ContactThumbnail>& thumbnails, const ContactSheetOptions& options) {
    if (thumbnails.empty()) return {};
    const int columns = std::max(1, options.columns);
    const int shown = static_cast<int>(std::min<std::size_t>(thumbnails.size(), std::max(1, options.max_thumbnails)));
    const int left_out = static_cast<int>(thumbnails.size()) - shown;
    const int cells = shown + (left_out > 0 ? 1 : 0);
    const int rows = (cells + columns - 1) / columns;
    const int cw = std::max(16, options.cell_width), ch = std::max(16, options.cell_height);
    const int top = options.title.empty() ? 0 : kTitleHeight;
    const int step_x = cw + kGap, step_y = ch + kCaptionHeight + kGap;
    cv::Mat sheet(top + kGap + rows * step_y, kGap + std::min(cells, columns) * step_x, CV_8UC3,
                  cv::Scalar(235, 235, 235));
    if (!options.title.empty())
        cv::putText(sheet, options.title, cv::Point(kGap, kTitleHeight - 8), cv::FONT_HERSHEY_SIMPLEX, 0.6,
                    cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
    for (int i = 0; i < shown; ++i) {
        const auto& t = thumbnails[static_cast<std::size_t>(i)];
        const cv::Point at(kGap + (i % columns) * step_x, top + kGap + (i / columns) * step_y);
        const cv::Rect box(at, cv::Size(cw, ch));
        paste_fitted(sheet, box, t.image);
        if (t.highlight) cv::rectangle(sheet, box, cv::Scalar(0, 0, 230), 3);
        put_caption(sheet, t.caption, cv::Point(at.x, at.y + ch + kCaptionHeight - 5), cw);
    }
    if (left_out > 0) {
        const cv::Point at(kGap + (shown % columns) * step_x, top + kGap + (shown / columns) * step_y);
        put_caption(sheet, "+" + std::to_string(left_out) + " more not shown", cv::Point(at.x, at.y + ch / 2), cw);
    }
    return sheet;
}

bool write_png(const std::filesystem::path& file, const cv::Mat& image, std::string* error) {
    const cv::Mat bgr = to_bgr(image);
    bool ok = false;
    if (!bgr.empty()) {
        try {
            ok = cv::imwrite(file.string(), bgr);
        } catch (const cv::Exception& e) {
            if (error) *error = "cannot write " + file.string() + ": " + e.what();
            return false;
        }
    }
    if (!ok && error) *error = bgr.empty() ? "no image to write to " + file.string() : "cannot write " + file.string();
    return ok;
}

}  // namespace tpc3::observe
