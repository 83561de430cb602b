// A capture written during a run, read back, holds what the runner saw: the
// same datagrams (count and bytes, in order) on each session's UDP port and
// the same control bytes both ways, whether it was captured live on lo or
// rebuilt from the runner's own view.
#include <gtest/gtest.h>

#include "cli/pcap_output.h"
#include "harness/temp_dir.h"
#include "pcaps/reader/pcap_reader.h"
#include "pcaps/reader/tcp_stream_reassembler.h"
#include "report/selection.h"
#include "suite/server_suite.h"

namespace tpc3::conform::cli {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct CapturedRun {
    server::ServerSuiteRun run;
    pcap::CaptureContents capture;
    std::vector<pcap::TcpConnection> connections;
    bool live = false;
};

CapturedRun run_with_capture(const fs::path& file, PcapMode mode)
{
    CapturedRun out;
    PcapOutput pcap(file, mode);
    out.live = pcap.live();
    server::ServerSuiteOptions o;
    o.target = server::LaunchSpec{std::string(TPC3_PYTHON) + " Server.py {port}",
                                  TPC3_SOURCE_DIR "/conformance/examples/good", {}, 10s};
    o.timeout = 60s;
    o.observer = pcap.observer();
    o.on_server_endpoint = [&](const net::Endpoint& e) { pcap.server_endpoint(e); };
    out.run = server::run_server_suite(o);
    EXPECT_EQ(pcap.finish(), "");
    out.capture = pcap::read_capture(file);
    pcap::TcpStreamReassembler streams;
    for (const pcap::CapturedTcp& s : out.capture.tcp) streams.add(s);
    streams.finish();
    out.connections = streams.connections();
    return out;
}

std::vector<std::uint8_t> control_bytes(const server::SessionRecord& r, server::Direction d)
{
    std::vector<std::uint8_t> all;
    for (const server::ControlChunk& c : r.control)
        if (c.direction == d) all.insert(all.end(), c.bytes.begin(), c.bytes.end());
    return all;
}

// The session as the capture has it, compared with the runner's record.
void expect_capture_matches(const CapturedRun& c, const server::SessionRecord& r)
{
    SCOPED_TRACE(r.label + (c.live ? " (live capture)" : " (rebuilt capture)"));
    std::vector<const pcap::CapturedUdp*> datagrams;
    for (const pcap::CapturedUdp& u : c.capture.udp)
        if (u.datagram.destination.port == r.udp_port) datagrams.push_back(&u);
    ASSERT_EQ(datagrams.size(), r.packets.size());
    for (std::size_t k = 0; k < datagrams.size(); ++k)
        EXPECT_EQ(datagrams[k]->datagram.payload, r.packets[k].bytes) << "datagram " << k;

    const pcap::TcpConnection* conn = nullptr;
    for (const pcap::TcpConnection& t : c.connections)
        if (t.client.port == r.control_local.port && t.server.port == r.server.port) conn = &t;
    ASSERT_NE(conn, nullptr) << "no TCP connection " << r.control_local.str() << " -> " << r.server.str();
    EXPECT_TRUE(conn->handshake_seen);
    EXPECT_EQ(conn->client_to_server.bytes, control_bytes(r, server::Direction::ToServer));
    EXPECT_EQ(conn->server_to_client.bytes, control_bytes(r, server::Direction::FromServer));
    EXPECT_TRUE(conn->client_to_server.gaps.empty());
}

void check_mode(PcapMode mode)
{
    harness::TempDir dir("tpc3-pcap-test-");
    const CapturedRun c = run_with_capture(dir / "run.pcap", mode);
    ASSERT_EQ(c.run.harness_error, "");
    EXPECT_FALSE(c.capture.error);
    const server::Observations& obs = c.run.observations;
    ASSERT_TRUE(obs.main_stream);
    EXPECT_EQ(obs.main_stream->packets.size(), 40u);
    expect_capture_matches(c, *obs.main_stream);
    ASSERT_TRUE(obs.second_session && obs.second_session->liveness);
    expect_capture_matches(c, *obs.second_session->liveness);
    ASSERT_TRUE(obs.big_frames);
    expect_capture_matches(c, obs.big_frames->session);  // 64 KB datagrams: IPv4 fragments on the wire
    // Nothing but the run's own traffic.
    for (const pcap::CapturedUdp& u : c.capture.udp) EXPECT_EQ(u.datagram.destination.address.to_string(), "127.0.0.1");
}

TEST(PcapOutput, RebuiltFromTheRunnersViewMatchesWhatItSaw)
{
    check_mode(PcapMode::Synthetic);
}

TEST(PcapOutput, LiveCaptureMatchesWhatTheRunnerSaw)
{
    const pcap::CaptureProbe probe = pcap::LiveCapture::probe("lo");
    if (!probe.available) GTEST_SKIP() << "no capture permission: " << probe.reason;
    check_mode(PcapMode::Live);
}

TEST(PcapOutput, ModesAndTheirNames)
{
    EXPECT_EQ(parse_pcap_mode("auto"), PcapMode::Auto);
    EXPECT_EQ(parse_pcap_mode("live"), PcapMode::Live);
    EXPECT_EQ(parse_pcap_mode("synthetic"), PcapMode::Synthetic);
    EXPECT_THROW(parse_pcap_mode("both"), report::UsageError);
    harness::TempDir dir("tpc3-pcap-test-");
    PcapOutput remote(dir / "remote.pcap", PcapMode::Auto, false);
    EXPECT_FALSE(remote.live());
    EXPECT_NE(remote.how().find("not on loopback"), std::string::npos) << remote.how();
    EXPECT_THROW(PcapOutput(dir / "x.pcap", PcapMode::Live, false), report::UsageError);
}

}  // namespace
}  // namespace tpc3::conform::cli
