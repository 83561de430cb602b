#pragma once

// Writes frames to a pcap file through libpcap (pcap_open_dead + pcap_dump), nanosecond timestamps.
// Thread-safe: several threads may append; each frame is written whole.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <span>

#include "pcaps/capture/pcap_error.h"
#include "pcaps/packet/capture_time.h"
#include "pcaps/packet/link_type.h"

struct pcap;
struct pcap_dumper;

namespace tpc3::pcap {

inline constexpr std::uint32_t kDefaultSnaplen = 262144;  // libpcap's maximum; holds any IPv4 datagram

class PcapFileWriter {
 public:
  // Creates (truncates) path. Throws PcapError naming the file if it cannot be opened.
  explicit PcapFileWriter(const std::filesystem::path& path, LinkType link_type = LinkType::ethernet,
                          std::uint32_t snaplen = kDefaultSnaplen);
  ~PcapFileWriter();
  PcapFileWriter(const PcapFileWriter&) = delete;
  PcapFileWriter& operator=(const PcapFileWriter&) = delete;

  // A frame as it was on the wire. Frames longer than the snaplen are cut, keeping their original length.
  void write(CaptureTime time, std::span<const std::uint8_t> frame);
  // A frame the capture already cut: original_length is its length on the wire.
  void write(CaptureTime time, std::span<const std::uint8_t> captured, std::uint32_t original_length);

  // Pushes buffered frames to the file. Throws PcapError on an I/O error.
  void flush();
  // Flushes and closes; later writes throw. Throws PcapError if the final flush fails. The destructor closes
  // without throwing.
  void close();

  std::size_t packets_written() const;
  const std::filesystem::path& path() const { return path_; }
  LinkType link_type() const { return link_type_; }

 private:
  void flush_locked();

  std::filesystem::path path_;
  LinkType link_type_;
  std::uint32_t snaplen_;
  mutable std::mutex mutex_;
  ::pcap* handle_ = nullptr;
  ::pcap_dumper* dumper_ = nullptr;
  std::size_t packets_written_ = 0;
};

}  // namespace tpc3::pcap
