#include "net/socket.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

namespace tpc3::net {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::vector<std::uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

TEST(ParseEndpoint, AcceptsHostAndPort) {
    EXPECT_EQ(parse_endpoint("127.0.0.1:5000"), (Endpoint{"127.0.0.1", 5000}));
    EXPECT_EQ(parse_endpoint("localhost:0"), (Endpoint{"localhost", 0}));
    EXPECT_EQ(parse_endpoint("10.0.0.1:65535").str(), "10.0.0.1:65535");
}

TEST(ParseEndpoint, RejectsMalformedTextAndNamesIt) {
    for (const std::string bad : {"127.0.0.1", ":5000", "127.0.0.1:", "127.0.0.1:abc", "127.0.0.1:5000x",
                                  "127.0.0.1:65536", "127.0.0.1:-1"}) {
        try {
            parse_endpoint(bad);
            ADD_FAILURE() << "accepted '" << bad << "'";
        } catch (const NetError& e) {
            EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
        }
    }
}

TEST(Resolve, DottedAndNamesAndFailure) {
    EXPECT_EQ(to_endpoint(resolve("127.0.0.1", 42)), (Endpoint{"127.0.0.1", 42}));
    EXPECT_EQ(to_endpoint(resolve("localhost", 7)).port, 7);
    EXPECT_THROW(resolve("no-such-host.invalid", 1), NetError);
}

TEST(Fd, ClosesOnDestructionAndMove) {
    int raw = -1;
    {
        UdpSocket s = UdpSocket::bind();
        raw = s.fd();
        ASSERT_GE(raw, 0);
        Fd a(::dup(raw));
        Fd b(std::move(a));
        EXPECT_FALSE(a);
        EXPECT_TRUE(b);
    }
    // raw is closed now: fcntl on it fails (unless reused, which is unlikely in this thread)
    EXPECT_EQ(::fcntl(raw, F_GETFD), -1);
}

TEST(Udp, SendReceiveWithKernelTimestamp) {
    UdpSocket rx = UdpSocket::bind("127.0.0.1", 0);
    rx.enable_kernel_timestamps();
    UdpSocket tx = UdpSocket::bind("127.0.0.1", 0);
    const auto before = std::chrono::system_clock::now();
    ASSERT_TRUE(tx.send_to(Endpoint{"127.0.0.1", rx.local_port()}, bytes_of("hello")));
    auto d = rx.receive(2000ms);
    const auto after = std::chrono::system_clock::now();
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->bytes, bytes_of("hello"));
    EXPECT_TRUE(d->kernel_timestamp);
    EXPECT_FALSE(d->truncated);
    EXPECT_EQ(d->from, (Endpoint{"127.0.0.1", tx.local_port()}));
    EXPECT_GE(d->received, before - 1ms);
    EXPECT_LE(d->received, after);
}

TEST(Udp, WithoutTimestampsUsesReceiveTime) {
    UdpSocket rx = UdpSocket::bind();
    UdpSocket tx = UdpSocket::sender();
    ASSERT_TRUE(tx.send_to(Endpoint{"127.0.0.1", rx.local_port()}, bytes_of("x")));
    auto d = rx.receive(2000ms);
    ASSERT_TRUE(d.has_value());
    EXPECT_FALSE(d->kernel_timestamp);
}

TEST(Udp, LargeDatagramAndTruncation) {
    UdpSocket rx = UdpSocket::bind();
    UdpSocket tx = UdpSocket::sender();
    std::vector<std::uint8_t> big(64000);
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<std::uint8_t>(i * 7);
    ASSERT_TRUE(tx.send_to(Endpoint{"127.0.0.1", rx.local_port()}, big));
    auto d = rx.receive(2000ms);
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->bytes, big);

    ASSERT_TRUE(tx.send_to(Endpoint{"127.0.0.1", rx.local_port()}, big));
    auto small = rx.receive(2000ms, 100);
    ASSERT_TRUE(small.has_value());
    EXPECT_TRUE(small->truncated);
    EXPECT_EQ(small->bytes.size(), 100u);
}

TEST(Udp, ReceiveTimeoutReturnsNulloptWithinDeadline) {
    UdpSocket rx = UdpSocket::bind();
    const auto t0 = Clock::now();
    auto d = rx.receive(150ms);
    const auto elapsed = Clock::now() - t0;
    EXPECT_FALSE(d.has_value());
    EXPECT_GE(elapsed, 150ms);
    EXPECT_LT(elapsed, 650ms);
}

TEST(Udp, ConnectedSocketSeesClosedPort) {
    std::uint16_t port = 0;
    {
        UdpSocket gone = UdpSocket::bind();
        port = gone.local_port();
    }
    UdpSocket tx = UdpSocket::bind();
    tx.connect(Endpoint{"127.0.0.1", port});
    // The first send triggers ICMP port unreachable; a later send reports it.
    bool refused = false;
    for (int i = 0; i < 20 && !refused; ++i) {
        tx.send(bytes_of("ping"));
        refused = tx.connection_refused();
        std::this_thread::sleep_for(10ms);
    }
    EXPECT_TRUE(refused);
}

