#include "frame_size.h"

#include "marker/marker.h"

#include <charconv>

namespace tpc3::movie_tool {
namespace {

std::optional<int> parse_positive(std::string_view digits) {
    if (digits.empty() || digits.size() > 6) return std::nullopt;
    int value = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc() || end != digits.data() + digits.size() || value <= 0) return std::nullopt;
    return value;
}

}  // namespace

std::optional<FrameSize> parse_frame_size(const std::string& text) {
    const auto x = text.find_first_of("xX");
    if (x == std::string::npos) return std::nullopt;
    const auto w = parse_positive(std::string_view(text).substr(0, x));
    const auto h = parse_positive(std::string_view(text).substr(x + 1));
    if (!w || !h) return std::nullopt;
    return FrameSize{*w, *h};
}

std::string to_string(const FrameSize& s) { return std::to_string(s.width) + "x" + std::to_string(s.height); }

CLI::Option* add_size_option(CLI::App& cmd, FrameSize& size) {
    using marker::kMaxSide;
    using marker::kMinHeight;
    using marker::kMinWidth;
    const std::string range = std::to_string(kMinWidth) + "x" + std::to_string(kMinHeight) + " to " +
                              std::to_string(kMaxSide) + "x" + std::to_string(kMaxSide);
    return cmd
        .add_option_function<std::string>(
            "--size",
            [&size](const std::string& text) { size = *parse_frame_size(text); },
            "Frame size in pixels, " + range + " (default " + to_string(size) + ").")
        ->type_name("WxH")
        ->check(CLI::Validator(
            [range](std::string& text) -> std::string {
                const auto s = parse_frame_size(text);
                if (!s) return "size '" + text + "' is not WIDTHxHEIGHT (e.g. 320x240)";
                if (s->width < kMinWidth || s->height < kMinHeight || s->width > kMaxSide || s->height > kMaxSide)
                    return "size " + text + " is outside " + range;
                return {};
            },
            ""));
}

}  // namespace tpc3::movie_tool
