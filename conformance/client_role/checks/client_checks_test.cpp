// judge_client on hand-made observations: a perfect client passes every
// check; each single fault fails exactly the checks it should; missing
// observations give `error`, never `pass`.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "client_role/checks/judge.h"
#include "marker/marker.h"
#include "report/catalogue.h"

namespace tpc3::conform::client {
namespace {

using namespace std::chrono_literals;
using report::Status;
using marker::MarkerValue;

constexpr std::uint32_t kSessionId = 483920;
constexpr std::uint16_t kUdpPort = 25000;

control::Parsed<control::Request> parsed_request(std::string file, std::uint16_t port)
{
    control::Parsed<control::Request> p;
    p.status = control::ParseStatus::Complete;
    p.value = control::Request{std::move(file), port};
    return p;
}

std::vector<std::uint8_t> bytes(const std::string& s)
{
    return {s.begin(), s.end()};
}

// Observations of a client that does everything right: it shows each valid
// frame 30 ms after it was sent (two grabs each) and writes it 10 ms after.
struct Scenario {
    ClientObservations obs;
    SteadyTime t0 = SteadyTime{} + 1000s;
    WallTime w0 = WallTime{} + std::chrono::hours(24 * 365 * 50);

    Scenario()
    {
        PlanOptions po;
        po.session_id = kSessionId;
        ClientRun run;
        run.label = "main run";
        run.host = "127.0.0.1";
        run.tcp_port = 5000;
        run.udp_port = kUdpPort;
        run.file = "movie.mpeg";
        run.plan = InjectionPlan::build(po);

        ServedSession s;
        s.label = run.label;
        s.session_id = kSessionId;
        s.connected_at = w0;
        s.request_bytes = bytes("movie.mpeg 25000");
        s.request = parsed_request("movie.mpeg", kUdpPort);
        s.request_end = RequestEnd::Complete;
        s.dialect = "tpc3";
        s.reply_bytes = bytes(std::to_string(kSessionId));
        s.reply_at = w0 + 10ms;
        s.go_bytes = bytes("Go");
        s.go_at = w0 + 20ms;
        s.end = ServeEnd::StreamSent;
        ScreenRecord screen;
        std::vector<WrittenFile> files;
        for (std::size_t i = 0; i < run.plan.size(); ++i) {
            const PlannedDatagram& d = run.plan.at(i);
            SentDatagram sd;
            sd.plan_index = i;
            sd.bytes = d.bytes_at(1'700'000'000);
            sd.scheduled = sd.sent_steady = t0 + 50ms * static_cast<int>(i);
            sd.sent_wall = w0 + 100ms + 50ms * static_cast<int>(i);
            s.sent.push_back(sd);
            if (!d.is_valid_frame()) continue;
            for (int k = 0; k < 2; ++k) {
                observe::GrabRecord g;
                g.index = screen.grabs.size();
                g.started = sd.sent_steady + 20ms + 20ms * k;
                g.finished = g.started + 10ms;
                g.status = observe::GrabRecord::Status::decoded;
                g.readings.push_back({*d.marker, cv::Rect2f(10, 10, 300, 200)});
                screen.grabs.push_back(g);
            }
            WrittenFile f;
            f.record = files.size();
            f.when = sd.sent_steady + 10ms;
            f.name = "cache-483920.jpg";
            f.path = "/tmp/x/" + f.name;
            f.how = "moved_in";
            f.size = d.payload.size();
            f.match.kind = observe::FileMatch::Kind::frame;
            f.match.seq = d.marker->number;
            f.datagram = i;
            files.push_back(f);
        }
        run.served = std::move(s);
        run.screen = std::move(screen);
        run.files = std::move(files);
        ClientProcess p;
        p.command = "python3 Client.py 127.0.0.1 5000 25000 movie.mpeg";
        p.started = w0 - 500ms;
        p.lifetime_s = 7.0;
        p.stopped_by_runner = true;
        p.exit_status = "exited with status 0";
        run.process = p;
        obs.main = std::move(run);

        ClientRun refusal;
        refusal.label = "refusal run";
        refusal.host = "127.0.0.1";
        refusal.tcp_port = 5001;
        refusal.udp_port = 25001;
        refusal.file = "no-such-movie.mpeg";
        refusal.plan = InjectionPlan::refusal();
        ServedSession r;
        r.label = refusal.label;
        r.connected_at = w0;
        r.request_bytes = bytes("no-such-movie.mpeg 25001");
        r.request = parsed_request("no-such-movie.mpeg", 25001);
        r.request_end = RequestEnd::Complete;
        r.dialect = "tpc3";
        r.reply_bytes = bytes("-1");
        r.reply_at = w0 + 10ms;
        r.end = ServeEnd::Refused;
        r.client_closed_at = w0 + 200ms;
        refusal.served = std::move(r);
        refusal.screen = ScreenRecord{};
        refusal.files = std::vector<WrittenFile>{};
        ClientProcess rp;
        rp.command = "python3 Client.py 127.0.0.1 5001 25001 no-such-movie.mpeg";
        rp.started = w0 - 500ms;
        rp.lifetime_s = 0.7;
        rp.ended_on_own = true;
        rp.ended_at = w0 + 200ms;
        rp.exit_status = "exited with status 1";
        refusal.process = rp;
        obs.refusal = std::move(refusal);
    }

    ClientRun& main() { return *obs.main; }
    const InjectionPlan& plan() { return obs.main->plan; }
    ScreenRecord& screen() { return *obs.main->screen; }
    std::vector<WrittenFile>& files() { return *obs.main->files; }

    std::size_t first(const std::string& check)
    {
        const auto v = plan().for_check(check);
        EXPECT_FALSE(v.empty()) << check;
        return v.front();
    }

    SteadyTime sent_at(std::size_t i) { return t0 + 50ms * static_cast<int>(i); }

    void show(std::size_t i)
    {
        observe::GrabRecord g;
        g.index = screen().grabs.size();
        g.started = sent_at(i) + 25ms;
        g.finished = g.started + 10ms;
        g.readings.push_back({*plan().at(i).marker, cv::Rect2f(10, 10, 300, 200)});
        screen().grabs.push_back(g);
        std::sort(screen().grabs.begin(), screen().grabs.end(),
                  [](const auto& a, const auto& b) { return a.started < b.started; });
        for (std::size_t k = 0; k < screen().grabs.size(); ++k) screen().grabs[k].index = k;
    }

    void write(std::size_t i)
    {
        WrittenFile f;
        f.record = files().size();
        f.when = sent_at(i) + 10ms;
        f.name = "cache-483920.jpg";
        f.size = plan().at(i).payload.size();
        f.match.kind = observe::FileMatch::Kind::poison;
        f.match.poison_id = std::to_string(i);
        f.datagram = i;
        files().push_back(f);
    }

    // The client shows and writes nothing from datagram `from` on.
    void stop_at(std::size_t from)
    {
        auto& g = screen().grabs;
        g.erase(std::remove_if(g.begin(), g.end(),
                               [&](const observe::GrabRecord& r) {
                                   const auto idx = plan().find_marker(r.readings.front().value);
                                   return idx && *idx >= from;
                               }),
                g.end());
        auto& f = files();
        f.erase(std::remove_if(f.begin(), f.end(), [&](const WrittenFile& w) { return *w.datagram >= from; }),
                f.end());
    }

    std::map<std::string, report::CheckResult> judge() const
    {
        std::map<std::string, report::CheckResult> out;
        for (auto& r : judge_client(obs)) out.emplace(r.info().id, r);
        return out;
    }
};

// Every C-* ID with a status other than pass, as "ID=status".
std::set<std::string> not_passing(const std::map<std::string, report::CheckResult>& results)
{
    std::set<std::string> out;
    for (const auto& [id, r] : results)
        if (r.status() != Status::Pass) out.insert(id + "=" + std::string(report::to_string(r.status())));
    return out;
}

std::string messages(const std::map<std::string, report::CheckResult>& results)
{
    std::string out;
    for (const auto& [id, r] : results) out += id + " " + std::string(report::to_string(r.status())) + ": " + r.message() + "\n";
    return out;
}

TEST(JudgeClient, PerfectClientPassesEveryCheck)
{
    Scenario s;
    const auto results = s.judge();
    EXPECT_EQ(results.size(), report::checks_for(report::Role::Client).size());
    EXPECT_EQ(not_passing(results), std::set<std::string>{}) << messages(results);
    const auto& play = results.at("C-PLAY-01");
    EXPECT_EQ(play.evidence().at("frames_shown"), play.evidence().at("valid_frames_sent"));
    EXPECT_NE(play.message().find("display latency median 30 ms"), std::string::npos) << play.message();
}

TEST(JudgeClient, NothingObservedIsErrorEverywhere)
{
    ClientObservations obs;
    obs.harness_problem = "Xvfb did not start";
    for (const auto& r : judge_client(obs)) {
        EXPECT_EQ(r.status(), Status::Error) << r.info().id;
        EXPECT_NE(r.message().find("Xvfb did not start"), std::string::npos) << r.info().id << ": " << r.message();
    }
}

// One poison shown or written fails exactly its check.
TEST(JudgeClient, EachAcceptedPoisonFailsExactlyItsCheck)
{
    for (int n = 1; n <= 10; ++n) {
        const std::string id = std::string(n < 10 ? "C-REJ-0" : "C-REJ-") + std::to_string(n);
        for (bool on_screen : {true, false}) {
            Scenario s;
            const std::size_t i = s.first(id);
            if (on_screen) s.show(i);
            else s.write(i);
            const auto results = s.judge();
            EXPECT_EQ(not_passing(results), std::set<std::string>{id + "=fail"})
                << id << (on_screen ? " shown" : " written") << "\n" << messages(results);
            const auto& e = results.at(id).evidence().at("poisons").at(0);
            EXPECT_EQ(e.at("header_hex").get<std::string>().size(), 12u * 3 - 1);
            EXPECT_TRUE(e.contains(on_screen ? "shown" : "written")) << e.dump();
        }
    }
}

TEST(JudgeClient, PoisonScreenshotIsNamedInTheFailure)
{
    Scenario s;
    const std::size_t i = s.first("C-REJ-06");
    s.show(i);
    s.screen().poison_screenshots[s.plan().at(i).marker->number] = "artifacts/main-poison-C-REJ-06.png";
    const auto r = s.judge().at("C-REJ-06");
    EXPECT_EQ(r.status(), Status::Fail);
    EXPECT_NE(r.message().find("artifacts/main-poison-C-REJ-06.png"), std::string::npos) << r.message();
    EXPECT_NE(r.message().find("PT=96"), std::string::npos) << r.message();
}

TEST(JudgeClient, StoppingAtTheShortDatagramFailsRob01AndPlay01)
{
    Scenario s;
    s.stop_at(s.first("C-ROB-01"));
    const auto results = s.judge();
    // The default plan sends the random bytes before the short datagrams (injection_plan.h, I6).
    EXPECT_EQ(not_passing(results),
              (std::set<std::string>{"C-PLAY-01=fail", "C-ROB-01=fail", "C-ROB-03=error", "C-BIG-01=error"}))
        << messages(results);
}

TEST(JudgeClient, StoppingAtTheRandomBytesFailsRob02)
{
    Scenario s;
    s.stop_at(s.first("C-ROB-02"));
    s.main().process->ended_on_own = true;
    s.main().process->exit_status = "exited with status 1";
    s.main().process->traceback = "Traceback (most recent call last):\n...\nOSError: cannot identify image file";
    s.main().process->error_line = "OSError: cannot identify image file";
    const auto results = s.judge();
    EXPECT_EQ(not_passing(results), (std::set<std::string>{"C-PLAY-01=fail", "C-ROB-02=fail", "C-ROB-01=error",
                                                           "C-ROB-03=error", "C-BIG-01=error"}))
        << messages(results);
    EXPECT_NE(results.at("C-ROB-02").message().find("OSError"), std::string::npos);
}

TEST(JudgeClient, StoppingAfterTheFirstDroppedPoisonFailsRob04)
{
    Scenario s;
    const std::size_t first_poison = s.plan().for_check(s.plan().fault_checks().front()).front();
    s.stop_at(first_poison);
    const auto results = s.judge();
    const auto np = not_passing(results);
    EXPECT_TRUE(np.contains("C-ROB-04=fail")) << messages(results);
    EXPECT_TRUE(np.contains("C-PLAY-01=fail"));
    for (const auto& x : np) EXPECT_TRUE(x.ends_with("=error") || x == "C-ROB-04=fail" || x == "C-PLAY-01=fail") << x;
    for (const auto& [id, r] : results) {  // nothing to pass on after the client stopped
        if (!id.starts_with("C-SETUP")) {
            EXPECT_NE(r.status(), Status::Pass) << id;
        }
    }
}

TEST(JudgeClient, FramesShownOutOfOrderFailPlay01Only)
{
    Scenario s;
    // Show frame 5 again after frame 8: out of order.
    const std::size_t five = *s.plan().find_marker(MarkerValue::frame(5));
    observe::GrabRecord g;
    g.started = s.sent_at(*s.plan().find_marker(MarkerValue::frame(8))) + 45ms;
    g.finished = g.started + 5ms;
    g.readings.push_back({*s.plan().at(five).marker, cv::Rect2f(0, 0, 10, 10)});
    s.screen().grabs.push_back(g);
    std::sort(s.screen().grabs.begin(), s.screen().grabs.end(),
              [](const auto& a, const auto& b) { return a.started < b.started; });
    for (std::size_t k = 0; k < s.screen().grabs.size(); ++k) s.screen().grabs[k].index = k;
    const auto results = s.judge();
    EXPECT_EQ(not_passing(results), std::set<std::string>{"C-PLAY-01=fail"}) << messages(results);
    EXPECT_NE(results.at("C-PLAY-01").message().find("out of order"), std::string::npos);
}

TEST(JudgeClient, TooFewFramesWrittenFailPlay01Only)
{
    Scenario s;
    auto& f = s.files();
    f.erase(f.begin() + static_cast<long>(f.size() / 2), f.end());
    const auto results = s.judge();
    EXPECT_EQ(not_passing(results), std::set<std::string>{"C-PLAY-01=fail"}) << messages(results);
}

TEST(JudgeClient, BigFrameDroppedFailsBig01Only)
{
    Scenario s;
    const std::size_t big = s.first("C-BIG-01");
    auto& g = s.screen().grabs;
    g.erase(std::remove_if(g.begin(), g.end(),
                           [&](const auto& r) { return s.plan().find_marker(r.readings.front().value) == big; }),
            g.end());
    auto& f = s.files();
    f.erase(std::remove_if(f.begin(), f.end(), [&](const WrittenFile& w) { return *w.datagram == big; }), f.end());
    const auto results = s.judge();
    EXPECT_EQ(not_passing(results), std::set<std::string>{"C-BIG-01=fail"}) << messages(results);
}

TEST(JudgeClient, BigFrameWrittenCutFailsBig01)
{
    Scenario s;
    const std::size_t big = s.first("C-BIG-01");
    for (auto& w : s.files())
        if (*w.datagram == big) {
            w.match.kind = observe::FileMatch::Kind::prefix_of_frame;
            w.match.prefix_bytes = 20468;
            w.match.full_bytes = 60000;
        }
    auto& g = s.screen().grabs;
    g.erase(std::remove_if(g.begin(), g.end(),
                           [&](const auto& r) { return s.plan().find_marker(r.readings.front().value) == big; }),
            g.end());
    const auto results = s.judge();
    EXPECT_EQ(not_passing(results), std::set<std::string>{"C-BIG-01=fail"}) << messages(results);
    EXPECT_NE(results.at("C-BIG-01").message().find("cut"), std::string::npos);
}

TEST(JudgeClient, WrongRequestFailsSetup01Only)
{
    Scenario s;
    s.main().served->request_bytes = bytes("25000 movie.mpeg");
    s.main().served->request = parsed_request("25000", 0);
    s.main().served->request->status = control::ParseStatus::Invalid;
    const auto results = s.judge();
    EXPECT_EQ(not_passing(results), std::set<std::string>{"C-SETUP-01=fail"}) << messages(results);
    EXPECT_NE(results.at("C-SETUP-01").message().find("25000 movie.mpeg"), std::string::npos);
}

TEST(JudgeClient, NoGoFailsSetup02AndPlay01TheRestIsError)
{
    Scenario s;
    auto& served = *s.main().served;
    served.go_at.reset();
    served.go_bytes.clear();
    served.sent.clear();
    served.end = ServeEnd::NoGo;
    served.error = "no Go within 5000 ms";
    s.screen().grabs.clear();
    s.files().clear();
    const auto results = s.judge();
    for (const auto& [id, r] : results) {
        if (id == "C-SETUP-01" || id == "C-SETUP-03") EXPECT_EQ(r.status(), Status::Pass) << id;
        else if (id == "C-SETUP-02" || id == "C-PLAY-01") EXPECT_EQ(r.status(), Status::Fail) << id << r.message();
        else EXPECT_EQ(r.status(), Status::Error) << id << ": " << r.message();
    }
}

TEST(JudgeClient, ShowingNothingFailsPlay01AndRejectionsAreError)
{
    Scenario s;
    s.screen().grabs.clear();
    const auto results = s.judge();
    EXPECT_EQ(results.at("C-PLAY-01").status(), Status::Fail);
    for (const auto& [id, r] : results) {
        if (id.starts_with("C-REJ") || id.starts_with("C-ROB")) {
            EXPECT_EQ(r.status(), Status::Error) << id << ": " << r.message();
        }
    }
    // The big frame written byte for byte is shown whole on the file channel.
    EXPECT_EQ(results.at("C-BIG-01").status(), Status::Pass);
}

TEST(JudgeClient, ScreenNotObservedIsErrorNotPass)
{
    Scenario s;
    s.main().screen = Observed<ScreenRecord>::missing("the X connection failed");
    const auto results = s.judge();
    EXPECT_EQ(results.at("C-PLAY-01").status(), Status::Error);
    EXPECT_NE(results.at("C-PLAY-01").message().find("X connection failed"), std::string::npos);
    for (int n = 1; n <= 10; ++n) {
        const std::string id = std::string(n < 10 ? "C-REJ-0" : "C-REJ-") + std::to_string(n);
        EXPECT_EQ(results.at(id).status(), Status::Error) << id;
    }
    EXPECT_EQ(results.at("C-SETUP-01").status(), Status::Pass);
}

TEST(JudgeClient, GoAfterRefusalFailsSetup03)
{
    Scenario s;
    auto& r = *s.obs.refusal->served;
    r.go_bytes = bytes("Go");
    r.go_at = s.w0 + 30ms;
    const auto results = s.judge();
    EXPECT_EQ(not_passing(results), std::set<std::string>{"C-SETUP-03=fail"}) << messages(results);
}

TEST(JudgeClient, HangAfterRefusalFailsSetup03)
{
    Scenario s;
    auto& p = *s.obs.refusal->process;
    p.ended_on_own = false;
    p.ended_at.reset();
    p.stopped_by_runner = true;
    p.needed_sigkill = true;
    p.lifetime_s = 6.5;
    const auto results = s.judge();
    EXPECT_EQ(not_passing(results), std::set<std::string>{"C-SETUP-03=fail"}) << messages(results);
    EXPECT_NE(results.at("C-SETUP-03").message().find("SIGKILL"), std::string::npos);
}

TEST(JudgeClient, TracebackAfterRefusalFailsSetup03)
{
    Scenario s;
    auto& p = *s.obs.refusal->process;
    p.traceback = "Traceback (most recent call last):\n  File \"Client.py\"\nValueError: -1";
    p.error_line = "ValueError: -1";
    const auto results = s.judge();
    EXPECT_EQ(not_passing(results), std::set<std::string>{"C-SETUP-03=fail"}) << messages(results);
    EXPECT_NE(results.at("C-SETUP-03").message().find("ValueError"), std::string::npos);
}

TEST(JudgeClient, SlowExitAfterRefusalFailsSetup03)
{
    Scenario s;
    s.obs.refusal->process->ended_at = s.w0 + 10ms + 5s;
    const auto results = s.judge();
    EXPECT_EQ(not_passing(results), std::set<std::string>{"C-SETUP-03=fail"}) << messages(results);
}

TEST(JudgeClient, RefusalRunMissingIsSetup03Error)
{
    Scenario s;
    s.obs.refusal = Observed<ClientRun>::missing("the second Xvfb did not start");
    const auto results = s.judge();
    EXPECT_EQ(not_passing(results), std::set<std::string>{"C-SETUP-03=error"}) << messages(results);
}

TEST(JudgeClient, NeverConnectedIsError)
{
    Scenario s;
    auto& served = *s.main().served;
    served = ServedSession{};
    served.end = ServeEnd::NoConnection;
    served.error = "no connection within 10000 ms";
    s.screen().grabs.clear();
    s.files().clear();
    s.main().process->ended_on_own = true;
    s.main().process->exit_status = "exited with status 1";
    s.main().process->traceback = "Traceback...\nModuleNotFoundError: No module named 'PIL'";
    s.main().process->error_line = "ModuleNotFoundError: No module named 'PIL'";
    const auto results = s.judge();
    for (const auto& [id, r] : results) {
        if (id == "C-SETUP-03") continue;
        EXPECT_EQ(r.status(), Status::Error) << id << ": " << r.message();
    }
    EXPECT_NE(results.at("C-SETUP-01").message().find("No module named 'PIL'"), std::string::npos)
        << results.at("C-SETUP-01").message();
}

}  // namespace
}  // namespace tpc3::conform::client
