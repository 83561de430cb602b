#include "pcaps/reader/pcap_reader.h"

#include <pcap/pcap.h>

#include <cstdio>
#include <limits>
#include <utility>

namespace tpc3::pcap {
namespace {

::pcap* open_file(const std::filesystem::path& path) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  ::pcap* handle = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (handle == nullptr) throw PcapError(path.string() + ": cannot read capture: " + errbuf);
  return handle;
}

CaptureTime to_capture_time(const timeval& ts) {
  // With nanosecond precision libpcap puts nanoseconds in tv_usec. pcapng allows timestamps far beyond what
  // int64 nanoseconds hold: saturate rather than overflow.
  constexpr std::int64_t kMaxSeconds = std::numeric_limits<std::int64_t>::max() / 1'000'000'000 - 1;
  std::int64_t seconds = ts.tv_sec;
  if (seconds > kMaxSeconds) seconds = kMaxSeconds;
  if (seconds < -kMaxSeconds) seconds = -kMaxSeconds;
  std::int64_t fraction = ts.tv_usec;
  if (fraction < 0 || fraction >= 1'000'000'000) fraction = 0;
  return CaptureTime(std::chrono::nanoseconds(seconds * 1'000'000'000 + fraction));
}

}  // namespace

std::string ReadError::to_string(const std::string& source) const {
  return source + ": packet " + std::to_string(packet_index) + " at byte " + std::to_string(file_offset) + ": " +
         message;
}

PcapReader::PcapReader(const std::filesystem::path& path, Ipv4ReassemblyLimits limits)
    : PcapReader(open_file(path), path.string(), nullptr, limits) {}

PcapReader PcapReader::from_bytes(std::span<const std::uint8_t> bytes, std::string name,
                                  Ipv4ReassemblyLimits limits) {
  if (bytes.empty()) throw PcapError(name + ": cannot read capture: empty input");
  auto memory = std::make_unique<Bytes>(bytes.begin(), bytes.end());
  FILE* stream = fmemopen(memory->data(), memory->size(), "rb");
  if (stream == nullptr) throw PcapError(name + ": cannot read capture: fmemopen failed");
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  ::pcap* handle = pcap_fopen_offline_with_tstamp_precision(stream, PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (handle == nullptr) {
    std::fclose(stream);  // libpcap only takes ownership on success
    throw PcapError(name + ": cannot read capture: " + errbuf);
  }
  return PcapReader(handle, std::move(name), std::move(memory), limits);
}

PcapReader::PcapReader(::pcap* handle, std::string source_name, std::unique_ptr<Bytes> memory,
                       Ipv4ReassemblyLimits limits)
    : handle_(handle),
      source_name_(std::move(source_name)),
      memory_(std::move(memory)),
      link_type_(static_cast<LinkType>(pcap_datalink(handle))),
      decoder_(link_type_, limits) {
  if (!is_decodable(link_type_)) {
    const int dlt = pcap_datalink(handle_);
    pcap_close(handle_);
    handle_ = nullptr;
    throw PcapError(source_name_ + ": link type " + link_type_name(link_type_) + " (" + std::to_string(dlt) +
                    ") is not supported; expected Ethernet, Linux cooked (SLL/SLL2), loopback (NULL/LOOP) or raw IP");
  }
}

PcapReader::~PcapReader() {
  if (handle_ != nullptr) pcap_close(handle_);
}

PcapReader::PcapReader(PcapReader&& other) noexcept
    : handle_(std::exchange(other.handle_, nullptr)),
      source_name_(std::move(other.source_name_)),
      memory_(std::move(other.memory_)),
      link_type_(other.link_type_),
      decoder_(std::move(other.decoder_)),
      pending_(std::move(other.pending_)),
      scratch_(std::move(other.scratch_)),
      error_(std::move(other.error_)),
      packets_read_(other.packets_read_),
      finished_(other.finished_) {}

PcapReader& PcapReader::operator=(PcapReader&& other) noexcept {
  if (this != &other) {
    if (handle_ != nullptr) pcap_close(handle_);
    handle_ = std::exchange(other.handle_, nullptr);
    source_name_ = std::move(other.source_name_);
    memory_ = std::move(other.memory_);
    link_type_ = other.link_type_;
    decoder_ = std::move(other.decoder_);
    pending_ = std::move(other.pending_);
    scratch_ = std::move(other.scratch_);
    error_ = std::move(other.error_);
    packets_read_ = other.packets_read_;
    finished_ = other.finished_;
  }
  return *this;
}

std::optional<PcapReader::Frame> PcapReader::read_frame() {
  if (handle_ == nullptr || error_ || finished_) return std::nullopt;
  FILE* stream = pcap_file(handle_);
  const long offset = stream != nullptr ? std::ftell(stream) : -1;
  const std::uint64_t file_offset = offset >= 0 ? static_cast<std::uint64_t>(offset) : 0;
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  const int status = pcap_next_ex(handle_, &header, &data);
  if (status == 1) {
    ++packets_read_;
    const std::size_t captured = header->caplen;
    return Frame{packets_read_, to_capture_time(header->ts), header->len, std::span<const std::uint8_t>(data, captured),
                 file_offset};
  }
  if (status != PCAP_ERROR_BREAK) {  // PCAP_ERROR_BREAK is the end of the file
    error_ = ReadError{packets_read_ + 1, file_offset, pcap_geterr(handle_)};
  }
  return std::nullopt;
}

std::optional<PcapRecord> PcapReader::next_record() {
  auto frame = read_frame();
  if (!frame) return std::nullopt;
  return PcapRecord{frame->index, frame->time, frame->original_length, Bytes(frame->bytes.begin(), frame->bytes.end()),
                    frame->file_offset};
}

std::optional<CaptureEvent> PcapReader::next() {
  while (pending_.empty()) {
    if (finished_) return std::nullopt;
    scratch_.clear();
    if (auto frame = read_frame()) {
      decoder_.decode(RawPacket{frame->index, frame->time, frame->bytes, frame->original_length}, scratch_);
    } else {
      decoder_.finish(scratch_);
      finished_ = true;
    }
    for (auto& event : scratch_) pending_.push_back(std::move(event));
  }
  CaptureEvent event = std::move(pending_.front());
  pending_.pop_front();
  return event;
}

CaptureContents read_capture(const std::filesystem::path& path, Ipv4ReassemblyLimits limits) {
  PcapReader reader(path, limits);
  CaptureContents contents;
  contents.link_type = reader.link_type();
  while (auto event = reader.next()) {
    if (auto* udp = std::get_if<CapturedUdp>(&*event)) {
      contents.udp.push_back(std::move(*udp));
    } else if (auto* tcp = std::get_if<CapturedTcp>(&*event)) {
      contents.tcp.push_back(std::move(*tcp));
    } else {
      contents.issues.push_back(std::move(std::get<PacketIssue>(*event)));
    }
  }
  contents.error = reader.error();
  contents.stats = reader.stats();
  return contents;
}

}  // namespace tpc3::pcap
