// The command line's pieces: HOST:PORT, the role the options ask for, the
// watchdog, whole lines from several threads.
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "cli/command_line.h"
#include "cli/line_synced_stream.h"
#include "cli/target_address.h"
#include "cli/watchdog.h"
#include "report/selection.h"

namespace tpc3::conform::cli {
namespace {

using namespace std::chrono_literals;

TEST(HostPort, ParsesHostAndPort)
{
    EXPECT_EQ(parse_host_port("127.0.0.1:5000"), (net::Endpoint{"127.0.0.1", 5000}));
    EXPECT_EQ(parse_host_port("localhost:65535"), (net::Endpoint{"localhost", 65535}));
    for (const char* bad : {"127.0.0.1", ":5000", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "h:50x0", "h:-1"})
        EXPECT_THROW(parse_host_port(bad), report::UsageError) << bad;
}

CommandLine parsed(std::vector<const char*> args)
{
    args.insert(args.begin(), "tpc3-conform");
    CommandLine cl;
    std::ostringstream out, err;
    const auto done = parse_command_line(static_cast<int>(args.size()), args.data(), cl, out, err);
    EXPECT_FALSE(done) << err.str();
    return cl;
}

TEST(CommandLine, OptionsLandInTheirFields)
{
    const CommandLine cl = parsed({"--server-cmd", "python3 Server.py {port}", "--workdir", "/tmp", "--rate-tolerance",
                                   "0.1", "--burst-run", "7", "--timeout", "30", "--no-colour", "--server-env", "A=1",
                                   "--server-env", "B=2", "--pcap-mode", "synthetic"});
    EXPECT_EQ(cl.server_cmd, "python3 Server.py {port}");
    EXPECT_DOUBLE_EQ(cl.thresholds.rate_tolerance, 0.1);
    EXPECT_EQ(cl.thresholds.burst_run_length, 7u);
    EXPECT_DOUBLE_EQ(cl.timeout_s, 30);
    EXPECT_EQ(cl.colour, false);
    EXPECT_EQ(cl.server_env, (std::vector<std::string>{"A=1", "B=2"}));
    EXPECT_EQ(cl.pcap_mode, "synthetic");
    EXPECT_EQ(role_of(cl), Role::Server);
}

TEST(CommandLine, TheRoleNeedsACompleteMode)
{
    EXPECT_EQ(role_of(parsed({})), Role::None);
    EXPECT_EQ(role_of(parsed({"--target-server", "127.0.0.1:5000", "--file", "m.mpeg"})), Role::Server);
    EXPECT_THROW(role_of(parsed({"--target-server", "127.0.0.1:5000"})), report::UsageError);
    EXPECT_THROW(role_of(parsed({"--server-cmd", "x {port}"})), report::UsageError);
    EXPECT_THROW(role_of(parsed({"--server-cmd", "x {port}", "--workdir", "/tmp", "--file", "m"})), report::UsageError);
    EXPECT_THROW(role_of(parsed({"--file", "m.mpeg"})), report::UsageError);
}

TEST(WatchdogDeathTest, ExitsWith2WhenTheRunOverstays)
{
    EXPECT_EXIT(
        {
            Watchdog dog(50ms, [] { std::fputs("overstayed\n", stderr); });
            std::this_thread::sleep_for(5s);
        },
        ::testing::ExitedWithCode(2), "overstayed");
}

TEST(Watchdog, DisarmedWhenTheRunEndsInTime)
{
    bool fired = false;
    {
        Watchdog dog(10s, [&] { fired = true; });
    }
    EXPECT_FALSE(fired);
}

TEST(LineSyncedStream, LinesWrittenInPiecesByManyThreadsStayWhole)
{
    std::ostringstream sink;
    {
        LineSyncedStream out(sink);
        std::vector<std::thread> threads;
        for (int t = 0; t < 8; ++t)
            threads.emplace_back([&out, t] {
                for (int i = 0; i < 200; ++i) out << "[thread " << t << "] " << "line " << i << " " << "end" << '\n';
            });
        for (auto& th : threads) th.join();
    }
    std::istringstream in(sink.str());
    std::string line;
    int lines = 0;
    while (std::getline(in, line)) {
        ++lines;
        EXPECT_EQ(line.rfind("[thread ", 0), 0u) << line;
        EXPECT_EQ(line.substr(line.size() - 4), " end") << line;
    }
    EXPECT_EQ(lines, 8 * 200);
}

}  // namespace
}  // namespace tpc3::conform::cli
