#include "analysis/jpeg_payload.h"

#include <algorithm>

#include <opencv2/imgcodecs.hpp>

#include "movie/jpeg.h"
#include "rtp/rtp_header.h"

namespace tpc3::conform::server::analysis {
namespace {

bool is_digit(std::uint8_t b) { return b >= '0' && b <= '9'; }

bool standalone_marker(std::uint8_t m)
{
    return m == 0x01 || (m >= 0xD0 && m <= 0xD7);  // TEM, RSTn
}

std::string at_offset(std::size_t offset) { return "offset " + std::to_string(offset); }

}  // namespace

const char* to_string(PayloadShape shape)
{
    switch (shape) {
    case PayloadShape::Jpeg: return "one complete JPEG";
    case PayloadShape::Empty: return "empty";
    case PayloadShape::LengthDigitsPrepended: return "5 length digits then a JPEG";
    case PayloadShape::MissingStart: return "a JPEG without its start";
    case PayloadShape::Truncated: return "a JPEG cut short";
    case PayloadShape::TwoFrames: return "two JPEGs in one datagram";
    case PayloadShape::TrailingBytes: return "a JPEG followed by other bytes";
    case PayloadShape::NotJpeg: return "not a JPEG";
    case PayloadShape::Undecodable: return "a JPEG that does not decode";
    }
    return "?";
}

std::optional<std::size_t> jpeg_image_end(std::span<const std::uint8_t> b)
{
    if (!movie::starts_with_soi(b)) return std::nullopt;
    const std::size_t n = b.size();
    std::size_t i = 2;
    while (i < n) {
        if (b[i] != 0xFF) return std::nullopt;  // not at a marker: corrupt structure
        while (i < n && b[i] == 0xFF) ++i;     // fill bytes
        if (i >= n) return std::nullopt;
        const std::uint8_t marker = b[i++];
        if (marker == 0xD9) return i;  // EOI
        if (marker == 0xD8) return std::nullopt;  // a second SOI before EOI
        if (standalone_marker(marker)) continue;
        if (i + 2 > n) return std::nullopt;
        const std::size_t length = (std::size_t{b[i]} << 8) | b[i + 1];
        if (length < 2) return std::nullopt;
        i += length;
        if (i > n) return std::nullopt;
        if (marker == 0xDA) {  // SOS: entropy-coded data up to the next real marker
            while (i + 1 < n) {
                if (b[i] == 0xFF && b[i + 1] != 0x00 && b[i + 1] != 0xFF && !(b[i + 1] >= 0xD0 && b[i + 1] <= 0xD7))
                    break;
                ++i;
            }
            if (i + 1 >= n) return std::nullopt;
        }
    }
    return std::nullopt;
}

bool decodes(std::span<const std::uint8_t> bytes)
{
    if (bytes.empty()) return false;
    try {
        const cv::Mat raw(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<std::uint8_t*>(bytes.data()));
        const cv::Mat image = cv::imdecode(raw, cv::IMREAD_UNCHANGED);
        return !image.empty();
    } catch (const cv::Exception&) {
        return false;
    }
}

PayloadVerdict judge_payload(std::span<const std::uint8_t> p)
{
    PayloadVerdict v;
    v.size = p.size();
    const std::string head = rtp::hex(p.first(std::min<std::size_t>(p.size(), 8)), 8);

    if (p.empty()) {
        v.shape = PayloadShape::Empty;
        v.explanation = "the payload is empty (a datagram of only the 12-byte header)";
        return v;
    }
    if (p.size() >= 7 && std::all_of(p.begin(), p.begin() + 5, is_digit) && movie::starts_with_soi(p.subspan(5))) {
        v.shape = PayloadShape::LengthDigitsPrepended;
        std::uint32_t value = 0;
        for (std::size_t k = 0; k < 5; ++k) value = value * 10 + (p[k] - '0');
        v.length_digits = value;
        v.explanation = "the payload starts with the 5 length digits \"" +
                        std::string(p.begin(), p.begin() + 5) +
                        "\" of the movie file, then the JPEG (FF D8 at offset 5): send the frame's JPEG "
                        "bytes only";
        return v;
    }
    if (!movie::starts_with_soi(p)) {
        const bool has_eoi = movie::ends_with_eoi(p);
        v.shape = has_eoi ? PayloadShape::MissingStart : PayloadShape::NotJpeg;
        v.explanation = has_eoi ? "the payload does not start with the JPEG SOI marker FF D8 (it starts " + head +
                                      ") but ends with EOI FF D9: a piece of a frame without its start"
                                : "the payload is not a JPEG: it starts " + head + ", expected FF D8";
        return v;
    }
    const std::optional<std::size_t> end = jpeg_image_end(p);
    v.first_image_end = end;
    if (end && *end < p.size()) {
        const auto rest = p.subspan(*end);
        const bool another = movie::starts_with_soi(rest);
        v.shape = another ? PayloadShape::TwoFrames : PayloadShape::TrailingBytes;
        v.explanation = another ? "the payload holds two JPEGs: the first ends at " + at_offset(*end) + " of " +
                                      std::to_string(p.size()) + " bytes and another starts there (FF D8)"
                                : "the JPEG ends (EOI) at " + at_offset(*end) + " but the payload has " +
                                      std::to_string(p.size() - *end) + " more bytes";
        return v;
    }
    if (!end && !movie::ends_with_eoi(p)) {
        v.shape = PayloadShape::Truncated;
        v.explanation = "the JPEG is cut short: " + std::to_string(p.size()) +
                        " bytes from its SOI, and no EOI (FF D9) at the end; a piece of a frame";
        return v;
    }
    if (!decodes(p)) {
        v.shape = PayloadShape::Undecodable;
        v.explanation = "the payload looks like a JPEG (FF D8 ... FF D9, " + std::to_string(p.size()) +
                        " bytes) but OpenCV cannot decode it";
        return v;
    }
    v.shape = PayloadShape::Jpeg;
    return v;
}

}  // namespace tpc3::conform::server::analysis
