#include "pcaps/packet/internet_checksum.h"

namespace tpc3::pcap {

void InternetChecksum::add(std::span<const std::uint8_t> bytes) {
  std::size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2) sum_ += std::uint32_t{bytes[i]} << 8 | bytes[i + 1];
  if (i < bytes.size()) sum_ += std::uint32_t{bytes[i]} << 8;
}

std::uint16_t InternetChecksum::finish() const {
  std::uint64_t folded = sum_;
  while (folded >> 16) folded = (folded & 0xFFFF) + (folded >> 16);
  return static_cast<std::uint16_t>(~folded & 0xFFFF);
}

void add_ipv4_pseudo_header(InternetChecksum& sum, Ipv4Address source, Ipv4Address destination, std::uint8_t protocol,
                            std::uint16_t transport_length) {
  sum.add_u32(source.value());
  sum.add_u32(destination.value());
  sum.add_u16(protocol);
  sum.add_u16(transport_length);
}

}  // namespace tpc3::pcap
