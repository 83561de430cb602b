// C-SETUP: the control exchange as the client plays it (PROTOCOL.md section 3).
#include <chrono>
#include <cmath>

#include "client_role/checks/check_support.h"
#include "control/control_message.h"

namespace tpc3::conform::client {
namespace {

using report::CheckResult;

double seconds_between(WallTime from, WallTime to)
{
    return std::chrono::duration<double>(to - from).count();
}

nlohmann::json control_evidence(const ServedSession& s)
{
    nlohmann::json e{{"served", to_string(s.end)}, {"request_end", to_string(s.request_end)}};
    if (!s.dialect.empty()) e["dialect"] = s.dialect;
    if (!s.request_bytes.empty()) e["request"] = control::escape(s.request_bytes);
    if (!s.reply_bytes.empty()) e["reply"] = control::escape(s.reply_bytes);
    if (!s.go_bytes.empty()) e["after_request"] = control::escape(s.go_bytes);
    if (!s.error.empty()) e["detail"] = s.error;
    return e;
}

// What the request of one run says about C-SETUP-01: nullopt when right, the
// failure message when wrong. `run` was told `file` and `udp_port`.
std::optional<std::string> request_problem(const ClientRun& run, const ServedSession& s)
{
    const std::string expected = run.file + " " + std::to_string(run.udp_port);
    const auto value = s.request_value();
    if (s.request_bytes.empty())
        return run.label + ": the client sent no request (" + std::string(to_string(s.request_end)) +
               "), expected \"" + expected + "\"";
    const std::string seen = control::escape(s.request_bytes);
    if (!value) {
        std::string why;
        if (s.request && !s.request->problems.empty()) why = " (" + s.request->problems.front() + ")";
        return run.label + ": " + report::expected_actual("the request", "\"" + expected + "\"", "\"" + seen + "\"") +
               "; it does not parse as " + (s.dialect.empty() ? std::string("tpc3") : s.dialect) + why;
    }
    if (value->file != run.file || value->udp_port != run.udp_port)
        return run.label + ": " +
               report::expected_actual("the request (file name, UDP port)", "(" + run.file + ", " +
                                                                                 std::to_string(run.udp_port) + ")",
                                       "(" + value->file + ", " + std::to_string(value->udp_port) + ")") +
               "; bytes \"" + seen + "\"";
    return std::nullopt;
}

// C-SETUP-01: the client sends the file name and UDP port it was given, in
// the dialect's format (PROTOCOL.md 3).
CheckResult setup_01(const JudgeContext& ctx)
{
    const report::CheckInfo& info = report::lookup("C-SETUP-01");
    const ClientObservations& obs = ctx.obs;
    if (!obs.main) return report::error(info, "the main run could not be observed: " + why_missing(obs.main, obs));
    const ClientRun& run = *obs.main;
    if (!run.served)
        return report::error(info, "the runner's server recorded nothing: " + why_missing(run.served, obs));
    const ServedSession& s = *run.served;
    nlohmann::json evidence{{"given", {{"file", run.file}, {"udp_port", run.udp_port}}}, {"main", control_evidence(s)}};
    if (!s.connected_at) {
        evidence["process"] = process_evidence(run.process);
        return report::error(info, "the client never connected to the runner's server (" + s.error + ")" +
                                       process_note(run.process),
                             evidence);
    }
    if (auto problem = request_problem(run, s)) return report::fail(info, *problem, evidence);
    // The refusal run was given another file name: its request must be right too.
    if (obs.refusal && obs.refusal->served && obs.refusal->served->connected_at) {
        evidence["refusal"] = control_evidence(*obs.refusal->served);
        if (auto problem = request_problem(*obs.refusal, *obs.refusal->served))
            return report::fail(info, *problem, evidence);
    }
    return report::pass(info,
                        "sent \"" + control::escape(s.request_bytes) + "\" (" +
                            (s.dialect.empty() ? std::string("tpc3") : s.dialect) + ")",
                        evidence);
}

// C-SETUP-02: after a SessionID the client sends "Go" (PROTOCOL.md 3).
CheckResult setup_02(const JudgeContext& ctx)
{
    const report::CheckInfo& info = report::lookup("C-SETUP-02");
    const ClientObservations& obs = ctx.obs;
    if (!obs.main) return report::error(info, "the main run could not be observed: " + why_missing(obs.main, obs));
    const ClientRun& run = *obs.main;
    if (!run.served)
        return report::error(info, "the runner's server recorded nothing: " + why_missing(run.served, obs));
    const ServedSession& s = *run.served;
    nlohmann::json evidence = control_evidence(s);
    if (!s.reply_at) {
        evidence["process"] = process_evidence(run.process);
        const std::string why = !s.connected_at ? "the client never connected to the runner's server"
                                                : "the runner sent no SessionID (" + s.error + ")";
        return report::error(info, why + ", so Go could not be expected" + process_note(run.process), evidence);
    }
    if (!s.go_received()) {
        evidence["process"] = process_evidence(run.process);
        std::string seen = s.go_bytes.empty() ? std::string("nothing")
                                              : "\"" + control::escape(s.go_bytes) + "\"";
        return report::fail(info,
                            report::expected_actual("after the SessionID " + control::escape(s.reply_bytes) +
                                                        ", the client sent",
                                                    "\"Go\"", seen) +
                                (s.error.empty() ? std::string() : " (" + s.error + ")") + process_note(run.process),
                            evidence);
    }
    const double after = seconds_between(*s.reply_at, *s.go_at);
    evidence["go_after_reply_s"] = std::round(after * 1000.0) / 1000.0;
    if (after < 0)
        return report::fail(info,
                            "the client sent \"Go\" " + fixed(-after * 1000.0, 0) +
                                " ms before the SessionID was sent: it must wait for the SessionID",
                            evidence);
    return report::pass(info, "\"Go\" " + fixed(after * 1000.0, 0) + " ms after the SessionID", evidence);
}

// C-SETUP-03: after -1 the client sends no "Go" and exits on its own, within
// refusal_exit_s, without a traceback (PROTOCOL.md 3).
CheckResult setup_03(const JudgeContext& ctx)
{
    const report::CheckInfo& info = report::lookup("C-SETUP-03");
    const ClientObservations& obs = ctx.obs;
    if (obs.refusal.is_not_applicable()) return report::skip(info, why_missing(obs.refusal, obs));
    if (!obs.refusal)
        return report::error(info, "the refusal run could not be observed: " + why_missing(obs.refusal, obs));
    const ClientRun& run = *obs.refusal;
    if (!run.served)
        return report::error(info, "the runner's server recorded nothing: " + why_missing(run.served, obs));
    const ServedSession& s = *run.served;
    nlohmann::json evidence = control_evidence(s);
    evidence["process"] = process_evidence(run.process);
    if (!s.reply_at) {
        const std::string why = !s.connected_at ? "the client never connected to the runner's server"
                                                : "the runner could not reply -1 (" + s.error + ")";
        return report::error(info, why + process_note(run.process), evidence);
    }
    if (s.go_received())
        return report::fail(info,
                            "after -1 the client sent \"Go\" (\"" + control::escape(s.go_bytes) +
                                "\"): -1 means no session",
                            evidence);
    if (!run.process)
        return report::error(info, "the client process could not be observed: " + why_missing(run.process, obs),
                             evidence);
    const ClientProcess& p = *run.process;
    const double limit = ctx.limits().refusal_exit_s;
    if (!p.ended_on_own || !p.ended_at) {
        const double alive = seconds_between(*s.reply_at, p.started) + p.lifetime_s;
        return report::fail(info,
                            "no \"Go\", but the client was still running " + fixed(std::max(alive, 0.0), 1) +
                                " s after -1, expected it to exit on its own within " + fixed(limit, 1) +
                                " s; the runner stopped it (" +
                                (p.needed_sigkill ? "it ignored SIGTERM: SIGKILL" : std::string("SIGTERM")) + ")",
                            evidence);
    }
    const double exit_after = seconds_between(*s.reply_at, *p.ended_at);
    evidence["exit_after_reply_s"] = std::round(exit_after * 1000.0) / 1000.0;
    if (exit_after > limit)
        return report::fail(info,
                            "no \"Go\", but the client exited only " + fixed(exit_after, 1) +
                                " s after -1, expected within " + fixed(limit, 1) + " s",
                            evidence);
    if (p.has_traceback())
        return report::fail(info,
                            "no \"Go\", but the client ended with a traceback after -1 (" + p.exit_status +
                                "): " + (p.error_line.empty() ? std::string("see stderr") : p.error_line),
                            evidence);
    if (p.killed_by_signal_on_own)
        return report::fail(info, "no \"Go\", but the client crashed after -1: " + p.exit_status, evidence);
    return report::pass(info,
                        "no \"Go\"; the client " + p.exit_status + " " + fixed(std::max(exit_after, 0.0), 2) +
                            " s after -1",
                        evidence);
}

}  // namespace

std::vector<ClientCheck> setup_checks()
{
    return {{"C-SETUP-01", setup_01}, {"C-SETUP-02", setup_02}, {"C-SETUP-03", setup_03}};
}

}  // namespace tpc3::conform::client
