// --pcap FILE: every session of the run in one capture, live on the loopback
// interface when the runner may capture (and the server is on loopback),
// otherwise rebuilt from the runner's own view (SyntheticPcapObserver). The
// file exists from construction and is complete after finish() or the
// destructor, whatever happened to the run.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "net/socket.h"
#include "pcaps/capture/live_capture.h"
#include "pcaps/capture/synthetic_recorder.h"
#include "session/connection_observer.h"
#include "session/pcap_observer.h"

namespace tpc3::conform::cli {

enum class PcapMode { Auto, Live, Synthetic };

// "auto", "live", "synthetic"; throws report::UsageError otherwise.
PcapMode parse_pcap_mode(const std::string& text);

class PcapOutput {
public:
    // Creates the file. Live (or Auto when capture is permitted and the server
    // is on loopback): the capture starts at the first server_endpoint(),
    // before any session connects. Throws report::UsageError for Live when
    // capture is not permitted; pcap::PcapError when the file cannot be made.
    PcapOutput(std::filesystem::path path, PcapMode mode, bool server_on_loopback = true);
    ~PcapOutput();
    PcapOutput(const PcapOutput&) = delete;
    PcapOutput& operator=(const PcapOutput&) = delete;

    // Sees every session: give it to the suite (thread-safe).
    server::ConnectionObserver* observer();
    // The server's control endpoint, before any session and after each restart.
    void server_endpoint(const net::Endpoint& endpoint);

    // Stops and closes; what went wrong, if anything ("the kernel dropped 3
    // packets: the capture is incomplete"). Idempotent.
    std::string finish();
    // Removes the file (a run that never started: usage error).
    void discard();

    bool live() const { return live_mode_; }
    const std::filesystem::path& path() const { return path_; }
    // "live capture on lo" / "rebuilt from the runner's view (no capture permission: ...)".
    const std::string& how() const { return how_; }

private:
    class LivePorts;
    void add_port(std::uint16_t port);

    std::filesystem::path path_;
    bool live_mode_ = false;
    std::string how_;
    std::mutex mutex_;
    std::unique_ptr<pcap::LiveCapture> capture_;
    std::unique_ptr<LivePorts> live_ports_;
    std::unique_ptr<pcap::SyntheticRecorder> recorder_;
    std::unique_ptr<server::SyntheticPcapObserver> synthetic_;
    bool finished_ = false;
    std::string problem_;
};

}  // namespace tpc3::conform::cli
