#pragma once

// Reads a pcap or pcapng file through libpcap (pcap_open_offline) and yields its frames, or the UDP datagrams
// and TCP segments they carry (see packet/packet_decoder.h). Never crashes on arbitrary input: a damaged file
// ends the iteration with error() set (packet index and file offset); a damaged packet is a PacketIssue.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "pcaps/capture/pcap_error.h"
#include "pcaps/packet/capture_time.h"
#include "pcaps/packet/link_type.h"
#include "pcaps/packet/packet_decoder.h"

struct pcap;

namespace tpc3::pcap {

struct PcapRecord {
  std::size_t index = 0;  // from 1, like Wireshark's frame numbers
  CaptureTime time;
  std::uint32_t original_length = 0;
  Bytes bytes;
  std::uint64_t file_offset = 0;  // where libpcap started reading this record
};

// The file could not be read further (truncated record, corrupt block...).
struct ReadError {
  std::size_t packet_index = 0;   // the record that could not be read
  std::uint64_t file_offset = 0;  // where it starts
  std::string message;

  // "capture.pcap: packet 7 at byte 1234: truncated dump file; ..."
  std::string to_string(const std::string& source) const;
};

class PcapReader {
 public:
  // Throws PcapError naming the file when it cannot be opened, is not a pcap/pcapng file, or has a link type
  // the decoder does not support.
  explicit PcapReader(const std::filesystem::path& path, Ipv4ReassemblyLimits limits = {});
  // The same for a capture held in memory (a fuzz target's input). `name` is used in messages.
  static PcapReader from_bytes(std::span<const std::uint8_t> bytes, std::string name = "<memory>",
                               Ipv4ReassemblyLimits limits = {});

  ~PcapReader();
  PcapReader(PcapReader&&) noexcept;
  PcapReader& operator=(PcapReader&&) noexcept;
  PcapReader(const PcapReader&) = delete;
  PcapReader& operator=(const PcapReader&) = delete;

  LinkType link_type() const { return link_type_; }
  const std::string& source_name() const { return source_name_; }

  // The next frame as stored; nullopt at the end or after a read error. Do not mix with next().
  std::optional<PcapRecord> next_record();
  // The next decoded datagram, segment or packet issue; nullopt at the end (incomplete fragmented datagrams are
  // reported as issues before that) or after a read error. Non-UDP/TCP packets are skipped and counted.
  std::optional<CaptureEvent> next();

  const std::optional<ReadError>& error() const { return error_; }
  const DecoderStats& stats() const { return decoder_.stats(); }
  std::size_t packets_read() const { return packets_read_; }

 private:
  struct Frame {
    std::size_t index;
    CaptureTime time;
    std::uint32_t original_length;
    std::span<const std::uint8_t> bytes;  // valid until the next read
    std::uint64_t file_offset;
  };

  PcapReader(::pcap* handle, std::string source_name, std::unique_ptr<Bytes> memory, Ipv4ReassemblyLimits limits);
  std::optional<Frame> read_frame();

  ::pcap* handle_ = nullptr;
  std::string source_name_;
  std::unique_ptr<Bytes> memory_;  // the buffer behind an in-memory capture
  LinkType link_type_ = LinkType::ethernet;
  PacketDecoder decoder_;
  std::deque<CaptureEvent> pending_;
  std::vector<CaptureEvent> scratch_;
  std::optional<ReadError> error_;
  std::size_t packets_read_ = 0;
  bool finished_ = false;
};

// Everything in one capture file, decoded.
struct CaptureContents {
  LinkType link_type = LinkType::ethernet;
  std::vector<CapturedUdp> udp;
  std::vector<CapturedTcp> tcp;
  std::vector<PacketIssue> issues;
  std::optional<ReadError> error;
  DecoderStats stats;
};

// Throws PcapError only when the file cannot be opened (see PcapReader).
CaptureContents read_capture(const std::filesystem::path& path, Ipv4ReassemblyLimits limits = {});

}  // namespace tpc3::pcap
