// tpc3-movie poison: one poison frame as a JPEG file.
#include "command.h"
#include "frame_size.h"

#include "marker/marker.h"

#include <fstream>
#include <iostream>
#include <memory>

namespace tpc3::movie_tool {
namespace {

struct PoisonOptions {
    std::string out;
    std::uint32_t code = 0;
    std::uint32_t serial = 0;
    FrameSize size;
    int quality = 75;
    std::string caption;
};

int run_poison(const PoisonOptions& o) {
    const auto value = marker::MarkerValue::poison(o.code, o.serial);
    const auto jpeg =
        marker::encode_jpeg(marker::render_frame(o.size.width, o.size.height, value, o.caption), o.quality);
    std::ofstream out(o.out, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(jpeg.data()), static_cast<std::streamsize>(jpeg.size()));
    out.close();
    if (!out) throw InputError(o.out + ": cannot write");
    std::cout << "wrote " << o.out << ": " << marker::to_string(value) << ", " << to_string(o.size) << ", "
              << jpeg.size() << " bytes\n";
    return kExitOk;
}

}  // namespace

Command add_poison_command(CLI::App& parent) {
    auto o = std::make_shared<PoisonOptions>();
    CLI::App* cmd = parent.add_subcommand("poison", "Write one poison frame (a frame a client must drop) as a JPEG.");
    cmd->add_option("OUT", o->out, "The JPEG file to write (replaced if it exists).")->required()->type_name("");
    cmd->add_option("--code", o->code, "Fault code, 0 to 99: which injected fault this is.")
        ->required()
        ->check(CLI::Range(0u, marker::MarkerValue::kMaxPoisonCode).description(""))
        ->type_name("C");
    cmd->add_option("--serial", o->serial, "Serial number, 0 to 999, among poisons of one code.")
        ->required()
        ->check(CLI::Range(0u, marker::MarkerValue::kMaxPoisonSerial).description(""))
        ->type_name("S");
    add_size_option(*cmd, o->size);
    cmd->add_option("--quality", o->quality, "JPEG quality, 1 to 100 (default 75).")
        ->check(CLI::Range(1, 100).description(""))
        ->type_name("Q");
    cmd->add_option("--caption", o->caption, "Text under the POISON label, e.g. the check ID C-REJ-05.")->type_name("TEXT");
    cmd->footer(R"(DESCRIPTION
  The frame shows red and black stripes, "POISON code/serial" and the caption
  for a person, and carries the poison value in its two ArUco markers (left id
  900 + code, right id serial) for the conformance runner, which reports any
  client that writes or shows it.

EXAMPLES
  tpc3-movie poison poison.jpg --code 5 --serial 1 --caption C-REJ-05

EXIT STATUS
  0 written, 1 OUT not writable, 2 usage error.)");
    return {cmd, [o] { return run_poison(*o); }};
}

}  // namespace tpc3::movie_tool
