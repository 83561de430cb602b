#include "harness/process.h"

#include <atomic>
#include <csignal>
#include <random>
#include <thread>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harness/proc_table.h"
#include "harness/temp_dir.h"

using namespace std::chrono_literals;
using namespace tpc3::harness;
using ::testing::HasSubstr;

namespace {

// A `sleep` argument no other process on the machine has: "1000.<digits>".
std::string unique_sleep_marker() {
    static std::atomic<unsigned> n{0};
    std::random_device rd;
    return "1000." + std::to_string(::getpid()) + std::to_string(n.fetch_add(1)) + std::to_string(rd() % 100000);
}

std::string describe_pids(const std::vector<pid_t>& pids) {
    std::string out;
    for (pid_t p : pids) out += " " + std::to_string(p) + ":'" + read_cmdline(p) + "'";
    return out;
}

// The `sleep MARKER` processes (not the shell whose command line also holds MARKER).
std::vector<pid_t> sleepers(const std::string& marker) {
    std::vector<pid_t> out;
    for (pid_t p : live_processes_with_cmdline(marker)) {
        if (read_cmdline(p).rfind("sleep ", 0) == 0) out.push_back(p);
    }
    return out;
}

// Polls until a `sleep MARKER` shows up (at most 2 s).
std::vector<pid_t> await_sleepers(const std::string& marker) {
    std::vector<pid_t> found;
    for (auto until = deadline_after(2s); Clock::now() < until && found.empty();) {
        found = sleepers(marker);
        if (found.empty()) std::this_thread::sleep_for(10ms);
    }
    return found;
}

bool contains(const std::vector<pid_t>& v, pid_t p) { return std::find(v.begin(), v.end(), p) != v.end(); }

class ProcessTest : public ::testing::Test {
protected:
    const std::string marker = unique_sleep_marker();

    void TearDown() override {
        std::vector<pid_t> left = live_processes_with_cmdline(marker);
        EXPECT_TRUE(left.empty()) << "processes left behind:" << describe_pids(left);
        for (pid_t p : left) ::kill(p, SIGKILL);
    }
};

}  // namespace

TEST(ExitStatusTest, DescribesExitAndSignal) {
    EXPECT_EQ(ExitStatus::exited(1).describe(), "exited with status 1");
    EXPECT_EQ(ExitStatus::signaled(SIGSEGV).describe(), "killed by signal 11 (SIGSEGV)");
    EXPECT_EQ(ExitStatus::signaled(SIGKILL).describe(), "killed by signal 9 (SIGKILL)");
    EXPECT_TRUE(ExitStatus::exited(0).success());
    EXPECT_FALSE(ExitStatus::signaled(SIGTERM).success());
}

TEST_F(ProcessTest, ReportsExitCode) {
    Process p(shell_command("exit 3"));
    auto st = p.wait_for(5s);
    ASSERT_TRUE(st);
    EXPECT_EQ(*st, ExitStatus::exited(3));
    EXPECT_EQ(st->describe(), "exited with status 3");
    EXPECT_FALSE(p.running());
    EXPECT_EQ(p.stop(), ExitStatus::exited(3));
}

TEST_F(ProcessTest, DescribesDeathBySignal) {
    Process p(shell_command("kill -SEGV $$"));
    auto st = p.wait_for(5s);
    ASSERT_TRUE(st);
    EXPECT_TRUE(st->is_signaled());
    EXPECT_EQ(st->signal(), SIGSEGV);
    EXPECT_THAT(st->describe(), HasSubstr("killed by signal 11 (SIGSEGV)"));
}

TEST_F(ProcessTest, TimeoutThenStopKillsSleep) {
    Process p(command({"sleep", marker}));
    auto t0 = Clock::now();
    EXPECT_FALSE(p.wait_for(200ms));
    EXPECT_GE(Clock::now() - t0, 200ms);
    EXPECT_TRUE(p.running());
    EXPECT_TRUE(contains(p.family(), p.pid()));
    EXPECT_EQ(live_processes_with_cmdline(marker), std::vector<pid_t>{p.pid()});
    ExitStatus st = p.stop(1s);
    EXPECT_EQ(st, ExitStatus::signaled(SIGTERM)) << st.describe();
    EXPECT_FALSE(p.running());
    EXPECT_GE(p.lifetime(), 200ms);
    EXPECT_LT(p.lifetime(), 3s);
    EXPECT_TRUE(p.family().empty());
}

TEST_F(ProcessTest, GroupIgnoringSigtermIsKilledAfterGrace) {
    Process p(shell_command("trap '' TERM; sleep " + marker + "; echo survived"));
    std::this_thread::sleep_for(100ms);  // let the shell set its trap
    ASSERT_TRUE(p.running());
    auto t0 = Clock::now();
    ExitStatus st = p.stop(300ms);
    auto took = Clock::now() - t0;
    EXPECT_EQ(st, ExitStatus::signaled(SIGKILL)) << st.describe();
    EXPECT_GE(took, 300ms);
    EXPECT_LT(took, 3s);
    EXPECT_EQ(p.read_output(Stream::out), "");
}

