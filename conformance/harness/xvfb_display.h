// A private virtual X display (Xvfb) for clients under test.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "harness/process.h"

namespace tpc3::harness {

struct XvfbOptions {
    int width = 1024;
    int height = 768;
    int depth = 24;
    std::chrono::milliseconds start_timeout{10000};
    int attempts = 3;                        // restarts when a start fails (e.g. a lost race)
    std::filesystem::path log_dir;           // Xvfb's output goes there ("Xvfb-:N" files); empty: captured
    std::vector<std::string> extra_args;     // appended to the Xvfb command line
    std::string program = "Xvfb";
};

class XvfbError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Starts `Xvfb -displayfd FD -screen 0 WxHxD -nolisten tcp -noreset`: the
// server picks the lowest display number whose socket it can bind (binding
// the abstract socket "@/tmp/.X11-unix/XN" is atomic, so concurrent displays
// never share a number; a live server on N, locked or not, is skipped) and
// writes it to FD once it accepts clients. With -displayfd Xvfb takes no
// /tmp/.XN-lock. The constructor then checks that a client can connect
// (XOpenDisplay) before returning, and retries a failed start. On destruction
// Xvfb is stopped (SIGTERM, then SIGKILL) and the socket file a killed server
// leaves in /tmp/.X11-unix is removed (only if no server answers on it).
// Move-only; throws XvfbError when no display comes up.
class XvfbDisplay {
public:
    explicit XvfbDisplay(XvfbOptions options = {});
    XvfbDisplay(XvfbDisplay&&) noexcept;
    XvfbDisplay& operator=(XvfbDisplay&&) noexcept;
    ~XvfbDisplay();

    const std::string& name() const { return name_; }  // ":N", the DISPLAY value
    int number() const { return number_; }
    pid_t pid() const;
    const Process& process() const { return *server_; }
    bool running() const;

    // Stops Xvfb now (idempotent).
    void stop();

private:
    void cleanup_files() const;

    std::unique_ptr<Process> server_;
    std::string name_;
    int number_ = -1;
};

// Whether an X client can connect to `display` (XOpenDisplay then
// XCloseDisplay), retrying until the deadline.
bool x_display_accepts_clients(const std::string& display, Deadline deadline);

}  // namespace tpc3::harness
