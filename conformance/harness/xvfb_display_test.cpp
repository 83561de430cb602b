#include "harness/xvfb_display.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <csignal>
#include <optional>

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

// Which file /tmp/.X11-unix/X<n> is (inode and change time), if it exists.
std::optional<std::pair<ino_t, long>> socket_identity(int display_number) {
    struct stat st {};
    const std::string path = "/tmp/.X11-unix/X" + std::to_string(display_number);
    if (::stat(path.c_str(), &st) != 0) return std::nullopt;
    return std::pair{st.st_ino, st.st_ctim.tv_sec * 1'000'000'000L + st.st_ctim.tv_nsec};
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
    int number = -1;
    std::optional<std::pair<ino_t, long>> socket;
    {
        XvfbDisplay d;
        auto info = read_proc_info(d.pid());
        ASSERT_TRUE(info);
        server = *info;
        number = d.number();
        EXPECT_TRUE(d.running());
        EXPECT_TRUE(std::filesystem::exists("/tmp/.X11-unix/X" + std::to_string(d.number())));
        socket = socket_identity(number);
        ASSERT_TRUE(socket) << "no socket file for :" << number;
    }
    EXPECT_FALSE(same_process_alive(server)) << "Xvfb pid " << server.pid << " still runs";
    // Tests running in parallel may take the freed display number at once, so
    // "nobody serves :N" cannot be asserted; "our server's socket is gone" can.
    EXPECT_NE(socket_identity(number), socket) << "the socket of display :" << number << " is still there";
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
