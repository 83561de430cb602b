// Free loopback ports for tests and the runner.
#pragma once

#include <cstdint>

namespace tpc3::harness {

// A port that was free on 127.0.0.1 a moment ago (bind to port 0, read the
// number, close). Another process may take it before you do: keep the window
// short. Throws std::system_error.
std::uint16_t pick_free_tcp_port();
std::uint16_t pick_free_udp_port();

}  // namespace tpc3::harness
