// The movies the runner streams, made at run time with the marker library (so
// every frame is a real JPEG that says its own frame number) or read from a
// file the user gave (--movie). Each one is a MovieUnderTest: the name the
// server is asked for, the local copy, the frames in file order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "checks/observations.h"

namespace tpc3::conform::server {

// Names chosen so that they do not clash with a student's own movies.
namespace movie_names {
inline constexpr const char* main = "tpc3conform-40.mpeg";        // the default main stream
inline constexpr const char* liveness = "tpc3conform-live.mpeg";  // liveness, probe and ID sessions
inline constexpr const char* big = "tpc3conform-big.mpeg";        // S-BIG-01
inline constexpr const char* full = "tpc3conform-long.mpeg";      // --full
}  // namespace movie_names

struct MarkerMovieSpec {
    std::size_t frames = 40;
    int width = 320;
    int height = 240;
    int quality = 80;                     // JPEG quality
    std::vector<std::size_t> padded_sizes;  // when set, frame k is padded to padded_sizes[k % n] bytes
    std::string caption = "tpc3-conform";
};

// Writes a movie of marker frames (frame k shows number k + 1, its sequence
// number on the wire) to dir / name. Throws movie::MovieError or
// std::invalid_argument (a padded size smaller than the frame).
MovieUnderTest make_marker_movie(const std::filesystem::path& dir, const std::string& name,
                                 const MarkerMovieSpec& spec);

// Reads a movie file (PROTOCOL.md 2); `name` is what the server is asked for.
// Throws movie::MovieError naming the file, frame and byte offset.
MovieUnderTest load_movie(const std::filesystem::path& file, std::string name);

// The same JPEG, exactly `size` bytes long: a COM segment (FF FE, 2-byte
// length, filler) is inserted after SOI, so it stays a valid JPEG that every
// decoder reads. Throws std::invalid_argument when the JPEG does not start
// with SOI, is already longer than `size` - 4, or the padding needs more than
// one segment (65,533 bytes).
std::vector<std::uint8_t> pad_jpeg(std::span<const std::uint8_t> jpeg, std::size_t size);

// The specs of the runner's own movies.
MarkerMovieSpec main_movie_spec();      // 40 frames 320x240: a 2 s stream
MarkerMovieSpec liveness_movie_spec();  // 8 frames 160x120: 0.4 s (see runner_movies.cpp for why 8)
MarkerMovieSpec big_movie_spec();       // 6 frames of 60,000..64,000 bytes
MarkerMovieSpec full_movie_spec();      // 500 frames 640x480: a 25 s stream

}  // namespace tpc3::conform::server
