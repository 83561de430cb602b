#include "session/hostile_connection.h"

#include <random>

#include "session/client_session.h"

namespace tpc3::conform::server {

namespace {

// Deterministic binary junk (the same bytes every run, so reports compare).
Bytes garbage_bytes()
{
    std::mt19937 rng(20260301);
    Bytes out(64);
    for (auto& b : out) b = static_cast<std::uint8_t>(rng() & 0xFF);
    return out;
}

constexpr std::size_t kLongLineBytes = 64 * 1024;

}  // namespace

std::vector<MalformedRequest> malformed_requests(const std::string& file)
{
    std::vector<MalformedRequest> out;
    out.push_back({"garbage", "sent 64 bytes of binary garbage", raw_request(garbage_bytes()), false});
    out.push_back({"empty then close", "connected, sent nothing and closed its side", raw_request(Bytes{}), true});
    out.push_back({"one word", "sent only a file name, \"" + file + "\"", raw_request(file), false});
    out.push_back({"non-numeric port", "sent \"" + file + " port\"", raw_request(file + " port"), false});
    {
        std::string line(kLongLineBytes - 1, 'A');
        line += '\n';
        out.push_back({"64 KiB line", "sent one line of 65,535 'A' bytes and a newline", raw_request(line), false});
    }
    out.push_back({"non-UTF-8", "sent \"\\xff\\xfe" + file + " <UDP port>\" (bytes that are not UTF-8)",
                   [file](std::uint16_t port) {
                       Bytes b{0xFF, 0xFE};
                       const std::string rest = file + " " + std::to_string(port);
                       b.insert(b.end(), rest.begin(), rest.end());
                       return b;
                   },
                   false});
    return out;
}

SessionScript hostile_script(std::string label, const MalformedRequest& request, const HostileOptions& options)
{
    SessionScript s;
    s.label = std::move(label);
    s.request = request.request;
    s.half_close_after_request = request.half_close;
    s.reply_idle = options.idle;
    s.reply_deadline = options.read_for;
    s.wait_before_go = Millis(0);
    s.send_go = false;
    s.watch_after_not_found = Millis(0);
    s.connect_timeout = options.connect_timeout;
    s.overall_deadline = options.overall_deadline;
    s.max_control_bytes_kept = options.max_control_bytes_kept;
    return s;
}

HostileConnection::HostileConnection(net::Endpoint server, std::string label, MalformedRequest request,
                                     HostileOptions options, ConnectionObserver* observer)
    : server_(std::move(server)), script_(hostile_script(std::move(label), request, options)), observer_(observer)
{
}

SessionRecord HostileConnection::run() { return ClientSession(server_, script_, observer_).run(); }

}  // namespace tpc3::conform::server
