// S-SEC: the server serves only files of its own directory.
#include "analysis/session_facts.h"
#include "checks/check_support.h"

namespace tpc3::conform::server {
namespace {

using report::CheckResult;
using namespace analysis;

// S-SEC-01 (advisory): a request for a file that exists outside the served
// directory (../name, an absolute path) gets -1 (PROTOCOL.md 1). Only when the
// runner launched the server: it must place the file outside itself.
CheckResult sec_01(const JudgeContext& ctx)
{
    const report::CheckInfo& info = report::lookup("S-SEC-01");
    if (!ctx.obs.launched)
        return report::skip(info, "the runner asks for files outside the served directory only when it launches "
                                  "the server (--server-cmd): it must place such a file there");
    if (!ctx.obs.traversal) return unobserved(info, ctx.obs.traversal, ctx.obs, "the requests outside the directory");
    if (ctx.obs.traversal->empty()) return report::error(info, "the suite recorded no request outside the directory");

    nlohmann::json list = nlohmann::json::array();
    std::optional<std::string> failure, problem;
    for (const TraversalAttempt& a : *ctx.obs.traversal) {
        const SessionRecord& r = a.session;
        list.push_back({{"kind", a.kind}, {"requested", r.file}, {"outside_path", a.outside_path},
                        {"reply", describe_reply(r)}, {"datagrams", r.packets.size()}});
        if (r.end == SessionEnd::ConnectFailed) {
            if (!problem) problem = "the request for \"" + r.file + "\" (" + a.kind + "): " + describe_reply(r);
            continue;
        }
        if (!replied_not_found(r) && !failure)
            failure = report::expected_actual("the reply to \"" + r.file + "\" (" + a.kind + ")", "-1",
                                              describe_reply(r)) +
                      ": that file exists outside the served directory, at " + a.outside_path;
    }
    nlohmann::json evidence{{"requests", list}};
    if (failure) return report::fail(info, *failure, evidence);
    if (problem) return report::error(info, *problem, evidence);
    std::string asked;
    for (const TraversalAttempt& a : *ctx.obs.traversal) asked += (asked.empty() ? "\"" : ", \"") + a.session.file + "\"";
    return report::pass(info, "-1 for " + asked, evidence);
}

}  // namespace

std::vector<ServerCheck> security_checks()
{
    return {{"S-SEC-01", sec_01}};
}

}  // namespace tpc3::conform::server
