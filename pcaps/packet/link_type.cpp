#include "pcaps/packet/link_type.h"

#include <pcap/pcap.h>

namespace tpc3::pcap {

static_assert(static_cast<int>(LinkType::null) == DLT_NULL);
static_assert(static_cast<int>(LinkType::ethernet) == DLT_EN10MB);
static_assert(static_cast<int>(LinkType::raw) == DLT_RAW);
static_assert(static_cast<int>(LinkType::loop) == DLT_LOOP);
static_assert(static_cast<int>(LinkType::linux_sll) == DLT_LINUX_SLL);
static_assert(static_cast<int>(LinkType::ipv4) == DLT_IPV4);
static_assert(static_cast<int>(LinkType::linux_sll2) == DLT_LINUX_SLL2);

bool is_decodable(LinkType type) {
  switch (type) {
    case LinkType::null:
    case LinkType::ethernet:
    case LinkType::raw:
    case LinkType::loop:
    case LinkType::linux_sll:
    case LinkType::ipv4:
    case LinkType::linux_sll2:
      return true;
  }
  return false;
}

std::string link_type_name(LinkType type) {
  const int dlt = static_cast<int>(type);
  if (const char* name = pcap_datalink_val_to_name(dlt)) return name;
  return "DLT " + std::to_string(dlt);
}

}  // namespace tpc3::pcap
