// Compares the accepted payloads of a stream with a local copy of the movie:
// the payload of seq s must be byte for byte frame s-1 of the file, every frame
// must arrive, and nothing beyond the last frame.
#pragma once

#include "movie/movie_index.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace tpc3::client {

struct MovieMismatch {
    std::uint64_t seq = 0;          // extended seq of the offending payload
    std::uint64_t byte_offset = 0;  // first differing byte in the payload (0 for an extra frame)
    std::string message;
};

struct MovieComparison {
    std::string path;
    std::size_t movie_frames = 0;
    std::uint64_t identical = 0;   // payloads equal to their frame
    std::uint64_t different = 0;   // payloads that differ from their frame
    std::uint64_t extra = 0;       // payloads with no frame (seq 0 or beyond the last frame)
    std::uint64_t missing = 0;     // frames that never arrived
    std::optional<std::uint64_t> first_missing_seq;
    std::optional<MovieMismatch> first_mismatch;  // first different or extra payload, in arrival order

    bool matched() const { return different == 0 && extra == 0 && missing == 0; }
    // "matched: 100 frames identical" or what went wrong first.
    std::string summary() const;
};

class MovieMatcher {
public:
    // Indexes the file. Throws movie::MovieError (names the file and offset).
    explicit MovieMatcher(const std::string& path);

    // One accepted payload; seq is the extended (unwrapped) sequence number.
    void on_accepted(std::uint64_t seq, std::span<const std::uint8_t> payload);

    MovieComparison result() const;

private:
    movie::MovieIndex index_;
    std::vector<bool> seen_;
    MovieComparison cmp_;
};

}  // namespace tpc3::client