TEST_F(ProcessTest, StopKillsSetsidGrandchildOfLiveChild) {
    Process p(shell_command("setsid sleep " + marker + " & wait"));
    // The grandchild has its own session, so a group kill misses it.
    std::vector<pid_t> found = await_sleepers(marker);
    ASSERT_EQ(found.size(), 1u);
    auto info = read_proc_info(found[0]);
    ASSERT_TRUE(info);
    EXPECT_NE(info->pgid, p.pid());
    EXPECT_TRUE(contains(p.family(), found[0]));
    p.stop(1s);
}

TEST_F(ProcessTest, StopKillsDetachedOrphanAfterChildExited) {
    // Classic daemonising: the child exits at once, the grandchild left the
    // group and was re-parented to init.
    Process p(shell_command("setsid sleep " + marker + " >/dev/null 2>&1 &"));
    auto st = p.wait_for(5s);
    ASSERT_TRUE(st);
    EXPECT_TRUE(st->success()) << st->describe();
    std::vector<pid_t> found = await_sleepers(marker);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_NE(read_proc_info(found[0])->ppid, p.pid());
    EXPECT_EQ(p.family(), found);  // found through the environment token
    EXPECT_EQ(p.stop(1s), ExitStatus::exited(0));
}

TEST_F(ProcessTest, DestructorStopsTheChild) {
    pid_t pid = 0;
    {
        Process p(command({"sleep", marker}));
        pid = p.pid();
        EXPECT_EQ(live_processes_with_cmdline(marker), std::vector<pid_t>{pid});
    }
    EXPECT_TRUE(live_processes_with_cmdline(marker).empty());
}

TEST_F(ProcessTest, CapturesStdoutAndStderrToFilesInOutputDir) {
    TempDir dir("tpc3-process-test-");
    ProcessOptions o = shell_command("echo out-line; echo err-line >&2; exit 0");
    o.label = "demo";
    o.output_dir = dir.path();
    Process p(o);
    ASSERT_EQ(p.wait_for(5s), ExitStatus::exited(0));
    ASSERT_TRUE(p.output_path(Stream::out));
    EXPECT_EQ(*p.output_path(Stream::out), dir / "demo.stdout.log");
    EXPECT_EQ(*p.output_path(Stream::err), dir / "demo.stderr.log");
    EXPECT_EQ(p.read_output(Stream::out), "out-line\n");
    EXPECT_EQ(p.read_output(Stream::err), "err-line\n");
    EXPECT_EQ(p.read_output(Stream::out, 4), "line\n");
    EXPECT_EQ(p.output_size(Stream::err), 9u);
}

TEST_F(ProcessTest, CapturesAnonymouslyWithoutOutputDir) {
    Process p(shell_command("printf abc; printf xyz >&2"));
    ASSERT_EQ(p.wait_for(5s), ExitStatus::exited(0));
    EXPECT_FALSE(p.output_path(Stream::out));
    EXPECT_EQ(p.read_output(Stream::out), "abc");
    EXPECT_EQ(p.read_output(Stream::err), "xyz");
}

TEST_F(ProcessTest, ExplicitFilesAndSharedStdoutStderr) {
    TempDir dir("tpc3-process-test-");
    ProcessOptions o = shell_command("echo one; echo two >&2; echo three");
    o.stdout_sink = OutputSink::to_file(dir / "both.log");
    o.stderr_sink = OutputSink::to_file(dir / "both.log");
    Process p(o);
    ASSERT_EQ(p.wait_for(5s), ExitStatus::exited(0));
    EXPECT_EQ(p.read_output(Stream::out), "one\ntwo\nthree\n");
}

TEST_F(ProcessTest, PassesAndRemovesEnvironmentVariables) {
    ::setenv("TPC3_TEST_TO_REMOVE", "present", 1);
    ProcessOptions o = shell_command("echo \"$TPC3_TEST_VALUE|${TPC3_TEST_TO_REMOVE-unset}\"");
    o.set_env["TPC3_TEST_VALUE"] = "hello world";
    o.unset_env.push_back("TPC3_TEST_TO_REMOVE");
    Process p(o);
    ASSERT_EQ(p.wait_for(5s), ExitStatus::exited(0));
    EXPECT_EQ(p.read_output(Stream::out), "hello world|unset\n");
    ::unsetenv("TPC3_TEST_TO_REMOVE");
}

