#include "pcaps/capture/live_capture.h"

#include <poll.h>
#include <pcap/pcap.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "pcaps/packet/layer_parsers.h"

namespace tpc3::pcap {
namespace {

// Owns a pcap handle until released, so that every throw in the constructor closes it.
struct HandleGuard {
  ::pcap* handle;
  ~HandleGuard() {
    if (handle != nullptr) pcap_close(handle);
  }
  ::pcap* release() { return std::exchange(handle, nullptr); }
};

std::string activation_error(::pcap* handle, int status, const std::string& interface) {
  std::string text = "cannot capture on " + interface + ": " + pcap_statustostr(status);
  const std::string detail = pcap_geterr(handle);
  if (!detail.empty()) text += " (" + detail + ")";
  if (status == PCAP_ERROR_PERM_DENIED) text += "; capturing needs root or CAP_NET_RAW";
  return text;
}

}  // namespace

CaptureProbe LiveCapture::probe(const std::string& interface) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  HandleGuard guard{pcap_create(interface.c_str(), errbuf)};
  if (guard.handle == nullptr) return {false, "cannot capture on " + interface + ": " + errbuf};
  pcap_set_snaplen(guard.handle, 128);
  pcap_set_immediate_mode(guard.handle, 1);
  const int status = pcap_activate(guard.handle);
  if (status < 0) return {false, activation_error(guard.handle, status, interface)};
  return {true, {}};
}

LiveCapture::LiveCapture(const std::filesystem::path& output, LiveCaptureOptions options)
    : options_(std::move(options)), ports_(options_.ports) {
  const std::string& interface = options_.interface;
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  HandleGuard guard{pcap_create(interface.c_str(), errbuf)};
  if (guard.handle == nullptr) throw PcapError("cannot capture on " + interface + ": " + errbuf);
  pcap_set_snaplen(guard.handle, options_.snaplen);
  pcap_set_promisc(guard.handle, 0);
  pcap_set_immediate_mode(guard.handle, 1);  // deliver each packet at once, not per filled block
  pcap_set_buffer_size(guard.handle, options_.buffer_bytes);
  pcap_set_timeout(guard.handle, static_cast<int>(options_.poll_interval.count()));
  nanosecond_timestamps_ = pcap_set_tstamp_precision(guard.handle, PCAP_TSTAMP_PRECISION_NANO) == 0;
  const int status = pcap_activate(guard.handle);
  if (status < 0) throw PcapError(activation_error(guard.handle, status, interface));

  bpf_program program{};
  if (pcap_compile(guard.handle, &program, options_.bpf_filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    throw PcapError("capture on " + interface + ": bad filter \"" + options_.bpf_filter +
                    "\": " + pcap_geterr(guard.handle));
  }
  const int filter_status = pcap_setfilter(guard.handle, &program);
  pcap_freecode(&program);
  if (filter_status != 0) {
    throw PcapError("capture on " + interface + ": cannot set filter: " + std::string(pcap_geterr(guard.handle)));
  }
  // Non-blocking reads plus our own poll() with a timeout: every wait of the capture thread is bounded, and
  // stop() wakes it through wake_fd_ at once.
  if (pcap_setnonblock(guard.handle, 1, errbuf) != 0) {
    throw PcapError("capture on " + interface + ": cannot set non-blocking mode: " + errbuf);
  }
  if (pcap_get_selectable_fd(guard.handle) < 0) {
    throw PcapError("capture on " + interface + ": no selectable file descriptor");
  }
  link_type_ = static_cast<LinkType>(pcap_datalink(guard.handle));
  writer_ = std::make_unique<PcapFileWriter>(output, link_type_, static_cast<std::uint32_t>(options_.snaplen));
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) throw PcapError(std::string("capture on " + interface + ": eventfd: ") + std::strerror(errno));
  handle_ = guard.release();
  thread_ = std::thread([this] { run(); });
}

LiveCapture::~LiveCapture() {
  try {
    stop();
  } catch (const PcapError&) {
    // Reported by stop() to callers that call it; a destructor cannot.
  }
}

void LiveCapture::add_ports(std::span<const std::uint16_t> ports) {
  const std::scoped_lock lock(ports_mutex_);
  ports_.insert(ports.begin(), ports.end());
}

bool LiveCapture::keep(std::span<const std::uint8_t> frame) {
  const std::scoped_lock lock(ports_mutex_);
  if (ports_.empty()) return true;
  const auto ports = peek_transport_ports(link_type_, frame);
  if (!ports) return true;  // a later fragment, or something the BPF filter let through: keep rather than lose
  return ports_.contains(ports->first) || ports_.contains(ports->second);
}

void LiveCapture::on_packet(unsigned char* user, const ::pcap_pkthdr* header, const unsigned char* bytes) {
  reinterpret_cast<LiveCapture*>(user)->handle_packet(header, bytes);
}

void LiveCapture::handle_packet(const ::pcap_pkthdr* header, const unsigned char* bytes) {
  if (!thread_error_.empty()) return;
  const std::span<const std::uint8_t> frame(bytes, header->caplen);
  if (!keep(frame)) {
    ++ignored_;
    return;
  }
  const std::int64_t fraction = nanosecond_timestamps_ ? header->ts.tv_usec : header->ts.tv_usec * 1000LL;
  const CaptureTime time{std::chrono::nanoseconds(std::int64_t{header->ts.tv_sec} * 1'000'000'000 + fraction)};
  try {  // nothing may be thrown through libpcap's C frames
    writer_->write(time, frame, header->len);
    ++written_;
  } catch (const std::exception& error) {
    thread_error_ = error.what();
  }
}

bool LiveCapture::dispatch_pending() {
  // Bounded: the ring holds a finite number of frames; 10,000 rounds only guard against a flood.
  for (int round = 0; round < 10000; ++round) {
    const int count = pcap_dispatch(handle_, -1, &LiveCapture::on_packet, reinterpret_cast<unsigned char*>(this));
    if (count == PCAP_ERROR) {
      thread_error_ = "capture on " + options_.interface + ": " + pcap_geterr(handle_);
      return false;
    }
    if (count <= 0 || !thread_error_.empty()) break;
  }
  return thread_error_.empty();
}

void LiveCapture::run() {
  pollfd fds[2] = {{pcap_get_selectable_fd(handle_), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  const int timeout_ms = static_cast<int>(options_.poll_interval.count());
  while (!stop_requested_.load()) {
    const int ready = poll(fds, 2, timeout_ms);
    if (ready < 0 && errno != EINTR) {
      thread_error_ = std::string("capture on " + options_.interface + ": poll: ") + std::strerror(errno);
      return;
    }
    if (!dispatch_pending()) return;
  }
  dispatch_pending();  // what arrived before stop() was called
}

LiveCaptureStats LiveCapture::stop() {
  if (stopped_) return final_stats_;
  stopped_ = true;
  stop_requested_.store(true);
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto ignored_result = ::write(wake_fd_, &one, sizeof one);
  if (thread_.joinable()) thread_.join();

  LiveCaptureStats stats;
  if (pcap_stat counters{}; pcap_stats(handle_, &counters) == 0) {
    stats.received = counters.ps_recv;
    stats.dropped_by_kernel = counters.ps_drop;
    stats.dropped_by_interface = counters.ps_ifdrop;
  }
  stats.written = written_;
  stats.ignored_other_ports = ignored_;
  stats.error = thread_error_;
  pcap_close(handle_);
  handle_ = nullptr;
  ::close(wake_fd_);
  wake_fd_ = -1;
  final_stats_ = stats;
  writer_->close();
  return stats;
}

}  // namespace tpc3::pcap
