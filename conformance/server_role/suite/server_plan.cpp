#include "suite/server_plan.h"

#include <time.h>

#include <algorithm>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

#include "report/catalogue.h"
#include "suite/lanes.h"
#include "suite/questions.h"

namespace tpc3::conform::server {

namespace {

using std::chrono::milliseconds;

// A server on its way out (one that exits shortly after a session) can fail a
// question without dying during it: after a question that did not settle,
// the runner watches the process this long before deciding it was alive.
constexpr milliseconds kDeathWatchAfterFailure{700};
// How long the main stream may take to bring its first datagram (reply,
// settle, 0.5 s before Go) before the probe gives up waiting for it.
constexpr milliseconds kMainFirstDatagramWait{8000};
constexpr const char* kAgain = " (again, alone)";
// A stream at 20/s brings its next datagram within 50 ms; this is ample.
constexpr milliseconds kMainGoesOnWait{400};

struct Asked {
    const Question* question = nullptr;
    bool overlapped = false;   // observed alongside other sessions of the suite
    bool died_around = false;  // a launched server died during it or right after it
    // A death in its own evidence is its own doing (false for S-ROB-03 after
    // the main stream: the main stream may have killed the server).
    bool may_blame = true;
    // Asked in a lane: logged once the main stream is in (some answers,
    // S-SETUP-04's, are judged with it).
    double lane_started_s = -1;
    double lane_duration_s = 0;
};

class Plan {
public:
    Plan(SuiteContext& ctx, const PlanSettings& settings, PlanLog& log)
        : ctx_(ctx), settings_(settings), log_(log), main_q_(main_stream_question()), second_q_(second_session_question())
    {
    }

    PlanOutcome run()
    {
        const report::Selection& sel = settings_.selection;
        const bool want_main = main_stream_wanted(sel);
        questions_ = independent_questions(ctx_.inputs(), sel, want_main);
        want_second_ = sel.selected("S-ROB-03");
        // Longest first: lanes then finish close together.
        std::stable_sort(questions_.begin(), questions_.end(),
                         [](const Question& a, const Question& b) { return a.estimate > b.estimate; });

        std::vector<const Question*> alone;
        if (want_main) {
            alone = start_with_main_stream();
        } else {
            if (want_second_) alone.push_back(&second_q_);
            for (const Question& q : questions_) alone.push_back(&q);
        }
        for (const Question* q : alone)
            if (auto a = ask_alone(*q, "", "alone")) asked_.push_back(*a);
        ask_again();
        if (ctx_.inputs().full) stream_long_movie();
        return std::move(out_);
    }

private:
    // ------------------------------------------------------------ steps

