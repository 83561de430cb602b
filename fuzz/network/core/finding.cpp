#include "core/finding.h"

#include <array>
#include <utility>

namespace tpc3::fuzz::net {

namespace {
constexpr std::array<std::pair<Finding::Kind, std::string_view>, 4> kNames{{
    {Finding::Kind::Crashed, "crashed"},
    {Finding::Kind::Hung, "hung"},
    {Finding::Kind::Traceback, "traceback"},
    {Finding::Kind::LivenessFailed, "liveness-failed"},
}};
}  // namespace

std::string_view finding_kind_name(Finding::Kind kind) {
    for (const auto& [k, n] : kNames)
        if (k == kind) return n;
    return "unknown";
}

std::optional<Finding::Kind> finding_kind_from_name(std::string_view name) {
    for (const auto& [k, n] : kNames)
        if (n == name) return k;
    return std::nullopt;
}

nlohmann::json to_json(const Finding& f) {
    nlohmann::json j;
    j["kind"] = std::string(finding_kind_name(f.kind));
    j["evidence"] = f.evidence;
    j["role"] = f.fuzz_case.role;
    j["seed"] = f.fuzz_case.seed;
    j["iteration"] = f.fuzz_case.iteration;
    j["mutator"] = f.fuzz_case.mutator;
    j["description"] = f.fuzz_case.description;
    j["reproducer_json"] = f.reproducer_json.string();
    j["reproducer_pcap"] = f.reproducer_pcap.string();
    return j;
}

std::string describe(const Finding& f) {
    std::string out = "case " + std::to_string(f.fuzz_case.iteration) + " (" + f.fuzz_case.mutator +
                      "): " + std::string(finding_kind_name(f.kind)) + "\n";
    if (!f.fuzz_case.description.empty()) out += "  what the case did: " + f.fuzz_case.description + "\n";
    out += "  evidence: " + f.evidence + "\n";
    if (!f.reproducer_json.empty()) out += "  reproducer: " + f.reproducer_json.string() + "\n";
    if (!f.reproducer_pcap.empty()) out += "  pcap: " + f.reproducer_pcap.string() + "\n";
    return out;
}

}  // namespace tpc3::fuzz::net
