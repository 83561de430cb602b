#include "client_role/suite/client_command.h"

#include <array>
#include <string_view>

namespace tpc3::conform::client {
namespace {

constexpr std::array<std::string_view, 4> kPlaceholders{"{host}", "{tcp_port}", "{udp_port}", "{file}"};

}  // namespace

std::string command_problem(const std::string& command)
{
    if (command.find_first_not_of(" \t") == std::string::npos) return "the client command is empty";
    for (std::string_view p : kPlaceholders)
        if (command.find(p) == std::string::npos)
            return "the client command has no " + std::string(p) +
                   " (expected e.g. 'python3 Client.py {host} {tcp_port} {udp_port} {file}')";
    for (std::size_t open = command.find('{'); open != std::string::npos; open = command.find('{', open + 1)) {
        const std::size_t close = command.find('}', open);
        if (close == std::string::npos) break;
        const std::string_view word(command.data() + open, close - open + 1);
        bool known = false;
        for (std::string_view p : kPlaceholders) known = known || word == p;
        if (!known && word.find_first_of(" \t'\"") == std::string_view::npos && word.size() <= 20)
            return "unknown placeholder " + std::string(word) + " in the client command (known: {host} {tcp_port} "
                   "{udp_port} {file})";
    }
    return {};
}

std::string shell_quote(const std::string& word)
{
    if (!word.empty() && word.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:=@%+,-") ==
                             std::string::npos)
        return word;
    std::string out = "'";
    for (char c : word) {
        if (c == '\'') out += "'\\''";
        else out += c;
    }
    return out + "'";
}

std::string expand_command(const std::string& command, const ClientArguments& args)
{
    const std::array<std::string, 4> values{shell_quote(args.host), std::to_string(args.tcp_port),
                                            std::to_string(args.udp_port), shell_quote(args.file)};
    std::string out;
    for (std::size_t i = 0; i < command.size();) {
        bool replaced = false;
        for (std::size_t k = 0; k < kPlaceholders.size() && !replaced; ++k)
            if (command.compare(i, kPlaceholders[k].size(), kPlaceholders[k]) == 0) {
                out += values[k];
                i += kPlaceholders[k].size();
                replaced = true;
            }
        if (!replaced) out += command[i++];
    }
    return out;
}

}  // namespace tpc3::conform::client
