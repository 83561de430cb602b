// What a fuzz run found: the implementation crashed, hung, printed a
// traceback, or no longer served a fresh valid session after a case.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/fuzz_case.h"

namespace tpc3::fuzz::net {

struct Finding {
    enum class Kind { Crashed, Hung, Traceback, LivenessFailed };
    Kind kind = Kind::LivenessFailed;
    // exit status / signal / traceback text / "a fresh valid session got no datagram within 3 s"
    std::string evidence;
    FuzzCase fuzz_case;
    std::filesystem::path reproducer_json, reproducer_pcap;  // empty until saved
};

// "crashed", "hung", "traceback", "liveness-failed".
std::string_view finding_kind_name(Finding::Kind kind);
std::optional<Finding::Kind> finding_kind_from_name(std::string_view name);

// {"kind", "evidence", "iteration", "mutator", "description", "reproducer_json", "reproducer_pcap"}.
nlohmann::json to_json(const Finding& f);
// Several lines: "case 7 (request.port): crashed: exited with status 1: ValueError: ...".
std::string describe(const Finding& f);

}  // namespace tpc3::fuzz::net
