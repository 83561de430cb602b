#pragma once

#include <chrono>

namespace tpc3::pcap {

// Wall-clock time of a packet, nanosecond resolution (pcap files are written with nanosecond timestamps).
using CaptureTime = std::chrono::sys_time<std::chrono::nanoseconds>;

inline CaptureTime capture_now() {
  return std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now());
}

}  // namespace tpc3::pcap