    // Phase 1 and 2; returns the questions still to ask one at a time.
    std::vector<const Question*> start_with_main_stream()
    {
        const SuiteInputs& in = ctx_.inputs();
        const bool want_probe =
            settings_.selection.selected("S-ROB-04") || !questions_.empty() || want_second_;
        SessionWatch main_watch(ctx_.observer());
        SessionWatch probe_watch(ctx_.observer());
        std::optional<SessionRecord> probe;
        bool probe_started = false;
        std::string no_probe_reason;

        const double main_started = log_.now_s();
        // jthreads: joined even if something below throws.
        std::jthread main_thread([&] { guarded("the main stream", [&] { ask_main_stream(ctx_, "", &main_watch); }); });
        std::jthread probe_thread;
        if (want_probe) {
            // The probe's stream must overlap the main stream's datagrams.
            const auto until =
                std::min(ctx_.deadline().until(), SessionWatch::TimePoint::clock::now() + kMainFirstDatagramWait);
            const bool streaming = main_watch.wait_for_datagrams(1, until);
            if (ctx_.deadline().passed()) {
                no_probe_reason = ctx_.deadline().passed_before("a second session could overlap the main stream");
            } else if (!streaming) {
                no_probe_reason = main_watch.ended()
                                      ? "the main stream ended without a datagram, so no second session could overlap it"
                                      : "the main stream brought no datagram within " +
                                            std::to_string(kMainFirstDatagramWait.count() / 1000) +
                                            " s, so no second session could overlap it";
            } else {
                probe_started = true;
                // Long enough for a one-session-at-a-time server to answer once the main stream is over.
                const Millis reply_deadline = stream_deadline(in.main_frames, Millis(30000));
                probe_thread = std::jthread([&, reply_deadline] {
                    guarded("the concurrency probe", [&] { probe = ask_probe(&probe_watch, reply_deadline); });
                });
                while (!probe_watch.replied() && !probe_watch.ended() && !main_watch.ended() &&
                       !ctx_.deadline().passed())
                    std::this_thread::sleep_for(milliseconds(5));
                // Concurrent only if the main stream went on after the probe's
                // reply: a one-session-at-a-time server answers the probe
                // right after the main stream's last frame, while the runner
                // still waits for stray frames.
                if (const auto reply = probe_watch.replied_at(); reply && !main_watch.ended())
                    out_.concurrent = main_watch.wait_for_datagram_after(
                        *reply, std::min(ctx_.deadline().until(),
                                         SessionWatch::TimePoint::clock::now() + kMainGoesOnWait));
                log_.event(out_.concurrent
                               ? "the server answered a second session while the main stream ran: concurrent; "
                                 "the other questions run alongside the main stream"
                               : "the server did not answer a second session while the main stream ran: one "
                                 "session at a time; the other questions run one after the other");
            }
        }

        std::vector<const Question*> alone;
        if (out_.concurrent) {
            alone = ask_in_lanes(main_watch);
        } else {
            for (const Question& q : questions_) alone.push_back(&q);
        }
        if (probe_thread.joinable()) probe_thread.join();
        main_thread.join();
        const Observations now = ctx_.snapshot();
        for (const Asked& a : asked_)
            if (a.lane_started_s >= 0)
                log_.add({a.question->name, "alongside the main stream", a.lane_started_s, a.lane_duration_s,
                          settled(*a.question, now), ""});
        record(main_q_,
               out_.concurrent ? "with the probe and the lanes alongside"
                               : std::string(probe_started ? "alone (the probe waited)" : "alone"),
               main_started, settled(main_q_, ctx_.snapshot()));
        // Only a concurrent server handled another session during the main stream.
        asked_.insert(asked_.begin(), Asked{&main_q_, out_.concurrent, false, true, -1, 0});
        if (!out_.concurrent && want_second_) {
            // Right after the main stream: a server that served it and then
            // stopped (or died) fails here, with the evidence.
            if (auto a = ask_second_after_main(false)) asked_.push_back(*a);
        }
        store_concurrency(probe_started, probe, no_probe_reason);
        return alone;
    }

    std::vector<const Question*> ask_in_lanes(SessionWatch& main_watch)
    {
        std::vector<std::function<void()>> jobs;
        for (const Question& q : questions_)
            jobs.push_back([this, &q] {
                const double t = log_.now_s();
                guarded(q.name, [&] { q.ask(ctx_, ""); });
                std::lock_guard lock(asked_mutex_);
                asked_.push_back({&q, true, false, true, t, log_.now_s() - t});
            });
        Lanes lanes(std::move(jobs), settings_.max_lanes,
                    [this] { return !ctx_.deadline().passed() && !ctx_.keeper().dead(); });
        if (want_second_) {
            // S-ROB-03: once the main stream has been served.
            const SuiteInputs& in = ctx_.inputs();
            if (in.main_frames)
                main_watch.wait_for_datagrams(*in.main_frames, ctx_.deadline().until());
            else
                main_watch.wait_for_end(ctx_.deadline().until());
            const bool overlapped = !main_watch.ended() || lanes.busy();
            if (auto a = ask_second_after_main(overlapped)) {
                std::lock_guard lock(asked_mutex_);
                asked_.push_back(*a);
            }
        }
        std::vector<const Question*> left;
        for (std::size_t k : lanes.join()) left.push_back(&questions_[k]);
        if (!left.empty())
            log_.event(std::to_string(left.size()) + " question(s) left for later: " +
                       (ctx_.deadline().passed() ? "the run's time limit passed" : "the server died"));
        return left;
    }

