#include "harness/readiness.h"

#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "harness/ports.h"
#include "harness/proc_table.h"
#include "harness/temp_dir.h"

using namespace std::chrono_literals;
using namespace tpc3::harness;

namespace {

// A Python stand-in for a server: listens after a delay, prints the classic line.
ProcessOptions delayed_listener(std::uint16_t port, double delay_s, const std::string& marker) {
    std::string script =
        "import socket, sys, time\n"
        "time.sleep(" + std::to_string(delay_s) + ")\n"
        "s = socket.socket(); s.bind(('127.0.0.1', " + std::to_string(port) + ")); s.listen()\n"
        "print('listening on 127.0.0.1:%d' % s.getsockname()[1], flush=True)\n"
        "time.sleep(1000)\n";
    return command({TPC3_PYTHON, "-c", script, marker});
}

class ReadinessTest : public ::testing::Test {
protected:
    const std::string marker = "tpc3-readiness-marker-" + std::to_string(::getpid()) + "-" +
                               ::testing::UnitTest::GetInstance()->current_test_info()->name();
    void TearDown() override {
        auto left = live_processes_with_cmdline(marker);
        EXPECT_TRUE(left.empty()) << left.size() << " process(es) left behind";
        for (pid_t p : left) ::kill(p, SIGKILL);
    }
};

}  // namespace

TEST_F(ReadinessTest, TcpPortBecomesReadyAndOutputLineNamesIt) {
    std::uint16_t port = pick_free_tcp_port();
    Process server(delayed_listener(port, 0.2, marker));
    LineMatch line = wait_for_output_line(server, Stream::out, std::regex(R"(listening on 127\.0\.0\.1:(\d+))"),
                                          deadline_after(10s));
    ASSERT_TRUE(line) << line.describe();
    ASSERT_EQ(line.groups.size(), 2u);
    EXPECT_EQ(line.groups[1], std::to_string(port));
    EXPECT_EQ(line.line, "listening on 127.0.0.1:" + std::to_string(port));

    ReadinessResult listening = wait_for_tcp_listener(port, deadline_after(5s), &server);
    EXPECT_TRUE(listening) << listening.describe();
    ReadinessResult accepted = wait_for_tcp_port("127.0.0.1", port, deadline_after(5s), &server);
    EXPECT_TRUE(accepted) << accepted.describe();
    EXPECT_EQ(accepted.outcome, Readiness::ready);
}

TEST_F(ReadinessTest, TcpPortWaitReturnsEarlyWhenProcessExits) {
    std::uint16_t port = pick_free_tcp_port();
    Process p(shell_command("sleep 0.1; exit 4"));
    auto t0 = Clock::now();
    ReadinessResult r = wait_for_tcp_port("127.0.0.1", port, deadline_after(10s), &p);
    EXPECT_EQ(r.outcome, Readiness::process_exited) << r.describe();
    ASSERT_TRUE(r.exit);
    EXPECT_EQ(*r.exit, ExitStatus::exited(4));
    EXPECT_LT(Clock::now() - t0, 3s);
    EXPECT_NE(r.describe().find("exited with status 4"), std::string::npos) << r.describe();
}

TEST_F(ReadinessTest, TcpPortWaitTimesOut) {
    std::uint16_t port = pick_free_tcp_port();
    ReadinessResult r = wait_for_tcp_port("127.0.0.1", port, deadline_after(200ms));
    EXPECT_EQ(r.outcome, Readiness::timed_out);
    EXPECT_GE(r.waited, 200ms);
    EXPECT_LT(r.waited, 2s);
    ReadinessResult l = wait_for_tcp_listener(port, deadline_after(100ms));
    EXPECT_EQ(l.outcome, Readiness::timed_out);
}

TEST_F(ReadinessTest, OutputLineInFileNeedsCompleteLine) {
    TempDir dir("tpc3-readiness-test-");
    const auto path = dir / "out.log";
    std::thread writer([&] {
        std::ofstream out(path);
        out << "starting\nlistening on 127.0.0.1:12" << std::flush;
        std::this_thread::sleep_for(150ms);
        out << "345\n" << std::flush;
    });
    auto t0 = Clock::now();
    LineMatch m = wait_for_output_line(path, std::regex(R"(listening on 127\.0\.0\.1:(\d+))"), deadline_after(5s));
    auto took = Clock::now() - t0;
    writer.join();
    ASSERT_TRUE(m) << m.describe();
    EXPECT_EQ(m.groups.at(1), "12345");  // not the partial "12"
    EXPECT_GE(took, 100ms);
}

TEST_F(ReadinessTest, OutputLineMissingTimesOutOrReportsExit) {
    TempDir dir("tpc3-readiness-test-");
    LineMatch none = wait_for_output_line(dir / "never-written.log", std::regex("x"), deadline_after(100ms));
    EXPECT_EQ(none.outcome, Readiness::timed_out);

    Process p(shell_command("echo nothing useful; exit 2"));
    LineMatch m = wait_for_output_line(p, Stream::out, std::regex("listening"), deadline_after(10s));
    EXPECT_EQ(m.outcome, Readiness::process_exited);
    EXPECT_EQ(m.exit, ExitStatus::exited(2));
}

TEST_F(ReadinessTest, UnterminatedLastLineCountsOnceProcessExited) {
    Process p(shell_command("printf 'listening on 127.0.0.1:77'"));
    LineMatch m = wait_for_output_line(p, Stream::out, std::regex(R"(:(\d+)$)"), deadline_after(5s));
    ASSERT_TRUE(m) << m.describe();
    EXPECT_EQ(m.groups.at(1), "77");
}

TEST(Ports, FreePortsAreUsableNumbers) {
    EXPECT_GT(pick_free_tcp_port(), 0);
    EXPECT_GT(pick_free_udp_port(), 0);
}
