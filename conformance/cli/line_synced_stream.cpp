#include "cli/line_synced_stream.h"

namespace tpc3::conform::cli {

LineSyncBuf::~LineSyncBuf()
{
    std::lock_guard lock(mutex_);
    for (auto& [thread, text] : pending_)
        if (!text.empty()) out_ << text << '\n';
    out_.flush();
}

std::string& LineSyncBuf::pending()
{
    std::lock_guard lock(mutex_);
    return pending_[std::this_thread::get_id()];  // a map node: stable while the thread writes
}

void LineSyncBuf::emit(std::string& text)
{
    std::lock_guard lock(mutex_);
    out_.write(text.data(), static_cast<std::streamsize>(text.size()));
    out_.flush();
    text.clear();
}

LineSyncBuf::int_type LineSyncBuf::overflow(int_type ch)
{
    if (traits_type::eq_int_type(ch, traits_type::eof())) return traits_type::not_eof(ch);
    std::string& line = pending();
    line.push_back(traits_type::to_char_type(ch));
    if (ch == '\n') emit(line);
    return ch;
}

std::streamsize LineSyncBuf::xsputn(const char* s, std::streamsize n)
{
    std::string& line = pending();
    line.append(s, static_cast<std::size_t>(n));
    if (line.find('\n') != std::string::npos) {
        // Whole lines go now; a trailing piece waits for its end.
        const std::size_t last = line.rfind('\n') + 1;
        std::string done = line.substr(0, last);
        line.erase(0, last);
        emit(done);
    }
    return n;
}

int LineSyncBuf::sync()
{
    // A flush in the middle of a line does not cut it: the line waits for its end.
    std::lock_guard lock(mutex_);
    out_.flush();
    return 0;
}

}  // namespace tpc3::conform::cli
