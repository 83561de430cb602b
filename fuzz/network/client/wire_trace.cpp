#include "client/wire_trace.h"

#include <optional>

#include "pcaps/capture/synthetic_recorder.h"

namespace tpc3::fuzz::net {

namespace {
pcap::Endpoint endpoint(const TraceEndpoint& e) { return pcap::Endpoint{pcap::Ipv4Address(e.host), e.port}; }
}  // namespace

void WireTrace::write_pcap(const std::filesystem::path& path) const
{
    pcap::SyntheticRecorder recorder(path);
    std::optional<pcap::TcpConnectionId> tcp;
    for (const TraceEvent& e : events_) {
        switch (e.kind) {
            case TraceEvent::Kind::TcpOpen:
                if (!tcp) tcp = recorder.tcp_open(endpoint(e.from), endpoint(e.to), e.time);
                break;
            case TraceEvent::Kind::FromClient:
                if (tcp) recorder.tcp_data(*tcp, pcap::TcpDirection::client_to_server, e.bytes, e.time);
                break;
            case TraceEvent::Kind::FromRunner:
                if (tcp) recorder.tcp_data(*tcp, pcap::TcpDirection::server_to_client, e.bytes, e.time);
                break;
            case TraceEvent::Kind::RunnerClosed:
                if (tcp) recorder.tcp_close(*tcp, pcap::TcpSide::server, e.time);
                tcp.reset();
                break;
            case TraceEvent::Kind::RunnerReset:
                if (tcp) recorder.tcp_reset(*tcp, pcap::TcpSide::server, e.time);
                tcp.reset();
                break;
            case TraceEvent::Kind::ClientClosed:
                if (tcp) recorder.tcp_close(*tcp, pcap::TcpSide::client, e.time);
                tcp.reset();
                break;
            case TraceEvent::Kind::Udp:
                recorder.udp(endpoint(e.from), endpoint(e.to), e.bytes, e.time);
                break;
        }
    }
    recorder.close();
}

}  // namespace tpc3::fuzz::net