TEST(Udp, BindToBusyPortThrows) {
    UdpSocket a = UdpSocket::bind();
    EXPECT_THROW(UdpSocket::bind("127.0.0.1", a.local_port()), NetError);
}

TEST(Tcp, ConnectAcceptSendReceive) {
    TcpListener l = TcpListener::listen("127.0.0.1", 0);
    const std::uint16_t port = l.local_port();
    ASSERT_NE(port, 0);
    TcpStream c = TcpStream::connect("127.0.0.1", port, 2000ms);
    auto s = l.accept(2000ms);
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->peer(), c.local());
    EXPECT_EQ(c.peer(), (Endpoint{"127.0.0.1", port}));

    c.send_all(std::string("movie.mpeg 25000"), 1000ms);
    std::string got;
    while (got.size() < 16) {
        auto chunk = s->receive_some(2000ms);
        ASSERT_TRUE(chunk.has_value());
        ASSERT_FALSE(chunk->empty());
        got.append(chunk->begin(), chunk->end());
    }
    EXPECT_EQ(got, "movie.mpeg 25000");

    s->send_all(std::string("483920"), 1000ms);
    auto reply = c.receive_some(2000ms);
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(std::string(reply->begin(), reply->end()), "483920");
    EXPECT_EQ(c.peer_close(), PeerClose::None);
}

TEST(Tcp, ReceiveTimeoutReturnsNulloptWithinDeadline) {
    TcpListener l = TcpListener::listen("127.0.0.1", 0);
    TcpStream c = TcpStream::connect("127.0.0.1", l.local_port(), 2000ms);
    auto s = l.accept(2000ms);
    ASSERT_TRUE(s.has_value());
    const auto t0 = Clock::now();
    auto r = s->receive_some(120ms);
    const auto elapsed = Clock::now() - t0;
    EXPECT_FALSE(r.has_value());
    EXPECT_GE(elapsed, 120ms);
    EXPECT_LT(elapsed, 620ms);
}

TEST(Tcp, AcceptTimeoutReturnsNullopt) {
    TcpListener l = TcpListener::listen("127.0.0.1", 0);
    const auto t0 = Clock::now();
    EXPECT_FALSE(l.accept(100ms).has_value());
    EXPECT_GE(Clock::now() - t0, 100ms);
    EXPECT_LT(Clock::now() - t0, 600ms);
}

TEST(Tcp, EofIsDistinguishedFromReset) {
    TcpListener l = TcpListener::listen("127.0.0.1", 0);
    {
        TcpStream c = TcpStream::connect("127.0.0.1", l.local_port(), 2000ms);
        auto s = l.accept(2000ms);
        ASSERT_TRUE(s.has_value());
        c.shutdown_write();
        auto r = s->receive_some(2000ms);
        ASSERT_TRUE(r.has_value());
        EXPECT_TRUE(r->empty());
        EXPECT_EQ(s->peer_close(), PeerClose::Eof);
    }
    {
        TcpStream c = TcpStream::connect("127.0.0.1", l.local_port(), 2000ms);
        auto s = l.accept(2000ms);
        ASSERT_TRUE(s.has_value());
        c.reset();
        EXPECT_FALSE(c.is_open());
        auto r = s->receive_some(2000ms);
        ASSERT_TRUE(r.has_value());
        EXPECT_TRUE(r->empty());
        EXPECT_EQ(s->peer_close(), PeerClose::Reset);
    }
}

TEST(Tcp, ConnectToClosedPortThrows) {
    const std::uint16_t port = pick_free_tcp_port();
    EXPECT_THROW(TcpStream::connect("127.0.0.1", port, 1000ms), NetError);
}

TEST(Tcp, SendAllTimesOutWhenPeerDoesNotRead) {
    TcpListener l = TcpListener::listen("127.0.0.1", 0);
    TcpStream c = TcpStream::connect("127.0.0.1", l.local_port(), 2000ms);
    auto s = l.accept(2000ms);
    ASSERT_TRUE(s.has_value());
    std::vector<std::uint8_t> huge(64 * 1024 * 1024);
    const auto t0 = Clock::now();
    EXPECT_THROW(c.send_all(huge, 200ms), NetError);
    EXPECT_LT(Clock::now() - t0, 2s);
}

TEST(Ports, PickFreePortsAreBindable) {
    std::uint16_t t = pick_free_tcp_port();
    std::uint16_t u = pick_free_udp_port();
    EXPECT_NE(t, 0);
    EXPECT_NE(u, 0);
    EXPECT_NO_THROW(TcpListener::listen("127.0.0.1", t));
    EXPECT_NO_THROW(UdpSocket::bind("127.0.0.1", u));
}

}  // namespace
}  // namespace tpc3::net
