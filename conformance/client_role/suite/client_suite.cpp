#include "client_role/suite/client_suite.h"

#include <chrono>
#include <cmath>
#include <thread>

#include "client_role/checks/judge.h"
#include "client_role/suite/client_command.h"
#include "client_role/suite/client_run.h"
#include "harness/temp_dir.h"
#include "report/catalogue.h"
#include "report/timestamp.h"

namespace tpc3::conform::client {
namespace {

namespace fs = std::filesystem;

bool any_selected(const report::Selection& selection, std::initializer_list<const char*> patterns)
{
    for (const report::CheckInfo& info : report::checks_for(report::Role::Client))
        for (const char* p : patterns)
            if (report::glob_match(p, info.id) && selection.selected(info.id)) return true;
    return false;
}

double round3(double x)
{
    return std::round(x * 1000.0) / 1000.0;
}

nlohmann::json plan_json(const InjectionPlan& plan)
{
    nlohmann::json datagrams = nlohmann::json::array();
    for (const PlannedDatagram& d : plan.datagrams()) {
        if (d.kind == DatagramKind::ValidFrame) continue;  // the frames are implied: seq k = frame k
        nlohmann::json e{{"index", d.index}, {"kind", to_string(d.kind)}, {"check", d.check_id},
                         {"what", d.description}, {"size", d.size()}, {"slot_seq", d.slot_seq}};
        if (d.marker) e["marker"] = marker::to_string(*d.marker);
        datagrams.push_back(std::move(e));
    }
    return {{"session_id", plan.session_id() ? nlohmann::json(*plan.session_id()) : nlohmann::json(-1)},
            {"datagrams", plan.size()},
            {"valid_frames", plan.expected_shown().size()},
            {"interval_ms", plan.interval().count()},
            {"seed", plan.seed()},
            {"injections", datagrams}};
}

nlohmann::json run_json(const ClientRunOutcome& o)
{
    const ClientRun& r = o.run;
    nlohmann::json j{{"label", r.label},
                     {"file", r.file},
                     {"tcp_port", r.tcp_port},
                     {"udp_port", r.udp_port},
                     {"wall_s", round3(o.wall_s)},
                     {"screen_observer_cpu_s", round3(o.observer_cpu_s)},
                     {"xvfb_cpu_s", round3(o.xvfb_cpu_s)},
                     {"left_nothing", o.left_nothing}};
    if (r.process) j["command"] = r.process->command;
    if (r.served) {
        j["served"] = to_string(r.served->end);
        j["datagrams_sent"] = r.served->sent.size();
        if (!r.served->error.empty()) j["served_detail"] = r.served->error;
    }
    if (r.screen) {
        const auto& s = r.screen->stats;
        j["screen"] = {{"grabs", s.ticks}, {"decoded", s.decoded}, {"unchanged", s.unchanged},
                       {"dropped", s.dropped}, {"no_window", s.no_window}, {"failed", s.failed},
                       {"ticks_missed", s.ticks_missed}};
        if (!s.errors.empty()) j["screen"]["errors"] = s.errors;
    }
    if (r.screen && r.served) {
        // Decoder accuracy: a reading of a value not sent yet when the grab
        // ended (or not in the plan at all) is a misreading.
        std::size_t readings = 0, misreadings = 0;
        for (const observe::GrabRecord& g : r.screen->grabs)
            for (const marker::MarkerReading& m : g.readings) {
                ++readings;
                const auto index = r.plan.find_marker(m.value);
                const SentDatagram* d = index ? r.served->sent_for(*index) : nullptr;
                if (d == nullptr || d->sent_steady > g.finished) ++misreadings;
            }
        j["screen"]["readings"] = readings;
        j["screen"]["misreadings"] = misreadings;
    }
    if (r.files) j["files_written"] = r.files->size();
    if (!o.harness_problem.empty()) j["harness_problem"] = o.harness_problem;
    if (o.kept_workdir) j["kept_workdir"] = o.kept_workdir->string();
    return j;
}

}  // namespace

ClientSuiteRun run_client_suite(const ClientSuiteOptions& options)
{
    if (const std::string problem = command_problem(options.command); !problem.empty())
        throw report::UsageError(problem);
    if (!options.workdir.empty() && !fs::is_directory(options.workdir))
        throw report::UsageError("--workdir " + options.workdir.string() + " is not a directory");

    const auto started = std::chrono::steady_clock::now();
    ClientSuiteRun out;
    out.report.role = report::Role::Client;
    out.report.target = options.command;
    out.report.started = report::iso8601_utc_now();

    if (options.artifacts) {
        out.artifacts_dir = *options.artifacts;
    } else {
        harness::TempDir kept("tpc3-client-artifacts-");
        kept.keep();
        out.artifacts_dir = kept.path();
    }

    ClientRunSettings settings;
    settings.command = options.command;
    settings.workdir = options.workdir;
    settings.env = options.env;
    settings.connect_timeout = options.connect_timeout;
    settings.settle = options.settle;
    settings.grace = options.grace;
    settings.refusal_exit_s = options.thresholds.refusal_exit_s;
    settings.artifacts = out.artifacts_dir;
    settings.keep_workdir = options.keep_workdir;
    settings.observer = options.observer;
    settings.on_ports = options.on_ports;

    ClientObservations& obs = out.observations;
    obs.target = options.command;
    obs.thresholds = options.thresholds;

    const bool want_main = any_selected(options.selection, {"C-SETUP-01", "C-SETUP-02", "C-PLAY-*", "C-REJ-*",
                                                            "C-ROB-*", "C-BIG-*"});
    const bool want_refusal = any_selected(options.selection, {"C-SETUP-03"});

    std::optional<ClientRunOutcome> main, refusal;
    std::string plan_problem;
    std::optional<InjectionPlan> plan;
    if (want_main) {
        try {
            PlanOptions po;
            po.session_id = options.session_id.value_or(random_session_id());
            po.seed = options.seed;
            plan = InjectionPlan::build(po);
        } catch (const std::exception& e) {
            plan_problem = std::string("the runner could not build its injection plan: ") + e.what();
        }
    }
    // The two runs at once: each has its own display, port and directory.
    std::thread refusal_thread;
    if (want_refusal)
        refusal_thread = std::thread([&] {
            refusal = run_client(settings, {"refusal run", "refusal", options.missing_file, InjectionPlan::refusal()});
        });
    if (plan) main = run_client(settings, {"main run", "main", options.file, *plan});
    if (refusal_thread.joinable()) refusal_thread.join();

    nlohmann::json runs = nlohmann::json::array();
    std::vector<std::string> problems;
    if (!plan_problem.empty()) problems.push_back(plan_problem);
    const auto take = [&](std::optional<ClientRunOutcome>& o, Observed<ClientRun>& slot, bool wanted,
                          const std::string& label) {
        if (!wanted) {
            slot = Observed<ClientRun>::not_applicable("the " + label + " was not needed by the selected checks");
            return;
        }
        if (!o) {
            slot = Observed<ClientRun>::missing(plan_problem.empty() ? "the " + label + " did not run" : plan_problem);
            return;
        }
        if (!o->harness_problem.empty()) problems.push_back(o->run.label + ": " + o->harness_problem);
        for (const auto& [k, v] : o->artifacts) out.report.artifacts[k] = v;
        if (o->kept_workdir) out.kept_workdirs.push_back(*o->kept_workdir);
        out.left_nothing = out.left_nothing && o->left_nothing;
        runs.push_back(run_json(*o));
        if (options.progress != nullptr)
            *options.progress << "[client] " << o->run.label << ": " << runs.back().dump() << "\n";
        slot = std::move(o->run);
    };
    take(main, obs.main, want_main, "main run");
    take(refusal, obs.refusal, want_refusal, "refusal run");
    for (const std::string& p : problems) {
        if (!out.harness_error.empty()) out.harness_error += "; ";
        out.harness_error += p;
    }
    obs.harness_problem = out.harness_error;

    out.report.checks = judge_client(obs);
    for (report::CheckResult& r : out.report.checks)
        if (!options.selection.selected(r.info().id)) r = report::skip(r.info(), "not selected (--only/--skip)");

    nlohmann::json extra{{"runs", runs}, {"artifacts_dir", out.artifacts_dir.string()}};
    if (plan) extra["plan"] = plan_json(*plan);
    if (!out.harness_error.empty()) extra["harness_error"] = out.harness_error;
    out.report.extra = extra;
    out.report.duration_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return out;
}

}  // namespace tpc3::conform::client
