#include "pcaps/capture/pcap_file_writer.h"

#include <pcap/pcap.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <thread>
#include <vector>

#include "pcaps/packet/packet_types.h"
#include "pcaps/testing/scoped_temp_dir.h"

namespace tpc3::pcap {
namespace {

using ::testing::HasSubstr;

struct StoredFrame {
  std::int64_t seconds;
  std::int64_t nanoseconds;
  std::uint32_t caplen;
  std::uint32_t len;
  Bytes bytes;
};

// Reads with libpcap directly, independent of this library's reader.
std::vector<StoredFrame> read_with_libpcap(const std::filesystem::path& path, int* link_type) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  ::pcap* handle = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (handle == nullptr) {
    ADD_FAILURE() << errbuf;
    return {};
  }
  *link_type = pcap_datalink(handle);
  std::vector<StoredFrame> frames;
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  while (pcap_next_ex(handle, &header, &data) == 1) {
    frames.push_back({header->ts.tv_sec, header->ts.tv_usec, header->caplen, header->len,
                      Bytes(data, data + header->caplen)});
  }
  pcap_close(handle);
  return frames;
}

TEST(PcapFileWriter, WritesFramesWithNanosecondTimestamps) {
  testing::ScopedTempDir dir;
  const auto path = dir / "frames.pcap";
  const CaptureTime t0{std::chrono::seconds(1'700'000'000) + std::chrono::nanoseconds(123'456'789)};
  {
    PcapFileWriter writer(path);
    writer.write(t0, Bytes{1, 2, 3});
    writer.write(t0 + std::chrono::nanoseconds(1), Bytes(100, 0xAA));
    EXPECT_EQ(writer.packets_written(), 2U);
  }
  std::ifstream file(path, std::ios::binary);
  std::uint32_t magic = 0;
  file.read(reinterpret_cast<char*>(&magic), sizeof magic);
  EXPECT_EQ(magic, 0xa1b23c4dU) << "not the nanosecond pcap magic";

  int link_type = -1;
  const auto frames = read_with_libpcap(path, &link_type);
  EXPECT_EQ(link_type, DLT_EN10MB);
  ASSERT_EQ(frames.size(), 2U);
  EXPECT_EQ(frames[0].seconds, 1'700'000'000);
  EXPECT_EQ(frames[0].nanoseconds, 123'456'789);
  EXPECT_EQ(frames[0].bytes, (Bytes{1, 2, 3}));
  EXPECT_EQ(frames[1].nanoseconds, 123'456'790);
  EXPECT_EQ(frames[1].len, 100U);
}

TEST(PcapFileWriter, CutsFramesAtTheSnaplenAndKeepsTheOriginalLength) {
  testing::ScopedTempDir dir;
  const auto path = dir / "cut.pcap";
  {
    PcapFileWriter writer(path, LinkType::linux_sll2, 64);
    writer.write(CaptureTime{}, Bytes(200, 1));
    writer.write(CaptureTime{}, Bytes(30, 2), 1500);
  }
  int link_type = -1;
  const auto frames = read_with_libpcap(path, &link_type);
  EXPECT_EQ(link_type, DLT_LINUX_SLL2);
  ASSERT_EQ(frames.size(), 2U);
  EXPECT_EQ(frames[0].caplen, 64U);
  EXPECT_EQ(frames[0].len, 200U);
  EXPECT_EQ(frames[1].caplen, 30U);
  EXPECT_EQ(frames[1].len, 1500U);
}

TEST(PcapFileWriter, ConcurrentWritersNeverInterleaveFrames) {
  testing::ScopedTempDir dir;
  const auto path = dir / "threads.pcap";
  constexpr int kThreads = 4;
  constexpr int kFramesEach = 400;
  {
    PcapFileWriter writer(path);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&writer, t] {
        for (int i = 0; i < kFramesEach; ++i) {
          // Every byte of a frame says which thread wrote it; lengths vary to catch torn writes.
          writer.write(capture_now(), Bytes(static_cast<std::size_t>(60 + (i * 37) % 1400), static_cast<std::uint8_t>(t)));
        }
      });
    }
    for (auto& thread : threads) thread.join();
    writer.close();
    EXPECT_EQ(writer.packets_written(), static_cast<std::size_t>(kThreads * kFramesEach));
  }
  int link_type = -1;
  const auto frames = read_with_libpcap(path, &link_type);
  ASSERT_EQ(frames.size(), static_cast<std::size_t>(kThreads * kFramesEach));
  std::vector<int> per_thread(kThreads, 0);
  for (const auto& frame : frames) {
    ASSERT_FALSE(frame.bytes.empty());
    const std::uint8_t owner = frame.bytes[0];
    ASSERT_LT(owner, kThreads);
    EXPECT_EQ(std::count(frame.bytes.begin(), frame.bytes.end(), owner), static_cast<long>(frame.bytes.size()));
    ++per_thread[owner];
  }
  for (int count : per_thread) EXPECT_EQ(count, kFramesEach);
}

TEST(PcapFileWriter, ReportsAFileItCannotCreateAndWritesAfterClose) {
  testing::ScopedTempDir dir;
  const auto missing = dir / "no-such-dir" / "x.pcap";
  try {
    PcapFileWriter writer(missing);
    FAIL() << "opened a file in a missing directory";
  } catch (const PcapError& error) {
    EXPECT_THAT(error.what(), HasSubstr(missing.string()));
  }
  PcapFileWriter writer(dir / "closed.pcap");
  writer.close();
  writer.close();  // idempotent
  EXPECT_THROW(writer.write(CaptureTime{}, Bytes{1}), PcapError);
}

}  // namespace
}  // namespace tpc3::pcap
