#include "pcaps/reader/tcp_stream_reassembler.h"

#include <gtest/gtest.h>

#include <string>

namespace tpc3::pcap {
namespace {

using namespace std::chrono_literals;

const Endpoint kClient{"127.0.0.1", 41000};
const Endpoint kServer{"127.0.0.1", 5000};
const CaptureTime kStart{std::chrono::seconds(1'700'000'000)};

std::string text(const Bytes& bytes) { return std::string(bytes.begin(), bytes.end()); }

// Builds segments of one connection the way a capture would show them.
class Conversation {
 public:
  Conversation(std::uint32_t client_isn, std::uint32_t server_isn) : client_isn_(client_isn), server_isn_(server_isn) {}

  CapturedTcp syn() { return make(kClient, kServer, client_isn_, 0, tcp_flag::kSyn, ""); }
  CapturedTcp syn_ack() { return make(kServer, kClient, server_isn_, client_isn_ + 1, tcp_flag::kSyn | tcp_flag::kAck, ""); }
  // Client data at byte `offset` of its stream (0 = first byte after the SYN).
  CapturedTcp client_data(std::uint32_t offset, const std::string& data) {
    return make(kClient, kServer, client_isn_ + 1 + offset, server_isn_ + 1, tcp_flag::kPsh | tcp_flag::kAck, data);
  }
  CapturedTcp server_data(std::uint32_t offset, const std::string& data) {
    return make(kServer, kClient, server_isn_ + 1 + offset, client_isn_ + 1, tcp_flag::kPsh | tcp_flag::kAck, data);
  }
  CapturedTcp client_fin(std::uint32_t offset) {
    return make(kClient, kServer, client_isn_ + 1 + offset, server_isn_ + 1, tcp_flag::kFin | tcp_flag::kAck, "");
  }
  CapturedTcp server_fin(std::uint32_t offset) {
    return make(kServer, kClient, server_isn_ + 1 + offset, client_isn_ + 1, tcp_flag::kFin | tcp_flag::kAck, "");
  }

 private:
  CapturedTcp make(const Endpoint& from, const Endpoint& to, std::uint32_t seq, std::uint32_t ack, std::uint8_t flags,
                   const std::string& data) {
    CapturedTcp captured;
    captured.packet_index = ++packet_index_;
    captured.time = kStart + 1ms * packet_index_;
    captured.segment = TcpSegment{from, to, seq, ack, flags, 65535, Bytes(data.begin(), data.end())};
    return captured;
  }

  std::uint32_t client_isn_;
  std::uint32_t server_isn_;
  std::size_t packet_index_ = 0;
};

TEST(TcpStreamReassembler, RebuildsBothDirectionsOfAControlExchange) {
  Conversation c(1000, 5000);
  TcpStreamReassembler streams;
  streams.add(c.syn());
  streams.add(c.syn_ack());
  streams.add(c.client_data(0, "movie.mpeg 25000"));
  streams.add(c.server_data(0, "483920"));
  streams.add(c.client_data(16, "Go"));
  streams.add(c.server_fin(6));
  streams.add(c.client_fin(18));
  streams.finish();

  ASSERT_EQ(streams.connections().size(), 1U);
  const TcpConnection& connection = streams.connections()[0];
  EXPECT_EQ(connection.index, 0U);
  EXPECT_EQ(connection.client, kClient);
  EXPECT_EQ(connection.server, kServer);
  EXPECT_TRUE(connection.handshake_seen);
  EXPECT_EQ(connection.first_packet_index, 1U);
  EXPECT_EQ(connection.last_time, kStart + 7ms);
  EXPECT_EQ(text(connection.client_to_server.bytes), "movie.mpeg 25000Go");
  EXPECT_EQ(text(connection.server_to_client.bytes), "483920");
  ASSERT_EQ(connection.client_to_server.chunks.size(), 2U);
  EXPECT_EQ(connection.client_to_server.chunks[1].at, 16U);
  EXPECT_EQ(connection.client_to_server.chunks[1].length, 2U);
  EXPECT_EQ(connection.client_to_server.chunks[1].packet_index, 5U);
  EXPECT_EQ(connection.server_to_client.fin_time, kStart + 6ms);
  EXPECT_TRUE(connection.closed());
}

TEST(TcpStreamReassembler, OrdersBySequenceNumberAcrossTheWrap) {
  Conversation c(0xFFFFFFF8, 7);  // the client's sequence numbers wrap after 7 data bytes
  TcpStreamReassembler streams;
  streams.add(c.syn());
  streams.add(c.client_data(10, "KLMNO"));
  streams.add(c.client_data(5, "FGHIJ"));
  streams.add(c.client_data(0, "ABCDE"));
  streams.finish();
  const TcpStream& stream = streams.connections()[0].client_to_server;
  EXPECT_EQ(text(stream.bytes), "ABCDEFGHIJKLMNO");
  EXPECT_TRUE(stream.gaps.empty());
  ASSERT_EQ(stream.chunks.size(), 3U);
  EXPECT_EQ(stream.chunks[2].packet_index, 2U);  // held data keeps the packet (and time) it arrived with
}

TEST(TcpStreamReassembler, DropsRetransmissionsAndOverlapsKeepingTheFirstCopy) {
  Conversation c(100, 200);
  TcpStreamReassembler streams;
  streams.add(c.syn());
  streams.add(c.client_data(0, "hello "));
  streams.add(c.client_data(0, "hello "));        // plain retransmission
  streams.add(c.client_data(3, "XX world"));      // overlaps 3 delivered bytes
  streams.add(c.client_data(12, "!!"));           // held out of order
  streams.add(c.client_data(12, "!"));            // shorter copy of held data
  streams.add(c.client_data(10, "d?"));           // fills the hole at 11, repeating byte 10
  streams.finish();
  const TcpStream& stream = streams.connections()[0].client_to_server;
  EXPECT_EQ(text(stream.bytes), "hello world?!!");
  EXPECT_EQ(stream.retransmitted_bytes, 6U + 3U + 1U + 1U);
  EXPECT_TRUE(stream.gaps.empty());
}

TEST(TcpStreamReassembler, ReportsAMissingSegmentAsAGapAtFinish) {
  Conversation c(100, 200);
  TcpStreamReassembler streams;
  streams.add(c.syn());
  streams.add(c.client_data(0, "abc"));
  streams.add(c.client_data(10, "klm"));  // bytes 3..9 never arrive
  EXPECT_EQ(text(streams.connections()[0].client_to_server.bytes), "abc");
  streams.finish();
  const TcpStream& stream = streams.connections()[0].client_to_server;
  EXPECT_EQ(text(stream.bytes), "abcklm");
  ASSERT_EQ(stream.gaps.size(), 1U);
  EXPECT_EQ(stream.gaps[0].at, 3U);
  EXPECT_EQ(stream.gaps[0].missing_bytes, 7U);
  EXPECT_EQ(stream.gaps[0].packet_index, 3U);
}

TEST(TcpStreamReassembler, GivesUpOnAHoleWhenHeldDataOutgrowsItsLimit) {
  Conversation c(100, 200);
  TcpStreamReassembler streams(TcpReassemblyLimits{.max_out_of_order_bytes = 8});
  streams.add(c.syn());
  streams.add(c.client_data(2, "cdef"));
  EXPECT_TRUE(streams.connections()[0].client_to_server.gaps.empty());
  streams.add(c.client_data(6, "ghijk"));  // 9 bytes held > 8: the hole at 0..2 becomes a gap
  const TcpStream& stream = streams.connections()[0].client_to_server;
  EXPECT_EQ(text(stream.bytes), "cdefghijk");
  ASSERT_EQ(stream.gaps.size(), 1U);
  EXPECT_EQ(stream.gaps[0].missing_bytes, 2U);
  streams.add(c.client_data(0, "ab"));  // too late: counted as retransmitted, not inserted
  EXPECT_EQ(text(stream.bytes), "cdefghijk");
  EXPECT_EQ(stream.retransmitted_bytes, 2U);
}

TEST(TcpStreamReassembler, StreamsWithoutAHandshakeStartAtTheFirstByteSeen) {
  Conversation c(5000, 9000);
  TcpStreamReassembler streams;
  streams.add(c.server_data(40, "483920"));  // capture started mid-connection, server speaks first
  streams.add(c.client_data(16, "Go"));
  ASSERT_EQ(streams.connections().size(), 1U);
  const TcpConnection& connection = streams.connections()[0];
  EXPECT_FALSE(connection.handshake_seen);
  EXPECT_EQ(connection.client, kServer);  // the first sender seen
  EXPECT_EQ(text(connection.client_to_server.bytes), "483920");
  EXPECT_EQ(text(connection.server_to_client.bytes), "Go");
}

TEST(TcpStreamReassembler, ClientIsTheSynSenderEvenWhenTheSynAckComesFirst) {
  Conversation c(1, 2);
  TcpStreamReassembler streams;
  streams.add(c.syn_ack());
  streams.add(c.client_data(0, "x"));
  EXPECT_EQ(streams.connections()[0].client, kClient);
  EXPECT_EQ(text(streams.connections()[0].client_to_server.bytes), "x");
}

TEST(TcpStreamReassembler, ANewSynOnTheSameAddressesStartsANewConnection) {
  Conversation first(100, 200);
  Conversation second(90000, 80000);
  TcpStreamReassembler streams;
  streams.add(first.syn());
  streams.add(first.client_data(0, "one"));
  streams.add(first.syn());  // retransmitted SYN: same connection
  streams.add(first.client_fin(3));
  streams.add(second.syn());
  streams.add(second.client_data(0, "two"));
  ASSERT_EQ(streams.connections().size(), 2U);
  EXPECT_EQ(text(streams.connections()[0].client_to_server.bytes), "one");
  EXPECT_EQ(text(streams.connections()[1].client_to_server.bytes), "two");
  EXPECT_EQ(streams.connections()[1].index, 1U);
}

TEST(TcpStreamReassembler, LimitsMemoryPerStreamAndConnectionCount) {
  TcpStreamReassembler streams(TcpReassemblyLimits{.max_connections = 1, .max_stream_bytes = 4, .max_chunks = 1});
  Conversation c(100, 200);
  streams.add(c.syn());
  streams.add(c.client_data(0, "abc"));
  streams.add(c.client_data(3, "defgh"));
  const TcpStream& stream = streams.connections()[0].client_to_server;
  EXPECT_EQ(text(stream.bytes), "abcd");
  EXPECT_EQ(stream.bytes_not_kept, 4U);
  EXPECT_EQ(stream.chunks.size(), 1U);
  EXPECT_TRUE(stream.chunks_truncated);

  CapturedTcp other = c.client_data(0, "zz");
  other.segment.source.port = 41001;
  streams.add(other);
  EXPECT_EQ(streams.connections().size(), 1U);
  EXPECT_EQ(streams.connections_not_followed(), 1U);
}

}  // namespace
}  // namespace tpc3::pcap
