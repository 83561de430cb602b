// Fuzz target: the movie-file reader (reference/core/movie) on any file.
// The input is the whole file, held in a memfd. Properties:
//  - MovieReader and MovieIndex agree: on a malformed file the same error
//    (kind, offset, frame index, message), else the same frames (offset,
//    bytes), with and without the JPEG check;
//  - errors name the file and lie inside it;
//  - round trip: the frames read, written again with MovieWriter, give back
//    the input's bytes up to the error (the format has one spelling per
//    frame), and read back as the same frames.

#include "fuzz_check.h"
#include "memory_file.h"
#include "movie/movie_index.h"
#include "movie/movie_reader.h"
#include "movie/movie_writer.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

using namespace tpc3::movie;

namespace {

struct ErrorSeen {
    MovieErrorKind kind;
    std::uint64_t offset;
    std::size_t frame_index;
    std::string what;
    bool operator==(const ErrorSeen&) const = default;
};

struct Outcome {
    std::vector<Frame> frames;
    std::optional<ErrorSeen> error;
};

ErrorSeen seen(const MovieError& e) { return {e.kind(), e.offset(), e.frame_index(), e.what()}; }

Outcome read_with_reader(const std::string& path, bool check_jpeg) {
    Outcome out;
    MovieReader reader(path);
    reader.set_check_jpeg(check_jpeg);
    try {
        while (auto frame = reader.next()) out.frames.push_back(std::move(*frame));
    } catch (const MovieError& e) {
        out.error = seen(e);
        FUZZ_CHECK(!reader.next(), "after an error the reader is at its end");
    }
    return out;
}

Outcome read_with_index(const std::string& path, bool check_jpeg) {
    Outcome out;
    try {
        const MovieIndex index = MovieIndex::build(path, check_jpeg);
        for (std::size_t k = 0; k < index.size(); ++k) {
            Frame f;
            f.index = k;
            f.offset = index[k].offset - kLengthDigits;
            f.data = index.read_frame(k);
            FUZZ_CHECK(f.data.size() == index[k].size, "read_frame gives the indexed size");
            out.frames.push_back(std::move(f));
        }
    } catch (const MovieError& e) {
        out.error = seen(e);
    }
    return out;
}

// a: the reader's outcome; b: the index's (which has no frames when build threw).
void check_same(const Outcome& a, const Outcome& b) {
    FUZZ_CHECK(a.error == b.error, "reader and index report the same error");
    if (b.error) return;
    FUZZ_CHECK(a.frames.size() == b.frames.size(), "reader and index find the same number of frames");
    for (std::size_t k = 0; k < a.frames.size(); ++k) {
        FUZZ_CHECK(a.frames[k].index == k && b.frames[k].index == k, "frames are numbered from 0");
        FUZZ_CHECK(a.frames[k].offset == b.frames[k].offset, "reader and index agree on a frame's offset");
        FUZZ_CHECK(a.frames[k].data == b.frames[k].data, "reader and index read the same frame bytes");
    }
}

void check_error(const Outcome& o, const std::string& path, std::size_t size) {
    if (!o.error) return;
    FUZZ_CHECK(o.error->what.starts_with(path + ": frame " + std::to_string(o.error->frame_index) + " at offset " +
                                         std::to_string(o.error->offset) + ": "),
               "an error names the file, the frame and the offset");
    FUZZ_CHECK(o.error->offset < size, "an error's offset lies inside the file");
    FUZZ_CHECK(o.error->frame_index == o.frames.size(), "the error belongs to the frame after the last good one");
}

void check_round_trip(const Outcome& o, std::span<const std::uint8_t> input, tpc3::fuzz::MemoryFile& copy) {
    MovieWriter writer(copy.path());
    writer.set_check_jpeg(false);
    for (const Frame& f : o.frames) writer.write(f.data);
    writer.close();
    const auto written = copy.contents();
    const std::size_t good = o.error ? static_cast<std::size_t>(o.error->offset) : input.size();
    FUZZ_CHECK(written.size() == good && std::equal(written.begin(), written.end(), input.begin()),
               "writing the frames read gives back the input up to the error");
    const Outcome again = read_with_reader(copy.path(), false);
    FUZZ_CHECK(!again.error && again.frames.size() == o.frames.size(), "the written movie reads back whole");
    for (std::size_t k = 0; k < o.frames.size(); ++k) {
        FUZZ_CHECK(again.frames[k].data == o.frames[k].data && again.frames[k].offset == o.frames[k].offset,
                   "the written movie reads back the same frames");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static tpc3::fuzz::MemoryFile movie("fuzz-movie");
    static tpc3::fuzz::MemoryFile copy("fuzz-movie-copy");
    const std::span<const std::uint8_t> input(data, size);
    movie.assign(input);

    for (const bool check_jpeg : {false, true}) {
        const Outcome by_reader = read_with_reader(movie.path(), check_jpeg);
        const Outcome by_index = read_with_index(movie.path(), check_jpeg);
        check_same(by_reader, by_index);
        check_error(by_reader, movie.path(), size);
        if (!check_jpeg) check_round_trip(by_reader, input, copy);
    }
    return 0;
}
