// What a fuzz case does on the wire, one step at a time (a value type).
// The role-specific meaning of each kind is documented next to each executor
// (fuzz/network/server/case_executor.h, fuzz/network/client/).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tpc3::fuzz::net {

struct WireStep {
    enum class Kind {
        Connect,        // open TCP connection `connection`
        Send,           // send `bytes` on `connection` (one send call)
        Pause,          // wait `pause`
        ShutdownWrite,  // half-close `connection` (FIN, keep reading)
        Close,          // close `connection` (FIN)
        Datagram,       // one UDP datagram holding `bytes`
        ExpectReply,    // read on `connection` for at most `pause` (what arrives is not judged)
        Reset,          // abortive close of `connection` (SO_LINGER 0: RST)  [extension]
    };
    Kind kind = Kind::Send;
    std::vector<std::uint8_t> bytes;
    std::chrono::milliseconds pause{0};
    int connection = 0;  // which TCP connection (a case may open several)
    std::string note;    // what the mutator did, human-readable ("port field -> 99999999")

    friend bool operator==(const WireStep&, const WireStep&) = default;
};

// "connect", "send", "pause", "shutdown_write", "close", "datagram", "expect_reply", "reset".
std::string_view kind_name(WireStep::Kind kind);
std::optional<WireStep::Kind> kind_from_name(std::string_view name);

// Small constructors, so mutators read as a script.
WireStep connect_step(int connection, std::string note = {});
WireStep send_step(int connection, std::vector<std::uint8_t> bytes, std::string note = {});
WireStep send_text_step(int connection, std::string_view text, std::string note = {});
WireStep pause_step(std::chrono::milliseconds pause, std::string note = {});
WireStep shutdown_write_step(int connection, std::string note = {});
WireStep close_step(int connection, std::string note = {});
WireStep reset_step(int connection, std::string note = {});
WireStep datagram_step(std::vector<std::uint8_t> bytes, std::string note = {});
WireStep expect_reply_step(int connection, std::chrono::milliseconds wait, std::string note = {});

}  // namespace tpc3::fuzz::net
