#include "suite/session_scripts.h"

namespace tpc3::conform::server {

namespace {

constexpr Millis kShortSettle{100};
constexpr Millis kFramePeriod{50};

SessionScript short_session(std::string label, std::string file)
{
    SessionScript s;
    s.label = std::move(label);
    s.file = std::move(file);
    s.reply_idle = kShortSettle;
    s.reply_deadline = Millis(3000);
    s.wait_before_go = Millis(0);
    s.frames_idle = Millis(100);
    s.idle_end = Millis(300);
    s.stall_limit = Millis(1500);
    s.overall_deadline = Millis(10000);
    return s;
}

void set_length(SessionScript& s, const StreamLength& length)
{
    if (length.hang_up_after) {
        // frames_idle 0: the session ends as soon as the datagram arrives.
        s.expected_frames = *length.hang_up_after;
        s.frames_idle = Millis(0);
    } else if (length.frames) {
        s.expected_frames = *length.frames;
    }
}

}  // namespace

Millis stream_deadline(std::optional<std::size_t> frames, Millis unknown)
{
    if (!frames) return unknown;
    return Millis(5000) + 2 * kFramePeriod * static_cast<long>(*frames);
}

SessionScript main_stream_script(std::string label, std::string file, std::optional<std::size_t> frames,
                                 Millis deadline)
{
    SessionScript s;
    s.label = std::move(label);
    s.file = std::move(file);
    s.reply_idle = Millis(300);
    s.reply_deadline = Millis(5000);
    // S-SETUP-03 wants at least 0.5 s between the reply and Go; the margin
    // keeps wall-clock rounding from ever making the recorded wait shorter.
    s.wait_before_go = Millis(550);
    s.expected_frames = frames;
    s.frames_idle = Millis(300);
    s.idle_end = Millis(500);
    s.stall_limit = Millis(2000);
    s.overall_deadline = deadline;
    return s;
}

SessionScript liveness_script(std::string label, std::string file, StreamLength length, Millis reply_deadline)
{
    SessionScript s = short_session(std::move(label), std::move(file));
    s.reply_deadline = reply_deadline;
    set_length(s, length);
    s.overall_deadline = reply_deadline + stream_deadline(length.frames, Millis(10000));
    return s;
}

SessionScript id_only_script(std::string label, std::string file)
{
    SessionScript s = short_session(std::move(label), std::move(file));
    s.send_go = false;
    s.watch_after_not_found = Millis(0);
    return s;
}

SessionScript missing_file_script(std::string label, std::string file)
{
    SessionScript s = short_session(std::move(label), std::move(file));
    s.reply_idle = Millis(150);
    s.send_go = false;
    s.watch_after_not_found = Millis(1000);
    return s;
}

SessionScript vanishing_script(std::string label, std::string file, std::size_t after_packets,
                               std::optional<std::size_t> frames)
{
    SessionScript s = short_session(std::move(label), std::move(file));
    s.vanish_after_packets = after_packets;
    s.expected_frames = frames;
    return s;
}

SessionScript big_frames_script(std::string label, std::string file, std::size_t frames)
{
    SessionScript s = short_session(std::move(label), std::move(file));
    s.expected_frames = frames;
    s.frames_idle = Millis(200);
    return s;
}

HostileOptions hostile_options()
{
    HostileOptions o;
    o.read_for = Millis(1000);
    o.idle = Millis(150);
    o.overall_deadline = Millis(5000);
    return o;
}

}  // namespace tpc3::conform::server
