#include "client/client_fuzzer.h"

#include <algorithm>
#include <deque>
#include <functional>
#include <optional>
#include <ostream>
#include <span>
#include <thread>

#include "client/client_datagrams.h"
#include "client/client_launch.h"
#include "client/datagram_mutators.h"
#include "client/reply_mutators.h"
#include "client_role/suite/client_command.h"
#include "core/reproducer.h"
#include "harness/xvfb_display.h"

namespace tpc3::fuzz::net {

namespace {

using namespace std::chrono_literals;

// 1 case in kReplyOneIn is a control-reply case (each costs a client launch).
constexpr std::uint64_t kReplyOneIn = 10;
constexpr Millis kDatagramGap{1};  // between two datagrams of a case

std::string n(std::uint64_t v) { return std::to_string(v); }

bool starts_with_datagram(const FuzzCase& c)
{
    return !c.steps.empty() && c.steps.front().kind == WireStep::Kind::Datagram;
}

bool ends_with_datagram(const FuzzCase& c)
{
    return !c.steps.empty() && c.steps.back().kind == WireStep::Kind::Datagram;
}

// The sequence number the case's first datagram carries (lead-in frames go just before it).
std::uint16_t first_seq_of(const FuzzCase& c)
{
    for (const WireStep& s : c.steps)
        if (s.kind == WireStep::Kind::Datagram && s.bytes.size() >= 4)
            return static_cast<std::uint16_t>((s.bytes[2] << 8) | s.bytes[3]);
    return first_slot(c.iteration);
}

// The cases of one batch as one case: what a replay of "the batch up to the finding" plays.
FuzzCase combine(const std::vector<FuzzCase>& batch)
{
    FuzzCase c;
    c.role = "client";
    c.seed = batch.front().seed;
    c.iteration = batch.back().iteration;
    c.mutator = "batch";
    c.description = n(batch.size()) + " datagram cases, " + n(batch.front().iteration) + " to " +
                    n(batch.back().iteration) + ", played in one client launch; the finding showed after case " +
                    n(batch.back().iteration) + " (" + batch.back().description + ")";
    for (const FuzzCase& k : batch)
        for (WireStep s : k.steps) {
            s.note = "case " + n(k.iteration) + " (" + k.mutator + "): " + s.note;
            c.steps.push_back(std::move(s));
        }
    return c;
}

// What running cases in one launch gave.
struct LaunchResult {
    std::optional<Health> failure;     // the first failed liveness check
    std::size_t failed_at = 0;         // index of the case after which it failed
    std::size_t cases_done = 0;
    WireTrace trace;
};

class Runner {
public:
    explicit Runner(const ClientFuzzOptions& o) : o_(o)
    {
        if (const std::string problem = conform::client::command_problem(o.client_cmd); !problem.empty())
            throw ClientFuzzError(problem);
        launch_.command = o.client_cmd;
        launch_.workdir = o.workdir;
        launch_.file = o.file;
        launch_.env = o.env;
        launch_.connect_timeout = o.connect_timeout;
        launch_.drain_deadline = o.drain_deadline;
        launch_.grace = o.grace;
        launch_.temp_base = o.temp_base;
    }

    const ClientFuzzOptions& options() const { return o_; }
    std::ostream* verbose() const { return o_.fuzz.verbose; }

    const std::string& display()
    {
        if (!xvfb_) {
            harness::XvfbOptions xo;
            xo.width = 800;
            xo.height = 600;
            try {
                xvfb_.emplace(xo);
            } catch (const std::exception& e) {
                throw ClientFuzzError(std::string("cannot start Xvfb for the client: ") + e.what());
            }
        }
        return xvfb_->name();
    }

    // Launches the client and plays cases from `next` (nullopt ends) until one
    // fails its liveness check. `after_case` may stop the batch (false).
    LaunchResult run(const std::function<std::optional<FuzzCase>()>& next,
                     const std::function<bool(const FuzzCase&)>& after_case)
    {
        LaunchResult r;
        std::optional<FuzzCase> c = next();
        if (!c) return r;
        std::optional<ClientLaunch> started;
        try {
            started.emplace(launch_, display(), r.trace);
        } catch (const LaunchError& e) {
            throw ClientFuzzError(e.what());
        }
        ClientLaunch& launch = *started;
        if (const std::string problem = launch.accept_request(); !problem.empty())
            throw ClientFuzzError("the client does not start a session (" + launch.command_line() + "): " + problem +
                                  "\n" + launch.output_tail());
        if (starts_with_datagram(*c)) prologue(launch, *c);
        for (;;) {
            play(launch, *c);
            const Health h = launch.check(ends_with_datagram(*c) ? Expect::Playing : Expect::GivenUp);
            ++r.cases_done;
            if (verbose())
                *verbose() << "  case " << c->iteration << " " << c->mutator << ": "
                           << (h.ok() ? "ok" : std::string(finding_kind_name(*h.kind))) << "\n";
            if (!h.ok()) {
                r.failure = h;
                r.failed_at = r.cases_done - 1;
                return r;
            }
            if (!after_case(*c)) return r;
            c = next();
            if (!c) return r;
        }
    }

private:
    // Valid reply, Go, two valid lead-in frames, liveness: the client plays.
    void prologue(ClientLaunch& launch, const FuzzCase& c)
    {
        const std::uint32_t session_id = client_session_id(c.seed);
        if (const std::string problem = launch.reply_and_wait_go(session_id); !problem.empty())
            throw ClientFuzzError("the client does not complete a valid session (" + launch.command_line() +
                                  "): " + problem + "\n" + launch.output_tail());
        const std::uint16_t first = first_seq_of(c);
        for (int back = 2; back >= 1; --back) {
            launch.send_datagram(valid_datagram(session_id, static_cast<std::uint16_t>(first - back)));
            std::this_thread::sleep_for(kDatagramGap);
        }
        const Health h = launch.check(Expect::Playing);
        if (!h.ok())
            throw ClientFuzzError("the client does not play a valid stream (" + launch.command_line() + "): " +
                                  std::string(finding_kind_name(*h.kind)) + ": " + h.evidence);
    }

