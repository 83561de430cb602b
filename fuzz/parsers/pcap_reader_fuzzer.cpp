// Fuzz target: the capture reader (pcaps/reader, pcaps/packet) on any file:
// pcap or pcapng through PcapReader::from_bytes, every decoded TCP segment
// through TcpStreamReassembler. Limits are small so that eviction, gaps and
// "not followed" paths are reachable with small inputs. Properties:
//  - next() and next_record() + PacketDecoder over the same bytes give the
//    same datagrams, segments and issues, and the same read error;
//  - issues name a packet that was read; reassembled streams hold their chunks
//    and gaps inside their bytes, and keep at most the byte limit.

#include "fuzz_check.h"
#include "pcaps/capture/pcap_error.h"
#include "pcaps/reader/pcap_reader.h"
#include "pcaps/reader/tcp_stream_reassembler.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <variant>
#include <vector>

using namespace tpc3::pcap;

namespace {

constexpr Ipv4ReassemblyLimits kIpLimits{8, 64 * 1024, std::chrono::seconds(30)};
constexpr TcpReassemblyLimits kTcpLimits{8, 64 * 1024, 64, 16 * 1024, 16};

struct Summary {
    std::vector<CapturedUdp> udp;
    std::vector<CapturedTcp> tcp;
    std::vector<std::string> issues;
    std::optional<std::string> error;
    std::size_t packets = 0;
};

template <typename Captured>
bool same_header(const Captured& a, const Captured& b) {
    return a.packet_index == b.packet_index && a.time == b.time && a.ip == b.ip && a.checksum == b.checksum &&
           a.fragments == b.fragments;
}
bool same(const CapturedUdp& a, const CapturedUdp& b) { return same_header(a, b) && a.datagram == b.datagram; }
bool same(const CapturedTcp& a, const CapturedTcp& b) { return same_header(a, b) && a.segment == b.segment; }
template <typename Captured>
bool all_same(const std::vector<Captured>& a, const std::vector<Captured>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](const Captured& x, const Captured& y) { return same(x, y); });
}

void add_event(Summary& s, CaptureEvent&& event) {
    if (auto* u = std::get_if<CapturedUdp>(&event)) s.udp.push_back(std::move(*u));
    else if (auto* t = std::get_if<CapturedTcp>(&event)) s.tcp.push_back(std::move(*t));
    else s.issues.push_back(std::get<PacketIssue>(event).to_string());
}

std::optional<Summary> decode_events(std::span<const std::uint8_t> input) {
    try {
        PcapReader reader = PcapReader::from_bytes(input, "fuzz", kIpLimits);
        Summary s;
        while (auto event = reader.next()) add_event(s, std::move(*event));
        if (reader.error()) s.error = reader.error()->to_string(reader.source_name());
        s.packets = reader.packets_read();
        FUZZ_CHECK(reader.stats().packets == s.packets, "the decoder saw every packet read");
        FUZZ_CHECK(reader.stats().udp == s.udp.size() && reader.stats().tcp == s.tcp.size(),
                   "the decoder's counts match the events");
        return s;
    } catch (const PcapError&) {
        return std::nullopt;  // not a capture, or a link type the decoder does not support
    }
}

std::optional<Summary> decode_records(std::span<const std::uint8_t> input) {
    try {
        PcapReader reader = PcapReader::from_bytes(input, "fuzz", kIpLimits);
        PacketDecoder decoder(reader.link_type(), kIpLimits);
        Summary s;
        std::vector<CaptureEvent> events;
        std::size_t expected_index = 1;
        while (auto record = reader.next_record()) {
            FUZZ_CHECK(record->index == expected_index++, "records are numbered 1, 2, ...");
            FUZZ_CHECK(record->bytes.size() <= input.size(), "a record is no larger than the file");
            decoder.decode(RawPacket{record->index, record->time, record->bytes, record->original_length}, events);
        }
        decoder.finish(events);
        for (auto& e : events) add_event(s, std::move(e));
        if (reader.error()) s.error = reader.error()->to_string(reader.source_name());
        s.packets = reader.packets_read();
        return s;
    } catch (const PcapError&) {
        return std::nullopt;
    }
}

void check_streams(const std::vector<CapturedTcp>& segments) {
    TcpStreamReassembler streams(kTcpLimits);
    for (const auto& s : segments) streams.add(s);
    streams.finish();
    FUZZ_CHECK(streams.connections().size() <= kTcpLimits.max_connections, "at most max_connections are followed");
    for (const TcpConnection& c : streams.connections()) {
        for (const TcpStream* s : {&c.client_to_server, &c.server_to_client}) {
            FUZZ_CHECK(s->bytes.size() <= kTcpLimits.max_stream_bytes, "a stream keeps at most max_stream_bytes");
            FUZZ_CHECK(s->chunks.size() <= kTcpLimits.max_chunks, "a stream itemises at most max_chunks");
            std::size_t end = 0;
            for (const TcpChunk& chunk : s->chunks) {
                FUZZ_CHECK(chunk.at >= end && chunk.at + chunk.length <= s->bytes.size(),
                           "chunks are in order and inside the stream");
                end = chunk.at + chunk.length;
            }
            std::size_t last_gap = 0;
            for (const TcpGap& gap : s->gaps) {
                FUZZ_CHECK(gap.at >= last_gap && gap.at <= s->bytes.size(), "gaps are in order and inside the stream");
                FUZZ_CHECK(gap.missing_bytes > 0, "a gap misses at least one byte");
                last_gap = gap.at;
            }
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> input(data, size);
    const auto events = decode_events(input);
    const auto records = decode_records(input);
    FUZZ_CHECK(events.has_value() == records.has_value(), "both ways of reading open the same files");
    if (!events) return 0;
    FUZZ_CHECK(events->packets == records->packets, "both ways read the same packets");
    FUZZ_CHECK(events->error == records->error, "both ways meet the same read error");
    FUZZ_CHECK(all_same(events->udp, records->udp), "both ways decode the same datagrams");
    FUZZ_CHECK(all_same(events->tcp, records->tcp), "both ways decode the same segments");
    FUZZ_CHECK(events->issues == records->issues, "both ways report the same issues");
    check_streams(events->tcp);
    return 0;
}
