#pragma once

#include <cstdint>
#include <span>

#include "pcaps/packet/ipv4_address.h"

namespace tpc3::pcap {

// RFC 1071 one's-complement sum, accumulated over several pieces (an odd-length piece may only be the last).
class InternetChecksum {
 public:
  void add(std::span<const std::uint8_t> bytes);
  void add_u16(std::uint16_t value) { sum_ += value; }
  void add_u32(std::uint32_t value) { sum_ += (value >> 16) + (value & 0xFFFF); }
  // The checksum to store in a header (complement of the folded sum).
  std::uint16_t finish() const;

 private:
  std::uint64_t sum_ = 0;
};

// Adds the IPv4 pseudo-header that UDP and TCP checksums cover.
void add_ipv4_pseudo_header(InternetChecksum& sum, Ipv4Address source, Ipv4Address destination, std::uint8_t protocol,
                            std::uint16_t transport_length);

}  // namespace tpc3::pcap
