#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "suite/lanes.h"

namespace tpc3::conform::server {
namespace {

using namespace std::chrono_literals;

TEST(Lanes, RunsEveryJobWithAtMostTheGivenNumberAtOnce)
{
    std::atomic<int> running{0}, most{0}, done{0};
    std::vector<std::function<void()>> jobs;
    for (int i = 0; i < 9; ++i)
        jobs.push_back([&] {
            const int now = ++running;
            int seen = most.load();
            while (now > seen && !most.compare_exchange_weak(seen, now)) {}
            std::this_thread::sleep_for(20ms);
            --running;
            ++done;
        });
    Lanes lanes(std::move(jobs), 3, [] { return true; });
    EXPECT_TRUE(lanes.join().empty());
    EXPECT_EQ(done, 9);
    EXPECT_LE(most, 3);
    EXPECT_GE(most, 2);  // they did overlap
}

TEST(Lanes, StopsTakingJobsOnceMayStartSaysNoAndReturnsTheRestInOrder)
{
    std::atomic<int> done{0};
    std::vector<std::function<void()>> jobs;
    for (int i = 0; i < 6; ++i) jobs.push_back([&] { ++done; });
    Lanes lanes(std::move(jobs), 1, [&] { return done < 2; });
    const std::vector<std::size_t> left = lanes.join();
    EXPECT_EQ(done, 2);
    EXPECT_EQ(left, (std::vector<std::size_t>{2, 3, 4, 5}));
    EXPECT_FALSE(lanes.busy());
}

TEST(Lanes, AJobThatThrowsDoesNotStopTheOthers)
{
    std::atomic<int> done{0};
    std::vector<std::function<void()>> jobs{[] { throw std::runtime_error("x"); }, [&] { ++done; }, [&] { ++done; }};
    Lanes lanes(std::move(jobs), 2, {});
    EXPECT_TRUE(lanes.join().empty());
    EXPECT_EQ(done, 2);
}

}  // namespace
}  // namespace tpc3::conform::server
