// What a client under test writes to disk, seen from outside: every regular
// file closed after writing (IN_CLOSE_WRITE) or renamed/moved into place
// (IN_MOVED_TO) under a set of directories (its working directory, its
// TMPDIR), recursively, including subdirectories created later. Each file is
// read right when its event arrives, because the client may overwrite it
// within one frame period.
//
// A careful client writes "x.tmp" and renames it to "x": the watcher records
// x.tmp (if it read it before the rename) and x, and marks the x.tmp record as
// moved_to "x". A watcher running late may read one version of a file twice
// (the events of two writes both find the second one there; the final scan
// finds the last one again): such a record is marked repeat_of the first.
// So is_final() counts each write once, under its final name, however fast
// the watcher was; what a late watcher cannot do is read a version that was
// already replaced (then it is missed, not misattributed).
//
// Limits (all options): bytes kept per file, total bytes kept, records kept,
// directories watched and depth. A full inotify queue (IN_Q_OVERFLOW) is
// counted and followed by a rescan of every watched directory; stop() ends
// with a final scan of what is present, so the last write is never missed.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tpc3::observe {

using Clock = std::chrono::steady_clock;

struct ObservedFile {
    enum class How {
        closed_after_write,  // IN_CLOSE_WRITE
        moved_in,            // IN_MOVED_TO (renamed or moved into a watched directory)
        found_in_new_dir,    // present in a directory when the watcher started watching it
        rescan,              // found by the rescan after an inotify queue overflow
        final_scan,          // present when the watcher stopped
    };
    enum class Status {
        read,      // bytes hold what the file held when read (maybe truncated to the limit)
        vanished,  // gone (or not a regular file any more) before it could be read
        error,     // could not be read (error holds why)
    };

    std::size_t index = 0;   // position in the watcher's record list
    Clock::time_point when;  // when the event was read (scan: when the file was read)
    How how = How::closed_after_write;
    Status status = Status::read;
    std::filesystem::path path;  // absolute: watched root / relative name
    std::uint64_t size = 0;      // file size when opened
    std::vector<std::uint8_t> bytes;
    bool truncated = false;       // size > bytes kept (per-file limit or total budget)
    bool changed_while_read = false;  // size, mtime or inode of the name changed while reading
    std::filesystem::path moved_from;  // set for a moved_in record when the old name was watched
    std::filesystem::path moved_to;    // this name was later renamed to moved_to (the content went there)
    // An earlier record read this very version of the file: same name, inode,
    // size, modification time and bytes.
    std::optional<std::size_t> repeat_of;
    std::uint64_t inode = 0;
    std::int64_t mtime_ns = 0;
    std::string error;

    bool has_content() const { return status == Status::read; }
    // A write that ended under this name: read, and not a temporary renamed later.
    bool is_final() const { return status == Status::read && moved_to.empty() && !repeat_of; }
};

std::string to_string(ObservedFile::How how);
std::string to_string(ObservedFile::Status status);

struct FileWatcherOptions {
    std::vector<std::filesystem::path> roots;  // must exist; watched recursively
    std::size_t max_file_bytes = 1 << 20;       // bytes kept per record
    std::uint64_t max_total_bytes = 256ull << 20;  // over it, records keep no bytes (truncated)
    std::size_t max_records = 100'000;          // further events are counted, not recorded
    std::size_t max_dirs = 256;                 // directories watched (roots included)
    int max_depth = 8;                          // below a root
    bool scan_roots_at_start = false;           // record files already present at start
    bool final_scan = true;                     // record what is present at stop()
    std::chrono::milliseconds poll_interval{100};  // bounds how long stop() may wait for the thread
};

struct FileWatcherStats {
    std::size_t events = 0;            // file events handled
    std::size_t records_dropped = 0;   // events not recorded (max_records)
    std::size_t overflows = 0;         // IN_Q_OVERFLOW seen
    std::size_t dirs_watched = 0;
    std::size_t dirs_not_watched = 0;  // over max_dirs / max_depth, or inotify_add_watch failed
    std::vector<std::string> errors;   // first few problems, with the path
};

// Starts watching in the constructor (every root and its subdirectories are
// watched before it returns, so no later write is missed), then reads events
// in its own thread. Throws std::system_error when inotify is unavailable and
// std::invalid_argument when a root is not a directory. stop() (also run by
// the destructor) wakes the thread, joins it and does the final scan.
class FileWatcher {
public:
    explicit FileWatcher(FileWatcherOptions options);
    FileWatcher(const FileWatcher&) = delete;
    FileWatcher& operator=(const FileWatcher&) = delete;
    ~FileWatcher();

    void stop();  // idempotent
    bool stopped() const;

    // Snapshots (thread-safe; complete once stop() has returned).
    std::vector<ObservedFile> files() const;
    std::size_t file_count() const;
    FileWatcherStats stats() const;

private:
    struct State;
    std::unique_ptr<State> s_;
};

}  // namespace tpc3::observe
