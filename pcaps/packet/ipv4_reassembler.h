#pragma once

// Reassembles IPv4 fragments into datagrams (a capture on a LAN has them for datagrams larger than the MTU).
// Bounded: a limit on datagrams and bytes in progress, a timeout in capture time. Overlapping fragments are an
// error and discard their datagram (as Linux does since 4.19); an exact duplicate fragment is ignored.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "pcaps/packet/capture_time.h"
#include "pcaps/packet/packet_types.h"

namespace tpc3::pcap {

struct Ipv4ReassemblyLimits {
  std::size_t max_datagrams_in_progress = 256;
  std::size_t max_bytes_in_progress = 16 * 1024 * 1024;
  std::chrono::nanoseconds timeout = std::chrono::seconds(30);  // Linux's ipfrag_time
};

struct ReassembledDatagram {
  Ipv4Header header;  // the first fragment's header with fragment fields cleared and total_length updated
  Bytes payload;
  std::size_t fragment_count = 0;
  std::size_t first_packet_index = 0;
};

// A datagram given up on: incomplete at timeout or at the end, or evicted by a limit.
struct ReassemblyFailure {
  std::size_t first_packet_index = 0;  // the packet that held its first-seen fragment
  std::string message;
};

class Ipv4Reassembler {
 public:
  explicit Ipv4Reassembler(Ipv4ReassemblyLimits limits = {}) : limits_(limits) {}

  // Adds one fragment (header.is_fragment() must be true). Returns the datagram once complete. Datagrams that
  // time out or are evicted are appended to failures. Throws PacketError (offset within the IPv4 header) for a
  // fragment that overlaps another or contradicts the datagram's length.
  std::optional<ReassembledDatagram> add(const Ipv4Header& header, std::span<const std::uint8_t> payload,
                                         CaptureTime time, std::size_t packet_index,
                                         std::vector<ReassemblyFailure>& failures);

  // Gives up on every datagram still in progress (end of capture).
  void abandon_all(std::vector<ReassemblyFailure>& failures);

  std::size_t datagrams_in_progress() const { return in_progress_.size(); }
  std::size_t bytes_in_progress() const { return bytes_in_progress_; }
  std::size_t duplicates_ignored() const { return duplicates_ignored_; }

 private:
  using Key = std::tuple<std::uint32_t, std::uint32_t, std::uint8_t, std::uint16_t>;  // src, dst, protocol, id
  struct InProgress {
    CaptureTime first_time;
    std::size_t first_packet_index = 0;
    std::optional<Ipv4Header> first_fragment_header;
    std::optional<std::size_t> total_payload;  // known once the last fragment (MF clear) arrived
    std::map<std::size_t, Bytes> pieces;         // by offset; never overlapping
    std::size_t bytes = 0;
    std::size_t fragment_count = 0;
    bool discarded = false;  // overlap seen: ignore the rest of this datagram until it times out
  };

  void drop(std::map<Key, InProgress>::iterator it);
  void fail(std::map<Key, InProgress>::iterator it, const std::string& why, std::vector<ReassemblyFailure>& failures);
  void expire(CaptureTime now, std::vector<ReassemblyFailure>& failures);
  void make_room(std::size_t incoming_bytes, const Key& keep, std::vector<ReassemblyFailure>& failures);
  static std::string describe(const Key& key);

  Ipv4ReassemblyLimits limits_;
  std::map<Key, InProgress> in_progress_;
  std::size_t bytes_in_progress_ = 0;
  std::size_t duplicates_ignored_ = 0;
};

}  // namespace tpc3::pcap
