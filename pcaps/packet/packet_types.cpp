#include "pcaps/packet/packet_types.h"

namespace tpc3::pcap {

std::string tcp_flags_to_string(std::uint8_t flags) {
  static constexpr std::pair<std::uint8_t, const char*> kNames[] = {
      {tcp_flag::kSyn, "SYN"}, {tcp_flag::kFin, "FIN"}, {tcp_flag::kRst, "RST"},
      {tcp_flag::kPsh, "PSH"}, {tcp_flag::kAck, "ACK"}, {tcp_flag::kUrg, "URG"},
      {0x40, "ECE"},           {0x80, "CWR"}};
  std::string text;
  for (const auto& [bit, name] : kNames) {
    if ((flags & bit) == 0) continue;
    if (!text.empty()) text += ',';
    text += name;
  }
  return text.empty() ? "none" : text;
}

}  // namespace tpc3::pcap
