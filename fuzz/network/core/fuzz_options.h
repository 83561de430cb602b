// Options common to the server and the client fuzzer.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <stdexcept>

namespace tpc3::fuzz::net {

struct FuzzOptions {
    std::uint64_t seed = 1;
    // Stop after this many cases and/or after this time budget (whichever
    // comes first). Neither set: kDefaultIterations.
    std::optional<std::uint64_t> iterations;
    std::optional<std::chrono::milliseconds> time_budget;
    std::uint64_t first_iteration = 0;   // case numbers run from here (resume a run)
    std::filesystem::path out_dir = "fuzz-findings";  // reproducers go here
    bool stop_at_first = false;
    std::ostream* verbose = nullptr;     // progress and each case's steps; nullptr = quiet
    std::chrono::milliseconds case_deadline{5000};  // bound on one case (all its waits together)
    // How long the liveness check waits for the reply and for the first datagram.
    std::chrono::milliseconds liveness_deadline{3000};

    static constexpr std::uint64_t kDefaultIterations = 100;
};

// [extension] The fuzz run cannot start or go on for a reason that is not a
// finding (the target does not start, fails a valid session before any case,
// a bad option): `tpc3-conform fuzz` exits 2 with this message.
class FuzzHarnessError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace tpc3::fuzz::net