TEST_F(ProcessTest, RunsInGivenWorkingDirectory) {
    TempDir dir("tpc3-process-test-");
    ProcessOptions o = command({"pwd"});
    o.cwd = dir.path();
    Process p(o);
    ASSERT_EQ(p.wait_for(5s), ExitStatus::exited(0));
    EXPECT_EQ(p.read_output(Stream::out), dir.path().string() + "\n");
}

TEST_F(ProcessTest, RunsInItsOwnProcessGroupAndSession) {
    Process p(command({"sleep", marker}));
    auto info = read_proc_info(p.pid());
    ASSERT_TRUE(info);
    EXPECT_EQ(info->pgid, p.pid());
    EXPECT_EQ(info->sid, p.pid());
    EXPECT_NE(info->pgid, ::getpgrp());
}

TEST_F(ProcessTest, ThrowsSpawnErrorWithReason) {
    try {
        Process p(command({"tpc3-no-such-program-" + marker}));
        FAIL() << "expected SpawnError";
    } catch (const SpawnError& e) {
        EXPECT_THAT(e.what(), HasSubstr("not found on PATH"));
    }
    try {
        Process p(command({"/nonexistent/tpc3-program"}));
        FAIL() << "expected SpawnError";
    } catch (const SpawnError& e) {
        EXPECT_THAT(e.what(), HasSubstr("execve /nonexistent/tpc3-program: No such file"));
    }
    try {
        ProcessOptions o = command({"true"});
        o.cwd = "/nonexistent-dir-" + marker;
        Process p(o);
        FAIL() << "expected SpawnError";
    } catch (const SpawnError& e) {
        EXPECT_THAT(e.what(), HasSubstr("chdir /nonexistent-dir-"));
    }
}

TEST_F(ProcessTest, ChildDoesNotInheritRunnerDescriptors) {
    int fd = ::open("/dev/null", O_RDONLY);  // deliberately without O_CLOEXEC
    ASSERT_GE(fd, 0);
    int high = ::dup2(fd, 77);
    ::close(fd);
    ASSERT_EQ(high, 77);
    Process p(shell_command("if [ -e /proc/self/fd/77 ]; then echo leaked; else echo clean; fi"));
    ASSERT_EQ(p.wait_for(5s), ExitStatus::exited(0));
    EXPECT_EQ(p.read_output(Stream::out), "clean\n");
    ::close(high);
}

TEST_F(ProcessTest, ChildGetsDefaultSignalDispositions) {
    // A runner that ignores SIGTERM must not pass that on to the child.
    struct sigaction ignore {}, old {};
    ignore.sa_handler = SIG_IGN;
    ::sigaction(SIGTERM, &ignore, &old);
    Process p(command({"sleep", marker}));
    ::sigaction(SIGTERM, &old, nullptr);
    auto t0 = Clock::now();
    EXPECT_EQ(p.stop(5s), ExitStatus::signaled(SIGTERM));
    EXPECT_LT(Clock::now() - t0, 2s);
}

TEST_F(ProcessTest, FileSizeLimitStopsAnOutputFlood) {
    ProcessOptions o = command({"head", "-c", "1000000", "/dev/zero"});
    o.max_file_bytes = 4096;
    Process p(o);
    auto st = p.wait_for(5s);
    ASSERT_TRUE(st);
    EXPECT_EQ(*st, ExitStatus::signaled(SIGXFSZ)) << st->describe();
    EXPECT_LE(p.output_size(Stream::out), 4096u);
}

TEST_F(ProcessTest, ChildDiesWhenItsRunnerDies) {
    int pipe_fds[2];
    ASSERT_EQ(::pipe(pipe_fds), 0);
    pid_t runner = ::fork();
    ASSERT_GE(runner, 0);
    if (runner == 0) {
        // A stand-in runner that starts a child and then dies without cleanup.
        ::close(pipe_fds[0]);
        Process child(command({"sleep", marker}));
        pid_t pid = child.pid();
        if (::write(pipe_fds[1], &pid, sizeof pid) != sizeof pid) ::_exit(2);
        ::_exit(0);
    }
    ::close(pipe_fds[1]);
    pid_t child = 0;
    ASSERT_EQ(::read(pipe_fds[0], &child, sizeof child), static_cast<ssize_t>(sizeof child));
    ::close(pipe_fds[0]);
    int st = 0;
    ASSERT_EQ(::waitpid(runner, &st, 0), runner);
    bool gone = false;
    for (auto until = deadline_after(2s); Clock::now() < until && !gone;) {
        auto info = read_proc_info(child);
        gone = !info || info->gone();
        std::this_thread::sleep_for(10ms);
    }
    EXPECT_TRUE(gone) << "child " << child << " outlived its runner";
}

TEST_F(ProcessTest, MoveKeepsOwnership) {
    Process a(command({"sleep", marker}));
    pid_t pid = a.pid();
    Process b(std::move(a));
    EXPECT_EQ(b.pid(), pid);
    EXPECT_TRUE(b.running());
}
