// The outcome of one check, and helpers that word it the way a student reads
// it: what was seen, what was expected ("packet 7 (seq 7): PT was 96, expected
// 26").
//
// Invariant kept by the type: anything that is not a pass explains itself.
// A CheckResult is made only through pass(), fail(), skip() and error(); fail,
// skip and error refuse an empty message (std::invalid_argument), so a report
// never shows a bare "skip" or "error". Evidence is always a JSON object.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "report/check.h"

namespace tpc3::report {

class CheckResult {
public:
    const CheckInfo& info() const { return info_; }
    Status status() const { return status_; }
    // Pass: may be empty. Fail: what went wrong. Skip/Error: the reason.
    const std::string& message() const { return message_; }
    // Packet index, header bytes in hex, times, file offsets, artifact paths...
    const nlohmann::json& evidence() const { return evidence_; }
    double duration_s() const { return duration_s_; }

    // Adds (or replaces) one evidence entry.
    CheckResult& with_evidence(const std::string& key, nlohmann::json value);
    // How long the check took; the runner sets it after the check returns.
    CheckResult& with_duration(double seconds);

    friend bool operator==(const CheckResult&, const CheckResult&) = default;

private:
    CheckResult(CheckInfo info, Status status, std::string message, nlohmann::json evidence);

    friend CheckResult pass(CheckInfo, std::string, nlohmann::json);
    friend CheckResult fail(CheckInfo, std::string, nlohmann::json);
    friend CheckResult skip(CheckInfo, std::string, nlohmann::json);
    friend CheckResult error(CheckInfo, std::string, nlohmann::json);

    CheckInfo info_;
    Status status_;
    std::string message_;
    nlohmann::json evidence_;
    double duration_s_ = 0.0;
};

// Evidence that is not a JSON object (or null) is kept as {"value": evidence}.
CheckResult pass(CheckInfo info, std::string message = {}, nlohmann::json evidence = nullptr);
// Throws std::invalid_argument when `message` is empty.
CheckResult fail(CheckInfo info, std::string message, nlohmann::json evidence = nullptr);
// Throws std::invalid_argument when `reason` is empty.
CheckResult skip(CheckInfo info, std::string reason, nlohmann::json evidence = nullptr);
// Throws std::invalid_argument when `reason` is empty.
CheckResult error(CheckInfo info, std::string reason, nlohmann::json evidence = nullptr);

namespace detail {
// Text of a value for a message: strings as they are, bool as true/false,
// integers (uint8_t too) as decimal numbers, anything else through operator<<.
template <class T>
std::string to_text(const T& value)
{
    if constexpr (std::is_same_v<T, bool>) {
        return value ? "true" : "false";
    } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
        return std::string(std::string_view(value));
    } else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
        return std::to_string(static_cast<long long>(value));
    } else if constexpr (std::is_integral_v<T>) {
        return std::to_string(static_cast<unsigned long long>(value));
    } else {
        std::ostringstream out;
        out << value;
        return out.str();
    }
}
}  // namespace detail

// "<what> was <actual>, expected <expected>":
//   expected_actual("packet 7 (seq 7): PT", 26, 96)
//     == "packet 7 (seq 7): PT was 96, expected 26"
std::string expected_actual(std::string_view what, std::string_view expected, std::string_view actual);

template <class Expected, class Actual>
std::string expected_actual(std::string_view what, const Expected& expected, const Actual& actual)
{
    return expected_actual(what, std::string_view(detail::to_text(expected)),
                           std::string_view(detail::to_text(actual)));
}

// Bytes as lower-case hex pairs separated by spaces, for evidence: "80 1a 00 07".
// At most `limit` bytes are shown; a longer input ends in " ... (N bytes)".
std::string hex_bytes(std::span<const std::uint8_t> bytes, std::size_t limit = 64);

}  // namespace tpc3::report
