#include "core/fuzz_summary.h"

#include <cstdio>

namespace tpc3::fuzz::net {

void FuzzSummary::finish_rates() {
    cases_per_s = wall_s > 0.0 ? static_cast<double>(cases_run) / wall_s : 0.0;
}

std::string to_text(const FuzzSummary& s) {
    char numbers[128];
    std::snprintf(numbers, sizeof numbers, "%llu case%s in %.1f s (%.1f cases/s)",
                  static_cast<unsigned long long>(s.cases_run), s.cases_run == 1 ? "" : "s", s.wall_s, s.cases_per_s);
    std::string out = "fuzzed " + (s.target.empty() ? std::string("the target") : s.target) + " with seed " +
                      std::to_string(s.seed) + ": " + numbers;
    if (!s.stopped_because.empty()) out += "; stopped: " + s.stopped_because;
    out += "\n";
    if (s.findings.empty()) {
        out += "no finding\n";
    } else {
        out += std::to_string(s.findings.size()) + (s.findings.size() == 1 ? " finding:\n" : " findings:\n");
        for (const auto& f : s.findings) out += describe(f);
    }
    return out;
}

nlohmann::json to_json(const FuzzSummary& s) {
    nlohmann::json j;
    j["format"] = "tpc3-fuzz-summary/1";
    j["target"] = s.target;
    j["seed"] = s.seed;
    j["cases_run"] = s.cases_run;
    j["wall_s"] = s.wall_s;
    j["cases_per_s"] = s.cases_per_s;
    j["stopped_because"] = s.stopped_because;
    j["findings"] = nlohmann::json::array();
    for (const auto& f : s.findings) j["findings"].push_back(to_json(f));
    return j;
}

}  // namespace tpc3::fuzz::net
