#include "frame_pattern.h"

#include <cstdint>

namespace tpc3::movie_tool {

std::optional<FramePattern> FramePattern::parse(const std::string& pattern, std::string* why) {
    auto fail = [&](const std::string& reason) -> std::optional<FramePattern> {
        if (why) *why = "pattern '" + pattern + "': " + reason;
        return std::nullopt;
    };
    if (pattern.find('/') != std::string::npos) return fail("must be a file name, without '/'");
    FramePattern p;
    bool seen = false;
    std::string* out = &p.prefix_;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] != '%') {
            *out += pattern[i];
            continue;
        }
        if (i + 1 < pattern.size() && pattern[i + 1] == '%') {
            *out += '%';
            ++i;
            continue;
        }
        if (seen) return fail("has more than one % conversion");
        std::size_t j = i + 1;
        if (j < pattern.size() && pattern[j] == '0') {
            p.zero_pad_ = true;
            ++j;
        }
        int width = 0;
        while (j < pattern.size() && pattern[j] >= '0' && pattern[j] <= '9' && width < 100)
            width = width * 10 + (pattern[j++] - '0');
        if (width > 20) return fail("width over 20");
        if (j >= pattern.size() || pattern[j] != 'd') return fail("only %d, %Nd and %0Nd are allowed");
        p.width_ = width;
        seen = true;
        out = &p.suffix_;
        i = j;
    }
    if (!seen) return fail("needs one %d (e.g. frame-%05d.jpg)");
    return p;
}

std::string FramePattern::format(std::uint64_t n) const {
    std::string digits = std::to_string(n);
    if (digits.size() < static_cast<std::size_t>(width_))
        digits.insert(0, static_cast<std::size_t>(width_) - digits.size(), zero_pad_ ? '0' : ' ');
    return prefix_ + digits + suffix_;
}

}  // namespace tpc3::movie_tool
