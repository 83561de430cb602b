// A private Xlib connection that takes pictures of an X screen, for one
// thread. Xlib types stay in the .cpp (its macros clash with OpenCV's).
//
// Errors never end the process:
//  - protocol errors (BadWindow when a window vanishes between XQueryTree and
//    XGetWindowAttributes, BadMatch, ...) go to a process-wide XSetErrorHandler
//    that files them under the connection they happened on (displays this
//    class did not open are passed to the previous handler);
//  - a lost connection (the X server died) is caught by a per-connection
//    XSetIOErrorExitHandler that returns instead of calling exit(): the
//    connection is marked dead and every later call fails at once. The
//    process-wide XSetIOErrorHandler also stays quiet for our connections.
//    SIGPIPE from writing to the dead socket must not kill the process: the
//    calling thread should block it (ScreenObserver's grab thread does).
// Still, the observer is meant for the runner's own Xvfb: stop observing
// before stopping the X server, and treat a dead connection as a harness error.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace tpc3::observe {

struct TopLevelWindow {
    unsigned long id = 0;
    cv::Rect rect;  // border included, root coordinates, not clipped
    bool viewable = false;
};

class XScreen {
public:
    // Connects to `display` (":N"), retrying until `timeout`. nullptr (and
    // *error set) when no connection could be made.
    static std::unique_ptr<XScreen> connect(const std::string& display, std::chrono::milliseconds timeout,
                                            std::string* error);
    XScreen(const XScreen&) = delete;
    XScreen& operator=(const XScreen&) = delete;
    ~XScreen();

    const std::string& display_name() const;
    cv::Size screen_size() const;

    // Children of the root window, bottom to top.
    std::vector<TopLevelWindow> top_level_windows();
    // Bounding box of the viewable top-level windows, clipped to the screen;
    // nullopt when none is viewable (or the connection is dead).
    std::optional<cv::Rect> viewable_region();

    // The pixels of `region` (root coordinates, inside the screen) as 8-bit
    // BGRA (the fourth byte is padding). False (and *error) on failure.
    bool grab(const cv::Rect& region, cv::Mat& bgra, std::string* error);

    // The connection to the X server is lost for good.
    bool dead() const;
    // Protocol errors since the last call, described ("BadWindow (invalid Window parameter)
    // in request 3.0 on resource 0x400005").
    std::vector<std::string> take_errors();

    struct State;  // opaque (public only for the Xlib callbacks in the .cpp)

private:
    XScreen();
    std::unique_ptr<State> s_;
};

}  // namespace tpc3::observe
