#include "suite/server_suite.h"

#include <chrono>
#include <cmath>
#include <memory>
#include <random>

#include "harness/temp_dir.h"
#include "movie/movie_format.h"
#include "report/catalogue.h"
#include "report/timestamp.h"
#include "suite/judgement.h"
#include "suite/observed_sessions.h"
#include "suite/phase_timer.h"
#include "suite/plan_log.h"
#include "suite/questions.h"
#include "suite/runner_movies.h"
#include "suite/server_keeper.h"
#include "suite/server_plan.h"
#include "suite/suite_context.h"
#include "target/launched_server.h"
#include "target/process_evidence.h"
#include "target/remote_server.h"

namespace tpc3::conform::server {

namespace {

namespace fs = std::filesystem;
using report::UsageError;

constexpr const char* kOutsideName = "tpc3conform-outside.mpeg";
// Remote target: a liveness session hangs up after this many datagrams (the
// movie there may be long, and the runner has no shorter one on that server).
constexpr std::size_t kRemoteHangUpAfter = 5;

// Everything the run sets up, in destruction order: the server stops before
// the movie directory goes.
struct Setup {
    std::optional<harness::TempDir> movies_dir;
    std::optional<MovieUnderTest> main_movie;  // the runner's or --movie
    std::optional<MovieUnderTest> live_movie, big_movie, full_movie;
    std::unique_ptr<ServerTarget> target;
    LaunchedServer* launched = nullptr;
};

void validate(const ServerSuiteOptions& o)
{
    if (const auto* l = std::get_if<LaunchSpec>(&o.target)) {
        if (l->command.find("{port}") == std::string::npos)
            throw UsageError("--server-cmd \"" + l->command +
                             "\" has no {port}: the runner chooses the port, e.g. 'python3 Server.py {port}'");
        std::error_code ec;
        if (!fs::is_directory(l->workdir, ec))
            throw UsageError("--workdir " + l->workdir.string() + " is not a directory");
    } else {
        const auto& r = std::get<RemoteSpec>(o.target);
        if (r.file.empty()) throw UsageError("--target-server needs --file NAME: the movie the server has");
        if (o.full)
            throw UsageError("--full needs --server-cmd: the runner puts its long movie in the server's directory");
    }
    if (o.timeout.count() <= 0) throw UsageError("--timeout must be positive");
}

std::optional<MovieUnderTest> load_user_movie(const ServerSuiteOptions& o)
{
    if (!o.movie) return std::nullopt;
    const std::string name = std::holds_alternative<RemoteSpec>(o.target) ? std::get<RemoteSpec>(o.target).file
                                                                           : o.movie->filename().string();
    try {
        MovieUnderTest m = load_movie(*o.movie, name);
        if (m.frames.empty()) throw UsageError("--movie " + o.movie->string() + " holds no frame");
        return m;
    } catch (const movie::MovieError& e) {
        throw UsageError(std::string("--movie: ") + e.what());
    }
}

std::unique_ptr<ServerTarget> make_remote(const RemoteSpec& spec)
{
    try {
        return std::make_unique<RemoteServer>(RemoteOptions{spec.endpoint, spec.allow_remote});
    } catch (const TargetError& e) {
        throw UsageError(e.what());
    }
}

std::string random_missing_name()
{
    std::random_device rd;
    return "tpc3conform-missing-" + std::to_string(rd() % 900000 + 100000) + ".mpeg";
}

void make_movies(Setup& s, const ServerSuiteOptions& o, bool launched)
{
    // Not kept with --keep-workdir: the movies are copied into the server's
    // directory, which is.
    s.movies_dir.emplace("tpc3conform-movies-");
    const fs::path dir = s.movies_dir->path();
    if (!launched) return;  // a remote server has only its own movie
    if (!s.main_movie) s.main_movie = make_marker_movie(dir, movie_names::main, main_movie_spec());
    s.live_movie = make_marker_movie(dir, movie_names::liveness, liveness_movie_spec());
    s.big_movie = make_marker_movie(dir, movie_names::big, big_movie_spec());
    if (o.full) s.full_movie = make_marker_movie(dir, movie_names::full, full_movie_spec());
}

LaunchedServer& launch(Setup& s, const ServerSuiteOptions& o, const LaunchSpec& spec)
{
    LaunchOptions lo;
    lo.command = spec.command;
    lo.workdir = spec.workdir;
    lo.env = spec.env;
    lo.start_timeout = spec.start_timeout;
    lo.keep_temp = o.keep_workdir;
    for (const auto* m : {&s.main_movie, &s.live_movie, &s.big_movie, &s.full_movie})
        if (*m) lo.files.push_back({(*m)->path, (*m)->name});
    lo.outside_file = s.live_movie->path;  // a valid movie: only its place makes it forbidden
    lo.outside_name = kOutsideName;
    auto server = std::make_unique<LaunchedServer>(std::move(lo));
    LaunchedServer& ref = *server;
    s.target = std::move(server);
    s.launched = &ref;
    return ref;
}

SuiteInputs make_inputs(const Setup& s, const ServerSuiteOptions& o)
{
    SuiteInputs in;
    in.thresholds = o.thresholds;
    in.missing_file = random_missing_name();
    if (s.launched) {
        in.launched = true;
        in.main_file = s.main_movie->name;
        in.main_frames = s.main_movie->frames.size();
        in.live_file = s.live_movie->name;
        in.live_length.frames = s.live_movie->frames.size();
        in.vanish_file = in.live_file;
        in.vanish_frames = in.live_length.frames;
        in.big = s.big_movie;
        in.full = s.full_movie;
        in.outside_relative = std::string("../") + kOutsideName;
        in.outside_absolute = s.launched->outside_file() ? s.launched->outside_file()->string() : "";
    } else {
        const std::string& file = std::get<RemoteSpec>(o.target).file;
        in.main_file = in.live_file = in.vanish_file = file;
        if (s.main_movie) in.main_frames = in.vanish_frames = s.main_movie->frames.size();
        in.live_length.hang_up_after = kRemoteHangUpAfter;
    }
    return in;
}

void init_observations(Observations& obs, const Setup& s, const ServerSuiteOptions& o, bool launched)
{
    obs.thresholds = o.thresholds;
    obs.launched = launched;
    if (s.main_movie)
        obs.movie = *s.main_movie;
    else
        obs.movie = Observed<MovieUnderTest>::not_applicable(
            "no local copy of the movie: give --movie LOCAL_COPY to compare the payloads with its frames");
    if (!launched)
        obs.big_frames = Observed<BigFrameSession>::not_applicable(
            "the runner streams its large-frame movie only from a server it launches (--server-cmd): a remote "
            "server does not have it");
}

// Parts never observed get the reason the run stopped (or "not asked").
void fill_missing_reasons(Observations& obs, const std::string& why)
{
    auto fill = [&](auto& part) {
        using Part = std::decay_t<decltype(part)>;
        if (!part && !part.is_not_applicable() && part.why_missing().empty()) part = Part::missing(why);
    };
    fill(obs.movie);
    fill(obs.main_stream);
    fill(obs.missing_file);
    fill(obs.id_sessions);
    fill(obs.malformed_requests);
    fill(obs.vanishing_clients);
    fill(obs.second_session);
    fill(obs.concurrency);
    fill(obs.traversal);
    fill(obs.big_frames);
    if (obs.malformed_requests)
        for (RobustnessStep& step : *obs.malformed_requests) fill(step.liveness);
}

nlohmann::json process_event_json(const ProcessEvidence& e)
{
    nlohmann::json j{{"during", e.during}, {"died", e.died}, {"exit_status", e.exit_status},
                     {"restarted", e.restarted}};
    if (!e.traceback.empty()) j["traceback"] = e.traceback;
    if (!e.stderr_excerpt.empty()) j["stderr"] = e.stderr_excerpt;
    if (!e.restart_problem.empty()) j["restart_problem"] = e.restart_problem;
    if (e.when) j["when"] = report::iso8601_utc(*e.when);
    return j;
}

nlohmann::json movies_json(const Setup& s)
{
    nlohmann::json j = nlohmann::json::object();
    auto add = [&](const char* role, const std::optional<MovieUnderTest>& m) {
        if (m) j[role] = {{"name", m->name}, {"path", m->path}, {"frames", m->frames.size()}};
    };
    add("main", s.main_movie);
    add("liveness", s.live_movie);
    add("large_frames", s.big_movie);
    add("long", s.full_movie);
    return j;
}

// The sessions of the run (the last answer of each question), so that a
// reader of the capture knows which UDP port to decode as RTP.
nlohmann::json sessions_json(const Observations& obs, const std::optional<SessionRecord>& long_stream)
{
    nlohmann::json list = nlohmann::json::array();
    auto add = [&](const SessionRecord& r) {
        list.push_back({{"label", r.label},
                        {"file", r.file},
                        {"udp_port", r.udp_port},
                        {"control", r.control_local.str() + " -> " + r.server.str()},
                        {"datagrams", r.packets.size() + r.packets_not_kept},
                        {"end", to_string(r.end)}});
    };
    for (const SessionRecord* r : observed_sessions(obs)) add(*r);
    if (long_stream) add(*long_stream);
    return list;
}

}  // namespace

ServerSuiteRun run_server_suite(const ServerSuiteOptions& options)
{
    validate(options);
    Setup setup;
    setup.main_movie = load_user_movie(options);
    const bool launched = std::holds_alternative<LaunchSpec>(options.target);
    if (!launched) setup.target = make_remote(std::get<RemoteSpec>(options.target));

    ServerSuiteRun run;
    const auto started_wall = std::chrono::system_clock::now();
    const auto started = std::chrono::steady_clock::now();
    Observations& obs = run.observations;
    obs.thresholds = options.thresholds;
    obs.launched = launched;
    obs.target = launched ? std::get<LaunchSpec>(options.target).command : setup.target->describe();
    PlanLog log(options.progress);
    RunDeadline deadline(options.timeout);
    PlanOutcome plan;
    nlohmann::json extra;
    PhaseTimer phases;
    try {
        make_movies(setup, options, launched);
        init_observations(obs, setup, options, launched);
        phases.end("movies");
        if (launched) {
            LaunchedServer& server = launch(setup, options, std::get<LaunchSpec>(options.target));
            if (options.keep_workdir) run.kept_workdir = server.temp_root();
            const StartOutcome up = server.start();
            if (!up) {
                obs.harness_problem = "the server did not start: " + up.describe();
                if (up.process) obs.process_events.push_back(to_process_evidence(*up.process, "start"));
            } else {
                log.event("started \"" + server.command_line() + "\" in " + server.served_dir().string());
            }
            phases.end("server_start");
        }
        if (obs.harness_problem.empty()) {
            ServerKeeper keeper(*setup.target, options.on_server_endpoint);
            const SuiteInputs inputs = make_inputs(setup, options);
            obs.malformed_requests = unasked_malformed_steps(inputs.live_file);
            SuiteContext ctx(keeper, deadline, options.observer, inputs, obs);
            plan = run_plan(ctx, PlanSettings{options.selection, options.max_lanes}, log);
            phases.end("sessions");
            apply_restart_outcomes(keeper, obs);
            extra["server_restarts"] = keeper.restarts();
        }
        for (const std::string& p : plan.harness_problems) run.harness_error += (run.harness_error.empty() ? "" : "; ") + p;
    } catch (const std::exception& e) {
        run.harness_error = std::string("the runner failed: ") + e.what();
    }
    if (!run.harness_error.empty() && obs.harness_problem.empty()) obs.harness_problem = run.harness_error;
    fill_missing_reasons(obs, !plan.stopped.empty() ? plan.stopped
                                                    : (!obs.harness_problem.empty() ? obs.harness_problem
                                                                                    : "the runner did not get to it"));
    if (setup.launched) {
        extra["server"] = {{"command_line", setup.launched->command_line()},
                           {"starts", setup.launched->starts()}};
        if (options.keep_workdir) {
            extra["server"]["served_dir"] = setup.launched->served_dir().string();
            if (auto p = setup.launched->stderr_log()) extra["server"]["stderr_log"] = p->string();
            if (auto p = setup.launched->stdout_log()) extra["server"]["stdout_log"] = p->string();
        }
    }
    if (setup.target) setup.target->stop();
    phases.mark();

    std::optional<LongStream> long_stream;
    if (setup.full_movie && plan.full_stream) long_stream = LongStream{*plan.full_stream, *setup.full_movie};
    else if (setup.full_movie)
        long_stream = LongStream{Observed<SessionRecord>::missing(!plan.stopped.empty() ? plan.stopped
                                                                                       : "the long movie was not streamed"),
                                 *setup.full_movie};

    report::Report& r = run.report;
    r.role = report::Role::Server;
    r.target = obs.target;
    r.dialect = "tpc3";
    r.started = report::iso8601_utc(started_wall);
    try {
        r.checks = judge_run(obs, long_stream, options.selection);
        phases.end("judging");
        extra["timings"] = phases.to_json();
        if (extra["timings"].contains("sessions"))
            extra["timings"]["sessions"]["of_which_verdicts_cpu_s"] = std::round(plan.verdicts_cpu_s * 1e4) / 1e4;
        extra["concurrent_server"] = plan.concurrent;
        extra["plan"] = log.to_json();
        extra["movies"] = movies_json(setup);
        extra["sessions"] = sessions_json(obs, plan.full_stream);
        nlohmann::json events = nlohmann::json::array();
        for (const ProcessEvidence& e : obs.process_events) events.push_back(process_event_json(e));
        extra["process_events"] = events;
    } catch (const std::exception& e) {
        // A runner bug must still leave a report that says so.
        run.harness_error += std::string(run.harness_error.empty() ? "" : "; ") + "the runner failed while judging: " + e.what();
        r.checks.clear();
        for (const report::CheckInfo& c : report::checks_for(report::Role::Server))
            r.checks.push_back(report::error(c, run.harness_error));
    }
    if (!run.harness_error.empty()) extra["harness_error"] = run.harness_error;
    r.extra = extra;
    r.duration_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return run;
}

}  // namespace tpc3::conform::server
