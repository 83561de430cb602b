#include "pcaps/packet/ipv4_address.h"

#include <arpa/inet.h>

#include <stdexcept>

namespace tpc3::pcap {

std::optional<Ipv4Address> Ipv4Address::parse(std::string_view dotted_quad) {
  if (dotted_quad.size() > 15) return std::nullopt;
  const std::string text(dotted_quad);  // inet_pton needs a terminated string
  in_addr addr{};
  if (inet_pton(AF_INET, text.c_str(), &addr) != 1) return std::nullopt;
  return Ipv4Address(ntohl(addr.s_addr));
}

Ipv4Address::Ipv4Address(std::string_view dotted_quad) {
  const auto parsed = parse(dotted_quad);
  if (!parsed) throw std::invalid_argument("not an IPv4 address: \"" + std::string(dotted_quad) + "\"");
  value_ = parsed->value();
}

Ipv4Address::Ipv4Address(const char* dotted_quad)
    : Ipv4Address(dotted_quad != nullptr ? std::string_view(dotted_quad) : std::string_view("(null)")) {}

Ipv4Address::Ipv4Address(const std::string& dotted_quad) : Ipv4Address(std::string_view(dotted_quad)) {}

std::string Ipv4Address::to_string() const {
  const auto b = bytes();
  return std::to_string(b[0]) + "." + std::to_string(b[1]) + "." + std::to_string(b[2]) + "." + std::to_string(b[3]);
}

}  // namespace tpc3::pcap
