#include "client_role/suite/client_run.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

#include "client_role/suite/client_command.h"
#include "client_role/suite/client_sandbox.h"
#include "client_role/suite/written_files.h"
#include "harness/ports.h"
#include "harness/process.h"
#include "harness/temp_dir.h"
#include "observe/file_watcher.h"
#include "observe/screen_observer.h"
#include "serve/runner_server.h"
#include "serve/serve_observer.h"
#include "target/process_report.h"

namespace tpc3::conform::client {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

constexpr std::size_t kStderrTail = 4096;

double seconds(std::chrono::nanoseconds d)
{
    return std::chrono::duration<double>(d).count();
}

// utime + stime of another process from /proc/PID/stat (0 when unreadable).
double process_cpu_s(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    const std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = stat.rfind(')');
    if (close == std::string::npos || close + 2 >= stat.size()) return 0;
    std::istringstream fields(stat.substr(close + 2));
    std::string f;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && fields >> f; ++i) {
        if (i == 14) utime = std::stoull(f);
        if (i == 15) stime = std::stoull(f);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::string check_slug(const std::string& check)
{
    return check.empty() ? std::string("frame") : check;
}

bool write_bytes(const fs::path& file, const std::vector<std::uint8_t>& bytes)
{
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return static_cast<bool>(out);
}

std::string tail(const std::string& text, std::size_t n)
{
    return text.size() <= n ? text : "..." + text.substr(text.size() - n);
}

// Sleeps until `until`, or until the process has exited; true when it has.
bool wait_for_exit(const harness::Process& p, SteadyClock::time_point until)
{
    while (SteadyClock::now() < until) {
        if (p.exit_status()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return p.exit_status().has_value();
}

// Raises a flag when the stream starts (the request named where datagrams
// go), and passes every event on.
class StreamingFlag final : public ServeObserver {
public:
    StreamingFlag(std::atomic<bool>& flag, ServeObserver* next) : flag_(flag), next_(next) {}
    void connected(const SessionTag& t, const net::Endpoint& c, const net::Endpoint& r, WallTime at) override
    {
        if (next_ != nullptr) next_->connected(t, c, r, at);
    }
    void control(const SessionTag& t, Direction d, std::span<const std::uint8_t> b, WallTime at) override
    {
        if (next_ != nullptr) next_->control(t, d, b, at);
    }
    void stream_target(const SessionTag& t, const net::Endpoint& from, const net::Endpoint& to) override
    {
        flag_ = true;
        if (next_ != nullptr) next_->stream_target(t, from, to);
    }
    void datagram_sent(const SessionTag& t, const SentDatagram& d, const net::Endpoint& from,
                       const net::Endpoint& to) override
    {
        if (next_ != nullptr) next_->datagram_sent(t, d, from, to);
    }
    void closed(const SessionTag& t, Closer c, bool reset, WallTime at) override
    {
        if (next_ != nullptr) next_->closed(t, c, reset, at);
    }
    void extra_connection(const SessionTag& t, const ExtraConnection& e) override
    {
        if (next_ != nullptr) next_->extra_connection(t, e);
    }
    void session_ended(const SessionTag& t, const ServedSession& s) override
    {
        if (next_ != nullptr) next_->session_ended(t, s);
    }

private:
    std::atomic<bool>& flag_;
    ServeObserver* next_;
};

}  // namespace

ClientRunOutcome run_client(const ClientRunSettings& settings, ClientRunSpec spec)
{
    const auto run_started = SteadyClock::now();
    ClientRunOutcome out;
    ClientRun& run = out.run;
    run.label = spec.label;
    run.host = "127.0.0.1";
    run.file = spec.file;
    run.plan = std::move(spec.plan);
    const bool refusal = run.plan.refuses();
    const auto missing = [&](const std::string& why) {
        out.harness_problem = why;
        if (!run.served) run.served = Observed<ServedSession>::missing(why);
        if (!run.files) run.files = Observed<std::vector<WrittenFile>>::missing(why);
        if (!run.screen) run.screen = Observed<ScreenRecord>::missing(why);
        if (!run.process) run.process = Observed<ClientProcess>::missing(why);
    };
    std::optional<fs::path> artifacts = settings.artifacts;
    if (artifacts) {
        std::error_code ec;
        fs::create_directories(*artifacts, ec);
        if (ec) artifacts.reset();
    }
    const auto artifact = [&](const std::string& name) { return *artifacts / (spec.slug + "-" + name); };

    std::optional<harness::TempDir> dir;
    try {
        dir.emplace("tpc3-client-");
        const ClientSandbox sandbox = prepare_client_sandbox(dir->path(), settings.workdir);
        const fs::path& work = sandbox.work;

        harness::XvfbOptions xo;
        xo.width = settings.screen_width;
        xo.height = settings.screen_height;
        std::optional<harness::XvfbDisplay> xvfb;
        try {
            xvfb.emplace(xo);
        } catch (const std::exception& e) {
            missing(std::string("the runner could not start Xvfb: ") + e.what());
            return out;
        }
        const pid_t xvfb_pid = xvfb->pid();
        const double xvfb_cpu_before = process_cpu_s(xvfb_pid);

        std::atomic<bool> client_gone{false};
        run.udp_port = harness::pick_free_udp_port();
        ServeOptions so;
        so.label = spec.label;
        // A wrong request fails C-SETUP-01; the session goes on with the port
        // the client was given, so the other checks still see it play.
        so.fallback_udp_port = run.udp_port;
        so.accept_timeout = settings.connect_timeout;
        so.go_timeout = settings.go_timeout;
        // A client that has exited cannot connect or answer: stop waiting for
        // it. Once streaming, send the whole plan anyway, so that the frames a
        // dead client did not show count against C-PLAY-01 and the injections
        // after its death are judged (error), like for a client that hangs.
        std::atomic<bool> streaming{false};
        so.give_up = [&client_gone, &streaming] { return client_gone.load() && !streaming.load(); };
        so.poll_slice = 50ms;
        RunnerServer server(so);
        run.tcp_port = server.port();
        if (settings.on_ports) settings.on_ports(run.tcp_port, run.udp_port);
        const std::string line =
            expand_command(settings.command, {run.host, run.tcp_port, run.udp_port, run.file});

        // Observers first, so the client's first write and first frame are seen.
        observe::FileWatcherOptions fo;
        fo.roots = {work};
        auto files = std::make_unique<observe::FileWatcher>(fo);
        observe::ScreenObserverOptions sco;
        sco.display = xvfb->name();
        sco.grabs_per_second = settings.grabs_per_second;
        auto screen = std::make_unique<observe::ScreenObserver>(sco);

        const harness::ProcessOptions po =
            client_process_options(line, sandbox, xvfb->name(), settings.env, "client-" + spec.slug);

        std::optional<harness::Process> client;
        ClientProcess proc;
        proc.command = line;
        try {
            client.emplace(po);
        } catch (const std::exception& e) {
            screen->stop();
            files->stop();
            missing("the runner could not start the client (" + line + "): " + e.what());
            return out;
        }
        proc.started = client->started_wall();

        std::optional<ConnectionObserverAdapter> adapter;
        if (settings.observer != nullptr) adapter.emplace(*settings.observer);
        StreamingFlag flag(streaming, adapter ? &*adapter : nullptr);
        std::atomic<bool> served_done{false};
        ServedSession served;
        std::thread serve_thread([&] {
            served = server.serve(run.plan, &flag);
            served_done = true;
        });
        while (!served_done) {
            if (!client_gone && client->exit_status()) client_gone = true;
            std::this_thread::sleep_for(10ms);
        }
        serve_thread.join();

        if (refusal) {
            // The client must leave on its own soon after -1; give it that long.
            const auto since_reply =
                served.reply_at ? std::chrono::system_clock::now() - *served.reply_at : std::chrono::nanoseconds(0);
            const auto limit = std::chrono::duration_cast<SteadyClock::duration>(
                std::chrono::duration<double>(settings.refusal_exit_s + 0.3));
            if (served.reply_at && since_reply < limit) wait_for_exit(*client, SteadyClock::now() + (limit - since_reply));
        } else if (!served.sent.empty()) {
            wait_for_exit(*client, SteadyClock::now() + settings.settle);
        }

        // Observation ends; evidence while the observer still holds its images.
        screen->stop();
        files->stop();
        ScreenRecord record;
        record.grabs = screen->grabs();
        record.stats = screen->stats();
        out.observer_cpu_s = seconds(record.stats.grab_thread_cpu) + seconds(record.stats.decode_thread_cpu);
        if (artifacts && !refusal) {
            for (const observe::PoisonSighting& s : screen->poison_sightings()) {
                const auto index = run.plan.find_marker(s.value);
                const std::string check = index ? run.plan.at(*index).check_id : std::string("unknown");
                const fs::path png = artifact("poison-" + check_slug(check) + "-" + std::to_string(s.value.code()) +
                                              "-" + std::to_string(s.value.serial()) + ".png");
                if (screen->write_poison_png(s.value, png)) {
                    record.poison_screenshots[s.value.number] = png.string();
                    out.artifacts[spec.slug + ".poison_screenshot." + check + "." + std::to_string(s.value.serial())] =
                        png.string();
                }
            }
            SteadyTime t0 = screen->started();
            for (const SentDatagram& d : served.sent)
                if (d.sent) {
                    t0 = d.sent_steady;
                    break;
                }
            observe::ContactSheetOptions cso;
            cso.title = spec.label + ": " + line;
            const fs::path sheet = artifact("contact-sheet.png");
            if (screen->write_contact_sheet(sheet, t0, nullptr, cso)) {
                record.contact_sheet = sheet.string();
                out.artifacts[spec.slug + ".contact_sheet"] = sheet.string();
            }
        }
        const auto records = files->files();
        screen.reset();
        files.reset();

        // The client: how it ended on its own, else stopped by the runner.
        if (const auto st = client->exit_status()) {
            proc.ended_on_own = true;
            proc.exit_status = st->describe();
            proc.killed_by_signal_on_own = st->is_signaled();
            proc.ended_at = proc.started + std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                               client->lifetime());
        }
        proc.lifetime_s = seconds(client->lifetime());
        const harness::ExitStatus final_status = client->stop(settings.grace);
        if (!proc.ended_on_own) {
            proc.stopped_by_runner = true;
            proc.exit_status = final_status.describe();
            proc.needed_sigkill = final_status.is_signaled() && final_status.signal() == SIGKILL;
            proc.lifetime_s = seconds(client->lifetime());
        }
        const std::string err = client->read_output(harness::Stream::err, 0, 4 << 20);
        const auto findings = server::examine_stderr(err);
        proc.stderr_tail = tail(err, kStderrTail);
        if (findings.has_traceback) {
            proc.traceback = findings.traceback;
            proc.error_line = findings.error_line;
        }
        if (artifacts) {
            for (const auto s : {harness::Stream::out, harness::Stream::err}) {
                const auto from = client->output_path(s);
                if (!from || client->output_size(s) == 0) continue;
                const fs::path to = artifact(s == harness::Stream::out ? "client.stdout.log" : "client.stderr.log");
                std::error_code ec;
                fs::copy_file(*from, to, fs::copy_options::overwrite_existing, ec);
                if (!ec) {
                    (s == harness::Stream::out ? proc.stdout_path : proc.stderr_path) = to.string();
                    out.artifacts[spec.slug + (s == harness::Stream::out ? ".stdout" : ".stderr")] = to.string();
                }
            }
        }
        out.left_nothing = client->family().empty();
        client.reset();

        out.xvfb_cpu_s = process_cpu_s(xvfb_pid) - xvfb_cpu_before;
        xvfb->stop();
        xvfb.reset();
        out.left_nothing = out.left_nothing && ::kill(xvfb_pid, 0) != 0;

        // Files: classified; poisons and cut frames kept as evidence.
        std::vector<WrittenFile> written = classify_written(records, run.plan, work);
        if (artifacts) {
            std::map<std::size_t, int> kept;  // per datagram: copies kept
            for (WrittenFile& f : written) {
                if (!f.datagram) continue;
                const PlannedDatagram& d = run.plan.at(*f.datagram);
                const bool evidence = !d.is_valid_frame() || !f.exact();
                if (!evidence || kept[*f.datagram]++ >= 2) continue;
                const auto it = std::find_if(records.begin(), records.end(),
                                             [&](const observe::ObservedFile& r) { return r.index == f.record; });
                if (it == records.end()) continue;
                const fs::path copy = artifact("written-" + check_slug(d.check_id) + "-d" + std::to_string(d.index) +
                                               "-r" + std::to_string(f.record) + ".jpg");
                if (write_bytes(copy, it->bytes)) {
                    f.artifact = copy.string();
                    out.artifacts[spec.slug + ".written." + d.check_id + ".d" + std::to_string(d.index) + "." +
                                  std::to_string(f.record)] = copy.string();
                }
            }
        }
        run.files = std::move(written);
        run.screen = std::move(record);
        run.served = std::move(served);
        run.process = std::move(proc);

        if (settings.keep_workdir) {
            dir->keep();
            out.kept_workdir = dir->path();
        }
        dir.reset();
    } catch (const std::exception& e) {
        missing(std::string("the client run failed in the runner: ") + e.what());
    }
    out.wall_s = std::chrono::duration<double>(SteadyClock::now() - run_started).count();
    return out;
}

}  // namespace tpc3::conform::client
