#pragma once

// Live capture on the loopback interface with libpcap, written to a pcap file by a capture thread.
//
// Filtering is two-stage, chosen so that ports learnt during a run never race with the traffic:
//  - a fixed kernel BPF filter (default "host 127.0.0.1 and (tcp or udp)") set before the constructor returns;
//  - a port set checked in the capture thread: a frame is kept when its source or destination port is in the
//    set (or the set is empty). add_ports() takes effect for every frame not yet handed to the thread, so the
//    runner adds the client's UDP port when it learns it, before "Go" is sent, and no datagram is lost.
//    Non-first IPv4 fragments carry no ports and are always kept.
// Needs root or CAP_NET_RAW: probe()/can_capture() tell beforehand; otherwise use SyntheticRecorder.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <thread>

#include "pcaps/capture/pcap_error.h"
#include "pcaps/capture/pcap_file_writer.h"

struct pcap;
struct pcap_pkthdr;

namespace tpc3::pcap {

struct LiveCaptureOptions {
  std::string interface = "lo";
  std::string bpf_filter = "host 127.0.0.1 and (tcp or udp)";
  std::set<std::uint16_t> ports{};                // empty: keep every frame the BPF filter passes
  int buffer_bytes = 8 * 1024 * 1024;             // kernel ring buffer
  int snaplen = static_cast<int>(kDefaultSnaplen);
  std::chrono::milliseconds poll_interval{20};    // the thread checks for stop at least this often
};

struct LiveCaptureStats {
  std::uint64_t received = 0;              // passed the kernel filter (pcap_stats ps_recv)
  std::uint64_t dropped_by_kernel = 0;     // ring buffer full (ps_drop): the capture is incomplete if > 0
  std::uint64_t dropped_by_interface = 0;  // ps_ifdrop
  std::uint64_t written = 0;
  std::uint64_t ignored_other_ports = 0;
  std::string error;  // what stopped the capture thread early, empty if nothing did
};

struct CaptureProbe {
  bool available = false;
  std::string reason;  // why not, when not available
};

class LiveCapture {
 public:
  // Opens the interface, sets the filter and starts capturing to `output` before returning.
  // Throws PcapError (interface, reason) when it cannot.
  LiveCapture(const std::filesystem::path& output, LiveCaptureOptions options = {});
  // Stops (see stop()), swallowing errors.
  ~LiveCapture();
  LiveCapture(const LiveCapture&) = delete;
  LiveCapture& operator=(const LiveCapture&) = delete;

  void add_ports(std::span<const std::uint16_t> ports);
  void add_port(std::uint16_t port) { add_ports(std::span<const std::uint16_t>(&port, 1)); }

  // Writes what the kernel already holds (everything sent before this call on loopback), stops the thread,
  // closes the file and reports statistics. Idempotent. Throws PcapError if the file could not be written.
  LiveCaptureStats stop();

  const std::filesystem::path& output() const { return writer_->path(); }

  // Tries to open the interface for capture (needs root or CAP_NET_RAW).
  static CaptureProbe probe(const std::string& interface = "lo");
  static bool can_capture(const std::string& interface = "lo") { return probe(interface).available; }

 private:
  static void on_packet(unsigned char* user, const ::pcap_pkthdr* header, const unsigned char* bytes);
  void handle_packet(const ::pcap_pkthdr* header, const unsigned char* bytes);
  void run();
  bool dispatch_pending();
  bool keep(std::span<const std::uint8_t> frame);

  LiveCaptureOptions options_;
  ::pcap* handle_ = nullptr;
  std::unique_ptr<PcapFileWriter> writer_;
  LinkType link_type_ = LinkType::ethernet;
  bool nanosecond_timestamps_ = true;
  int wake_fd_ = -1;

  std::mutex ports_mutex_;
  std::set<std::uint16_t> ports_;

  std::atomic<bool> stop_requested_{false};
  std::uint64_t written_ = 0;  // capture thread only until joined
  std::uint64_t ignored_ = 0;
  std::string thread_error_;
  std::thread thread_;
  bool stopped_ = false;
  LiveCaptureStats final_stats_;
};

}  // namespace tpc3::pcap
