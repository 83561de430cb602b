#include "session_ids.h"

namespace tpc3::server {

static_assert(sizeof(std::random_device::result_type) >= 4, "random_device must give 32 bits");

SessionIds::SessionIds() {
    // libstdc++ names the getrandom(2) source "getrandom"; older or other
    // libraries fall back to their default non-deterministic source.
    try {
        random_ = std::make_unique<std::random_device>("getrandom");
    } catch (const std::exception&) {
        random_ = std::make_unique<std::random_device>();
    }
}

std::uint32_t SessionIds::allocate() {
    std::lock_guard lock(mutex_);
    for (;;) {
        const auto id = static_cast<std::uint32_t>((*random_)());
        if (live_.insert(id).second) return id;
    }
}

void SessionIds::release(std::uint32_t id) {
    std::lock_guard lock(mutex_);
    live_.erase(id);
}

std::size_t SessionIds::live() const {
    std::lock_guard lock(mutex_);
    return live_.size();
}

}  // namespace tpc3::server
