// ServerTarget: stderr findings and hints (pure), RemoteServer's loopback
// policy, LaunchedServer with the Python example server and with commands that
// fail in the ways student servers do.
#include <chrono>
#include <fstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harness/proc_table.h"
#include "harness/temp_dir.h"
#include "movie/movie_writer.h"
#include "session/client_session.h"
#include "target/launched_server.h"
#include "target/process_evidence.h"
#include "target/remote_server.h"

namespace tpc3::conform::server {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

constexpr const char* kPilHint = "the server's python3 has no PIL: run it with /usr/bin/python3 (Debian's python3-pil)";

// ---------------------------------------------------------------- stderr findings

TEST(ExamineStderr, FindsTheLastTracebackAndItsExceptionLineDespiteLaterLogLines)
{
    const std::string text =
        "2026-01-01 server: listening\n"
        "Traceback (most recent call last):\n"
        "  File \"a.py\", line 1, in <module>\n"
        "ValueError: first\n"
        "2026-01-01 server: still here\n"
        "Traceback (most recent call last):\n"
        "  File \"ServerWorker.py\", line 42, in run\n"
        "    self.reply(session)\n"
        "RuntimeError: boom\n"
        "2026-01-01 server: connection lost\n";
    const StderrFindings f = examine_stderr(text);
    EXPECT_TRUE(f.has_traceback);
    EXPECT_EQ(f.error_line, "RuntimeError: boom");
    EXPECT_THAT(f.traceback, StartsWith("Traceback (most recent call last):\n  File \"ServerWorker.py\""));
    EXPECT_THAT(f.traceback, Not(HasSubstr("connection lost")));
    EXPECT_EQ(f.hint, "");
}

TEST(ExamineStderr, KeepsTheEndOfALongTraceback)
{
    std::string text = "Traceback (most recent call last):\n";
    for (int i = 0; i < 500; ++i) text += "  File \"deep.py\", line " + std::to_string(i) + ", in f\n";
    text += "RecursionError: maximum recursion depth exceeded\n";
    const StderrFindings f = examine_stderr(text, 512);
    EXPECT_EQ(f.traceback.size(), 512u);
    EXPECT_THAT(f.traceback, HasSubstr("RecursionError"));
    EXPECT_EQ(f.error_line, "RecursionError: maximum recursion depth exceeded");
}

TEST(ExamineStderr, NoTracebackNoFindings)
{
    const StderrFindings f = examine_stderr("server: listening on 5000\nserver: bye\n");
    EXPECT_FALSE(f.has_traceback);
    EXPECT_EQ(f.traceback, "");
    EXPECT_EQ(f.error_line, "");
}

TEST(HintFor, RecognisesCommonSetupMistakes)
{
    EXPECT_EQ(hint_for("ModuleNotFoundError: No module named 'PIL'\n", std::nullopt), kPilHint);
    EXPECT_EQ(hint_for("ModuleNotFoundError: No module named 'PIL.ImageTk'\n", std::nullopt), kPilHint);
    EXPECT_THAT(hint_for("ImportError: cannot import name 'ImageTk' from 'PIL' (/x/PIL/__init__.py)", std::nullopt),
                HasSubstr("python3-pil.imagetk"));
    EXPECT_THAT(hint_for("ModuleNotFoundError: No module named 'RtpPacket'", std::nullopt),
                HasSubstr("'RtpPacket'"));
    EXPECT_THAT(hint_for("python3: can't open file '/tmp/x/served/Server.py': [Errno 2] No such file or directory",
                         std::nullopt),
                HasSubstr("/tmp/x/served/Server.py"));
    EXPECT_THAT(hint_for("OSError: [Errno 98] Address already in use", std::nullopt), HasSubstr("{port}"));
    EXPECT_THAT(hint_for("sh: 1: pyhton3: not found\n", harness::ExitStatus::exited(127)), HasSubstr("127"));
    EXPECT_EQ(hint_for("all fine\n", harness::ExitStatus::exited(0)), "");
}

TEST(ServerProcessReportSummary, SaysHowItEndedWhyAndTheHint)
{
    ServerProcessReport r;
    r.running = false;
    r.exit = harness::ExitStatus::exited(1);
    r.exit_status = r.exit->describe();
    r.error_line = "ModuleNotFoundError: No module named 'PIL'";
    r.hint = kPilHint;
    EXPECT_EQ(r.summary(), "exited with status 1: ModuleNotFoundError: No module named 'PIL' (hint: " +
                               std::string(kPilHint) + ")");
    EXPECT_TRUE(r.died());
    r.stopped_by_runner = true;
    EXPECT_FALSE(r.died());

    ServerProcessReport alive;
    alive.error_line = "RuntimeError: boom";
    EXPECT_EQ(alive.summary(), "running; a traceback on stderr: RuntimeError: boom");
}

TEST(ProcessEvidenceConversion, CarriesTheTracebackAndTheHint)
{
    ServerProcessReport r;
    r.running = false;
    r.exit_status = "exited with status 1";
    r.has_traceback = true;
    r.traceback = "Traceback (most recent call last):\nModuleNotFoundError: No module named 'PIL'";
    r.hint = kPilHint;
    const ProcessEvidence e = to_process_evidence(r, "start");
    EXPECT_EQ(e.during, "start");
    EXPECT_TRUE(e.died);
    EXPECT_EQ(e.exit_status, "exited with status 1");
    EXPECT_THAT(e.traceback, HasSubstr("No module named 'PIL'"));
    EXPECT_THAT(e.traceback, HasSubstr(std::string("hint: ") + kPilHint));
    EXPECT_EQ(e.stderr_excerpt, "");
}

// ---------------------------------------------------------------- RemoteServer

TEST(RemoteServerTarget, AcceptsLoopbackAndRefusesOtherHostsUnlessAllowed)
{
    RemoteServer local(RemoteOptions{{"127.0.0.1", 5000}});
    EXPECT_EQ(local.endpoint(), (net::Endpoint{"127.0.0.1", 5000}));
    EXPECT_EQ(local.describe(), "127.0.0.1:5000");
    EXPECT_FALSE(local.launched());
    EXPECT_TRUE(local.alive());
    EXPECT_FALSE(local.process_report());
    EXPECT_FALSE(local.restart());
    EXPECT_THAT(local.restart().problem, HasSubstr("cannot be restarted"));

    RemoteServer by_name(RemoteOptions{{"localhost", 5001}});
    EXPECT_TRUE(is_loopback_address(by_name.endpoint().host)) << by_name.endpoint().host;

    // 192.0.2.0/24 is TEST-NET-1: never routed, and no packet is sent here.
    EXPECT_THROW(RemoteServer(RemoteOptions{{"192.0.2.7", 5000}}), TargetError);
    try {
        RemoteServer refused(RemoteOptions{{"192.0.2.7", 5000}});
        ADD_FAILURE() << "not refused";
    } catch (const TargetError& e) {
        EXPECT_THAT(e.what(), HasSubstr("only talks to loopback"));
    }
    RemoteServer allowed(RemoteOptions{{"192.0.2.7", 5000}, true});
    EXPECT_FALSE(allowed.loopback());
    EXPECT_EQ(allowed.endpoint().host, "192.0.2.7");

    EXPECT_THROW(RemoteServer(RemoteOptions{{"127.0.0.1", 0}}), TargetError);
}

// ---------------------------------------------------------------- LaunchedServer

Bytes frame_bytes(std::size_t k)
{
    Bytes b{0xFF, 0xD8};
    for (std::size_t i = 0; i < 300 + 11 * k; ++i) b.push_back(static_cast<std::uint8_t>((i + k) & 0x7F));
    b.push_back(0xFF);
    b.push_back(0xD9);
    return b;
}

void write_movie(const fs::path& path, std::size_t frames)
{
    movie::MovieWriter w(path.string());
    for (std::size_t k = 0; k < frames; ++k) w.write(frame_bytes(k));
    w.close();
}

void write_text(const fs::path& path, const std::string& text)
{
    std::ofstream(path) << text;
}

const fs::path kExample = fs::path(TPC3_SOURCE_DIR) / "conformance/examples/good";
const std::string kPython = TPC3_PYTHON;

// Nothing whose command line holds `needle` may be left running.
void expect_no_process_with(const std::string& needle)
{
    // Killed processes disappear from /proc shortly after their parent reaps them.
    const auto until = std::chrono::steady_clock::now() + 2s;
    while (!harness::live_processes_with_cmdline(needle).empty() && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(20ms);
    EXPECT_THAT(harness::live_processes_with_cmdline(needle), IsEmpty()) << needle;
}

TEST(LaunchedServerTarget, PythonExampleStartsServesRestartsAndIsStoppedWithNothingLeft)
{
    harness::TempDir movies("tpc3-target-test-");
    write_movie(movies / "test.mpeg", 6);
    write_movie(movies / "secret.mpeg", 2);

    fs::path root;
    std::string first_command;
    {
        LaunchOptions o;
        o.command = kPython + " Server.py {port}";
        o.workdir = kExample;
        o.files = {{movies / "test.mpeg", "movie.mpeg"}};
        o.outside_file = movies / "secret.mpeg";
        LaunchedServer server(o);
        root = server.temp_root();

        EXPECT_EQ(server.served_dir(), root / "served");
        EXPECT_TRUE(fs::exists(server.served_dir() / "Server.py"));
        EXPECT_TRUE(fs::exists(server.served_dir() / "movie.mpeg"));
        ASSERT_TRUE(server.outside_file());
        EXPECT_EQ(*server.outside_file(), root / "outside.mpeg");
        EXPECT_EQ(fs::file_size(*server.outside_file()), fs::file_size(movies / "secret.mpeg"));
        EXPECT_FALSE(fs::exists(server.served_dir() / "outside.mpeg"));
        EXPECT_FALSE(server.alive());

        const StartOutcome started = server.start();
        ASSERT_TRUE(started) << started.describe();
        EXPECT_TRUE(server.alive());
        EXPECT_TRUE(server.launched());
        EXPECT_EQ(server.describe(), o.command);
        first_command = server.command_line();
        EXPECT_EQ(first_command, kPython + " Server.py " + std::to_string(server.endpoint().port));

        SessionScript s;
        s.label = "launched";
        s.file = "movie.mpeg";
        s.wait_before_go = 100ms;
        s.expected_frames = 6;
        s.overall_deadline = 10s;
        const SessionRecord r = run_session(server.endpoint(), s);
        EXPECT_EQ(r.end, SessionEnd::AllFramesAndIdle) << r.error;
        EXPECT_EQ(r.packets.size(), 6u);

        const auto report = server.process_report();
        ASSERT_TRUE(report);
        EXPECT_TRUE(report->running);
        EXPECT_FALSE(report->has_traceback) << report->stderr_tail;
        EXPECT_FALSE(report->died());

        const std::uint16_t old_port = server.endpoint().port;
        const StartOutcome again = server.restart();
        ASSERT_TRUE(again) << again.describe();
        EXPECT_EQ(server.starts(), 2);
        expect_no_process_with("Server.py " + std::to_string(old_port));
        SessionScript id_only = s;
        id_only.label = "after restart";
        id_only.send_go = false;
        id_only.wait_before_go = 0ms;
        EXPECT_EQ(run_session(server.endpoint(), id_only).end, SessionEnd::EndedBeforeGo);

        server.stop();
        EXPECT_FALSE(server.alive());
        const auto after = server.process_report();
        ASSERT_TRUE(after);
        EXPECT_FALSE(after->running);
        EXPECT_TRUE(after->stopped_by_runner);
        EXPECT_FALSE(after->died());
        first_command = server.command_line();
    }
    expect_no_process_with(first_command);
    EXPECT_FALSE(fs::exists(root)) << "the scratch directory is removed with the target";
}

TEST(LaunchedServerTarget, ACommandThatExitsAtOnceGivesTheExitStatusQuickly)
{
    LaunchOptions o;
    o.command = kPython + " -c 'import sys; sys.exit(3)' {port}";
    o.workdir = kExample;
    LaunchedServer server(o);
    const StartOutcome out = server.start();
    EXPECT_FALSE(out);
    EXPECT_LT(out.took, 5s);
    EXPECT_THAT(out.problem, HasSubstr("exited before it listened"));
    ASSERT_TRUE(out.process);
    EXPECT_TRUE(out.process->died());
    EXPECT_EQ(out.process->exit_status, "exited with status 3");
    EXPECT_FALSE(out.process->has_traceback);
    EXPECT_FALSE(server.alive());
}

TEST(LaunchedServerTarget, AnImportFailureGivesTheTraceback)
{
    LaunchOptions o;
    o.command = kPython + " -c 'import nosuchmodule' {port}";
    o.workdir = kExample;
    LaunchedServer server(o);
    const StartOutcome out = server.start();
    EXPECT_FALSE(out);
    ASSERT_TRUE(out.process);
    EXPECT_EQ(out.process->exit_status, "exited with status 1");
    EXPECT_TRUE(out.process->has_traceback);
    EXPECT_THAT(out.process->traceback, HasSubstr("ModuleNotFoundError: No module named 'nosuchmodule'"));
    EXPECT_EQ(out.process->error_line, "ModuleNotFoundError: No module named 'nosuchmodule'");
    EXPECT_THAT(out.process->hint, HasSubstr("'nosuchmodule'"));
    EXPECT_THAT(out.describe(), HasSubstr("No module named 'nosuchmodule'"));
}

TEST(LaunchedServerTarget, APython3WithoutPilGetsThePlainHint)
{
    harness::TempDir submission("tpc3-target-nopil-");
    write_text(submission / "Server.py", "raise ModuleNotFoundError(\"No module named 'PIL'\")\n");
    LaunchOptions o;
    o.command = kPython + " Server.py {port}";
    o.workdir = submission.path();
    LaunchedServer server(o);
    const StartOutcome out = server.start();
    EXPECT_FALSE(out);
    ASSERT_TRUE(out.process);
    EXPECT_EQ(out.process->hint, kPilHint);
    EXPECT_THAT(out.describe(), HasSubstr(kPilHint));
    const ProcessEvidence e = to_process_evidence(*out.process, "start");
    EXPECT_TRUE(e.died);
    EXPECT_THAT(e.traceback, HasSubstr("No module named 'PIL'"));
}

TEST(LaunchedServerTarget, AServerThatNeverListensTimesOutAndIsStopped)
{
    LaunchOptions o;
    o.command = "sleep 31.4159 # {port}";
    o.workdir = kExample;
    o.start_timeout = 500ms;
    LaunchedServer server(o);
    const StartOutcome out = server.start();
    EXPECT_FALSE(out);
    EXPECT_THAT(out.problem, HasSubstr("within 0.5 s"));
    ASSERT_TRUE(out.process);
    EXPECT_TRUE(out.process->stopped_by_runner);
    EXPECT_FALSE(out.process->died());
    expect_no_process_with("sleep 31.4159");
}

TEST(LaunchedServerTarget, ACrashDuringASessionIsEvidenceAttributedAfterTheMark)
{
    harness::TempDir submission("tpc3-target-crash-");
    write_text(submission / "Server.py",
               "import socket, sys\n"
               "s = socket.socket()\n"
               "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
               "s.bind(('127.0.0.1', int(sys.argv[1])))\n"
               "s.listen()\n"
               "print('listening', file=sys.stderr, flush=True)\n"
               "conn, _ = s.accept()\n"
               "conn.recv(100)\n"
               "raise RuntimeError('boom')\n");
    LaunchOptions o;
    o.command = kPython + " Server.py {port}";
    o.workdir = submission.path();
    LaunchedServer server(o);
    ASSERT_TRUE(server.start());
    // Wait for the startup line so that the mark comes after it.
    const auto until = std::chrono::steady_clock::now() + 5s;
    while (server.stderr_mark() == 0 && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(10ms);
    const std::uint64_t mark = server.stderr_mark();
    EXPECT_GT(mark, 0u);

    SessionScript s;
    s.label = "crash";
    s.file = "movie.mpeg";
    s.reply_deadline = 2s;
    const SessionRecord r = run_session(server.endpoint(), s);
    EXPECT_THAT(r.end, ::testing::AnyOf(SessionEnd::BadReply, SessionEnd::ControlError)) << r.error;

    const auto gone_until = std::chrono::steady_clock::now() + 5s;
    while (server.alive() && std::chrono::steady_clock::now() < gone_until) std::this_thread::sleep_for(10ms);
    const auto report = server.process_report(mark);
    ASSERT_TRUE(report);
    EXPECT_TRUE(report->died());
    EXPECT_EQ(report->exit_status, "exited with status 1");
    EXPECT_EQ(report->error_line, "RuntimeError: boom");
    EXPECT_THAT(report->stderr_tail, Not(HasSubstr("listening")));  // only what came after the mark
    EXPECT_THAT(report->summary(), HasSubstr("RuntimeError: boom"));
}

TEST(LaunchedServerTarget, RefusesACommandWithoutPortAndAMissingDirectory)
{
    LaunchOptions o;
    o.command = kPython + " Server.py 5000";
    o.workdir = kExample;
    EXPECT_THROW(LaunchedServer{o}, TargetError);
    o.command = kPython + " Server.py {port}";
    o.workdir = "/nonexistent/tpc3/dir";
    EXPECT_THROW(LaunchedServer{o}, TargetError);
}

TEST(SubstitutePort, ReplacesEveryPlaceholder)
{
    EXPECT_EQ(substitute_port("s {port} --x={port}", 42), "s 42 --x=42");
    EXPECT_EQ(substitute_port("no placeholder", 42), "no placeholder");
}

}  // namespace
}  // namespace tpc3::conform::server
