#include "pcaps/packet/ipv4_reassembler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <numeric>

#include "pcaps/packet/layer_parsers.h"

namespace tpc3::pcap {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

Bytes counting_bytes(std::size_t n) {
  Bytes bytes(n);
  std::iota(bytes.begin(), bytes.end(), std::uint8_t{1});
  return bytes;
}

Ipv4Header fragment_header(std::uint16_t id, std::size_t offset, bool more) {
  Ipv4Header header;
  header.source = "10.0.0.1";
  header.destination = "10.0.0.2";
  header.protocol = kIpProtocolUdp;
  header.id = id;
  header.fragment_offset = static_cast<std::uint16_t>(offset);
  header.more_fragments = more;
  return header;
}

const CaptureTime kStart{std::chrono::seconds(1'700'000'000)};

class Ipv4ReassemblerTest : public ::testing::Test {
 protected:
  std::optional<ReassembledDatagram> add(std::uint16_t id, std::size_t offset, bool more, std::size_t length,
                                         CaptureTime time = kStart) {
    const auto piece = std::span<const std::uint8_t>(payload_).subspan(offset, length);
    return reassembler_.add(fragment_header(id, offset, more), piece, time, ++packet_index_, failures_);
  }

  Bytes payload_ = counting_bytes(4000);
  Ipv4Reassembler reassembler_;
  std::vector<ReassemblyFailure> failures_;
  std::size_t packet_index_ = 0;
};

TEST_F(Ipv4ReassemblerTest, RebuildsFragmentsThatArriveOutOfOrder) {
  EXPECT_FALSE(add(1, 2960, false, 1040));
  EXPECT_FALSE(add(1, 0, true, 1480));
  const auto done = add(1, 1480, true, 1480);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->payload, payload_);
  EXPECT_EQ(done->fragment_count, 3U);
  EXPECT_EQ(done->first_packet_index, 1U);
  EXPECT_EQ(done->header.total_length, 20 + 4000);
  EXPECT_FALSE(done->header.is_fragment());
  EXPECT_EQ(reassembler_.datagrams_in_progress(), 0U);
  EXPECT_EQ(reassembler_.bytes_in_progress(), 0U);
  EXPECT_TRUE(failures_.empty());
}

TEST_F(Ipv4ReassemblerTest, KeepsDatagramsWithDifferentIdsApart) {
  EXPECT_FALSE(add(1, 0, true, 1480));
  EXPECT_FALSE(add(2, 0, true, 1480));
  const auto second = add(2, 1480, false, 2520);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->header.id, 2);
  EXPECT_EQ(reassembler_.datagrams_in_progress(), 1U);
}

TEST_F(Ipv4ReassemblerTest, IgnoresAnExactDuplicateFragment) {
  EXPECT_FALSE(add(1, 0, true, 1480));
  EXPECT_FALSE(add(1, 0, true, 1480));
  EXPECT_EQ(reassembler_.duplicates_ignored(), 1U);
  ASSERT_TRUE(add(1, 1480, false, 2520));
}

TEST_F(Ipv4ReassemblerTest, OverlappingFragmentIsAnErrorAndDiscardsTheDatagram) {
  EXPECT_FALSE(add(1, 0, true, 1480));
  try {
    add(1, 1472, false, 100);
    FAIL() << "overlap not detected";
  } catch (const PacketError& error) {
    EXPECT_THAT(error.what(), HasSubstr("fragment bytes 1472..1572 overlaps bytes 0..1480"));
    EXPECT_EQ(error.offset(), 6U);
  }
  EXPECT_EQ(reassembler_.bytes_in_progress(), 0U);
  // The rest of that datagram is ignored: it can never be trusted.
  EXPECT_FALSE(add(1, 1480, false, 2520));
  EXPECT_TRUE(failures_.empty());
}

TEST_F(Ipv4ReassemblerTest, OverlapWithALaterFragmentIsDetectedToo) {
  EXPECT_FALSE(add(1, 1480, true, 1480));
  EXPECT_THROW(add(1, 8, true, 1480), PacketError);
}

TEST_F(Ipv4ReassemblerTest, ContradictoryEndsAreErrors) {
  EXPECT_FALSE(add(1, 2960, false, 1040));
  EXPECT_THROW(add(1, 2960, false, 8), PacketError);  // a second, different last fragment
  EXPECT_FALSE(add(2, 1480, true, 1480));
  EXPECT_THROW(add(2, 0, false, 8), PacketError);  // "last" fragment ending before data already seen
}

TEST_F(Ipv4ReassemblerTest, IncompleteDatagramTimesOutWithAFailureNamingItsFirstPacket) {
  EXPECT_FALSE(add(1, 0, true, 1480, kStart));
  EXPECT_FALSE(add(2, 0, true, 1480, kStart + 31s));
  ASSERT_EQ(failures_.size(), 1U);
  EXPECT_EQ(failures_[0].first_packet_index, 1U);
  EXPECT_THAT(failures_[0].message, HasSubstr("10.0.0.1 -> 10.0.0.2 id 0x0001"));
  EXPECT_THAT(failures_[0].message, HasSubstr("incomplete"));
  reassembler_.abandon_all(failures_);
  ASSERT_EQ(failures_.size(), 2U);
  EXPECT_THAT(failures_[1].message, HasSubstr("incomplete at the end of the capture"));
  EXPECT_EQ(reassembler_.datagrams_in_progress(), 0U);
}

TEST(Ipv4ReassemblerLimits, EvictsTheOldestDatagramWhenFull) {
  Ipv4Reassembler reassembler(Ipv4ReassemblyLimits{.max_datagrams_in_progress = 2,
                                                   .max_bytes_in_progress = 3000,
                                                   .timeout = std::chrono::seconds(30)});
  std::vector<ReassemblyFailure> failures;
  const Bytes piece(1000, 0xAB);
  for (std::uint16_t id = 1; id <= 3; ++id) {
    EXPECT_FALSE(reassembler.add(fragment_header(id, 0, true), piece, kStart + std::chrono::seconds(id), id, failures));
  }
  ASSERT_EQ(failures.size(), 1U);
  EXPECT_EQ(failures[0].first_packet_index, 1U);
  EXPECT_THAT(failures[0].message, HasSubstr("evicted"));
  EXPECT_EQ(reassembler.datagrams_in_progress(), 2U);

  const Bytes big(2000, 0xCD);  // 2000 more bytes need room: datagram 2 goes
  EXPECT_FALSE(reassembler.add(fragment_header(3, 1000, true), big, kStart + 4s, 4, failures));
  ASSERT_EQ(failures.size(), 2U);
  EXPECT_EQ(failures[1].first_packet_index, 2U);
  EXPECT_LE(reassembler.bytes_in_progress(), 3000U);
}

}  // namespace
}  // namespace tpc3::pcap
