// A control dialect: how the three messages look on the wire. tpc3 is the
// default; tpc3-pickle and rtsp plug in beside it by implementing this interface
// and being listed in dialect_registry.cpp.
#pragma once

#include "control/control_message.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tpc3::control {

using Bytes = std::vector<std::uint8_t>;

class Dialect {
public:
    virtual ~Dialect() = default;
    virtual std::string_view name() const = 0;  // "tpc3", "tpc3-pickle", "rtsp"

    virtual Bytes encode(const Request& r) const = 0;
    virtual Bytes encode(const Reply& r) const = 0;
    virtual Bytes encode(const Go& g) const = 0;

    // Lenient parsers: whitespace, a trailing newline and (for tpc3) runs of
    // spaces are tolerated; everything else unusual goes to Parsed::problems.
    virtual Parsed<Request> parse_request(std::span<const std::uint8_t> bytes) const = 0;
    virtual Parsed<Reply> parse_reply(std::span<const std::uint8_t> bytes) const = 0;
    virtual Parsed<Go> parse_go(std::span<const std::uint8_t> bytes) const = 0;

    // True when the first bytes a client sent belong to this dialect.
    virtual bool recognises_first_message(std::span<const std::uint8_t> bytes) const = 0;
};

// Dialect by name; nullptr for an unknown name.
const Dialect* find_dialect(std::string_view name);
// Names of every registered dialect, default first.
std::vector<std::string> dialect_names();
// The dialect of a client's first message (PROTOCOL.md 3): 0x80 -> tpc3-pickle
// when registered, "SETUP " -> rtsp when registered, else tpc3.
const Dialect& detect_dialect(std::span<const std::uint8_t> first_message);
const Dialect& default_dialect();  // tpc3

}  // namespace tpc3::control
