// The client command template of --client-cmd:
//   'python3 Client.py {host} {tcp_port} {udp_port} {file}'
// Placeholders are replaced by shell-quoted values; the line then runs under
// /bin/sh -c in the client's fresh working directory.
#pragma once

#include <cstdint>
#include <string>

namespace tpc3::conform::client {

struct ClientArguments {
    std::string host = "127.0.0.1";
    std::uint16_t tcp_port = 0;
    std::uint16_t udp_port = 0;
    std::string file;
};

// Empty when `command` is usable; otherwise what is wrong ("the command has no
// {udp_port}", "unknown placeholder {port}"). Every one of the four
// placeholders must appear (a client that is not told the port cannot be run).
std::string command_problem(const std::string& command);

// The command with every placeholder replaced (values quoted for sh when they
// need it). Unknown placeholders are left as they are.
std::string expand_command(const std::string& command, const ClientArguments& args);

// A word quoted for /bin/sh when it holds anything but [A-Za-z0-9_./:=@%+,-].
std::string shell_quote(const std::string& word);

}  // namespace tpc3::conform::client
