#include "marker/marker.h"

#include <opencv2/imgcodecs.hpp>

#include <climits>
#include <stdexcept>

namespace tpc3::marker {

std::vector<std::uint8_t> encode_jpeg(const cv::Mat& image, int quality) {
    if (image.empty()) throw std::invalid_argument("encode_jpeg: empty image");
    if (quality < 1 || quality > 100)
        throw std::invalid_argument("encode_jpeg: quality " + std::to_string(quality) + " is outside 1..100");
    std::vector<std::uint8_t> out;
    bool ok = false;
    try {
        ok = cv::imencode(".jpg", image, out, {cv::IMWRITE_JPEG_QUALITY, quality});
    } catch (const cv::Exception& e) {
        throw std::runtime_error(std::string("encode_jpeg: ") + e.what());
    }
    if (!ok) throw std::runtime_error("encode_jpeg: OpenCV could not encode the image");
    return out;
}

cv::Mat decode_image(std::span<const std::uint8_t> bytes) {
    if (bytes.empty() || bytes.size() > INT_MAX) return {};
    try {
        const cv::Mat raw(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<std::uint8_t*>(bytes.data()));
        return cv::imdecode(raw, cv::IMREAD_COLOR);
    } catch (const cv::Exception&) {
        return {};
    }
}

}  // namespace tpc3::marker
