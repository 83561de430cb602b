#include "observe/file_watcher.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <optional>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <unordered_map>

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

namespace tpc3::observe {

namespace fs = std::filesystem;

std::string to_string(ObservedFile::How how) {
    switch (how) {
        case ObservedFile::How::closed_after_write: return "closed after write";
        case ObservedFile::How::moved_in: return "moved in";
        case ObservedFile::How::found_in_new_dir: return "found in a new directory";
        case ObservedFile::How::rescan: return "rescan after overflow";
        case ObservedFile::How::final_scan: return "final scan";
    }
    return "?";
}

std::string to_string(ObservedFile::Status status) {
    switch (status) {
        case ObservedFile::Status::read: return "read";
        case ObservedFile::Status::vanished: return "vanished";
        case ObservedFile::Status::error: return "error";
    }
    return "?";
}

namespace {

constexpr std::size_t kMaxErrors = 20;
constexpr std::size_t kMaxPendingMoves = 256;
constexpr std::uint32_t kDirMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_MOVE_SELF |
                                   IN_DELETE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK;

class Fd {
public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const { return fd_; }

private:
    int fd_;
};

bool same_stat(const struct stat& a, const struct stat& b) {
    return a.st_size == b.st_size && a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec &&
           a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

}  // namespace

struct FileWatcher::State {
    FileWatcherOptions options;
    int inotify_fd = -1;
    int wake_fd = -1;
    std::thread thread;
    std::atomic<bool> stop_requested{false};
    bool stopped = false;
    std::mutex stop_mutex;

    struct Dir {
        fs::path path;
        int depth = 0;
    };
    // Touched by the constructor, then only by the thread, then by stop() after join.
    std::unordered_map<int, Dir> dirs;
    std::map<std::uint32_t, fs::path> pending_moves;          // MOVED_FROM cookie -> old path
    std::unordered_map<std::string, std::size_t> last_record;  // path -> index of its last record
    std::unordered_map<std::string, std::size_t> last_read;    // path -> index of its last record with content
    std::uint64_t bytes_kept = 0;

    mutable std::mutex mutex;  // guards records and stats
    std::vector<ObservedFile> records;
    FileWatcherStats stat;

    ~State() {
        if (inotify_fd >= 0) ::close(inotify_fd);
        if (wake_fd >= 0) ::close(wake_fd);
    }

    void note_error(std::string message) {
        std::lock_guard lock(mutex);
        if (stat.errors.size() < kMaxErrors) stat.errors.push_back(std::move(message));
    }

    // Watches dir and (depth permitting) its subdirectories; records the files
    // found in them with `found` when given.
    void watch_tree(const fs::path& dir, int depth, std::optional<ObservedFile::How> found) {
        {
            std::lock_guard lock(mutex);
            if (stat.dirs_watched >= options.max_dirs || depth > options.max_depth) {
                ++stat.dirs_not_watched;
                if (stat.errors.size() < kMaxErrors)
                    stat.errors.push_back("not watching " + dir.string() + ": over the limit of " +
                                          std::to_string(options.max_dirs) + " directories or depth " +
                                          std::to_string(options.max_depth));
                return;
            }
        }
        const int wd = inotify_add_watch(inotify_fd, dir.c_str(), kDirMask);
        if (wd < 0) {
            const int e = errno;
            std::lock_guard lock(mutex);
            ++stat.dirs_not_watched;
            if (stat.errors.size() < kMaxErrors)
                stat.errors.push_back("cannot watch " + dir.string() + ": " + std::strerror(e));
            return;
        }
        if (!dirs.contains(wd)) {
            std::lock_guard lock(mutex);
            ++stat.dirs_watched;
        }
        dirs[wd] = Dir{dir, depth};
        std::error_code ec;
        std::vector<fs::path> subdirs;
        for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
            const auto type = it->symlink_status(ec).type();
            if (ec) break;
            if (type == fs::file_type::directory) subdirs.push_back(it->path());
            else if (type == fs::file_type::regular && found) record_file(it->path(), *found, {});
        }
        for (const auto& sub : subdirs) watch_tree(sub, depth + 1, found);
    }

