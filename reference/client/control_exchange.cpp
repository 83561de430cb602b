#include "client/control_exchange.h"

#include <algorithm>

namespace tpc3::client {

namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr net::Millis kSendTimeout{5000};
constexpr net::Millis kPollSlice{100};  // how often a wait looks at the stop flag

net::Millis until(SteadyClock::time_point t) {
    const auto left = std::chrono::duration_cast<net::Millis>(t - SteadyClock::now());
    return std::max(left, net::Millis{0});
}

}  // namespace

ControlExchange::ControlExchange(const std::string& host, std::uint16_t port, net::Millis timeout,
                                 const control::Dialect& dialect, const std::atomic<bool>& stop)
    : dialect_(dialect), stop_(stop), stream_(net::TcpStream::connect(host, port, timeout)) {}

void ControlExchange::send_request(const control::Request& r) {
    stream_.send_all(dialect_.encode(r), kSendTimeout);
}

void ControlExchange::send_go() { stream_.send_all(dialect_.encode(control::Go{}), kSendTimeout); }

ReceivedReply ControlExchange::receive_reply(ReplyTiming timing) {
    control::Bytes bytes;
    const auto deadline = SteadyClock::now() + timing.deadline;
    auto last_bytes_at = SteadyClock::now();
    bool complete_unterminated = false;  // parses, but more digits could still follow
    for (;;) {
        if (stop_) throw Interrupted();
        const auto now = SteadyClock::now();
        if (now >= deadline) break;
        const net::Millis quiet = complete_unterminated ? timing.settle : timing.idle;
        if (!bytes.empty() && now - last_bytes_at >= quiet) break;
        net::Millis wait = std::min({kPollSlice, until(deadline)});
        if (!bytes.empty()) wait = std::min(wait, until(last_bytes_at + quiet));
        auto chunk = stream_.receive_some(std::max(wait, net::Millis{1}));
        if (!chunk) continue;
        if (chunk->empty()) {
            closed_ = true;
            break;
        }
        bytes.insert(bytes.end(), chunk->begin(), chunk->end());
        last_bytes_at = SteadyClock::now();
        const auto parsed = dialect_.parse_reply(bytes);
        const bool terminated = std::find(bytes.begin(), bytes.end(), '\n') != bytes.end();
        complete_unterminated = parsed.status == control::ParseStatus::Complete && !terminated;
        if (parsed.status == control::ParseStatus::Complete && parsed.value && terminated)
            return {*parsed.value, parsed.seen, parsed.problems};
        if (parsed.status == control::ParseStatus::Invalid)
            throw ControlError("the server's reply \"" + control::escape(bytes) +
                               "\" is not a SessionID or -1" +
                               (parsed.problems.empty() ? "" : ": " + parsed.problems.front()));
    }
    if (bytes.empty())
        throw ControlError(closed_ ? "the server closed the control connection without replying"
                                   : "no reply from the server within " +
                                         std::to_string(timing.deadline.count()) + " ms");
    // Silence (or the close) ends the message: a bare "483920" with no newline
    // is whole once nothing follows it. (The dialect may call an unterminated
    // prefix Incomplete; a newline then tells it the message is over.)
    auto parsed = dialect_.parse_reply(bytes);
    if (parsed.status != control::ParseStatus::Complete) {
        control::Bytes terminated = bytes;
        terminated.push_back('\n');
        parsed = dialect_.parse_reply(terminated);
    }
    if (parsed.status == control::ParseStatus::Complete && parsed.value)
        return {*parsed.value, control::escape(bytes), parsed.problems};
    throw ControlError("the server's reply \"" + control::escape(bytes) + "\" is not a SessionID or -1" +
                       (parsed.problems.empty() ? "" : ": " + parsed.problems.front()));
}

bool ControlExchange::server_closed() {
    while (!closed_) {
        auto chunk = stream_.receive_some(net::Millis{0}, 4096);
        if (!chunk) break;
        if (chunk->empty())
            closed_ = true;
        else
            unexpected_bytes_ += chunk->size();
    }
    return closed_;
}

}  // namespace tpc3::client
