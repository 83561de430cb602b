#include "cli/watchdog.h"

#include <unistd.h>

#include "report/report.h"

namespace tpc3::conform::cli {

Watchdog::Watchdog(std::chrono::milliseconds limit, std::function<void()> on_expiry)
{
    thread_ = std::thread([this, limit, on_expiry = std::move(on_expiry)] {
        std::unique_lock lock(mutex_);
        if (done_cv_.wait_for(lock, limit, [this] { return done_; })) return;
        lock.unlock();
        try {
            if (on_expiry) on_expiry();
        } catch (...) {
            // Exiting matters more than what on_expiry could not do.
        }
        ::_exit(report::exit_code::usage_or_harness);
    });
}

Watchdog::~Watchdog()
{
    {
        std::lock_guard lock(mutex_);
        done_ = true;
    }
    done_cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

}  // namespace tpc3::conform::cli