    std::size_t record_file(const fs::path& path, ObservedFile::How how, const fs::path& moved_from) {
        ObservedFile f;
        f.when = Clock::now();
        f.how = how;
        f.path = path;
        f.moved_from = moved_from;
        read_into(f);
        std::lock_guard lock(mutex);
        ++stat.events;
        if (records.size() >= options.max_records) {
            ++stat.records_dropped;
            return static_cast<std::size_t>(-1);
        }
        f.index = records.size();
        const std::string key = path.string();
        if (f.status == ObservedFile::Status::read) {
            if (const auto it = last_read.find(key); it != last_read.end()) {
                const ObservedFile& before = records[it->second];
                if (before.inode == f.inode && before.mtime_ns == f.mtime_ns && before.size == f.size &&
                    before.bytes == f.bytes && !f.truncated && !before.truncated)
                    f.repeat_of = before.repeat_of.value_or(before.index);
            }
            last_read[key] = f.index;
        }
        bytes_kept += f.bytes.size();
        records.push_back(std::move(f));
        last_record[key] = records.size() - 1;
        return records.size() - 1;
    }

    void read_into(ObservedFile& f) {
        Fd fd(::open(f.path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
        if (fd.get() < 0) {
            const int e = errno;
            f.status = (e == ENOENT || e == ELOOP || e == ENOTDIR) ? ObservedFile::Status::vanished
                                                                    : ObservedFile::Status::error;
            f.error = f.path.string() + ": " + std::strerror(e);
            return;
        }
        struct stat before{};
        if (::fstat(fd.get(), &before) != 0 || !S_ISREG(before.st_mode)) {
            f.status = ObservedFile::Status::vanished;
            f.error = f.path.string() + ": not a regular file any more";
            return;
        }
        f.size = static_cast<std::uint64_t>(before.st_size);
        f.inode = static_cast<std::uint64_t>(before.st_ino);
        f.mtime_ns = static_cast<std::int64_t>(before.st_mtim.tv_sec) * 1'000'000'000 + before.st_mtim.tv_nsec;
        std::uint64_t budget;
        {
            std::lock_guard lock(mutex);
            budget = options.max_total_bytes > bytes_kept ? options.max_total_bytes - bytes_kept : 0;
        }
        const std::size_t limit = static_cast<std::size_t>(
            std::min<std::uint64_t>(options.max_file_bytes, budget));
        // Read until EOF (the file may have grown) or the limit, one byte past it to tell truncation.
        f.bytes.resize(std::min<std::uint64_t>(limit, f.size) + 1);
        std::size_t got = 0;
        for (;;) {
            if (got == f.bytes.size()) {
                if (got > limit) break;
                f.bytes.resize(std::min(limit + 1, std::max<std::size_t>(got * 2, 4096)));
            }
            const ssize_t n = ::read(fd.get(), f.bytes.data() + got, f.bytes.size() - got);
            if (n < 0) {
                if (errno == EINTR) continue;
                const int e = errno;
                f.status = ObservedFile::Status::error;
                f.error = f.path.string() + ": read failed at byte " + std::to_string(got) + ": " + std::strerror(e);
                f.bytes.clear();
                return;
            }
            if (n == 0) break;
            got += static_cast<std::size_t>(n);
        }
        f.truncated = got > limit;
        f.bytes.resize(std::min(got, limit));
        f.bytes.shrink_to_fit();
        struct stat after{};
        struct stat by_name{};
        f.changed_while_read = ::fstat(fd.get(), &after) != 0 || !same_stat(before, after) ||
                               ::lstat(f.path.c_str(), &by_name) != 0 || !same_stat(before, by_name);
    }

    void mark_moved(const fs::path& from, const fs::path& to) {
        std::lock_guard lock(mutex);
        const auto it = last_record.find(from.string());
        if (it == last_record.end()) return;
        auto& r = records[it->second];
        if (r.moved_to.empty()) r.moved_to = to;
        last_record.erase(it);
    }

    void rescan_all(ObservedFile::How how) {
        std::vector<fs::path> paths;
        for (const auto& [wd, d] : dirs) paths.push_back(d.path);
        std::sort(paths.begin(), paths.end());
        for (const auto& dir : paths) {
            std::error_code ec;
            for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
                if (it->symlink_status(ec).type() == fs::file_type::regular) record_file(it->path(), how, {});
            }
        }
    }

    void handle(const inotify_event& ev, const std::string& name) {
        if (ev.mask & IN_Q_OVERFLOW) {
            {
                std::lock_guard lock(mutex);
                ++stat.overflows;
            }
            pending_moves.clear();
            rescan_all(ObservedFile::How::rescan);
            return;
        }
        const auto dir_it = dirs.find(ev.wd);
        if (dir_it == dirs.end()) return;
        if (ev.mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) {
            // The directory went away (or elsewhere): its path no longer names it.
            if (!(ev.mask & IN_IGNORED)) inotify_rm_watch(inotify_fd, ev.wd);
            dirs.erase(dir_it);
            return;
        }
        if (name.empty()) return;
        const Dir dir = dir_it->second;
        const fs::path path = dir.path / name;
        if (ev.mask & IN_ISDIR) {
            if (ev.mask & (IN_CREATE | IN_MOVED_TO)) watch_tree(path, dir.depth + 1, ObservedFile::How::found_in_new_dir);
            return;
        }
        if (ev.mask & IN_MOVED_FROM) {
            if (pending_moves.size() >= kMaxPendingMoves) pending_moves.erase(pending_moves.begin());
            pending_moves[ev.cookie] = path;
            return;
        }
        if (ev.mask & IN_MOVED_TO) {
            fs::path from;
            if (const auto m = pending_moves.find(ev.cookie); m != pending_moves.end()) {
                from = m->second;
                pending_moves.erase(m);
                mark_moved(from, path);
            }
            record_file(path, ObservedFile::How::moved_in, from);
            return;
        }
        if (ev.mask & IN_CLOSE_WRITE) record_file(path, ObservedFile::How::closed_after_write, {});
    }

    void run() {
        std::vector<char> buffer(64 * 1024);
        while (!stop_requested.load()) {
            pollfd fds[2] = {{inotify_fd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
            const int n = ::poll(fds, 2, static_cast<int>(options.poll_interval.count()));
            if (n < 0) {
                if (errno == EINTR) continue;
                note_error(std::string("poll failed: ") + std::strerror(errno));
                return;
            }
            if (!(fds[0].revents & POLLIN)) continue;
            drain(buffer.data(), buffer.size());
        }
    }

    // Reads and handles every queued event; returns when the queue is empty.
    void drain(char* buffer, std::size_t size) {
        for (;;) {
            const ssize_t len = ::read(inotify_fd, buffer, size);
            if (len < 0) {
                if (errno == EINTR) continue;
                if (errno != EAGAIN) note_error(std::string("reading inotify events failed: ") + std::strerror(errno));
                return;
            }
            for (ssize_t off = 0; off < len;) {
                inotify_event ev;
                std::memcpy(&ev, buffer + off, sizeof ev);
                // The name follows the fixed part; copy it out with its terminator.
                std::string name(buffer + off + sizeof(inotify_event), ev.len);
                name.resize(std::strlen(name.c_str()));
                handle(ev, name);
                off += static_cast<ssize_t>(sizeof(inotify_event) + ev.len);
            }
        }
    }

};

FileWatcher::FileWatcher(FileWatcherOptions options) : s_(std::make_unique<State>()) {
    s_->options = std::move(options);
    for (const auto& root : s_->options.roots) {
        std::error_code ec;
        if (!fs::is_directory(root, ec))
            throw std::invalid_argument("FileWatcher: " + root.string() + " is not a directory");
    }
    s_->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (s_->inotify_fd < 0) throw std::system_error(errno, std::generic_category(), "FileWatcher: inotify_init1");
    s_->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (s_->wake_fd < 0) throw std::system_error(errno, std::generic_category(), "FileWatcher: eventfd");
    std::optional<ObservedFile::How> found;
    if (s_->options.scan_roots_at_start) found = ObservedFile::How::found_in_new_dir;
    for (const auto& root : s_->options.roots) {
        std::error_code ec;
        fs::path abs = fs::absolute(root, ec);
        s_->watch_tree(ec ? root : abs.lexically_normal(), 0, found);
    }
    s_->thread = std::thread([state = s_.get()] { state->run(); });
}

FileWatcher::~FileWatcher() { stop(); }

void FileWatcher::stop() {
    std::lock_guard lock(s_->stop_mutex);
    if (s_->stopped) return;
    s_->stop_requested = true;
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto n = ::write(s_->wake_fd, &one, sizeof one);
    if (s_->thread.joinable()) s_->thread.join();
    // Events queued before the stop still count, then whatever is on disk now.
    std::vector<char> buffer(64 * 1024);
    s_->drain(buffer.data(), buffer.size());
    if (s_->options.final_scan) s_->rescan_all(ObservedFile::How::final_scan);
    s_->stopped = true;
}

bool FileWatcher::stopped() const {
    std::lock_guard lock(s_->stop_mutex);
    return s_->stopped;
}

std::vector<ObservedFile> FileWatcher::files() const {
    std::lock_guard lock(s_->mutex);
    return s_->records;
}

std::size_t FileWatcher::file_count() const {
    std::lock_guard lock(s_->mutex);
    return s_->records.size();
}

FileWatcherStats FileWatcher::stats() const {
    std::lock_guard lock(s_->mutex);
    return s_->stat;
}

}  // namespace tpc3::observe