    void play(ClientLaunch& launch, const FuzzCase& c)
    {
        const Millis max_pause = o_.fuzz.case_deadline;
        for (const WireStep& s : c.steps) {
            switch (s.kind) {
                case WireStep::Kind::Connect: break;  // the client opens the one control connection
                case WireStep::Kind::Send: launch.send_control(s.bytes); break;
                case WireStep::Kind::Pause: std::this_thread::sleep_for(std::min(s.pause, max_pause)); break;
                case WireStep::Kind::ShutdownWrite: launch.shutdown_control(); break;
                case WireStep::Kind::Close: launch.close_control(); break;
                case WireStep::Kind::Reset: launch.reset_control(); break;
                case WireStep::Kind::ExpectReply: launch.wait_for_go(std::min(s.pause, max_pause)); break;
                case WireStep::Kind::Datagram:
                    launch.send_datagram(s.bytes);
                    std::this_thread::sleep_for(kDatagramGap);
                    break;
            }
        }
    }

    const ClientFuzzOptions& o_;
    LaunchSettings launch_;
    std::optional<harness::XvfbDisplay> xvfb_;
};

// One case (or a combined batch) in a fresh launch.
LaunchResult run_alone(Runner& runner, const FuzzCase& c);

// The same for a confirmation: a launch that fails before the case (the
// client did not even play the prologue this time) counts as "did not
// reproduce" instead of ending the run.
LaunchResult confirm_run(Runner& runner, const FuzzCase& c, std::string& problem)
{
    try {
        return run_alone(runner, c);
    } catch (const ClientFuzzError& e) {
        problem = std::string(" (a confirmation launch failed: ") + e.what() + ")";
        return {};
    }
}

LaunchResult run_alone(Runner& runner, const FuzzCase& c)
{
    bool given = false;
    return runner.run(
        [&]() -> std::optional<FuzzCase> {
            if (given) return std::nullopt;
            given = true;
            return c;
        },
        [](const FuzzCase&) { return true; });
}

Finding confirm_and_save(Runner& runner, const std::vector<FuzzCase>& batch, const Health& seen,
                         const WireTrace& first_trace)
{
    const ClientFuzzOptions& o = runner.options();
    Finding f;
    f.kind = *seen.kind;
    f.evidence = seen.evidence;
    const FuzzCase& last = batch.back();
    FuzzCase repro = batch.size() > 1 ? combine(batch) : last;
    const WireTrace* trace = &first_trace;
    std::optional<LaunchResult> confirm_alone, confirm_batch;
    std::string how, launch_problem;
    if (!o.confirm) {
        how = "not confirmed (confirmation off); the reproducer is the run as first played";
    } else {
        confirm_alone = confirm_run(runner, last, launch_problem);
        if (confirm_alone->failure) {
            repro = last;
            trace = &confirm_alone->trace;
            how = "confirmed: case " + n(last.iteration) + " alone reproduces it in a fresh client launch (" +
                  std::string(finding_kind_name(*confirm_alone->failure->kind)) + ")";
        } else if (batch.size() > 1) {
            confirm_batch = confirm_run(runner, repro, launch_problem);
            if (confirm_batch->failure) {
                trace = &confirm_batch->trace;
                how = "confirmed with its batch: case " + n(last.iteration) +
                      " alone does not reproduce it, the batch's datagram cases " + n(batch.front().iteration) +
                      " to " + n(last.iteration) + " in one fresh launch do (the reproducer is that batch)";
            } else {
                how = "did not reproduce in a fresh launch, alone or with its batch (timing-dependent?); the "
                      "reproducer is the batch as first played";
            }
        } else {
            how = "did not reproduce in a fresh launch (timing-dependent?); the reproducer is the case as first played";
        }
    }
    f.evidence += "\n" + how + launch_problem;
    f.fuzz_case = repro;
    std::string pcap_problem;
    const WireTrace& t = *trace;
    const ReproducerPaths paths = save_reproducer(
        repro, f, o.fuzz.out_dir, [&t](const FuzzCase&, const std::filesystem::path& p) { t.write_pcap(p); },
        &pcap_problem);
    f.reproducer_json = paths.json;
    f.reproducer_pcap = paths.pcap;
    if (!pcap_problem.empty()) f.evidence += "\n(pcap not written: " + pcap_problem + ")";
    return f;
}

}  // namespace

FuzzCase make_client_case(std::uint64_t seed, std::uint64_t iteration)
{
    Rng rng = Rng::for_case(seed, iteration);
    if (rng.below(kReplyOneIn) == 0) return make_reply_case(seed, iteration, rng);
    return make_datagram_case(seed, iteration, rng);
}

FuzzSummary fuzz_client(const ClientFuzzOptions& o)
{
    Runner runner(o);
    FuzzSummary summary;
    summary.target = o.client_cmd;
    summary.seed = o.fuzz.seed;
    const auto started = SteadyClock::now();
    const std::uint64_t first = o.fuzz.first_iteration;
    const std::uint64_t count = o.fuzz.iterations.value_or(o.fuzz.time_budget ? UINT64_MAX - first
                                                                               : FuzzOptions::kDefaultIterations);
    const std::uint64_t end = first + count;
    const auto budget_left = [&] {
        return !o.fuzz.time_budget || SteadyClock::now() - started < *o.fuzz.time_budget;
    };
    const std::size_t max_batch = std::max<std::size_t>(1, o.max_batch);

    std::uint64_t i = first;
    std::deque<FuzzCase> replies;  // reply cases met while filling a batch: one launch each, after it
    bool stop = false;
    const auto found = [&](const std::vector<FuzzCase>& cases, const LaunchResult& r) {
        Finding f = confirm_and_save(runner, cases, *r.failure, r.trace);
        if (o.fuzz.verbose) *o.fuzz.verbose << describe(f) << "\n";
        summary.findings.push_back(std::move(f));
        if (o.fuzz.stop_at_first) {
            stop = true;
            summary.stopped_because = "first finding (--stop-at-first)";
        }
    };
    // A client that cannot play at all stops the run with ClientFuzzError; one
    // that stops completing valid sessions later ends it, findings kept.
    const auto harness_failed = [&](const ClientFuzzError& e) {
        if (summary.cases_run == 0) throw;
        stop = true;
        summary.stopped_because = std::string("a launch failed before its cases: ") + e.what();
    };
    while (!stop && budget_left() && (i < end || !replies.empty())) {
        if (!replies.empty()) {
            const FuzzCase c = std::move(replies.front());
            replies.pop_front();
            if (o.fuzz.verbose) *o.fuzz.verbose << "launch for case " << c.iteration << " (control reply)\n";
            LaunchResult r;
            try {
                r = run_alone(runner, c);
            } catch (const ClientFuzzError& e) {
                harness_failed(e);
                break;
            }
            summary.cases_run += r.cases_done;
            if (r.failure) found({c}, r);
            continue;
        }
        std::vector<FuzzCase> batch;
        if (o.fuzz.verbose) *o.fuzz.verbose << "launch for a batch from case " << i << "\n";
        LaunchResult r;
        try {
            r = runner.run(
                [&]() -> std::optional<FuzzCase> {
                    while (i < end && (batch.empty() || budget_left())) {
                        FuzzCase c = make_client_case(o.fuzz.seed, i++);
                        if (is_reply_case(c)) {
                            replies.push_back(std::move(c));
                            continue;
                        }
                        batch.push_back(std::move(c));
                        return batch.back();
                    }
                    return std::nullopt;
                },
                [&](const FuzzCase&) { return batch.size() < max_batch; });
        } catch (const ClientFuzzError& e) {
            harness_failed(e);
            break;
        }
        summary.cases_run += r.cases_done;
        if (r.failure) {
            batch.resize(r.failed_at + 1);
            found(batch, r);
        }
    }
    if (summary.stopped_because.empty()) {
        if (i >= end)
            summary.stopped_because = n(i - first) + " iterations done";
        else
            summary.stopped_because = "time budget of " +
                                      n(static_cast<std::uint64_t>(o.fuzz.time_budget->count() / 1000)) + " s used";
    }
    summary.wall_s = std::chrono::duration<double>(SteadyClock::now() - started).count();
    summary.finish_rates();
    return summary;
}

FuzzSummary replay_client_case(const ClientFuzzOptions& o, const FuzzCase& c)
{
    Runner runner(o);
    FuzzSummary summary;
    summary.target = o.client_cmd;
    summary.seed = c.seed;
    const auto started = SteadyClock::now();
    LaunchResult r = run_alone(runner, c);
    summary.cases_run = r.cases_done;
    if (r.failure) {
        Finding f;
        f.kind = *r.failure->kind;
        f.evidence = r.failure->evidence;
        f.fuzz_case = c;
        summary.findings.push_back(std::move(f));
        summary.stopped_because = "replayed case " + n(c.iteration) + ": reproduced";
    } else {
        summary.stopped_because = "replayed case " + n(c.iteration) + ": did not reproduce";
    }
    summary.wall_s = std::chrono::duration<double>(SteadyClock::now() - started).count();
    summary.finish_rates();
    return summary;
}

}  // namespace tpc3::fuzz::net
