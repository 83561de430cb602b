#include "cli/pcap_output.h"

#include "pcaps/capture/pcap_file_writer.h"

#include "report/selection.h"

namespace tpc3::conform::cli {

// Adds each session's ports to the live capture as they are learnt: the UDP
// port before the request is sent (so no datagram is missed), the server's
// port when connected (a restarted server's new port is added before any
// session by server_endpoint()).
class PcapOutput::LivePorts final : public server::ConnectionObserver {
public:
    explicit LivePorts(PcapOutput& owner) : owner_(owner) {}
    void udp_bound(const server::SessionTag&, const net::Endpoint& local) override { owner_.add_port(local.port); }
    void tcp_opened(const server::SessionTag&, const net::Endpoint&, const net::Endpoint& server,
                    server::WallTime) override
    {
        owner_.add_port(server.port);
    }

private:
    PcapOutput& owner_;
};

PcapMode parse_pcap_mode(const std::string& text)
{
    if (text == "auto") return PcapMode::Auto;
    if (text == "live") return PcapMode::Live;
    if (text == "synthetic") return PcapMode::Synthetic;
    throw report::UsageError("--pcap-mode \"" + text + "\": expected auto, live or synthetic");
}

PcapOutput::PcapOutput(std::filesystem::path path, PcapMode mode, bool server_on_loopback) : path_(std::move(path))
{
    if (mode != PcapMode::Synthetic) {
        const pcap::CaptureProbe probe = pcap::LiveCapture::probe("lo");
        if (mode == PcapMode::Live && !probe.available)
            throw report::UsageError("--pcap-mode live: cannot capture on lo: " + probe.reason);
        if (mode == PcapMode::Live && !server_on_loopback)
            throw report::UsageError("--pcap-mode live: the server is not on this machine; only loopback is captured");
        live_mode_ = probe.available && server_on_loopback;
        how_ = live_mode_ ? "live capture on lo"
                          : "rebuilt from the runner's view (" +
                                (server_on_loopback ? "no capture permission: " + probe.reason
                                                    : std::string("the server is not on loopback")) +
                                ")";
    } else {
        how_ = "rebuilt from the runner's view (--pcap-mode synthetic)";
    }
    if (live_mode_) {
        // A valid (empty) capture from now on, even if the server never
        // starts; the live capture replaces it when it starts.
        pcap::PcapFileWriter(path_).close();
        live_ports_ = std::make_unique<LivePorts>(*this);
    } else {
        recorder_ = std::make_unique<pcap::SyntheticRecorder>(path_);
        synthetic_ = std::make_unique<server::SyntheticPcapObserver>(*recorder_);
    }
}

PcapOutput::~PcapOutput()
{
    try {
        finish();
    } catch (...) {
        // finish() reports its problems; a destructor must not throw.
    }
}

server::ConnectionObserver* PcapOutput::observer()
{
    if (live_mode_) return live_ports_.get();
    return synthetic_.get();
}

void PcapOutput::server_endpoint(const net::Endpoint& endpoint)
{
    if (!live_mode_) return;
    std::lock_guard lock(mutex_);
    if (finished_) return;
    if (!capture_) {
        pcap::LiveCaptureOptions options;
        options.ports = {endpoint.port};  // a non-empty set: nothing else on lo is kept
        capture_ = std::make_unique<pcap::LiveCapture>(path_, options);
        return;
    }
    capture_->add_port(endpoint.port);
}

void PcapOutput::add_port(std::uint16_t port)
{
    std::lock_guard lock(mutex_);
    if (capture_ && !finished_) capture_->add_port(port);
}

std::string PcapOutput::finish()
{
    std::lock_guard lock(mutex_);
    if (finished_) return problem_;
    finished_ = true;
    try {
        if (capture_) {
            const pcap::LiveCaptureStats stats = capture_->stop();
            if (stats.dropped_by_kernel > 0)
                problem_ = "the kernel dropped " + std::to_string(stats.dropped_by_kernel) +
                           " packets: the capture is incomplete";
            if (!stats.error.empty()) problem_ += (problem_.empty() ? "" : "; ") + stats.error;
        }
        if (synthetic_ && !synthetic_->first_error().empty()) problem_ = synthetic_->first_error();
        if (recorder_) recorder_->close();
    } catch (const std::exception& e) {
        problem_ += (problem_.empty() ? "" : "; ") + std::string(e.what());
    }
    return problem_;
}

void PcapOutput::discard()
{
    finish();
    std::error_code ec;
    std::filesystem::remove(path_, ec);
}

}  // namespace tpc3::conform::cli
