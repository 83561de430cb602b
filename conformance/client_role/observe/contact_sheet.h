// A contact sheet: one PNG with a grid of thumbnails of what the client's
// window showed over time, each captioned (time and what was read), for the
// report of a client run.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace tpc3::observe {

struct ContactThumbnail {
    cv::Mat image;        // BGR or BGRA, any size (scaled to the cell)
    std::string caption;  // e.g. "+1.250 s  frame 17"
    bool highlight = false;  // drawn with a red frame (a poison was shown)
};

struct ContactSheetOptions {
    int columns = 8;
    int cell_width = 160;   // thumbnail box: each image is scaled to fit it
    int cell_height = 120;
    int max_thumbnails = 600;  // later ones are left out and a last caption says how many
    std::string title;         // drawn above the grid when not empty
};

// A BGR image (empty when there is nothing to show).
cv::Mat make_contact_sheet(const std::vector<ContactThumbnail>& thumbnails, const ContactSheetOptions& options = {});

// Writes an image as PNG (BGRA is written as BGR). False, and *error with
// the path, when it cannot be written.
bool write_png(const std::filesystem::path& file, const cv::Mat& image, std::string* error = nullptr);

}  // namespace tpc3::observe
