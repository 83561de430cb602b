// What every tpc3-movie subcommand shares: exit statuses, the error that means
// "invalid input" (exit 1), and how a subcommand plugs into the CLI.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <stdexcept>

namespace tpc3::movie_tool {

enum ExitStatus : int {
    kExitOk = 0,
    kExitInvalidInput = 1,  // a file is malformed, missing, unreadable or unwritable
    kExitUsage = 2,         // the command line is wrong
};

// Invalid input: the message names the file (and offset or frame where it applies).
class InputError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A registered subcommand: run() is called when it was the one on the command line.
struct Command {
    CLI::App* app = nullptr;
    std::function<int()> run;
};

Command add_make_command(CLI::App& parent);
Command add_info_command(CLI::App& parent);
Command add_extract_command(CLI::App& parent);
Command add_pack_command(CLI::App& parent);
Command add_poison_command(CLI::App& parent);

}  // namespace tpc3::movie_tool
