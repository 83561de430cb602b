#include "observe/file_watcher.h"

#include "harness/temp_dir.h"
#include "marker/marker.h"
#include "observe/file_matcher.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <thread>

#include <sys/stat.h>

namespace tpc3::observe {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Bytes = std::vector<std::uint8_t>;

Bytes frame_bytes(std::uint32_t n) {
    return marker::encode_jpeg(marker::render_frame(160, 120, marker::MarkerValue::frame(n), "test"), 75);
}

Bytes poison_bytes(std::uint32_t code) {
    return marker::encode_jpeg(marker::render_frame(160, 120, marker::MarkerValue::poison(code, 1), "bad"), 75);
}

void write_file(const fs::path& p, const Bytes& b) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

// Writes `x.tmp` then renames it to `x`, as a careful client does.
void write_then_rename(const fs::path& p, const Bytes& b) {
    fs::path tmp = p;
    tmp += ".tmp";
    write_file(tmp, b);
    fs::rename(tmp, p);
}

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout = 3000ms) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
        if (done()) return true;
        std::this_thread::sleep_for(5ms);
    }
    return done();
}

std::vector<ObservedFile> records_at(const std::vector<ObservedFile>& all, const fs::path& p) {
    std::vector<ObservedFile> out;
    for (const auto& f : all)
        if (f.path == p) out.push_back(f);
    return out;
}

// Records from events (not the final scan) that hold a finished write.
std::vector<ObservedFile> final_event_records(const std::vector<ObservedFile>& all) {
    std::vector<ObservedFile> out;
    for (const auto& f : all)
        if (f.is_final() && f.how != ObservedFile::How::final_scan) out.push_back(f);
    return out;
}

struct Dirs {
    harness::TempDir root{"tpc3-fw-"};
    fs::path work = root / "work";
    fs::path tmp = root / "work" / "tmp";
    Dirs() {
        fs::create_directories(tmp);
    }
};

TEST(FileWatcher, SeesFilesWrittenInPlaceWithTheirBytes) {
    Dirs d;
    FileWatcher w({.roots = {d.work, d.tmp}});
    const Bytes f1 = frame_bytes(1);
    write_file(d.work / "cache-1.jpg", f1);
    ASSERT_TRUE(wait_until([&] { return w.file_count() >= 1; }));
    w.stop();
    const auto at = records_at(w.files(), d.work / "cache-1.jpg");
    ASSERT_GE(at.size(), 2u);  // the event, then the final scan
    EXPECT_EQ(at[0].how, ObservedFile::How::closed_after_write);
    EXPECT_EQ(at[0].status, ObservedFile::Status::read);
    EXPECT_EQ(at[0].bytes, f1);
    EXPECT_EQ(at[0].size, f1.size());
    EXPECT_FALSE(at[0].truncated);
    EXPECT_EQ(at.back().how, ObservedFile::How::final_scan);
    EXPECT_EQ(at.back().bytes, f1);
    // The final scan read the same version again: one write, counted once.
    EXPECT_TRUE(at[0].is_final());
    ASSERT_TRUE(at.back().repeat_of.has_value());
    EXPECT_EQ(*at.back().repeat_of, at[0].index);
    EXPECT_FALSE(at.back().is_final());
    EXPECT_TRUE(w.stats().errors.empty());
}

TEST(FileWatcher, EveryOverwriteOfOneNameIsSeenWithItsOwnBytes) {
    Dirs d;
    FileMatcher m;
    std::vector<Bytes> frames;
    for (std::uint32_t k = 1; k <= 8; ++k) {
        frames.push_back(frame_bytes(k));
        ASSERT_TRUE(m.add_frame(k, frames.back()));
    }
    FileWatcher w({.roots = {d.work}, .final_scan = false});
    for (std::size_t i = 0; i < frames.size(); ++i) {
        write_file(d.work / "cache-42.jpg", frames[i]);
        ASSERT_TRUE(wait_until([&] { return w.file_count() >= i + 1; })) << "write " << i + 1;
    }
    w.stop();
    const auto files = w.files();
    ASSERT_EQ(files.size(), frames.size());
    for (std::size_t i = 0; i < files.size(); ++i) {
        const FileMatch match = m.classify(files[i].bytes);
        EXPECT_EQ(match.kind, FileMatch::Kind::frame) << describe(match);
        EXPECT_EQ(match.seq, i + 1);
        EXPECT_TRUE(files[i].is_final());
    }
}

