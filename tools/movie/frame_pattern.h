// File names for extracted frames: a pattern with exactly one printf-style
// integer conversion (%d, %5d or %05d) and %% for a literal percent sign.
// Formatted by hand, never handed to printf.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace tpc3::movie_tool {

class FramePattern {
public:
    // nullopt (with why) when the pattern is not usable as a file name pattern.
    static std::optional<FramePattern> parse(const std::string& pattern, std::string* why = nullptr);
    std::string format(std::uint64_t n) const;

private:
    std::string prefix_, suffix_;
    int width_ = 0;
    bool zero_pad_ = false;
};

}  // namespace tpc3::movie_tool
