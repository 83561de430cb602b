// tpc3-movie extract: every frame of a movie to its own JPEG file.
#include "command.h"
#include "frame_pattern.h"

#include "movie/movie_reader.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

namespace tpc3::movie_tool {
namespace {

struct ExtractOptions {
    std::string file;
    std::string outdir;
    std::string pattern = "frame-%05d.jpg";
};

void write_file(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) throw InputError(path.string() + ": cannot write");
}

int run_extract(const ExtractOptions& o) {
    const auto pattern = FramePattern::parse(o.pattern);  // validated by the option already
    std::error_code ec;
    std::filesystem::create_directories(o.outdir, ec);
    if (ec) throw InputError(o.outdir + ": cannot create directory: " + ec.message());

    movie::MovieReader reader(o.file);
    std::size_t written = 0;
    try {
        while (auto frame = reader.next()) {
            write_file(std::filesystem::path(o.outdir) / pattern->format(frame->index + 1), frame->data);
            ++written;
        }
    } catch (const movie::MovieError& e) {
        std::cout << "extracted " << written << " frames of " << o.file << " to " << o.outdir
                  << " before the error\n";
        throw;
    }
    std::cout << "extracted " << written << " frames of " << o.file << " to " << o.outdir << "\n";
    return kExitOk;
}

}  // namespace

Command add_extract_command(CLI::App& parent) {
    auto o = std::make_shared<ExtractOptions>();
    CLI::App* cmd = parent.add_subcommand("extract", "Write each frame of a movie to a JPEG file.");
    cmd->add_option("FILE", o->file, "The movie file to read.")->required()->type_name("");
    cmd->add_option("OUTDIR", o->outdir, "Directory for the JPEG files (created if missing).")->required()->type_name("");
    cmd->add_option("--pattern", o->pattern,
                    "File name of frame n (from 1): one %d, %Nd or %0Nd (default frame-%05d.jpg).")
        ->type_name("PATTERN")
        ->check(CLI::Validator(
            [](std::string& text) {
                std::string why;
                return FramePattern::parse(text, &why) ? std::string() : why;
            },
            ""));
    cmd->footer(R"(DESCRIPTION
  Writes the JPEG bytes of every frame, exactly as stored in the movie, to
  OUTDIR/<pattern with n>, where n counts from 1 (n is the RTP sequence
  number of the frame); %% in the pattern is a percent sign. Existing files
  are replaced.
  "tpc3-movie pack" on the extracted files gives back the same movie, byte for
  byte. A malformed movie is extracted up to the bad part, then reported.

EXAMPLES
  tpc3-movie extract movie.mpeg frames/
  tpc3-movie extract movie.mpeg frames/ --pattern 'img%d.jpg'

EXIT STATUS
  0 all frames written, 1 malformed movie or unwritable OUTDIR, 2 usage error.)");
    return {cmd, [o] { return run_extract(*o); }};
}

}  // namespace tpc3::movie_tool