    std::optional<Asked> ask_second_after_main(bool overlapped)
    {
        if (ctx_.deadline().passed()) return std::nullopt;
        const double t = log_.now_s();
        guarded(second_q_.name, [&] { ask_second_session(ctx_, "", true); });
        const Observations now = ctx_.snapshot();
        const bool ok = settled(second_q_, now);
        record(second_q_, overlapped ? "after the main stream's frames, alongside others" : "after the main stream", t,
               ok);
        // The process found dead after the main stream: asked again alone
        // (its own first session), so that a crash in the main stream does
        // not decide S-ROB-03 too.
        return Asked{&second_q_, overlapped, second_q_.killed_by_it(now), false, -1, 0};
    }

    std::optional<SessionRecord> ask_probe(SessionWatch* watch, Millis reply_deadline)
    {
        const SuiteInputs& in = ctx_.inputs();
        const std::string label = "concurrency probe";
        const std::uint64_t mark = ctx_.keeper().stderr_mark();
        std::optional<SessionRecord> r =
            ctx_.session(liveness_script(label, in.live_file, in.live_length, reply_deadline), watch);
        if (r) ctx_.note_process(label, mark);
        return r;
    }

    void store_concurrency(bool probe_started, const std::optional<SessionRecord>& probe, const std::string& why_not)
    {
        ctx_.store([&](Observations& o) {
            if (probe_started && probe && o.main_stream) {
                // The two streams asked for different movies: judged by sequence and SSRC, not by content.
                o.concurrency = ConcurrentSessions{*o.main_stream, *probe, std::nullopt};
            } else if (probe_started) {
                o.concurrency = Observed<ConcurrentSessions>::missing(
                    ctx_.deadline().passed_before("the concurrent sessions were observed"));
            } else if (!why_not.empty()) {
                o.concurrency = Observed<ConcurrentSessions>::missing(why_not);
            }
        });
    }

    // Phase 3: one question alone on a live server.
    std::optional<Asked> ask_alone(const Question& q, const std::string& suffix, const std::string& mode)
    {
        if (!out_.stopped.empty()) return std::nullopt;
        if (ctx_.deadline().passed()) {
            out_.stopped = ctx_.deadline().passed_before("every question was asked");
            log_.event(out_.stopped);
            return std::nullopt;
        }
        if (!ensure_alive(q.name + suffix)) return std::nullopt;
        const std::size_t deaths_before = ctx_.keeper().deaths().size();
        const double t = log_.now_s();
        guarded(q.name, [&] { q.ask(ctx_, suffix); });
        const bool ok = settled(q, ctx_.snapshot());
        bool died = ctx_.keeper().deaths().size() > deaths_before;
        // (Not after a second asking: that answer is final anyway.)
        if (!ok && !died && ctx_.keeper().launched() && suffix.empty()) {
            ServerKeeper::Check c = ctx_.keeper().check("after " + q.name + suffix, 0, kDeathWatchAfterFailure);
            if (c.newly_dead) {
                ctx_.store([&](Observations& o) { o.process_events.push_back(*c.evidence); });
                died = true;
            }
        }
        record(q, mode, t, ok, died ? "the server died during it or right after it" : "");
        return Asked{&q, false, died, true, -1, 0};
    }

    // Phase 4.
    void ask_again()
    {
        const std::vector<Asked> first_round = asked_;
        for (const Asked& a : first_round) {
            const Question& q = *a.question;
            const Observations now = ctx_.snapshot();
            if (settled(q, now)) continue;
            if (!a.overlapped && !a.died_around) continue;
            // Asked alone, and its own hostile part killed the server: final.
            if (!a.overlapped && a.may_blame && q.killed_by_it && q.killed_by_it(now)) continue;
            log_.event("asking \"" + q.name + "\" again, alone: its answer did not pass and it was observed " +
                       (a.overlapped ? "alongside other sessions" : "while the server died"));
            ask_alone(q, kAgain, "again, alone");
        }
    }

