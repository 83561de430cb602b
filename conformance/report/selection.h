// Which checks a run performs: `--only` and `--skip`, each a comma-separated
// list of glob patterns (`*` any run of characters, `?` one character),
// matched case-insensitively against check IDs: "S-RTP-*,s-pay-02".
#pragma once

#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "report/catalogue.h"
#include "report/check.h"

namespace tpc3::report {

// A command-line mistake; the runner prints what() and exits with status 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Whole-string glob match, case-insensitive (ASCII).
bool glob_match(std::string_view pattern, std::string_view text);

class Selection {
public:
    // Selects everything.
    Selection() = default;

    // `only`: when not empty, only checks matching one of its patterns run.
    // `skip`: checks matching one of its patterns do not run (wins over only).
    // Every pattern must match at least one check of `known` (the checks that
    // apply to the role under test), otherwise UsageError names the pattern:
    // a typo must not silently select nothing. Spaces around patterns and
    // empty items ("a,,b") are ignored.
    static Selection parse(std::string_view only, std::string_view skip,
                           std::span<const CheckInfo> known = all_checks());

    bool selected(std::string_view id) const;

    const std::vector<std::string>& only_patterns() const { return only_; }
    const std::vector<std::string>& skip_patterns() const { return skip_; }

private:
    std::vector<std::string> only_;
    std::vector<std::string> skip_;
};

}  // namespace tpc3::report
