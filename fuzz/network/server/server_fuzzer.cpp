#include "server/server_fuzzer.h"

#include <cstdio>
#include <memory>
#include <ostream>
#include <thread>

#include "core/reproducer.h"
#include "harness/temp_dir.h"
#include "server/server_case_executor.h"
#include "server/server_liveness.h"
#include "server/server_mutators.h"
#include "suite/runner_movies.h"
#include "target/launched_server.h"
#include "target/remote_server.h"

namespace tpc3::fuzz::net {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
namespace cs = tpc3::conform::server;

constexpr milliseconds kSettleAfterCase{30};

double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

// The server under test and what valid sessions request.
class FuzzTarget {
public:
    explicit FuzzTarget(const ServerFuzzOptions& o) {
        try {
            if (!o.server_cmd.empty()) {
                movie_dir_ = std::make_unique<harness::TempDir>(
                    "tpc3-netfuzz-", o.temp_base.empty() ? harness::TempDir::default_base() : o.temp_base);
                const auto movie = cs::make_marker_movie(movie_dir_->path(), cs::movie_names::liveness,
                                                         cs::liveness_movie_spec());
                cs::LaunchOptions lo;
                lo.command = o.server_cmd;
                lo.workdir = o.workdir.empty() ? movie_dir_->path() : o.workdir;
                lo.files = {{movie_dir_->path() / cs::movie_names::liveness, cs::movie_names::liveness}};
                lo.temp_base = o.temp_base;
                auto launched = std::make_unique<cs::LaunchedServer>(std::move(lo));
                const auto started = launched->start();
                if (!started) throw FuzzHarnessError("the server did not start: " + started.describe());
                launched_ = launched.get();
                target_ = std::move(launched);
                file_ = cs::movie_names::liveness;
            } else if (o.target_server) {
                if (o.file.empty()) throw FuzzHarnessError("--target-server needs --file NAME (a movie the server serves)");
                target_ = std::make_unique<cs::RemoteServer>(cs::RemoteOptions{*o.target_server, o.allow_remote});
                file_ = o.file;
            } else {
                throw FuzzHarnessError("no target: give --target-server HOST:PORT --file NAME or --server-cmd 'CMD {port}'");
            }
        } catch (const cs::TargetError& e) {
            throw FuzzHarnessError(e.what());
        }
    }
    ~FuzzTarget() {
        if (target_) target_->stop();
    }

    cs::ServerTarget& target() { return *target_; }
    bool launched() const { return launched_ != nullptr; }
    const std::string& file() const { return file_; }

private:
    std::unique_ptr<harness::TempDir> movie_dir_;  // outlives the server (declared first)
    std::unique_ptr<cs::ServerTarget> target_;
    cs::LaunchedServer* launched_ = nullptr;
    std::string file_;
};

class ServerFuzzer {
public:
    ServerFuzzer(const ServerFuzzOptions& o) : o_(o), target_(o) {}

    void check_baseline() {
        const auto live = check_liveness(target_.target().endpoint(), target_.file(), o_.common.liveness_deadline);
        if (!live.ok) {
            std::string why = live.evidence;
            if (auto report = target_.target().process_report(); report && report->died())
                why += " (" + report->summary() + ")";
            throw FuzzHarnessError("the server fails a valid session before any case (" + target_.target().describe() +
                                   "): " + why);
        }
    }

    // Plays the case and the checks after it.
    std::optional<Finding> run_one(const FuzzCase& c) {
        auto& t = target_.target();
        const auto mark = t.stderr_mark();
        const auto endpoint = t.endpoint();
        last_port_ = endpoint.port;
        ServerExecutorOptions eo;
        eo.case_deadline = o_.common.case_deadline;
        const auto outcome = execute_server_case(c, endpoint, eo);
        // A launched server reacts to the case's last close only now: give it a
        // moment, so a crash it causes is blamed on this case, not the next.
        if (target_.launched()) std::this_thread::sleep_for(kSettleAfterCase);
        const auto live = check_liveness(endpoint, target_.file(), o_.common.liveness_deadline);
        if (verbose()) {
            *o_.common.verbose << "case " << c.iteration << " " << c.mutator << ": " << c.description << "\n"
                               << describe_steps(c);
            for (const auto& e : outcome.events) *o_.common.verbose << "  event: " << e << "\n";
            for (auto port : outcome.udp_ports_not_bound)
                *o_.common.verbose << "  event: UDP port " << port << " was taken; the case ran without it\n";
            char took[96];
            std::snprintf(took, sizeof took, "  server sent %llu control bytes, %llu datagrams to its UDP ports; case took %.2f s\n",
                          static_cast<unsigned long long>(outcome.bytes_received),
                          static_cast<unsigned long long>(outcome.datagrams_received),
                          std::chrono::duration<double>(outcome.took).count());
            *o_.common.verbose << took;
            *o_.common.verbose << "  liveness: " << (live.ok ? "ok" : live.evidence) << "\n";
        }

        std::optional<Finding> f;
        if (target_.launched()) {
            auto report = t.process_report(mark);
            if (report && report->running && (!live.ok || report->has_traceback)) report = settle(t, mark);
            if (report && report->died()) {
                f = Finding{Finding::Kind::Crashed, report->summary(), c, {}, {}};
                if (report->has_traceback) f->evidence += "\n" + report->traceback;
            } else if (!live.ok) {
                f = Finding{live.kind, live.evidence, c, {}, {}};
                if (report && report->has_traceback) f->evidence += "\ntraceback on stderr:\n" + report->traceback;
            } else if (report && report->has_traceback) {
                f = Finding{Finding::Kind::Traceback, "a new traceback on stderr (the server still serves):\n" +
                                                          report->traceback,
                            c, {}, {}};
            }
        } else if (!live.ok) {
            f = Finding{live.kind, live.evidence, c, {}, {}};
        }
        return f;
    }

