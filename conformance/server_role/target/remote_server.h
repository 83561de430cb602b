// A server that is already running (--target-server HOST:PORT): nothing to
// launch, watch or stop.
#pragma once

#include "target/server_target.h"

namespace tpc3::conform::server {

struct RemoteOptions {
    net::Endpoint endpoint;
    // The runner talks only to loopback unless the user explicitly allows
    // another host (a grader pointing it at a LAN machine).
    bool allow_remote = false;
};

class RemoteServer final : public ServerTarget {
public:
    // Throws TargetError for a host that does not resolve, for port 0, and for
    // a non-loopback address without allow_remote.
    explicit RemoteServer(RemoteOptions options);

    net::Endpoint endpoint() const override { return endpoint_; }
    std::string describe() const override { return described_; }
    bool launched() const override { return false; }
    bool alive() const override { return true; }
    std::optional<ServerProcessReport> process_report(std::uint64_t = 0) const override { return std::nullopt; }
    std::uint64_t stderr_mark() const override { return 0; }
    StartOutcome restart() override;
    void stop() override {}

    bool loopback() const { return loopback_; }

private:
    net::Endpoint endpoint_;  // the resolved dotted address
    std::string described_;   // as the user gave it
    bool loopback_ = true;
};

// Whether a dotted IPv4 address is in 127.0.0.0/8.
bool is_loopback_address(const std::string& dotted);

}  // namespace tpc3::conform::server
