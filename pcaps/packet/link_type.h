#pragma once

#include <string>

namespace tpc3::pcap {

// Link-layer header types, with libpcap's DLT_* values on Linux (pcap_datalink() returns these).
// Any other value may be held (static_cast) to describe a file this library does not decode.
enum class LinkType : int {
  null = 0,          // BSD loopback: 4-byte address family in the capturing host's byte order
  ethernet = 1,      // Ethernet II (Linux "lo" captures as Ethernet with zero MAC addresses)
  raw = 12,          // raw IP, no link header (LINKTYPE_RAW 101 in files)
  loop = 108,        // OpenBSD loopback: 4-byte address family in network byte order
  linux_sll = 113,   // Linux "cooked" capture v1 (tcpdump -i any before libpcap 1.10)
  ipv4 = 228,        // raw IPv4
  linux_sll2 = 276,  // Linux "cooked" capture v2 (tcpdump -i any)
};

bool is_decodable(LinkType type);
// "EN10MB", "LINUX_SLL2", ...; libpcap's name where it has one, else "DLT 123".
std::string link_type_name(LinkType type);

}  // namespace tpc3::pcap
