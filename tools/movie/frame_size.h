// The --size WxH option shared by make and poison.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

namespace tpc3::movie_tool {

struct FrameSize {
    int width = 320;
    int height = 240;
};

// "320x240" -> {320, 240}; nullopt unless two positive decimal numbers around 'x'.
std::optional<FrameSize> parse_frame_size(const std::string& text);

std::string to_string(const FrameSize& s);

// Adds --size to cmd, bound to size, accepting what render_frame can draw.
CLI::Option* add_size_option(CLI::App& cmd, FrameSize& size);

}  // namespace tpc3::movie_tool
