#pragma once

#include <stdexcept>
#include <string>

namespace tpc3::pcap {

// A file or capture device could not be opened, read or written. The message names the file or interface.
class PcapError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace tpc3::pcap
