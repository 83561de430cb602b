#include "core/rng.h"

namespace tpc3::fuzz::net {

namespace {
std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

std::uint64_t splitmix64(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

Rng::Rng(std::uint64_t seed) {
    std::uint64_t state = seed;
    for (auto& word : s_) word = splitmix64(state);
}

Rng Rng::for_case(std::uint64_t seed, std::uint64_t iteration) {
    // Mix both through splitmix so nearby (seed, iteration) pairs give
    // unrelated streams.
    std::uint64_t a = seed;
    std::uint64_t mixed_seed = splitmix64(a);
    std::uint64_t b = iteration ^ 0x5bd1e9955bd1e995ULL;
    std::uint64_t mixed_iteration = splitmix64(b);
    return Rng(mixed_seed ^ rotl(mixed_iteration, 17));
}

std::uint64_t Rng::next_u64() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}

std::uint64_t Rng::below(std::uint64_t n) {
    if (n == 0) throw std::invalid_argument("Rng::below(0)");
    // Rejection sampling: drop the top values that would bias the modulo.
    const std::uint64_t limit = UINT64_MAX - (UINT64_MAX % n);
    std::uint64_t x = next_u64();
    while (x >= limit) x = next_u64();
    return x % n;
}

std::uint64_t Rng::between(std::uint64_t lo, std::uint64_t hi) {
    if (lo > hi) throw std::invalid_argument("Rng::between: lo > hi");
    if (lo == 0 && hi == UINT64_MAX) return next_u64();
    return lo + below(hi - lo + 1);
}

bool Rng::chance(std::uint64_t p_num, std::uint64_t p_den) {
    if (p_den == 0) throw std::invalid_argument("Rng::chance: denominator 0");
    return below(p_den) < p_num;
}

std::vector<std::uint8_t> Rng::bytes(std::size_t n) {
    std::vector<std::uint8_t> out(n);
    std::size_t i = 0;
    while (i < n) {
        std::uint64_t x = next_u64();
        for (int k = 0; k < 8 && i < n; ++k, ++i) {
            out[i] = static_cast<std::uint8_t>(x & 0xff);
            x >>= 8;
        }
    }
    return out;
}

}  // namespace tpc3::fuzz::net
