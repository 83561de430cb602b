// tpc3-movie: make, inspect, extract and pack TPC3 movie files.
#include "command.h"

#include "movie/movie_format.h"

#include <iostream>
#include <vector>

namespace {

constexpr const char* kFooter = R"(DESCRIPTION
  A TPC3 movie (movie.mpeg, *.Mjpeg) is a sequence of parts: 5 ASCII digits
  giving the length NB (zero padded, so at most 99,999), then NB bytes of one
  complete JPEG image; nothing before, between or after. The server sends
  frame k (0-based) as the RTP packet with sequence number k+1.

  Run "tpc3-movie COMMAND --help" for the options of a command.

EXAMPLES
  tpc3-movie make movie.mpeg --frames 500 --size 384x288
  tpc3-movie info movie.mpeg
  tpc3-movie extract movie.mpeg frames/ && tpc3-movie pack copy.mpeg frames/
  tpc3-movie poison bad.jpg --code 5 --serial 1 --caption C-REJ-05

EXIT STATUS
  0  success
  1  invalid input: a malformed, missing, unreadable or unwritable file, or a
     frame over 99,999 bytes (the message names the file, offset or frame)
  2  usage error: unknown command or option, missing or bad argument)";

}  // namespace

int main(int argc, char** argv) {
    using namespace tpc3::movie_tool;
    CLI::App app("tpc3-movie - make, inspect, extract and pack TPC3 movie files (MJPEG)", "tpc3-movie");
    app.footer(kFooter);
    app.require_subcommand(1);
    app.get_formatter()->column_width(26);
    const std::vector<Command> commands{add_make_command(app), add_info_command(app), add_extract_command(app),
                                        add_pack_command(app), add_poison_command(app)};
    for (const auto& c : commands) c.app->get_formatter()->column_width(26);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? kExitOk : kExitUsage;
    }
    for (const auto& c : commands) {
        if (!c.app->parsed()) continue;
        try {
            return c.run();
        } catch (const InputError& e) {
            std::cerr << "tpc3-movie: " << e.what() << "\n";
        } catch (const tpc3::movie::MovieError& e) {
            std::cerr << "tpc3-movie: " << e.what() << "\n";
        } catch (const std::exception& e) {
            std::cerr << "tpc3-movie: " << c.app->get_name() << ": " << e.what() << "\n";
        }
        return kExitInvalidInput;
    }
    return kExitUsage;  // unreachable: a subcommand is required
}
