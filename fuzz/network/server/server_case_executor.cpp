#include "server/server_case_executor.h"

#include <map>
#include <optional>
#include <thread>

namespace tpc3::fuzz::net {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
namespace tn = tpc3::net;

class Player {
public:
    Player(const FuzzCase& c, tn::Endpoint server, const ServerExecutorOptions& options)
        : case_(c), server_(std::move(server)), options_(options), deadline_(Clock::now() + options.case_deadline) {}

    ServerCaseOutcome run() {
        const auto start = Clock::now();
        bind_udp_ports();
        for (std::size_t i = 0; i < case_.steps.size(); ++i) {
            if (Clock::now() >= deadline_) {
                outcome_.deadline_hit = true;
                event("case deadline reached before step " + std::to_string(i));
                break;
            }
            play(case_.steps[i]);
        }
        for (auto& [k, conn] : connections_) close_gracefully(conn);
        connections_.clear();
        drain_udp();
        udp_.clear();
        outcome_.took = Clock::now() - start;
        return std::move(outcome_);
    }

private:
    milliseconds remaining(milliseconds cap) const {
        const auto left = std::chrono::duration_cast<milliseconds>(deadline_ - Clock::now());
        if (left.count() <= 0) return milliseconds(0);
        return std::min(cap, left);
    }

    void event(std::string text) { outcome_.events.push_back(std::move(text)); }

    void bind_udp_ports() {
        for (auto port : case_.udp_ports) {
            try {
                udp_.push_back(tn::UdpSocket::bind("127.0.0.1", port));
            } catch (const tn::NetError&) {
                outcome_.udp_ports_not_bound.push_back(port);
            }
        }
    }

    void drain_udp() {
        for (auto& s : udp_)
            while (s.receive(milliseconds(0))) ++outcome_.datagrams_received;
    }

    tn::TcpStream* connection(int k, const char* what) {
        auto it = connections_.find(k);
        if (it == connections_.end()) {
            event(std::string(what) + " #" + std::to_string(k) + ": not connected (skipped)");
            return nullptr;
        }
        return &it->second;
    }

    // Reads what has already arrived, so a close sends FIN (unread data would make it an RST).
    void drain(tn::TcpStream& s) {
        for (int i = 0; i < 64; ++i) {
            auto got = s.receive_some(milliseconds(0));
            if (!got || got->empty()) return;
            outcome_.bytes_received += got->size();
        }
    }

    void close_gracefully(tn::TcpStream& s) {
        try {
            drain(s);
        } catch (const tn::NetError&) {
        }
        s.close();
    }

    void play(const WireStep& s) {
        const std::string k = "#" + std::to_string(s.connection);
        switch (s.kind) {
            case WireStep::Kind::Connect: {
                if (connections_.count(s.connection)) {
                    event("connect " + k + ": already open (skipped)");
                    return;
                }
                try {
                    auto stream = tn::TcpStream::connect(server_.host, server_.port,
                                                         remaining(options_.connect_timeout));
                    stream.set_nodelay(true);
                    connections_.emplace(s.connection, std::move(stream));
                } catch (const tn::NetError& e) {
                    const std::string why = e.what();
                    if (why.find("refused") != std::string::npos) outcome_.connect_refused = true;
                    event("connect " + k + ": " + why);
                }
                return;
            }
            case WireStep::Kind::Send: {
                auto* conn = connection(s.connection, "send");
                if (!conn || s.bytes.empty()) return;
                try {
                    conn->send_all(s.bytes, remaining(milliseconds(3000)));
                } catch (const tn::NetError& e) {
                    event("send " + k + " (" + std::to_string(s.bytes.size()) + " B): " + e.what());
                }
                return;
            }
            case WireStep::Kind::Pause: std::this_thread::sleep_for(remaining(s.pause)); return;
            case WireStep::Kind::ShutdownWrite: {
                auto* conn = connection(s.connection, "shutdown_write");
                if (!conn) return;
                try {
                    conn->shutdown_write();
                } catch (const tn::NetError& e) {
                    event("shutdown_write " + k + ": " + e.what());
                }
                return;
            }
            case WireStep::Kind::Close: {
                auto it = connections_.find(s.connection);
                if (it == connections_.end()) return;
                close_gracefully(it->second);
                connections_.erase(it);
                return;
            }
            case WireStep::Kind::Reset: {
                auto it = connections_.find(s.connection);
                if (it == connections_.end()) return;
                it->second.reset();
                connections_.erase(it);
                return;
            }
            case WireStep::Kind::ExpectReply: {
                auto* conn = connection(s.connection, "expect_reply");
                if (!conn) return;
                expect_reply(*conn, remaining(s.pause));
                return;
            }
            case WireStep::Kind::Datagram: {
                try {
                    auto sender = tn::UdpSocket::sender();
                    sender.send_to(server_, s.bytes);
                } catch (const tn::NetError& e) {
                    event(std::string("datagram: ") + e.what());
                }
                return;
            }
        }
    }

    void expect_reply(tn::TcpStream& conn, milliseconds limit) {
        const auto end = Clock::now() + limit;
        bool got_some = false;
        while (Clock::now() < end) {
            const auto left = std::chrono::duration_cast<milliseconds>(end - Clock::now());
            const auto wait = got_some ? std::min(left, options_.reply_idle) : left;
            std::optional<std::vector<std::uint8_t>> got;
            try {
                got = conn.receive_some(wait);
            } catch (const tn::NetError& e) {
                event(std::string("read: ") + e.what());
                return;
            }
            if (!got) {
                if (got_some) return;
                continue;
            }
            if (got->empty()) return;  // the server closed or reset
            got_some = true;
            outcome_.bytes_received += got->size();
        }
    }

    const FuzzCase& case_;
    tn::Endpoint server_;
    ServerExecutorOptions options_;
    Clock::time_point deadline_;
    std::map<int, tn::TcpStream> connections_;
    std::vector<tn::UdpSocket> udp_;
    ServerCaseOutcome outcome_;
};

}  // namespace

ServerCaseOutcome execute_server_case(const FuzzCase& c, const tpc3::net::Endpoint& server,
                                      const ServerExecutorOptions& options) {
    return Player(c, server, options).run();
}

}  // namespace tpc3::fuzz::net
