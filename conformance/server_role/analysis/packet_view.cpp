#include "analysis/packet_view.h"

#include <algorithm>
#include <chrono>

namespace tpc3::conform::server::analysis {

std::string PacketView::name() const
{
    if (!header) return "packet " + std::to_string(index) + " (" + std::to_string(size) + " bytes, no RTP header)";
    return "packet " + std::to_string(index) + " (seq " + std::to_string(header->sequence) + ")";
}

const rtp::Deviation* PacketView::deviation(rtp::Field field) const
{
    for (const rtp::Deviation& d : deviations)
        if (d.field == field) return &d;
    return nullptr;
}

std::vector<PacketView> view_packets(const SessionRecord& record, std::optional<std::uint32_t> expected_ssrc)
{
    std::vector<PacketView> views;
    views.reserve(record.packets.size());
    for (const ReceivedPacket& p : record.packets) {
        PacketView v;
        v.index = p.index;
        v.size = p.bytes.size();
        v.received = p.received;
        v.kernel_timestamp = p.kernel_timestamp;
        v.truncated = p.truncated;
        const std::span<const std::uint8_t> bytes(p.bytes);
        v.header_hex = rtp::hex(bytes.first(std::min(bytes.size(), rtp::kHeaderSize)));
        const rtp::ParseResult parsed = rtp::parse(p.bytes);
        if (parsed.ok()) {
            v.header = parsed.header;
            v.payload = parsed.payload;
            v.deviations = rtp::profile_deviations(*parsed.header, expected_ssrc);
        }
        views.push_back(std::move(v));
    }
    return views;
}

double seconds_between(WallTime a, WallTime b)
{
    return std::chrono::duration<double>(b - a).count();
}

double unix_seconds(WallTime t)
{
    return std::chrono::duration<double>(t.time_since_epoch()).count();
}

}  // namespace tpc3::conform::server::analysis
