// Where accepted frames go: files in a directory and/or an OpenCV window.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include <opencv2/core/mat.hpp>

namespace tpc3::client {

// Writes each accepted payload to DIR/frame-<seq, 5 digits>.jpg, first as a
// .tmp file then renamed, so a reader never sees half a frame. (A stream longer
// than 65,535 frames wraps the 16-bit seq and overwrites older files.)
class FrameWriter {
public:
    // Creates the directory when missing. Throws std::runtime_error naming it.
    explicit FrameWriter(std::filesystem::path dir);
    // Returns the final path. Throws std::runtime_error naming the file.
    std::filesystem::path write(std::uint16_t seq, std::span<const std::uint8_t> jpeg);
    std::uint64_t written() const { return written_; }
    const std::filesystem::path& dir() const { return dir_; }

    static std::string file_name(std::uint16_t seq);  // "frame-00042.jpg"

private:
    std::filesystem::path dir_;
    std::uint64_t written_ = 0;
};

// cv::imdecode of a payload; an empty Mat when it does not decode.
cv::Mat decode_jpeg(std::span<const std::uint8_t> jpeg);

// True when an X display can be opened (DISPLAY set and reachable). OpenCV's
// Qt backend aborts the process when it cannot, so ask before creating a window.
bool x_display_available();

// An OpenCV highgui window showing the latest frame.
class FrameWindow {
public:
    explicit FrameWindow(std::string title);
    ~FrameWindow();
    FrameWindow(const FrameWindow&) = delete;
    FrameWindow& operator=(const FrameWindow&) = delete;

    void show(const cv::Mat& image);  // imshow + waitKey(1)
    void pump();                      // waitKey(1): keeps the window responsive between frames

private:
    std::string title_;
};

}  // namespace tpc3::client
