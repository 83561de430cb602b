// A deterministic random source for network fuzzing: the same seed gives the
// same numbers on every platform and standard library (xoshiro256** seeded
// by splitmix64; no std::*_distribution, whose output differs between
// libstdc++ and libc++).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <vector>

namespace tpc3::fuzz::net {

// One step of splitmix64 (Vigna): advances `state` and returns the next value.
std::uint64_t splitmix64(std::uint64_t& state);

class Rng {
public:
    explicit Rng(std::uint64_t seed);

    // The generator of case `iteration` of a run with `seed`: depends on
    // nothing else, so case i is the same whatever ran before it.
    static Rng for_case(std::uint64_t seed, std::uint64_t iteration);

    std::uint64_t next_u64();
    // Uniform in [0, n) without modulo bias. Throws std::invalid_argument for n == 0.
    std::uint64_t below(std::uint64_t n);
    // Uniform in [lo, hi] (inclusive). Throws std::invalid_argument for lo > hi.
    std::uint64_t between(std::uint64_t lo, std::uint64_t hi);
    // True with probability p_num / p_den.
    bool chance(std::uint64_t p_num, std::uint64_t p_den);
    std::vector<std::uint8_t> bytes(std::size_t n);

    template <typename T>
    const T& pick(std::span<const T> items) {
        if (items.empty()) throw std::invalid_argument("Rng::pick: empty span");
        return items[static_cast<std::size_t>(below(items.size()))];
    }
    template <typename T>
    const T& pick(const std::vector<T>& items) {
        return pick(std::span<const T>(items));
    }

private:
    std::uint64_t s_[4];
};

}  // namespace tpc3::fuzz::net
