// Test support shared by the broken-server and broken-client fixture tests:
// finding the fixture folders and reading their expected.json (the verdict
// rule of fixtures/README.md: checks in `fails` fail, checks in `may_error`
// error or pass, any other pass). Header-only: tests include it, nothing links it.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/selection.h"

namespace tpc3::fixture_support {

// The fixture folders under `root` holding expected.json and `program`, sorted by name.
inline std::vector<std::string> fixture_names(const std::filesystem::path& root, const std::string& program)
{
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(root, ec))
        if (entry.is_directory() && std::filesystem::exists(entry.path() / "expected.json") &&
            std::filesystem::exists(entry.path() / program))
            names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

struct Expectation {
    std::vector<std::string> fails;      // check IDs or globs
    std::vector<std::string> may_error;  // check IDs or globs
};

inline Expectation read_expectation(const std::filesystem::path& file)
{
    std::ifstream in(file);
    const nlohmann::json j = nlohmann::json::parse(in);
    return {j.at("fails").get<std::vector<std::string>>(), j.at("may_error").get<std::vector<std::string>>()};
}

inline bool matches_any(const std::vector<std::string>& patterns, const std::string& id)
{
    return std::any_of(patterns.begin(), patterns.end(),
                       [&](const std::string& p) { return report::glob_match(p, id); });
}

}  // namespace tpc3::fixture_support