    // Something happened (the session failed, or stderr grew): give a process
    // that is going down, or still printing its traceback, up to 1 s to finish
    // (e.g. a thread prints a traceback, then calls os._exit).
    static std::optional<tpc3::conform::server::ServerProcessReport> settle(cs::ServerTarget& t, std::uint64_t mark) {
        auto last = t.stderr_mark();
        int quiet = 0;
        for (int i = 0; i < 20 && t.alive() && quiet < 3; ++i) {
            std::this_thread::sleep_for(milliseconds(50));
            const auto now = t.stderr_mark();
            quiet = now == last ? quiet + 1 : 0;
            last = now;
        }
        return t.process_report(mark);
    }

    void save(Finding& f) {
        PcapLayout layout;
        layout.fuzzer_is_tcp_client = true;
        layout.target_tcp_port = last_port_;
        std::string pcap_problem;
        const auto paths = save_reproducer(f.fuzz_case, f, o_.common.out_dir, default_pcap_builder(layout), &pcap_problem);
        f.reproducer_json = paths.json;
        f.reproducer_pcap = paths.pcap;
        if (!pcap_problem.empty() && verbose()) *o_.common.verbose << "  pcap not written: " << pcap_problem << "\n";
    }

    // After a finding: restart a launched server. Empty when it is ready again, else why the run must stop.
    std::string recover() {
        if (!target_.launched()) return "a finding against a server the fuzzer did not launch (it cannot be restarted)";
        const auto started = target_.target().restart();
        if (!started) return "the server did not restart: " + started.describe();
        const auto live = check_liveness(target_.target().endpoint(), target_.file(), o_.common.liveness_deadline);
        if (!live.ok) return "the restarted server fails a valid session: " + live.evidence;
        return {};
    }

    FuzzSummary fuzz() {
        FuzzSummary s = start_summary();
        const auto start = Clock::now();
        const auto& co = o_.common;
        const bool unbounded = !co.iterations && !co.time_budget;
        const std::uint64_t iterations = co.iterations ? *co.iterations : (unbounded ? FuzzOptions::kDefaultIterations : UINT64_MAX);
        const ServerCaseContext ctx{target_.file()};
        for (std::uint64_t n = 0;; ++n) {
            if (n >= iterations) {
                s.stopped_because = std::to_string(n) + " iterations done";
                break;
            }
            if (co.time_budget && Clock::now() - start >= *co.time_budget) {
                char buf[64];
                std::snprintf(buf, sizeof buf, "time budget of %.1f s used",
                              static_cast<double>(co.time_budget->count()) / 1000.0);
                s.stopped_because = buf;
                break;
            }
            const FuzzCase c = make_server_case(co.seed, co.first_iteration + n, ctx);
            auto f = run_one(c);
            ++s.cases_run;
            if (!f) continue;
            save(*f);
            if (verbose()) *co.verbose << describe(*f);
            s.findings.push_back(*f);
            if (co.stop_at_first) {
                s.stopped_because = "first finding (--stop-at-first)";
                break;
            }
            if (auto why = recover(); !why.empty()) {
                s.stopped_because = why;
                break;
            }
        }
        s.wall_s = seconds_since(start);
        s.finish_rates();
        return s;
    }

    FuzzSummary replay(const FuzzCase& c) {
        FuzzSummary s = start_summary();
        s.seed = c.seed;
        const auto start = Clock::now();
        auto f = run_one(c);
        s.cases_run = 1;
        if (f) {
            s.findings.push_back(*f);
            s.stopped_because = "replayed case " + std::to_string(c.iteration) + ": reproduced";
        } else {
            s.stopped_because = "replayed case " + std::to_string(c.iteration) + ": did not reproduce";
        }
        s.wall_s = seconds_since(start);
        s.finish_rates();
        return s;
    }

private:
    bool verbose() const { return o_.common.verbose != nullptr; }
    FuzzSummary start_summary() {
        FuzzSummary s;
        s.target = target_.target().describe();
        s.seed = o_.common.seed;
        return s;
    }

    const ServerFuzzOptions& o_;
    FuzzTarget target_;
    std::uint16_t last_port_ = 0;
};

}  // namespace

FuzzSummary fuzz_server(const ServerFuzzOptions& options) {
    ServerFuzzer fuzzer(options);
    fuzzer.check_baseline();
    return fuzzer.fuzz();
}

FuzzSummary replay_server_case(const ServerFuzzOptions& options, const FuzzCase& c) {
    if (c.role != "server")
        throw FuzzHarnessError("case " + std::to_string(c.iteration) + " is a \"" + c.role +
                               "\" case: replay it against a client (--client-cmd)");
    ServerFuzzer fuzzer(options);
    fuzzer.check_baseline();
    return fuzzer.replay(c);
}

}  // namespace tpc3::fuzz::net
