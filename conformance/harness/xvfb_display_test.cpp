#include "harness/xvfb_display.h"

#include <gtest/gtest.h>

#include <csignal>

#include "harness/proc_table.h"

// Xlib last: its macros (None, Bool, Status) clash with GoogleTest.
#include <X11/Xlib.h>

using namespace std::chrono_literals;
using namespace tpc3::harness;

namespace {

bool same_process_alive(const ProcInfo& before) {
    auto now = read_proc_info(before.pid);
    return now && now->start_ticks == before.start_ticks && !now->gone();
}

}  // namespace

TEST(XvfbDisplay, TwoDisplaysAtOnceGetDifferentNumbersAndAcceptClients) {
    XvfbOptions opts;
    opts.width = 320;
    opts.height = 240;
    XvfbDisplay a(opts);
    XvfbDisplay b(opts);
    EXPECT_NE(a.name(), b.name());
    EXPECT_EQ(a.name(), ":" + std::to_string(a.number()));
    for (const XvfbDisplay* d : {&a, &b}) {
        Display* x = ::XOpenDisplay(d->name().c_str());
        ASSERT_NE(x, nullptr) << "cannot connect to " << d->name();
        EXPECT_EQ(DisplayWidth(x, DefaultScreen(x)), 320);
        EXPECT_EQ(DisplayHeight(x, DefaultScreen(x)), 240);
        EXPECT_EQ(DefaultDepth(x, DefaultScreen(x)), 24);
        ::XCloseDisplay(x);
    }
}

TEST(XvfbDisplay, DestructionStopsServer) {
    ProcInfo server{};
    std::string name;
    {
        XvfbDisplay d;
        auto info = read_proc_info(d.pid());
        ASSERT_TRUE(info);
        server = *info;
        name = d.name();
        EXPECT_TRUE(d.running());
        EXPECT_TRUE(std::filesystem::exists("/tmp/.X11-unix/X" + std::to_string(d.number())));
    }
    EXPECT_FALSE(same_process_alive(server)) << "Xvfb pid " << server.pid << " still runs";
    EXPECT_FALSE(x_display_accepts_clients(name, deadline_after(100ms)));
}

TEST(XvfbDisplay, RemovesSocketFileOfAKilledServer) {
    std::filesystem::path socket;
    {
        XvfbDisplay d;
        socket = "/tmp/.X11-unix/X" + std::to_string(d.number());
        ASSERT_EQ(::kill(d.pid(), SIGKILL), 0);
        d.process().wait_for(2s);
        EXPECT_FALSE(d.running());
        EXPECT_TRUE(std::filesystem::exists(socket)) << "a SIGKILLed Xvfb should leave its socket";
    }
    EXPECT_FALSE(std::filesystem::exists(socket));
}

TEST(XvfbDisplay, MissingProgramIsAnError) {
    XvfbOptions opts;
    opts.program = "tpc3-no-such-xvfb";
    EXPECT_THROW(XvfbDisplay d(opts), XvfbError);
}
