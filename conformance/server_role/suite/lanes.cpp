#include "suite/lanes.h"

#include <algorithm>

namespace tpc3::conform::server {

Lanes::Lanes(std::vector<std::function<void()>> jobs, std::size_t lanes, std::function<bool()> may_start)
    : jobs_(std::move(jobs)), may_start_(std::move(may_start))
{
    const std::size_t n = std::min(std::max<std::size_t>(lanes, 1), jobs_.size());
    for (std::size_t i = 0; i < n; ++i) threads_.emplace_back([this] { lane(); });
}

Lanes::~Lanes() { join(); }

bool Lanes::busy() const
{
    std::lock_guard lock(mutex_);
    return running_ > 0 || (!stopped_ && next_ < jobs_.size());
}

void Lanes::lane()
{
    for (;;) {
        std::size_t job = 0;
        {
            std::lock_guard lock(mutex_);
            if (stopped_ || next_ >= jobs_.size()) return;
            if (may_start_ && !may_start_()) {
                stopped_ = true;
                return;
            }
            job = next_++;
            ++running_;
        }
        try {
            jobs_[job]();
        } catch (...) {
            // Documented: jobs report their own failures.
        }
        std::lock_guard lock(mutex_);
        --running_;
    }
}

std::vector<std::size_t> Lanes::join()
{
    for (std::thread& t : threads_)
        if (t.joinable()) t.join();
    std::lock_guard lock(mutex_);
    std::vector<std::size_t> not_started;
    for (std::size_t k = next_; k < jobs_.size(); ++k) not_started.push_back(k);
    return not_started;
}

}  // namespace tpc3::conform::server
