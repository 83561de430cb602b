#include "core/wire_step.h"

#include <array>
#include <utility>

namespace tpc3::fuzz::net {

namespace {
constexpr std::array<std::pair<WireStep::Kind, std::string_view>, 8> kKindNames{{
    {WireStep::Kind::Connect, "connect"},
    {WireStep::Kind::Send, "send"},
    {WireStep::Kind::Pause, "pause"},
    {WireStep::Kind::ShutdownWrite, "shutdown_write"},
    {WireStep::Kind::Close, "close"},
    {WireStep::Kind::Datagram, "datagram"},
    {WireStep::Kind::ExpectReply, "expect_reply"},
    {WireStep::Kind::Reset, "reset"},
}};

WireStep make(WireStep::Kind kind, int connection, std::string note) {
    WireStep s;
    s.kind = kind;
    s.connection = connection;
    s.note = std::move(note);
    return s;
}
}  // namespace

std::string_view kind_name(WireStep::Kind kind) {
    for (const auto& [k, name] : kKindNames)
        if (k == kind) return name;
    return "unknown";
}

std::optional<WireStep::Kind> kind_from_name(std::string_view name) {
    for (const auto& [k, n] : kKindNames)
        if (n == name) return k;
    return std::nullopt;
}

WireStep connect_step(int connection, std::string note) {
    return make(WireStep::Kind::Connect, connection, std::move(note));
}
WireStep send_step(int connection, std::vector<std::uint8_t> bytes, std::string note) {
    WireStep s = make(WireStep::Kind::Send, connection, std::move(note));
    s.bytes = std::move(bytes);
    return s;
}
WireStep send_text_step(int connection, std::string_view text, std::string note) {
    return send_step(connection, std::vector<std::uint8_t>(text.begin(), text.end()), std::move(note));
}
WireStep pause_step(std::chrono::milliseconds pause, std::string note) {
    WireStep s = make(WireStep::Kind::Pause, 0, std::move(note));
    s.pause = pause;
    return s;
}
WireStep shutdown_write_step(int connection, std::string note) {
    return make(WireStep::Kind::ShutdownWrite, connection, std::move(note));
}
WireStep close_step(int connection, std::string note) {
    return make(WireStep::Kind::Close, connection, std::move(note));
}
WireStep reset_step(int connection, std::string note) {
    return make(WireStep::Kind::Reset, connection, std::move(note));
}
WireStep datagram_step(std::vector<std::uint8_t> bytes, std::string note) {
    WireStep s = make(WireStep::Kind::Datagram, 0, std::move(note));
    s.bytes = std::move(bytes);
    return s;
}
WireStep expect_reply_step(int connection, std::chrono::milliseconds wait, std::string note) {
    WireStep s = make(WireStep::Kind::ExpectReply, connection, std::move(note));
    s.pause = wait;
    return s;
}

}  // namespace tpc3::fuzz::net
