#include "suite/runner_movies.h"

#include <stdexcept>

#include "marker/marker.h"
#include "movie/movie_reader.h"
#include "movie/movie_writer.h"

namespace tpc3::conform::server {

namespace {

constexpr std::size_t kComHeader = 4;             // FF FE + the 2-byte length
constexpr std::size_t kMaxComLength = 65535;      // the length field counts itself

std::vector<std::uint8_t> marker_jpeg(const MarkerMovieSpec& spec, std::size_t k)
{
    const auto number = static_cast<std::uint32_t>(k + 1);
    const std::string caption = spec.caption + " " + std::to_string(number) + "/" + std::to_string(spec.frames);
    return marker::encode_jpeg(marker::render_frame(spec.width, spec.height, marker::MarkerValue::frame(number), caption),
                               spec.quality);
}

}  // namespace

std::vector<std::uint8_t> pad_jpeg(std::span<const std::uint8_t> jpeg, std::size_t size)
{
    if (jpeg.size() < 2 || jpeg[0] != 0xFF || jpeg[1] != 0xD8)
        throw std::invalid_argument("pad_jpeg: the bytes do not start with a JPEG SOI marker (FF D8)");
    if (size < jpeg.size() + kComHeader)
        throw std::invalid_argument("pad_jpeg: a " + std::to_string(jpeg.size()) + "-byte JPEG cannot be padded to " +
                                    std::to_string(size) + " bytes");
    const std::size_t filler = size - jpeg.size() - kComHeader;
    if (filler + 2 > kMaxComLength)
        throw std::invalid_argument("pad_jpeg: " + std::to_string(filler) + " bytes of padding do not fit one COM segment");
    static constexpr char kText[] = "tpc3-conform large-frame padding. ";
    std::vector<std::uint8_t> out;
    out.reserve(size);
    out.insert(out.end(), jpeg.begin(), jpeg.begin() + 2);
    const std::size_t length = filler + 2;
    out.insert(out.end(), {0xFF, 0xFE, static_cast<std::uint8_t>(length >> 8), static_cast<std::uint8_t>(length & 0xFF)});
    for (std::size_t i = 0; i < filler; ++i) out.push_back(static_cast<std::uint8_t>(kText[i % (sizeof kText - 1)]));
    out.insert(out.end(), jpeg.begin() + 2, jpeg.end());
    return out;
}

MovieUnderTest make_marker_movie(const std::filesystem::path& dir, const std::string& name, const MarkerMovieSpec& spec)
{
    MovieUnderTest movie;
    movie.name = name;
    movie.path = (dir / name).string();
    movie::MovieWriter writer(movie.path);
    for (std::size_t k = 0; k < spec.frames; ++k) {
        std::vector<std::uint8_t> jpeg = marker_jpeg(spec, k);
        if (!spec.padded_sizes.empty()) jpeg = pad_jpeg(jpeg, spec.padded_sizes[k % spec.padded_sizes.size()]);
        writer.write(jpeg);
        movie.frames.push_back(std::move(jpeg));
    }
    writer.close();
    return movie;
}

MovieUnderTest load_movie(const std::filesystem::path& file, std::string name)
{
    MovieUnderTest movie;
    movie.name = std::move(name);
    movie.path = file.string();
    movie::MovieReader reader(movie.path);
    while (auto frame = reader.next()) movie.frames.push_back(std::move(frame->data));
    return movie;
}

MarkerMovieSpec main_movie_spec()
{
    return {.frames = 40, .width = 320, .height = 240, .quality = 80, .padded_sizes = {}, .caption = "tpc3-conform"};
}

// Eight frames rather than three: a liveness session sends Go only after the
// reply has settled (reply idle time), and a server that streams without
// waiting for Go (a S-SETUP-03 bug) must still leave at least
// Thresholds::liveness_min_packets datagrams after Go, or that one bug would
// also fail every S-ROB check. 8 frames last 0.4 s; the settle time is 0.1 s.
MarkerMovieSpec liveness_movie_spec()
{
    return {.frames = 8, .width = 160, .height = 120, .quality = 70, .padded_sizes = {}, .caption = "live"};
}

// Distinct sizes in a non-monotonic order, so that a swapped or repeated
// frame is told apart by size alone; the largest datagram (64,012 bytes) fits
// the 65,507-byte UDP limit.
MarkerMovieSpec big_movie_spec()
{
    return {.frames = 6,
            .width = 320,
            .height = 240,
            .quality = 90,
            .padded_sizes = {60000, 64000, 61000, 63000, 62000, 60500},
            .caption = "big"};
}

MarkerMovieSpec full_movie_spec()
{
    return {.frames = 500, .width = 640, .height = 480, .quality = 75, .padded_sizes = {}, .caption = "tpc3-conform long"};
}

}  // namespace tpc3::conform::server
