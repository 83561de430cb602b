#include "pcaps/packet/ipv4_reassembler.h"

#include <algorithm>
#include <cstdio>

#include "pcaps/packet/layer_parsers.h"

namespace tpc3::pcap {
namespace {

constexpr std::size_t kFragmentFieldOffset = 6;  // flags and fragment offset in the IPv4 header

std::string range(std::size_t begin, std::size_t end) {
  return "bytes " + std::to_string(begin) + ".." + std::to_string(end);
}

}  // namespace

std::string Ipv4Reassembler::describe(const Key& key) {
  const auto& [source, destination, protocol, id] = key;
  char id_text[8];
  std::snprintf(id_text, sizeof id_text, "0x%04x", static_cast<unsigned>(id));
  return "IPv4 datagram " + Ipv4Address(source).to_string() + " -> " + Ipv4Address(destination).to_string() +
         " id " + id_text + " protocol " + std::to_string(protocol);
}

void Ipv4Reassembler::drop(std::map<Key, InProgress>::iterator it) {
  bytes_in_progress_ -= it->second.bytes;
  in_progress_.erase(it);
}

void Ipv4Reassembler::fail(std::map<Key, InProgress>::iterator it, const std::string& why,
                           std::vector<ReassemblyFailure>& failures) {
  if (!it->second.discarded) {
    failures.push_back({it->second.first_packet_index,
                        describe(it->first) + " " + why + " (held " + std::to_string(it->second.bytes) +
                            " bytes in " + std::to_string(it->second.fragment_count) + " fragments)"});
  }
  drop(it);
}

void Ipv4Reassembler::expire(CaptureTime now, std::vector<ReassemblyFailure>& failures) {
  for (auto it = in_progress_.begin(); it != in_progress_.end();) {
    const auto next = std::next(it);
    if (now - it->second.first_time > limits_.timeout) {
      fail(it,
           "incomplete after " +
               std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(limits_.timeout).count()) +
               " ms",
           failures);
    }
    it = next;
  }
}

void Ipv4Reassembler::make_room(std::size_t incoming_bytes, const Key& keep,
                                std::vector<ReassemblyFailure>& failures) {
  const auto over_limit = [&] {
    return in_progress_.size() > limits_.max_datagrams_in_progress ||
           bytes_in_progress_ + incoming_bytes > limits_.max_bytes_in_progress;
  };
  while (over_limit()) {
    auto oldest = in_progress_.end();
    for (auto it = in_progress_.begin(); it != in_progress_.end(); ++it) {
      if (it->first == keep) continue;
      if (oldest == in_progress_.end() || it->second.first_time < oldest->second.first_time) oldest = it;
    }
    if (oldest == in_progress_.end()) return;  // only the datagram being added is left
    fail(oldest, "evicted by the reassembly limits", failures);
  }
}

std::optional<ReassembledDatagram> Ipv4Reassembler::add(const Ipv4Header& header,
                                                         std::span<const std::uint8_t> payload, CaptureTime time,
                                                         std::size_t packet_index,
                                                         std::vector<ReassemblyFailure>& failures) {
  expire(time, failures);
  const Key key{header.source.value(), header.destination.value(), header.protocol, header.id};
  auto [it, created] = in_progress_.try_emplace(key);
  InProgress& d = it->second;
  if (created) {
    d.first_time = time;
    d.first_packet_index = packet_index;
    make_room(0, key, failures);
  }
  if (d.discarded) return std::nullopt;

  const std::size_t begin = header.fragment_offset;
  const std::size_t end = begin + payload.size();
  const bool last = !header.more_fragments;

  const auto reject = [&](const std::string& why) {
    const std::string message = describe(key) + ": fragment " + range(begin, end) + " " + why;
    bytes_in_progress_ -= d.bytes;
    d.pieces.clear();
    d.bytes = 0;
    d.discarded = true;
    throw PacketError(kFragmentFieldOffset, message);
  };

  if (const auto same = d.pieces.find(begin);
      same != d.pieces.end() && std::equal(same->second.begin(), same->second.end(), payload.begin(), payload.end())) {
    if (!last || (d.total_payload && *d.total_payload == end)) {
      ++duplicates_ignored_;
      return std::nullopt;
    }
  }
  if (d.total_payload && end > *d.total_payload) {
    reject("ends past the datagram's end at byte " + std::to_string(*d.total_payload));
  }
  if (last) {
    if (d.total_payload && *d.total_payload != end) {
      reject("is a second last fragment; the first ended at byte " + std::to_string(*d.total_payload));
    }
    if (!d.pieces.empty()) {
      const auto& [top_begin, top_bytes] = *d.pieces.rbegin();
      if (top_begin + top_bytes.size() > end) {
        reject("is the last fragment but " + range(top_begin, top_begin + top_bytes.size()) + " were seen");
      }
    }
  }
  if (!payload.empty()) {
    const auto after = d.pieces.lower_bound(begin);
    if (after != d.pieces.end() && after->first < end) {
      reject("overlaps " + range(after->first, after->first + after->second.size()));
    }
    if (after != d.pieces.begin()) {
      const auto before = std::prev(after);
      if (before->first + before->second.size() > begin) {
        reject("overlaps " + range(before->first, before->first + before->second.size()));
      }
    }
  }

  make_room(payload.size(), key, failures);
  if (bytes_in_progress_ + payload.size() > limits_.max_bytes_in_progress) {
    fail(it, "larger than the reassembly byte limit", failures);
    return std::nullopt;
  }
  if (!payload.empty()) {
    d.pieces.emplace(begin, Bytes(payload.begin(), payload.end()));
    d.bytes += payload.size();
    bytes_in_progress_ += payload.size();
  }
  ++d.fragment_count;
  if (begin == 0) d.first_fragment_header = header;
  if (last) d.total_payload = end;

  if (!d.total_payload || !d.first_fragment_header) return std::nullopt;
  std::size_t covered = 0;
  for (const auto& [piece_begin, piece] : d.pieces) {
    if (piece_begin != covered) return std::nullopt;
    covered += piece.size();
  }
  if (covered != *d.total_payload) return std::nullopt;

  ReassembledDatagram done;
  done.header = *d.first_fragment_header;
  if (done.header.header_bytes + covered > kIpv4MaxTotalBytes) {
    reject("completes a datagram of " + std::to_string(done.header.header_bytes + covered) +
           " bytes, over the 65,535-byte limit");
  }
  done.header.more_fragments = false;
  done.header.fragment_offset = 0;
  done.header.total_length = static_cast<std::uint16_t>(done.header.header_bytes + covered);
  done.payload.reserve(covered);
  for (const auto& [piece_begin, piece] : d.pieces) done.payload.insert(done.payload.end(), piece.begin(), piece.end());
  done.fragment_count = d.fragment_count;
  done.first_packet_index = d.first_packet_index;
  drop(it);
  return done;
}

void Ipv4Reassembler::abandon_all(std::vector<ReassemblyFailure>& failures) {
  while (!in_progress_.empty()) fail(in_progress_.begin(), "incomplete at the end of the capture", failures);
}

}  // namespace tpc3::pcap
