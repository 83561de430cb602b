// --target-server HOST:PORT.
#pragma once

#include <string_view>

#include "net/socket.h"

namespace tpc3::conform::cli {

// "127.0.0.1:5000", "localhost:5000" -> {host, port}. Throws
// report::UsageError naming the text: no colon, an empty host, a port that
// is not a number in 1..65535.
net::Endpoint parse_host_port(std::string_view text);

}  // namespace tpc3::conform::cli
