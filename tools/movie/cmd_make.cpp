// tpc3-movie make: a synthetic movie of marker frames.
#include "command.h"
#include "frame_size.h"
#include "output_file.h"

#include "marker/marker.h"
#include "movie/movie_writer.h"

#include <opencv2/core.hpp>

#include <iostream>
#include <memory>

namespace tpc3::movie_tool {
namespace {

struct MakeOptions {
    std::string out;
    std::uint32_t frames = 40;
    FrameSize size;
    int quality = 75;
    double noise = 0;
    std::uint64_t seed = 1;
};

// Gaussian noise over the text part only: the markers stay clean, the JPEG grows.
void add_noise(cv::Mat& frame, double sigma, cv::RNG& rng) {
    if (sigma <= 0) return;
    const cv::Rect area = marker::marker_layout(frame.cols, frame.rows).text_area;
    cv::Mat noise(area.size(), CV_16SC3);
    rng.fill(noise, cv::RNG::NORMAL, cv::Scalar::all(0), cv::Scalar::all(sigma));
    cv::Mat wide;
    frame(area).convertTo(wide, CV_16SC3);
    wide += noise;
    wide.convertTo(frame(area), CV_8UC3);  // saturates to 0..255
}

int run_make(const MakeOptions& o) {
    OutputFile out(o.out);
    movie::MovieWriter writer(out.write_path());
    cv::RNG rng(o.seed);
    for (std::uint32_t k = 0; k < o.frames; ++k) {
        const std::uint32_t number = k + 1;
        cv::Mat frame = marker::render_frame(o.size.width, o.size.height, marker::MarkerValue::frame(number),
                                             "frame " + std::to_string(number) + " of " + std::to_string(o.frames));
        add_noise(frame, o.noise, rng);
        const auto jpeg = marker::encode_jpeg(frame, o.quality);
        if (jpeg.size() > movie::kMaxFrameSize) {
            throw InputError(o.out + ": frame " + std::to_string(k) + " (number " + std::to_string(number) +
                             ") is " + std::to_string(jpeg.size()) + " bytes at " + to_string(o.size) +
                             " quality " + std::to_string(o.quality) + ", over the 99,999 bytes a movie frame can "
                             "hold; lower --size, --quality or --noise");
        }
        writer.write(jpeg);
    }
    writer.close();
    out.commit();
    std::cout << "wrote " << o.out << ": " << o.frames << " frames, " << to_string(o.size) << ", quality "
              << o.quality << "\n";
    return kExitOk;
}

}  // namespace

Command add_make_command(CLI::App& parent) {
    auto o = std::make_shared<MakeOptions>();
    CLI::App* cmd = parent.add_subcommand("make", "Write a synthetic movie of numbered marker frames.");
    cmd->add_option("OUT", o->out, "The movie file to write (replaced if it exists).")->required()->type_name("");
    cmd->add_option("--frames", o->frames, "Number of frames, 1 to 899999 (default 40).")
        ->check(CLI::Range(1u, marker::MarkerValue::kMaxFrame).description(""))
        ->type_name("N");
    add_size_option(*cmd, o->size);
    cmd->add_option("--quality", o->quality, "JPEG quality, 1 to 100 (default 75).")
        ->check(CLI::Range(1, 100).description(""))
        ->type_name("Q");
    cmd->add_option("--noise", o->noise,
                    "Noise above the markers, standard deviation in grey levels, 0 to 100 (default 0).")
        ->check(CLI::Range(0.0, 100.0).description(""))
        ->type_name("SIGMA");
    cmd->add_option("--seed", o->seed, "Seed of the noise (default 1).")->type_name("S");
    cmd->footer(R"(DESCRIPTION
  Frame k (0-based) shows the number k+1, which is also the RTP sequence number
  it is sent with, in big digits for a person and as two ArUco markers at the
  bottom for the conformance runner (see reference/marker/marker_value.h).
  --noise adds random noise above the markers, which makes frames bigger
  (e.g. to test large datagrams); the same options and --seed give the same
  bytes. The movie is written as OUT.partial and renamed to OUT when complete.

  A movie frame holds at most 99,999 bytes (5 length digits). If a frame is
  larger, nothing is written and the error names the frame.

EXAMPLES
  tpc3-movie make movie.mpeg
  tpc3-movie make big.mpeg --frames 100 --size 640x480 --quality 90 --noise 30

EXIT STATUS
  0 written, 1 a frame too large or OUT not writable, 2 usage error.)");
    return {cmd, [o] { return run_make(*o); }};
}

}  // namespace tpc3::movie_tool
