#include "server/server_liveness.h"

#include <cstdio>

#include "control/tpc3_dialect.h"

namespace tpc3::fuzz::net {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
namespace tn = tpc3::net;

std::string seconds(milliseconds ms) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms.count()) / 1000.0);
    return buf;
}

void drain_and_close(tn::TcpStream& s) {
    try {
        for (int i = 0; i < 64; ++i) {
            auto got = s.receive_some(milliseconds(0));
            if (!got || got->empty()) break;
        }
    } catch (const tn::NetError&) {
    }
    s.close();
}

LivenessResult fail(Finding::Kind kind, std::string evidence) {
    LivenessResult r;
    r.kind = kind;
    r.evidence = "a fresh valid session: " + std::move(evidence);
    return r;
}

LivenessResult run(const tn::Endpoint& server, const std::string& file, milliseconds deadline) {
    const control::Tpc3Dialect tpc3;
    auto udp = tn::UdpSocket::bind("127.0.0.1", 0);
    std::optional<tn::TcpStream> conn;
    try {
        conn = tn::TcpStream::connect(server.host, server.port, deadline);
    } catch (const tn::NetError& e) {
        auto r = fail(Finding::Kind::LivenessFailed, std::string("cannot connect to ") + server.str() + ": " + e.what());
        r.connect_failed = true;
        return r;
    }
    const auto request = tpc3.encode(control::Request{file, udp.local_port()});
    try {
        conn->send_all(request, deadline);
    } catch (const tn::NetError& e) {
        return fail(Finding::Kind::LivenessFailed, std::string("cannot send the request: ") + e.what());
    }

    std::vector<std::uint8_t> reply;
    const auto reply_deadline = Clock::now() + deadline;
    for (;;) {
        const auto left = std::chrono::duration_cast<milliseconds>(reply_deadline - Clock::now());
        if (left.count() <= 0)
            return fail(Finding::Kind::Hung, "no reply within " + seconds(deadline) + " (got \"" +
                                                 control::escape(reply, 64) + "\")");
        std::optional<std::vector<std::uint8_t>> got;
        try {
            got = conn->receive_some(left);
        } catch (const tn::NetError& e) {
            return fail(Finding::Kind::LivenessFailed, std::string("reading the reply failed: ") + e.what());
        }
        if (!got) continue;
        if (got->empty())
            return fail(Finding::Kind::LivenessFailed,
                        std::string(conn->peer_close() == tn::PeerClose::Reset ? "reset" : "closed") +
                            " by the server before a complete reply (got \"" + control::escape(reply, 64) + "\")");
        reply.insert(reply.end(), got->begin(), got->end());
        const auto parsed = tpc3.parse_reply(reply);
        if (parsed.status == control::ParseStatus::Invalid)
            return fail(Finding::Kind::LivenessFailed, "the reply \"" + control::escape(reply, 64) + "\" does not parse");
        if (parsed.status == control::ParseStatus::Complete) {
            if (parsed.value->not_found())
                return fail(Finding::Kind::LivenessFailed, "the server answered -1 for \"" + file + "\", which it served before");
            break;
        }
    }

    try {
        conn->send_all(tpc3.encode(control::Go{}), deadline);
    } catch (const tn::NetError& e) {
        return fail(Finding::Kind::LivenessFailed, std::string("cannot send Go: ") + e.what());
    }
    auto datagram = udp.receive(deadline);
    drain_and_close(*conn);
    if (!datagram) return fail(Finding::Kind::LivenessFailed, "no datagram within " + seconds(deadline) + " after Go");
    LivenessResult ok;
    ok.ok = true;
    return ok;
}

}  // namespace

LivenessResult check_liveness(const tn::Endpoint& server, const std::string& file, milliseconds deadline) {
    const auto start = Clock::now();
    LivenessResult r = run(server, file, deadline);
    r.took = Clock::now() - start;
    return r;
}

}  // namespace tpc3::fuzz::net