    void stream_long_movie()
    {
        const MovieUnderTest& full = *ctx_.inputs().full;
        if (!out_.stopped.empty() || ctx_.deadline().passed() || !ensure_alive("the long movie")) return;
        const double t = log_.now_s();
        const std::string label = "long movie";
        guarded(label, [&] {
            const std::uint64_t mark = ctx_.keeper().stderr_mark();
            out_.full_stream = ctx_.session(main_stream_script(label, full.name, full.frames.size(),
                                                               stream_deadline(full.frames.size(), Millis(0))));
            if (out_.full_stream) ctx_.note_process(label, mark);
        });
        log_.add({label + " (--full, " + std::to_string(full.frames.size()) + " frames)", "alone", t,
                  log_.now_s() - t, out_.full_stream.has_value(), ""});
    }

    // ------------------------------------------------------------ support

    // q.settled(obs), its CPU time counted apart from the sessions' (it
    // judges, which decodes JPEGs: not the cost of receiving datagrams).
    bool settled(const Question& q, const Observations& obs)
    {
        timespec a{}, b{};
        ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
        const bool ok = q.settled(obs);
        ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
        out_.verdicts_cpu_s += static_cast<double>(b.tv_sec - a.tv_sec) + static_cast<double>(b.tv_nsec - a.tv_nsec) / 1e9;
        return ok;
    }

    bool ensure_alive(const std::string& before)
    {
        ServerKeeper& keeper = ctx_.keeper();
        if (!keeper.launched() || !keeper.dead()) return true;
        ServerKeeper::Check c = keeper.check("before " + before, 0);
        if (c.newly_dead) ctx_.store([&](Observations& o) { o.process_events.push_back(*c.evidence); });
        std::string problem;
        if (keeper.restart(problem)) {
            log_.event("the server had died (" + (c.evidence ? c.evidence->exit_status : std::string("?")) +
                       "); started it again on " + keeper.endpoint().str() + " before \"" + before + "\"");
            return true;
        }
        out_.stopped = "the server died and could not be started again: " + problem;
        log_.event(out_.stopped);
        return false;
    }

    void guarded(const std::string& what, const std::function<void()>& f)
    {
        try {
            f();
        } catch (const std::exception& e) {
            std::lock_guard lock(asked_mutex_);
            out_.harness_problems.push_back("the runner failed while asking " + what + ": " + e.what());
        } catch (...) {
            std::lock_guard lock(asked_mutex_);
            out_.harness_problems.push_back("the runner failed while asking " + what);
        }
    }

    void record(const Question& q, const std::string& mode, double started, bool settled, std::string note = {})
    {
        log_.add({q.name, mode, started, log_.now_s() - started, settled, std::move(note)});
    }

    SuiteContext& ctx_;
    const PlanSettings& settings_;
    PlanLog& log_;
    PlanOutcome out_;
    Question main_q_;
    Question second_q_;
    std::vector<Question> questions_;
    bool want_second_ = false;
    std::mutex asked_mutex_;
    std::vector<Asked> asked_;
};

}  // namespace

bool main_stream_wanted(const report::Selection& selection)
{
    for (const report::CheckInfo& c : report::checks_for(report::Role::Server))
        if (selection.selected(c.id) &&
            (fed_by_main_stream(c.id) || c.id == "S-SETUP-04" || c.id == "S-ROB-03" || c.id == "S-ROB-04"))
            return true;
    return false;
}

PlanOutcome run_plan(SuiteContext& ctx, const PlanSettings& settings, PlanLog& log)
{
    return Plan(ctx, settings, log).run();
}

}  // namespace tpc3::conform::server
