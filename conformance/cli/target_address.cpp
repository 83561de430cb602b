#include "cli/target_address.h"

#include <charconv>

#include "report/selection.h"

namespace tpc3::conform::cli {

net::Endpoint parse_host_port(std::string_view text)
{
    const auto fail = [&](const std::string& why) -> net::Endpoint {
        throw report::UsageError("--target-server \"" + std::string(text) + "\": " + why +
                                 " (expected HOST:PORT, e.g. 127.0.0.1:5000)");
    };
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return fail("no ':' before the port");
    const std::string_view host = text.substr(0, colon);
    const std::string_view port = text.substr(colon + 1);
    if (host.empty()) return fail("no host");
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value < 1 || value > 65535)
        return fail("the port \"" + std::string(port) + "\" is not a number in 1..65535");
    return {std::string(host), static_cast<std::uint16_t>(value)};
}

}  // namespace tpc3::conform::cli
