#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tpc3::pcap {

// An IPv4 address held in host byte order. Converts implicitly from a dotted-quad string so that
// endpoints read naturally: Endpoint{"127.0.0.1", 5000}. A malformed string throws std::invalid_argument.
class Ipv4Address {
 public:
  constexpr Ipv4Address() = default;
  constexpr explicit Ipv4Address(std::uint32_t host_order) : value_(host_order) {}
  constexpr Ipv4Address(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d)
      : value_(std::uint32_t{a} << 24 | std::uint32_t{b} << 16 | std::uint32_t{c} << 8 | std::uint32_t{d}) {}
  Ipv4Address(const char* dotted_quad);         // NOLINT(google-explicit-constructor): see class comment
  Ipv4Address(const std::string& dotted_quad);  // NOLINT(google-explicit-constructor)
  explicit Ipv4Address(std::string_view dotted_quad);

  static std::optional<Ipv4Address> parse(std::string_view dotted_quad);

  constexpr std::uint32_t value() const { return value_; }
  // Network byte order, as on the wire.
  constexpr std::array<std::uint8_t, 4> bytes() const {
    return {static_cast<std::uint8_t>(value_ >> 24), static_cast<std::uint8_t>(value_ >> 16),
            static_cast<std::uint8_t>(value_ >> 8), static_cast<std::uint8_t>(value_)};
  }
  std::string to_string() const;

  constexpr auto operator<=>(const Ipv4Address&) const = default;

 private:
  std::uint32_t value_ = 0;
};

// A UDP or TCP endpoint: IPv4 address and port.
struct Endpoint {
  Ipv4Address address;
  std::uint16_t port = 0;

  std::string to_string() const { return address.to_string() + ":" + std::to_string(port); }
  constexpr auto operator<=>(const Endpoint&) const = default;
};

}  // namespace tpc3::pcap
