// tpc3-movie info: validate a movie in one streaming pass and summarise it.
#include "command.h"
#include "jpeg_dimensions.h"

#include "movie/movie_reader.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

namespace tpc3::movie_tool {
namespace {

constexpr double kFramesPerSecond = 20.0;

struct InfoOptions {
    std::string file;
    bool json = false;
};

struct MovieSummary {
    std::string path;
    std::uint64_t file_bytes = 0;
    std::size_t frames = 0;  // well-formed frames read (before an error, if any)
    std::uint64_t frame_bytes = 0;
    std::uint32_t min_frame = 0;
    std::uint32_t max_frame = 0;
    std::optional<JpegDimensions> resolution;  // of the first frame
    std::size_t frames_with_other_resolution = 0;
    std::optional<movie::MovieError> error;

    double mean_frame() const { return frames ? static_cast<double>(frame_bytes) / static_cast<double>(frames) : 0; }
    double duration_s() const { return static_cast<double>(frames) / kFramesPerSecond; }
};

MovieSummary summarise(const std::string& path) {
    MovieSummary s;
    s.path = path;
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (!ec) s.file_bytes = size;
    try {
        movie::MovieReader reader(path);
        while (auto frame = reader.next()) {
            const auto n = static_cast<std::uint32_t>(frame->data.size());
            s.min_frame = s.frames == 0 ? n : std::min(s.min_frame, n);
            s.max_frame = std::max(s.max_frame, n);
            s.frame_bytes += n;
            const auto dims = jpeg_dimensions(frame->data);
            if (s.frames == 0) s.resolution = dims;
            else if (dims != s.resolution) ++s.frames_with_other_resolution;
            ++s.frames;
        }
    } catch (const movie::MovieError& e) {
        s.error = e;
    }
    return s;
}

std::string resolution_text(const MovieSummary& s) {
    if (s.frames == 0) return "none (no frames)";
    std::string text = s.resolution ? std::to_string(s.resolution->width) + "x" + std::to_string(s.resolution->height)
                                    : "unknown (frame 0 has no readable SOF marker)";
    if (s.frames_with_other_resolution)
        text += " (frame 0; " + std::to_string(s.frames_with_other_resolution) + " other frames differ)";
    return text;
}

void print_text(const MovieSummary& s) {
    std::ostringstream o;
    o << std::fixed;
    o << "file:        " << s.path << "\n";
    o << "status:      " << (s.error ? "INVALID" : "valid") << "\n";
    o << "frames:      " << s.frames << (s.error ? " (read before the error)" : "") << "\n";
    o << "total size:  " << s.file_bytes << " bytes\n";
    if (s.frames) {
        o << "frame size:  min " << s.min_frame << ", mean " << std::setprecision(1) << s.mean_frame() << ", max "
          << s.max_frame << " bytes\n";
    }
    o << "resolution:  " << resolution_text(s) << "\n";
    o << "duration:    " << std::setprecision(2) << s.duration_s() << " s at " << std::setprecision(0)
      << kFramesPerSecond << " frames/s\n";
    if (s.error) {
        o << "error:       " << movie::kind_name(s.error->kind()) << ": " << s.error->what() << "\n";
    }
    std::cout << o.str();
}

void print_json(const MovieSummary& s) {
    nlohmann::json j;
    j["file"] = s.path;
    j["valid"] = !s.error.has_value();
    j["frames"] = s.frames;
    j["file_bytes"] = s.file_bytes;
    j["frame_bytes"] = {{"total", s.frame_bytes},
                        {"min", s.min_frame},
                        {"mean", s.mean_frame()},
                        {"max", s.max_frame}};
    if (s.resolution) {
        j["width"] = s.resolution->width;
        j["height"] = s.resolution->height;
    } else {
        j["width"] = nullptr;
        j["height"] = nullptr;
    }
    j["frames_with_other_resolution"] = s.frames_with_other_resolution;
    j["fps"] = kFramesPerSecond;
    j["duration_s"] = s.duration_s();
    if (s.error) {
        j["error"] = {{"kind", movie::kind_name(s.error->kind())},
                      {"offset", s.error->offset()},
                      {"frame_index", s.error->frame_index()},
                      {"message", s.error->what()}};
    } else {
        j["error"] = nullptr;
    }
    std::cout << j.dump(2) << "\n";
}

int run_info(const InfoOptions& o) {
    const MovieSummary s = summarise(o.file);
    if (s.error && s.error->kind() == movie::MovieErrorKind::Io && s.frames == 0 && s.error->offset() == 0) {
        throw InputError(s.error->what());  // nothing was read: no summary to show
    }
    if (o.json) print_json(s);
    else print_text(s);
    if (s.error) {
        std::cerr << "tpc3-movie: " << s.error->what() << "\n";
        return kExitInvalidInput;
    }
    return kExitOk;
}

}  // namespace

Command add_info_command(CLI::App& parent) {
    auto o = std::make_shared<InfoOptions>();
    CLI::App* cmd = parent.add_subcommand("info", "Validate a movie file and print a summary.");
    cmd->add_option("FILE", o->file, "The movie file to check.")->required()->type_name("");
    cmd->add_flag("--json", o->json, "Print the summary as one JSON object instead of text.");
    cmd->footer(R"(DESCRIPTION
  Reads FILE once, one frame at a time, and checks every part: 5 ASCII digits
  of length, then that many bytes of one JPEG (FF D8 ... FF D9), nothing
  before, between or after. Prints the number of frames, the file size, the
  smallest, mean and largest frame, the resolution (from the SOF marker of
  frame 0) and the playing time at 20 frames per second.

  On a malformed file it prints what it read before the problem, then the
  error with its byte offset (where the part of the failing frame starts) and
  the 0-based frame index.

  JSON fields: file, valid, frames, file_bytes, frame_bytes{total,min,mean,max},
  width, height, frames_with_other_resolution, fps, duration_s,
  error{kind,offset,frame_index,message} or null.

EXAMPLES
  tpc3-movie info movie.mpeg
  tpc3-movie info movie.mpeg --json | jq .frames

EXIT STATUS
  0 valid movie, 1 malformed or unreadable file, 2 usage error.)");
    return {cmd, [o] { return run_info(*o); }};
}

}  // namespace tpc3::movie_tool
