// Saving a finding so it can be replayed and looked at: case-<i>.json (the
// case, plus a "finding" block for the reader) and case-<i>.pcap (the bytes
// the case sent, rebuilt as TCP/UDP packets on 127.0.0.1 with the
// SyntheticRecorder: tshark "follow tcp stream" shows them).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "core/finding.h"
#include "core/fuzz_case.h"

namespace tpc3::fuzz::net {

// Where the packets of a case go in the pcap. The fuzzer is the TCP client
// against a server, the TCP server against a client.
struct PcapLayout {
    bool fuzzer_is_tcp_client = true;
    std::string fuzzer_host = "127.0.0.1";
    std::string target_host = "127.0.0.1";
    std::uint16_t target_tcp_port = 0;   // the target's control port when it listens (server role)
    std::uint16_t fuzzer_tcp_port = 0;   // the fuzzer's control port when it listens (client role)
    std::uint16_t first_ephemeral_port = 40000;  // connection k of the TCP client side uses this + k
    std::uint16_t fuzzer_udp_port = 0;   // source of Datagram steps
    std::uint16_t target_udp_port = 0;   // destination of Datagram steps
};

// Writes `path`: Connect -> handshake, Send -> data from the fuzzer, Close ->
// FIN, Reset -> RST, Datagram -> one UDP datagram, Pause -> the clock moves
// on; ShutdownWrite and ExpectReply write nothing (the recorder has no
// half-close and the replies are not part of the case). Connections still
// open at the end are closed by the fuzzer. Throws pcap::PcapError /
// std::runtime_error naming the file.
void write_case_pcap(const FuzzCase& c, const std::filesystem::path& path, const PcapLayout& layout);

// Builds the pcap of a case at a path (role-specific; see default_pcap_builder).
using PcapBuilder = std::function<void(const FuzzCase&, const std::filesystem::path&)>;
PcapBuilder default_pcap_builder(PcapLayout layout);

struct ReproducerPaths {
    std::filesystem::path json, pcap;
};

// Creates out_dir if needed; writes <out_dir>/case-<i>.json (to_json(case)
// plus "finding": to_json(finding)) and, with a builder, <out_dir>/case-<i>.pcap.
// A pcap that fails is reported in the returned pcap path being empty and
// `pcap_problem` set; the json is the reproducer that matters.
ReproducerPaths save_reproducer(const FuzzCase& c, const Finding& f, const std::filesystem::path& out_dir,
                                const PcapBuilder& pcap_builder, std::string* pcap_problem = nullptr);

}  // namespace tpc3::fuzz::net