TEST(FileWatcher, TheSameBytesWrittenAgainLaterAreANewWrite) {
    Dirs d;
    const Bytes f2 = frame_bytes(2);
    FileWatcher w({.roots = {d.work}, .final_scan = false});
    write_file(d.work / "again.jpg", f2);
    ASSERT_TRUE(wait_until([&] { return w.file_count() >= 1; }));
    std::this_thread::sleep_for(30ms);  // past the file system's timestamp granularity
    write_file(d.work / "again.jpg", f2);
    ASSERT_TRUE(wait_until([&] { return w.file_count() >= 2; }));
    w.stop();
    const auto files = w.files();
    ASSERT_EQ(files.size(), 2u);
    EXPECT_TRUE(files[0].is_final());
    EXPECT_TRUE(files[1].is_final());
    EXPECT_NE(files[0].mtime_ns, files[1].mtime_ns);
}

TEST(FileWatcher, APoisonAndAPartialWriteAreClassifiedAsSuch) {
    Dirs d;
    FileMatcher m;
    const Bytes f1 = frame_bytes(1), p3 = poison_bytes(3);
    ASSERT_TRUE(m.add_frame(1, f1));
    ASSERT_TRUE(m.add_poison("C-REJ-03", p3));
    FileWatcher w({.roots = {d.work, d.tmp}, .final_scan = false});
    write_file(d.tmp / "poisoned.jpg", p3);
    write_file(d.work / "short.jpg", Bytes(f1.begin(), f1.begin() + static_cast<std::ptrdiff_t>(f1.size() / 2)));
    ASSERT_TRUE(wait_until([&] { return w.file_count() >= 2; }));
    w.stop();
    const auto poisoned = records_at(w.files(), d.tmp / "poisoned.jpg");
    ASSERT_EQ(poisoned.size(), 1u);
    const FileMatch pm = m.classify(poisoned[0].bytes);
    EXPECT_EQ(pm.kind, FileMatch::Kind::poison);
    EXPECT_EQ(pm.poison_id, "C-REJ-03");
    const auto cut = records_at(w.files(), d.work / "short.jpg");
    ASSERT_EQ(cut.size(), 1u);
    const FileMatch cm = m.classify(cut[0].bytes);
    EXPECT_EQ(cm.kind, FileMatch::Kind::prefix_of_frame) << describe(cm);
    EXPECT_EQ(cm.seq, 1u);
}

TEST(FileWatcher, TmpThenRenameCountsOnceUnderTheFinalName) {
    Dirs d;
    FileMatcher m;
    for (std::uint32_t k = 1; k <= 6; ++k) ASSERT_TRUE(m.add_frame(k, frame_bytes(k)));
    FileWatcher w({.roots = {d.work, d.tmp}});
    for (std::uint32_t k = 1; k <= 6; ++k) {
        // Alternate between the working directory and TMPDIR.
        write_then_rename((k % 2 ? d.work : d.tmp) / "frame.jpg", frame_bytes(k));
        ASSERT_TRUE(wait_until([&] { return final_event_records(w.files()).size() >= k; }));
    }
    w.stop();
    const auto finals = final_event_records(w.files());
    ASSERT_EQ(finals.size(), 6u);
    for (std::uint32_t k = 1; k <= 6; ++k) {
        const auto& f = finals[k - 1];
        EXPECT_EQ(f.path, (k % 2 ? d.work : d.tmp) / "frame.jpg");
        EXPECT_EQ(f.how, ObservedFile::How::moved_in);
        EXPECT_EQ(f.moved_from.filename(), "frame.jpg.tmp");
        const FileMatch match = m.classify(f.bytes);
        EXPECT_EQ(match.kind, FileMatch::Kind::frame);
        EXPECT_EQ(match.seq, k);
    }
    // Whatever the watcher saw of the temporaries is marked as moved, never final.
    for (const auto& f : w.files()) {
        if (f.path.filename() == "frame.jpg.tmp") {
            EXPECT_FALSE(f.is_final()) << f.path;
        }
    }
}

