#include "client/frame_sink.h"

#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <system_error>

#include <opencv2/highgui.hpp>
#include <opencv2/imgcodecs.hpp>

namespace tpc3::client {

namespace fs = std::filesystem;

FrameWriter::FrameWriter(fs::path dir) : dir_(std::move(dir)) {
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (ec || !fs::is_directory(dir_))
        throw std::runtime_error("cannot create output directory " + dir_.string() + ": " + ec.message());
}

std::string FrameWriter::file_name(std::uint16_t seq) {
    char name[32];
    std::snprintf(name, sizeof name, "frame-%05u.jpg", static_cast<unsigned>(seq));
    return name;
}

fs::path FrameWriter::write(std::uint16_t seq, std::span<const std::uint8_t> jpeg) {
    const fs::path final_path = dir_ / file_name(seq);
    fs::path tmp_path = final_path;
    tmp_path += ".tmp";
    {
        std::ofstream out(tmp_path, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(jpeg.data()), static_cast<std::streamsize>(jpeg.size()));
        out.close();
        if (!out) throw std::runtime_error("cannot write " + tmp_path.string());
    }
    std::error_code ec;
    fs::rename(tmp_path, final_path, ec);
    if (ec) throw std::runtime_error("cannot rename " + tmp_path.string() + " to " + final_path.string() + ": " + ec.message());
    ++written_;
    return final_path;
}

cv::Mat decode_jpeg(std::span<const std::uint8_t> jpeg) {
    if (jpeg.empty()) return {};
    // imdecode takes a Mat header over the bytes; it does not modify them.
    const cv::Mat raw(1, static_cast<int>(jpeg.size()), CV_8UC1, const_cast<std::uint8_t*>(jpeg.data()));
    try {
        return cv::imdecode(raw, cv::IMREAD_COLOR);
    } catch (const cv::Exception&) {
        return {};
    }
}

FrameWindow::FrameWindow(std::string title) : title_(std::move(title)) {
    // GUI_NORMAL: no Qt toolbar or status bar, only the image.
    cv::namedWindow(title_, cv::WINDOW_AUTOSIZE | cv::WINDOW_GUI_NORMAL);
    cv::moveWindow(title_, 0, 0);
}

FrameWindow::~FrameWindow() {
    try {
        cv::destroyWindow(title_);
        cv::waitKey(1);
    } catch (const cv::Exception&) {
        // The window may already be gone (closed by the user); nothing to undo.
    }
}

void FrameWindow::show(const cv::Mat& image) {
    cv::imshow(title_, image);
    cv::waitKey(1);
}

void FrameWindow::pump() { cv::waitKey(1); }

}  // namespace tpc3::client
