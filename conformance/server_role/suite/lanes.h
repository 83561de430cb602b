// Runs jobs in a few threads at once ("lanes"), in the given order: each
// lane takes the next job as long as may_start() says so. Used for the
// questions the suite asks alongside the main stream of a server that has
// shown it serves sessions concurrently.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace tpc3::conform::server {

class Lanes {
public:
    // Jobs must not throw (an escaping exception is swallowed and the job
    // counted as run). Threads start at once.
    Lanes(std::vector<std::function<void()>> jobs, std::size_t lanes, std::function<bool()> may_start);
    ~Lanes();  // join()
    Lanes(const Lanes&) = delete;
    Lanes& operator=(const Lanes&) = delete;

    // Some job is running or waiting to be taken.
    bool busy() const;
    // Waits for every lane; the indices of the jobs no lane started, in order.
    std::vector<std::size_t> join();

private:
    void lane();

    std::vector<std::function<void()>> jobs_;
    std::function<bool()> may_start_;
    mutable std::mutex mutex_;
    std::size_t next_ = 0;
    bool stopped_ = false;   // a lane found may_start() false: no job starts any more
    std::size_t running_ = 0;
    std::vector<std::thread> threads_;
};

}  // namespace tpc3::conform::server
