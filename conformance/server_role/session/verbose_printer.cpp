#include "session/verbose_printer.h"

#include <cstdio>
#include <sstream>

#include "control/control_message.h"
#include "rtp/rtp_header.h"

namespace tpc3::conform::server {

std::string describe_datagram(const ReceivedPacket& p)
{
    std::ostringstream s;
    s << "#" << p.index << " " << p.bytes.size() << " B";
    if (p.truncated) s << " (truncated)";
    const rtp::ParseResult r = rtp::parse(p.bytes);
    if (!r.ok()) {
        s << ": " << r.error->message;
        return s.str();
    }
    const rtp::RtpHeader& h = *r.header;
    s << " seq=" << h.sequence << " ts=" << h.timestamp << " ssrc=" << h.ssrc << " V=" << int{h.version}
      << " P=" << int{h.padding} << " X=" << int{h.extension} << " CC=" << int{h.csrc_count}
      << " M=" << int{h.marker} << " PT=" << int{h.payload_type} << " [" << rtp::hex(p.bytes) << "]";
    return s.str();
}

void VerbosePrinter::line(const SessionTag& tag, WallTime at, const std::string& text)
{
    // Caller holds mutex_.
    std::string when = "        ";
    if (const auto it = started_.find(tag.serial); it != started_.end()) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%+8.3f", std::chrono::duration<double>(at - it->second).count());
        when = buf;
    }
    out_ << "[" << tag.label << "] " << when << " " << text << '\n';
}

void VerbosePrinter::udp_bound(const SessionTag& tag, const net::Endpoint& local)
{
    std::lock_guard lock(mutex_);
    line(tag, std::chrono::system_clock::now(), "UDP listening on " + local.str());
}

void VerbosePrinter::tcp_opened(const SessionTag& tag, const net::Endpoint& runner, const net::Endpoint& server,
                                WallTime at)
{
    std::lock_guard lock(mutex_);
    started_[tag.serial] = at;
    line(tag, at, "TCP connected " + runner.str() + " -> " + server.str());
}

void VerbosePrinter::tcp_data(const SessionTag& tag, Direction d, std::span<const std::uint8_t> bytes, WallTime at)
{
    std::lock_guard lock(mutex_);
    const std::vector<std::uint8_t> copy(bytes.begin(), bytes.end());
    line(tag, at,
         std::string(d == Direction::ToServer ? "-> " : "<- ") + "\"" +
             control::escape(copy, options_.max_control_bytes) + "\" (" + std::to_string(bytes.size()) + " B)");
}

void VerbosePrinter::tcp_closed(const SessionTag& tag, Side closer, bool reset, WallTime at)
{
    std::lock_guard lock(mutex_);
    line(tag, at, std::string("TCP ") + (reset ? "reset" : "closed") + " by the " +
                      (closer == Side::Runner ? "runner" : "server"));
}

void VerbosePrinter::datagram(const SessionTag& tag, const ReceivedPacket& p, const net::Endpoint&)
{
    if (!options_.packets) return;
    std::lock_guard lock(mutex_);
    line(tag, p.received, "UDP " + describe_datagram(p));
}

void VerbosePrinter::session_ended(const SessionTag& tag, const SessionRecord& record)
{
    std::lock_guard lock(mutex_);
    std::string text = std::string("ended: ") + to_string(record.end) + ", " + std::to_string(record.packets.size()) +
                       " datagrams (" + std::to_string(record.packets_before_go()) + " before Go)";
    if (record.packets_not_kept > 0) text += ", " + std::to_string(record.packets_not_kept) + " more not kept";
    if (record.control_bytes_not_kept > 0)
        text += ", " + std::to_string(record.control_bytes_not_kept) + " control bytes not kept";
    if (!record.error.empty()) text += ": " + record.error;
    line(tag, record.ended_at.value_or(std::chrono::system_clock::now()), text);
    out_.flush();
    started_.erase(tag.serial);
}

}  // namespace tpc3::conform::server
