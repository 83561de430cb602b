// Report::to_json: the machine-readable contract of CHECKS.md.
#include "report/report.h"

namespace tpc3::report {
namespace {

nlohmann::ordered_json check_to_json(const CheckResult& r)
{
    const CheckInfo& info = r.info();
    return nlohmann::ordered_json{
        {"id", info.id},
        {"title", info.title},
        {"severity", to_string(info.severity)},
        {"status", to_string(r.status())},
        {"message", r.message()},
        {"evidence", r.evidence()},
        {"group", group_of(info.id)},
        {"requirement", info.requirement},
        {"duration_s", r.duration_s()},
    };
}

}  // namespace

nlohmann::ordered_json Report::to_json() const
{
    // Ordered so that the file reads in the order of the CHECKS.md contract.
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    out["tool"] = tool;
    out["version"] = version;
    out["role"] = to_string(role);
    out["target"] = target;
    out["dialect"] = dialect;
    out["started"] = started;
    out["duration_s"] = duration_s;
    out["checks"] = nlohmann::ordered_json::array();
    for (const CheckResult& r : checks) out["checks"].push_back(check_to_json(r));
    const Summary s = summary();
    out["summary"] = {
        {"pass", s.pass},
        {"fail", s.fail},
        {"skip", s.skip},
        {"error", s.error},
        {"required_fail", s.required_fail},
        {"required_error", s.required_error},
    };
    out["artifacts"] = nlohmann::ordered_json::object();
    for (const auto& [name, path] : artifacts) out["artifacts"][name] = path;
    out["exit_status"] = exit_status();
    if (!extra.is_null()) out["extra"] = extra;
    return out;
}

}  // namespace tpc3::report