TEST(FileWatcher, WatchesSubdirectoriesCreatedLater) {
    Dirs d;
    FileWatcher w({.roots = {d.work, d.tmp}});
    const fs::path deep = d.tmp / "a" / "b" / "c";
    fs::create_directories(deep);
    // The file may land before the watch on c is in place: then it is found
    // when c is scanned, else its event reports it. Either way it is seen.
    const Bytes f3 = frame_bytes(3);
    write_file(deep / "x.jpg", f3);
    ASSERT_TRUE(wait_until([&] { return !records_at(w.files(), deep / "x.jpg").empty(); }));
    // Now the watch is certainly there: a later write is an event.
    const Bytes f4 = frame_bytes(4);
    write_file(deep / "y.jpg", f4);
    ASSERT_TRUE(wait_until([&] { return !records_at(w.files(), deep / "y.jpg").empty(); }));
    w.stop();
    EXPECT_EQ(records_at(w.files(), deep / "x.jpg").front().bytes, f3);
    const auto y = records_at(w.files(), deep / "y.jpg");
    EXPECT_EQ(y.front().how, ObservedFile::How::closed_after_write);
    EXPECT_EQ(y.front().bytes, f4);
    EXPECT_GE(w.stats().dirs_watched, 5u);  // work, tmp, a, b, c
}

TEST(FileWatcher, DirectoryLimitIsCountedNotExceeded) {
    Dirs d;
    FileWatcher w({.roots = {d.work}, .max_dirs = 2});  // work and tmp
    fs::create_directories(d.work / "one");
    fs::create_directories(d.work / "two");
    ASSERT_TRUE(wait_until([&] { return w.stats().dirs_not_watched >= 2; }));
    w.stop();
    EXPECT_EQ(w.stats().dirs_watched, 2u);
    EXPECT_FALSE(w.stats().errors.empty());
}

TEST(FileWatcher, BigFilesAreTruncatedToTheLimitAndSaySo) {
    Dirs d;
    FileWatcher w({.roots = {d.work}, .max_file_bytes = 1000, .final_scan = false});
    Bytes big(5000);
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<std::uint8_t>(i * 7);
    write_file(d.work / "big.bin", big);
    ASSERT_TRUE(wait_until([&] { return w.file_count() >= 1; }));
    w.stop();
    const auto f = w.files().front();
    EXPECT_TRUE(f.truncated);
    EXPECT_EQ(f.size, 5000u);
    EXPECT_EQ(f.bytes, Bytes(big.begin(), big.begin() + 1000));
}

TEST(FileWatcher, FinalScanReportsWhatIsOnDiskAtStop) {
    Dirs d;
    const Bytes before = frame_bytes(9);
    write_file(d.work / "present.jpg", before);
    FileWatcher w({.roots = {d.work}});
    EXPECT_EQ(w.file_count(), 0u);  // not scanned at start by default
    w.stop();
    const auto files = w.files();
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(files[0].how, ObservedFile::How::final_scan);
    EXPECT_EQ(files[0].bytes, before);
    EXPECT_TRUE(w.stopped());
}

TEST(FileWatcher, ScanAtStartWhenAsked) {
    Dirs d;
    write_file(d.tmp / "old.jpg", frame_bytes(2));
    FileWatcher w({.roots = {d.work}, .scan_roots_at_start = true, .final_scan = false});
    EXPECT_EQ(w.file_count(), 1u);
    EXPECT_EQ(w.files()[0].how, ObservedFile::How::found_in_new_dir);
}

TEST(FileWatcher, SymlinksAndFifosAreNotFollowedOrRead) {
    Dirs d;
    harness::TempDir outside("tpc3-fw-out-");
    write_file(outside / "secret.jpg", frame_bytes(5));
    fs::create_directory_symlink(outside.path(), d.work / "link");
    FileWatcher w({.roots = {d.work}});
    write_file(outside / "later.jpg", frame_bytes(6));
    ASSERT_EQ(::mkfifo((d.work / "pipe").c_str(), 0600), 0);
    write_file(d.work / "marker.jpg", frame_bytes(7));
    ASSERT_TRUE(wait_until([&] { return w.file_count() >= 1; }));
    w.stop();
    for (const auto& f : w.files()) {
        EXPECT_EQ(f.path, d.work / "marker.jpg") << "unexpected record " << f.path;
    }
    EXPECT_EQ(w.stats().dirs_watched, 2u);  // work and work/tmp, not the link
}

TEST(FileWatcher, RejectsARootThatIsNotADirectory) {
    Dirs d;
    EXPECT_THROW(FileWatcher({.roots = {d.work / "missing"}}), std::invalid_argument);
}

TEST(FileWatcher, StopIsPromptAndIdempotent) {
    Dirs d;
    FileWatcher w({.roots = {d.work}, .poll_interval = 2000ms});
    const auto t0 = Clock::now();
    w.stop();
    w.stop();
    EXPECT_LT(Clock::now() - t0, 500ms);  // woken, not waiting for the poll timeout
}

}  // namespace
}  // namespace tpc3::observe
