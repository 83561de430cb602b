// Dialect "tpc3": "<fileName> <UDPDataPort>", "<SessionID>" or "-1", "Go".
#pragma once

#include "control/dialect.h"

namespace tpc3::control {

class Tpc3Dialect final : public Dialect {
public:
    std::string_view name() const override { return "tpc3"; }
    Bytes encode(const Request& r) const override;
    Bytes encode(const Reply& r) const override;
    Bytes encode(const Go& g) const override;
    Parsed<Request> parse_request(std::span<const std::uint8_t> bytes) const override;
    Parsed<Reply> parse_reply(std::span<const std::uint8_t> bytes) const override;
    Parsed<Go> parse_go(std::span<const std::uint8_t> bytes) const override;
    bool recognises_first_message(std::span<const std::uint8_t> bytes) const override;
};

}  // namespace tpc3::control
