#include "report/selection.h"

#include <algorithm>
#include <cctype>

namespace tpc3::report {
namespace {

char lower(char c)
{
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

std::string_view trimmed(std::string_view s)
{
    const auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

std::vector<std::string> split_patterns(std::string_view list)
{
    std::vector<std::string> out;
    while (true) {
        const auto comma = list.find(',');
        const std::string_view item = trimmed(list.substr(0, comma));
        if (!item.empty()) out.emplace_back(item);
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return out;
}

bool matches_any(const std::vector<std::string>& patterns, std::string_view id)
{
    return std::any_of(patterns.begin(), patterns.end(),
                       [&](const std::string& p) { return glob_match(p, id); });
}

void require_each_matches(const std::vector<std::string>& patterns, std::string_view option,
                          std::span<const CheckInfo> known)
{
    for (const std::string& p : patterns) {
        const bool hit = std::any_of(known.begin(), known.end(),
                                     [&](const CheckInfo& c) { return glob_match(p, c.id); });
        if (!hit)
            throw UsageError(std::string(option) + ": pattern '" + p +
                             "' matches no check (see --list for the IDs)");
    }
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text)
{
    // Iterative matcher with one backtrack point: the last '*' seen.
    std::size_t p = 0, t = 0;
    std::size_t star = std::string_view::npos, star_text = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || lower(pattern[p]) == lower(text[t]))) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            star_text = t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++star_text;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

Selection Selection::parse(std::string_view only, std::string_view skip, std::span<const CheckInfo> known)
{
    Selection s;
    s.only_ = split_patterns(only);
    s.skip_ = split_patterns(skip);
    require_each_matches(s.only_, "--only", known);
    require_each_matches(s.skip_, "--skip", known);
    return s;
}

bool Selection::selected(std::string_view id) const
{
    if (!only_.empty() && !matches_any(only_, id)) return false;
    return !matches_any(skip_, id);
}

}  // namespace tpc3::report
