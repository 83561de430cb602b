// Smoke test of RunnerServer with a real client: the Python example client
// (conformance/examples/good) under a private Xvfb gets the full default plan.
// A correct client drops every fault, so the last frame it caches is the last
// valid frame of the plan. Judging every C-* check is the checks/suite's job.
#include "serve/runner_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <thread>

#include "harness/process.h"
#include "harness/temp_dir.h"
#include "harness/xvfb_display.h"

namespace tpc3::conform::client {
namespace {

using namespace std::chrono_literals;

std::vector<std::uint8_t> read_file(const std::filesystem::path& p)
{
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::size_t count_lines_with(const std::string& text, const std::string& needle)
{
    std::size_t n = 0;
    for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

TEST(PythonExampleClient, PlaysTheFullPlanAndCachesOnlyValidFrames)
{
    harness::TempDir work("tpc3-serve-python-");
    harness::copy_tree(TPC3_SOURCE_DIR "/conformance/examples/good", work.path());
    std::filesystem::create_directories(work / "tmp");
    harness::XvfbDisplay display;

    PlanOptions plan_options;
    plan_options.session_id = 731'905;
    const InjectionPlan plan = InjectionPlan::build(plan_options);

    std::optional<harness::Process> client;
    ServeOptions options;
    options.label = "python example client";
    // Polled from this thread, which also spawned the Process.
    options.give_up = [&client] { return client && !client->running(); };
    RunnerServer server(options);  // listens before the client starts
    const std::uint16_t udp_port = net::pick_free_udp_port();

    harness::ProcessOptions p = harness::command({TPC3_PYTHON, "Client.py", "127.0.0.1",
                                                  std::to_string(server.port()), std::to_string(udp_port),
                                                  "movie.mpeg"});
    p.cwd = work.path();
    p.label = "python-client";
    p.set_env["DISPLAY"] = display.name();
    p.set_env["TMPDIR"] = (work / "tmp").string();
    p.set_env["PYTHONDONTWRITEBYTECODE"] = "1";
    client.emplace(std::move(p));

    const ServedSession s = server.serve(plan);
    ASSERT_EQ(s.end, ServeEnd::StreamSent) << s.error << "\nclient stderr:\n"
                                           << client->read_output(harness::Stream::err);
    ASSERT_TRUE(s.request_value());
    EXPECT_EQ(s.request_value()->file, "movie.mpeg");
    EXPECT_EQ(s.request_value()->udp_port, udp_port);
    EXPECT_TRUE(s.go_received());
    ASSERT_EQ(s.sent.size(), plan.size());
    for (const auto& d : s.sent) EXPECT_TRUE(d.sent) << d.plan_index << ": " << d.error;

    // The last datagram is a valid frame; the client writes it at once.
    const auto cache = work / ("cache-" + std::to_string(*plan.session_id()) + ".jpg");
    const auto& last = plan.at(*plan.last_valid()).payload;
    // Generous: on a loaded machine the client's receiver thread may lag seconds behind.
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    while (read_file(cache) != last && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(20ms);
    EXPECT_EQ(read_file(cache), last) << "cache-<id>.jpg is the last valid frame";
    EXPECT_TRUE(client->running()) << "the client survived every fault";

    // It dropped every fault but the big frame (which is valid), and said so.
    const std::string err = client->read_output(harness::Stream::err);
    std::size_t faults = 0;
    for (const auto& d : plan.datagrams()) faults += d.is_valid_frame() ? 0 : 1;
    EXPECT_EQ(count_lines_with(err, "client: dropped"), faults) << err;
    EXPECT_THAT(err, ::testing::Not(::testing::HasSubstr("Traceback")));

    // SIGTERM closes its window: the example client then exits with status 0.
    EXPECT_TRUE(client->stop().success());
    EXPECT_TRUE(client->family().empty());
}

}  // namespace
}  // namespace tpc3::conform::client
