// tpc3-movie pack: JPEG files, in the given order, into a movie.
#include "command.h"
#include "output_file.h"

#include "movie/jpeg.h"
#include "movie/movie_writer.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>

namespace tpc3::movie_tool {
namespace {

namespace fs = std::filesystem;

struct PackOptions {
    std::string out;
    std::vector<std::string> inputs;
};

bool has_jpeg_extension(const fs::path& p) {
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext == ".jpg" || ext == ".jpeg";
}

// Files in command line order; a directory stands for its *.jpg / *.jpeg files sorted by name.
std::vector<fs::path> expand_inputs(const std::vector<std::string>& inputs) {
    std::vector<fs::path> files;
    for (const auto& input : inputs) {
        std::error_code ec;
        if (!fs::is_directory(input, ec)) {
            files.emplace_back(input);
            continue;
        }
        std::vector<fs::path> in_dir;
        for (const auto& entry : fs::directory_iterator(input, ec))
            if (entry.is_regular_file(ec) && has_jpeg_extension(entry.path())) in_dir.push_back(entry.path());
        if (ec) throw InputError(input + ": cannot list directory: " + ec.message());
        if (in_dir.empty()) throw InputError(input + ": directory holds no *.jpg or *.jpeg file");
        std::sort(in_dir.begin(), in_dir.end(),
                  [](const fs::path& a, const fs::path& b) { return a.filename().string() < b.filename().string(); });
        files.insert(files.end(), in_dir.begin(), in_dir.end());
    }
    return files;
}

std::vector<std::uint8_t> read_jpeg_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path.string() + ": cannot open: " + std::strerror(errno));
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw InputError(path.string() + ": read error");
    if (bytes.size() > movie::kMaxFrameSize)
        throw InputError(path.string() + ": " + std::to_string(bytes.size()) +
                         " bytes, over the 99,999 bytes a movie frame can hold");
    if (!movie::looks_like_jpeg(bytes))
        throw InputError(path.string() + ": not a JPEG (a frame must start with FF D8 and end with FF D9)");
    return bytes;
}

int run_pack(const PackOptions& o) {
    const auto files = expand_inputs(o.inputs);
    OutputFile out(o.out);
    movie::MovieWriter writer(out.write_path());
    for (const auto& file : files) writer.write(read_jpeg_file(file));
    writer.close();
    out.commit();
    std::cout << "packed " << files.size() << " frames into " << o.out << "\n";
    return kExitOk;
}

}  // namespace

Command add_pack_command(CLI::App& parent) {
    auto o = std::make_shared<PackOptions>();
    CLI::App* cmd = parent.add_subcommand("pack", "Write JPEG files, in the order given, into a movie.");
    cmd->add_option("OUT", o->out, "The movie file to write (replaced if it exists).")->required()->type_name("");
    cmd->add_option("JPEG", o->inputs,
                    "JPEG files in frame order; a directory means its *.jpg, *.jpeg sorted by name.")
        ->required()
        ->type_name("");
    cmd->footer(R"(DESCRIPTION
  Each file becomes one frame, stored byte for byte after its 5-digit length.
  A file over 99,999 bytes or that is not FF D8 ... FF D9 is refused with its
  name, and no movie is written. The movie is written as OUT.partial and
  renamed to OUT when complete.

EXAMPLES
  tpc3-movie pack movie.mpeg frames/
  tpc3-movie pack movie.mpeg title.jpg frames/ end.jpg

EXIT STATUS
  0 written, 1 a file missing, not a JPEG or too large, or OUT not writable,
  2 usage error.)");
    return {cmd, [o] { return run_pack(*o); }};
}

}  // namespace tpc3::movie_tool
