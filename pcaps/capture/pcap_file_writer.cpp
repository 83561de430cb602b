#include "pcaps/capture/pcap_file_writer.h"

#include <pcap/pcap.h>

#include <algorithm>
#include <string>

namespace tpc3::pcap {

PcapFileWriter::PcapFileWriter(const std::filesystem::path& path, LinkType link_type, std::uint32_t snaplen)
    : path_(path), link_type_(link_type), snaplen_(snaplen) {
  handle_ = pcap_open_dead_with_tstamp_precision(static_cast<int>(link_type), static_cast<int>(snaplen),
                                                 PCAP_TSTAMP_PRECISION_NANO);
  if (handle_ == nullptr) throw PcapError(path.string() + ": pcap_open_dead failed (out of memory?)");
  dumper_ = pcap_dump_open(handle_, path.c_str());
  if (dumper_ == nullptr) {
    const std::string reason = pcap_geterr(handle_);
    pcap_close(handle_);
    throw PcapError(path.string() + ": cannot create capture file: " + reason);
  }
}

PcapFileWriter::~PcapFileWriter() {
  try {
    close();
  } catch (const PcapError&) {
    // A destructor cannot report it; callers that care call close() themselves.
  }
}

void PcapFileWriter::write(CaptureTime time, std::span<const std::uint8_t> frame) {
  write(time, frame, static_cast<std::uint32_t>(std::min<std::size_t>(frame.size(), UINT32_MAX)));
}

void PcapFileWriter::write(CaptureTime time, std::span<const std::uint8_t> captured, std::uint32_t original_length) {
  const auto since_epoch = time.time_since_epoch().count();
  pcap_pkthdr header{};
  // With nanosecond precision libpcap reads tv_usec as nanoseconds.
  header.ts.tv_sec = static_cast<time_t>(since_epoch / 1'000'000'000);
  header.ts.tv_usec = static_cast<suseconds_t>(since_epoch % 1'000'000'000);
  if (header.ts.tv_usec < 0) {  // before 1970: keep the fraction positive
    header.ts.tv_usec += 1'000'000'000;
    header.ts.tv_sec -= 1;
  }
  header.caplen = static_cast<bpf_u_int32>(std::min<std::size_t>(captured.size(), snaplen_));
  header.len = std::max<bpf_u_int32>(original_length, header.caplen);

  const std::scoped_lock lock(mutex_);
  if (dumper_ == nullptr) throw PcapError(path_.string() + ": write after close");
  pcap_dump(reinterpret_cast<u_char*>(dumper_), &header, captured.data());
  ++packets_written_;
}

void PcapFileWriter::flush_locked() {
  if (dumper_ != nullptr && pcap_dump_flush(dumper_) != 0) {
    throw PcapError(path_.string() + ": writing the capture file failed (disk full?)");
  }
}

void PcapFileWriter::flush() {
  const std::scoped_lock lock(mutex_);
  flush_locked();
}

void PcapFileWriter::close() {
  const std::scoped_lock lock(mutex_);
  if (dumper_ == nullptr) return;
  bool flushed = true;
  try {
    flush_locked();
  } catch (const PcapError&) {
    flushed = false;
  }
  pcap_dump_close(dumper_);
  dumper_ = nullptr;
  pcap_close(handle_);
  handle_ = nullptr;
  if (!flushed) throw PcapError(path_.string() + ": writing the capture file failed (disk full?)");
}

std::size_t PcapFileWriter::packets_written() const {
  const std::scoped_lock lock(mutex_);
  return packets_written_;
}

}  // namespace tpc3::pcap
