// SessionIDs (PROTOCOL.md 3): uniformly random over 0 .. 2^32-1 from the
// kernel's generator (std::random_device, getrandom), unique among the live
// sessions. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <unordered_set>

namespace tpc3::server {

class SessionIds {
public:
    SessionIds();
    std::uint32_t allocate();
    void release(std::uint32_t id);
    std::size_t live() const;

private:
    mutable std::mutex mutex_;
    std::unique_ptr<std::random_device> random_;
    std::unordered_set<std::uint32_t> live_;
};

}  // namespace tpc3::server
