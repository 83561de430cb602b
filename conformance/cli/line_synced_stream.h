// An ostream several threads may write to at once without cutting into each
// other's lines: each thread's output is held until its '\n' (or flush) and
// then written whole to the underlying stream. --verbose sends the session
// lines (written in pieces by several session threads) and the plan's lines
// through one of these.
#pragma once

#include <map>
#include <mutex>
#include <ostream>
#include <streambuf>
#include <thread>
#include <string>

namespace tpc3::conform::cli {

class LineSyncBuf final : public std::streambuf {
public:
    explicit LineSyncBuf(std::ostream& out) : out_(out) {}
    ~LineSyncBuf() override;

protected:
    int_type overflow(int_type ch) override;
    std::streamsize xsputn(const char* s, std::streamsize n) override;
    int sync() override;

private:
    std::string& pending();  // this thread's unfinished line
    void emit(std::string& text);

    std::ostream& out_;
    std::mutex mutex_;
    std::map<std::thread::id, std::string> pending_;
};

class LineSyncedStream final : public std::ostream {
public:
    explicit LineSyncedStream(std::ostream& target) : std::ostream(nullptr), buf_(target) { rdbuf(&buf_); }

private:
    LineSyncBuf buf_;
};

}  // namespace tpc3::conform::cli
