#include "core/reproducer.h"

#include <map>
#include <stdexcept>

#include "pcaps/capture/synthetic_recorder.h"

namespace tpc3::fuzz::net {

void write_case_pcap(const FuzzCase& c, const std::filesystem::path& path, const PcapLayout& layout) {
    using namespace tpc3::pcap;
    SyntheticRecorder recorder(path);
    const Ipv4Address fuzzer_ip(layout.fuzzer_host);
    const Ipv4Address target_ip(layout.target_host);
    // Synthetic times: now, +1 ms per step, plus each pause.
    CaptureTime t = capture_now();
    const auto tick = std::chrono::milliseconds(1);
    std::map<int, TcpConnectionId> open;
    const TcpDirection from_fuzzer =
        layout.fuzzer_is_tcp_client ? TcpDirection::client_to_server : TcpDirection::server_to_client;
    const TcpSide fuzzer_side = layout.fuzzer_is_tcp_client ? TcpSide::client : TcpSide::server;

    auto ensure_open = [&](int connection) {
        if (auto it = open.find(connection); it != open.end()) return it->second;
        const auto eph = static_cast<std::uint16_t>(layout.first_ephemeral_port + connection);
        Endpoint client = layout.fuzzer_is_tcp_client ? Endpoint{fuzzer_ip, eph} : Endpoint{target_ip, eph};
        Endpoint server = layout.fuzzer_is_tcp_client ? Endpoint{target_ip, layout.target_tcp_port}
                                                      : Endpoint{fuzzer_ip, layout.fuzzer_tcp_port};
        auto id = recorder.tcp_open(client, server, t);
        open.emplace(connection, id);
        return id;
    };

    for (const auto& s : c.steps) {
        t += tick;
        switch (s.kind) {
            case WireStep::Kind::Connect: ensure_open(s.connection); break;
            case WireStep::Kind::Send:
                if (!s.bytes.empty()) recorder.tcp_data(ensure_open(s.connection), from_fuzzer, s.bytes, t);
                break;
            case WireStep::Kind::Pause: t += s.pause; break;
            case WireStep::Kind::Close:
            case WireStep::Kind::Reset:
                if (auto it = open.find(s.connection); it != open.end()) {
                    if (s.kind == WireStep::Kind::Close)
                        recorder.tcp_close(it->second, fuzzer_side, t);
                    else
                        recorder.tcp_reset(it->second, fuzzer_side, t);
                    open.erase(it);
                }
                break;
            case WireStep::Kind::Datagram: {
                std::vector<std::uint8_t> payload = s.bytes;
                if (payload.size() > kMaxUdpPayloadBytes) payload.resize(kMaxUdpPayloadBytes);
                recorder.udp(Endpoint{fuzzer_ip, layout.fuzzer_udp_port},
                             Endpoint{target_ip, layout.target_udp_port}, payload, t);
                break;
            }
            case WireStep::Kind::ShutdownWrite:
            case WireStep::Kind::ExpectReply: break;
        }
    }
    for (const auto& [connection, id] : open) {
        t += tick;
        recorder.tcp_close(id, fuzzer_side, t);
    }
    recorder.close();
}

PcapBuilder default_pcap_builder(PcapLayout layout) {
    return [layout](const FuzzCase& c, const std::filesystem::path& path) { write_case_pcap(c, path, layout); };
}

ReproducerPaths save_reproducer(const FuzzCase& c, const Finding& f, const std::filesystem::path& out_dir,
                                const PcapBuilder& pcap_builder, std::string* pcap_problem) {
    std::error_code ec;
    std::filesystem::create_directories(out_dir, ec);
    if (ec) throw std::runtime_error(out_dir.string() + ": cannot create the directory: " + ec.message());
    ReproducerPaths paths;
    paths.json = out_dir / (case_file_stem(c) + ".json");
    nlohmann::json j = to_json(c);
    Finding shown = f;
    shown.reproducer_json = paths.json;
    j["finding"] = to_json(shown);
    j["finding"].erase("reproducer_pcap");
    write_json_file(j, paths.json);
    if (pcap_builder) {
        const auto pcap_path = out_dir / (case_file_stem(c) + ".pcap");
        try {
            pcap_builder(c, pcap_path);
            paths.pcap = pcap_path;
        } catch (const std::exception& e) {
            if (pcap_problem) *pcap_problem = pcap_path.string() + ": " + e.what();
        }
    }
    return paths;
}

}  // namespace tpc3::fuzz::net
