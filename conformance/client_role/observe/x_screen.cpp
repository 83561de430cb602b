#include "observe/x_screen.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <thread>
#include <unordered_map>

// Xlib last: its macros (Status, None, Bool...) must not reach OpenCV's headers.
#include <X11/Xlib.h>
#include <X11/Xutil.h>

namespace tpc3::observe {

namespace {

struct RawError {
    int error_code = 0;
    int request_code = 0;
    int minor_code = 0;
    unsigned long resource = 0;
};

constexpr std::size_t kMaxPendingErrors = 100;

}  // namespace

struct XScreen::State {
    Display* dpy = nullptr;
    std::string name;
    int screen = 0;
    Window root = 0;
    cv::Size size;
    std::atomic<bool> dead{false};
    std::mutex errors_mutex;
    std::vector<RawError> errors;
    std::size_t errors_dropped = 0;
};

namespace {

// Routes Xlib's process-wide error callbacks to the XScreen that owns the
// connection; other connections get the handlers that were there before.
struct Registry {
    std::mutex mutex;
    std::unordered_map<Display*, XScreen::State*> screens;
    XErrorHandler previous_error = nullptr;
    XIOErrorHandler previous_io_error = nullptr;

    static Registry& get() {
        static Registry r;
        return r;
    }
};

int on_x_error(Display* dpy, XErrorEvent* ev) {
    auto& reg = Registry::get();
    XErrorHandler previous = nullptr;
    {
        std::lock_guard lock(reg.mutex);
        const auto it = reg.screens.find(dpy);
        if (it != reg.screens.end()) {
            auto* s = it->second;
            std::lock_guard elock(s->errors_mutex);
            if (s->errors.size() < kMaxPendingErrors)
                s->errors.push_back({ev->error_code, ev->request_code, ev->minor_code, ev->resourceid});
            else
                ++s->errors_dropped;
            return 0;
        }
        previous = reg.previous_error;
    }
    return previous ? previous(dpy, ev) : 0;
}

int on_x_io_error(Display* dpy) {
    auto& reg = Registry::get();
    XIOErrorHandler previous = nullptr;
    {
        std::lock_guard lock(reg.mutex);
        const auto it = reg.screens.find(dpy);
        if (it != reg.screens.end()) {
            it->second->dead = true;
            return 0;  // the exit handler below decides what happens next: nothing
        }
        previous = reg.previous_io_error;
    }
    return previous ? previous(dpy) : 0;
}

#ifdef TPC3_HAVE_XIOERROR_EXIT_HANDLER
void on_x_io_exit(Display*, void* user_data) {
    // Returning (instead of exit()) leaves the connection flagged as broken:
    // Xlib calls on it fail from now on.
    static_cast<XScreen::State*>(user_data)->dead = true;
}
#endif

void install_handlers_once() {
    static std::once_flag once;
    std::call_once(once, [] {
        XInitThreads();  // several observers (threads) may use Xlib at once
        auto& reg = Registry::get();
        std::lock_guard lock(reg.mutex);
        reg.previous_error = XSetErrorHandler(on_x_error);
        reg.previous_io_error = XSetIOErrorHandler(on_x_io_error);
    });
}

std::string describe_error(Display* dpy, const RawError& e) {
    char text[256] = "";
    XGetErrorText(dpy, e.error_code, text, sizeof text);
    char line[400];
    std::snprintf(line, sizeof line, "X error %d: %s, in request %d.%d on resource 0x%lx", e.error_code, text,
                  e.request_code, e.minor_code, e.resource);
    return line;
}

int shift_of(unsigned long mask) {
    int s = 0;
    while (mask && !(mask & 1)) {
        mask >>= 1;
        ++s;
    }
    return s;
}

}  // namespace

XScreen::XScreen() : s_(std::make_unique<State>()) {}

std::unique_ptr<XScreen> XScreen::connect(const std::string& display, std::chrono::milliseconds timeout,
                                          std::string* error) {
    install_handlers_once();
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    Display* dpy = nullptr;
    for (;;) {
        dpy = XOpenDisplay(display.c_str());
        if (dpy || std::chrono::steady_clock::now() >= deadline) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!dpy) {
        if (error) *error = "cannot connect to X display " + display;
        return nullptr;
    }
    std::unique_ptr<XScreen> x(new XScreen());
    auto& s = *x->s_;
    s.dpy = dpy;
    s.name = display;
    s.screen = DefaultScreen(dpy);
    s.root = RootWindow(dpy, s.screen);
    s.size = cv::Size(DisplayWidth(dpy, s.screen), DisplayHeight(dpy, s.screen));
    {
        auto& reg = Registry::get();
        std::lock_guard lock(reg.mutex);
        reg.screens[dpy] = &s;
    }
#ifdef TPC3_HAVE_XIOERROR_EXIT_HANDLER
    XSetIOErrorExitHandler(dpy, on_x_io_exit, &s);
#endif
    return x;
}

XScreen::~XScreen() {
    if (!s_ || !s_->dpy) return;
    // Errors raised while closing still come to this State; unregister after,
    // and only if the pointer was not handed to a newer connection meanwhile.
    XCloseDisplay(s_->dpy);
    auto& reg = Registry::get();
    std::lock_guard lock(reg.mutex);
    const auto it = reg.screens.find(s_->dpy);
    if (it != reg.screens.end() && it->second == s_.get()) reg.screens.erase(it);
}

const std::string& XScreen::display_name() const { return s_->name; }
cv::Size XScreen::screen_size() const { return s_->size; }
bool XScreen::dead() const { return s_->dead.load(); }

std::vector<TopLevelWindow> XScreen::top_level_windows() {
    std::vector<TopLevelWindow> out;
    if (dead()) return out;
    Window root_return = 0, parent = 0;
    Window* children = nullptr;
    unsigned int n = 0;
    if (!XQueryTree(s_->dpy, s_->root, &root_return, &parent, &children, &n)) return out;
    for (unsigned int i = 0; i < n && !dead(); ++i) {
        XWindowAttributes a{};
        // The window may be gone already: BadWindow is filed, the call returns 0.
        if (!XGetWindowAttributes(s_->dpy, children[i], &a)) continue;
        TopLevelWindow w;
        w.id = children[i];
        w.rect = cv::Rect(a.x, a.y, a.width + 2 * a.border_width, a.height + 2 * a.border_width);
        w.viewable = a.map_state == IsViewable && a.c_class == InputOutput;
        out.push_back(w);
    }
    if (children) XFree(children);
    return out;
}

std::optional<cv::Rect> XScreen::viewable_region() {
    cv::Rect box;
    bool any = false;
    for (const auto& w : top_level_windows()) {
        if (!w.viewable) continue;
        box = any ? (box | w.rect) : w.rect;
        any = true;
    }
    if (!any) return std::nullopt;
    box &= cv::Rect(cv::Point(0, 0), s_->size);
    if (box.empty()) return std::nullopt;
    return box;
}

bool XScreen::grab(const cv::Rect& region, cv::Mat& bgra, std::string* error) {
    const auto fail = [&](const std::string& why) {
        if (error) *error = why;
        return false;
    };
    if (dead()) return fail("the connection to X display " + s_->name + " is lost");
    const cv::Rect screen(cv::Point(0, 0), s_->size);
    if (region.empty() || (region & screen) != region)
        return fail("grab region " + std::to_string(region.width) + "x" + std::to_string(region.height) + "+" +
                    std::to_string(region.x) + "+" + std::to_string(region.y) + " is not inside the screen");
    XImage* img = XGetImage(s_->dpy, s_->root, region.x, region.y, static_cast<unsigned>(region.width),
                            static_cast<unsigned>(region.height), AllPlanes, ZPixmap);
    if (!img) return fail(dead() ? "the connection to X display " + s_->name + " was lost during a grab"
                                 : "XGetImage failed on display " + s_->name);
    bool ok = true;
    if (img->bits_per_pixel == 32 && img->byte_order == LSBFirst && img->red_mask == 0xff0000 &&
        img->green_mask == 0xff00 && img->blue_mask == 0xff) {
        // The common case (depth 24 on a little-endian server): bytes B, G, R, pad.
        cv::Mat(img->height, img->width, CV_8UC4, img->data, static_cast<std::size_t>(img->bytes_per_line))
            .copyTo(bgra);
    } else if (img->red_mask && img->green_mask && img->blue_mask) {
        // Any other TrueColor layout: slow but exact.
        bgra.create(img->height, img->width, CV_8UC4);
        const int rs = shift_of(img->red_mask), gs = shift_of(img->green_mask), bs = shift_of(img->blue_mask);
        const auto scale = [](unsigned long v, unsigned long mask) {
            return static_cast<std::uint8_t>(mask ? v * 255 / mask : 0);
        };
        for (int y = 0; y < img->height; ++y) {
            auto* row = bgra.ptr<cv::Vec4b>(y);
            for (int x = 0; x < img->width; ++x) {
                const unsigned long p = XGetPixel(img, x, y);
                row[x] = cv::Vec4b(scale((p & img->blue_mask) >> bs, img->blue_mask >> bs),
                                   scale((p & img->green_mask) >> gs, img->green_mask >> gs),
                                   scale((p & img->red_mask) >> rs, img->red_mask >> rs), 0);
            }
        }
    } else {
        ok = fail("display " + s_->name + " has no TrueColor visual (depth " + std::to_string(img->depth) + ")");
    }
    XDestroyImage(img);
    return ok;
}

std::vector<std::string> XScreen::take_errors() {
    std::vector<RawError> raw;
    std::size_t dropped = 0;
    {
        std::lock_guard lock(s_->errors_mutex);
        raw.swap(s_->errors);
        dropped = s_->errors_dropped;
        s_->errors_dropped = 0;
    }
    std::vector<std::string> out;
    for (const auto& e : raw) out.push_back(describe_error(s_->dpy, e));
    if (dropped) out.push_back(std::to_string(dropped) + " more X errors not kept");
    return out;
}

}  // namespace tpc3::observe
