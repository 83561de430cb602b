#include "report/check_result.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace tpc3::report {
namespace {

nlohmann::json as_object(nlohmann::json evidence)
{
    if (evidence.is_null()) return nlohmann::json::object();
    if (evidence.is_object()) return evidence;
    return nlohmann::json{{"value", std::move(evidence)}};
}

void require_explanation(const CheckInfo& info, Status status, const std::string& text)
{
    if (text.empty())
        throw std::invalid_argument("a '" + std::string(to_string(status)) + "' result for " + info.id +
                                    " needs a message saying why");
}

}  // namespace

CheckResult::CheckResult(CheckInfo info, Status status, std::string message, nlohmann::json evidence)
    : info_(std::move(info)), status_(status), message_(std::move(message)),
      evidence_(as_object(std::move(evidence)))
{
    if (status_ != Status::Pass) require_explanation(info_, status_, message_);
}

CheckResult& CheckResult::with_evidence(const std::string& key, nlohmann::json value)
{
    evidence_[key] = std::move(value);
    return *this;
}

CheckResult& CheckResult::with_duration(double seconds)
{
    duration_s_ = seconds;
    return *this;
}

CheckResult pass(CheckInfo info, std::string message, nlohmann::json evidence)
{
    return CheckResult(std::move(info), Status::Pass, std::move(message), std::move(evidence));
}

CheckResult fail(CheckInfo info, std::string message, nlohmann::json evidence)
{
    return CheckResult(std::move(info), Status::Fail, std::move(message), std::move(evidence));
}

CheckResult skip(CheckInfo info, std::string reason, nlohmann::json evidence)
{
    return CheckResult(std::move(info), Status::Skip, std::move(reason), std::move(evidence));
}

CheckResult error(CheckInfo info, std::string reason, nlohmann::json evidence)
{
    return CheckResult(std::move(info), Status::Error, std::move(reason), std::move(evidence));
}

std::string expected_actual(std::string_view what, std::string_view expected, std::string_view actual)
{
    std::string out;
    out.reserve(what.size() + expected.size() + actual.size() + 16);
    out.append(what).append(" was ").append(actual).append(", expected ").append(expected);
    return out;
}

std::string hex_bytes(std::span<const std::uint8_t> bytes, std::size_t limit)
{
    static constexpr char digits[] = "0123456789abcdef";
    const std::size_t shown = std::min(bytes.size(), limit);
    std::string out;
    out.reserve(shown * 3 + 24);
    for (std::size_t i = 0; i < shown; ++i) {
        if (i > 0) out += ' ';
        out += digits[bytes[i] >> 4];
        out += digits[bytes[i] & 0x0f];
    }
    if (shown < bytes.size()) out += " ... (" + std::to_string(bytes.size()) + " bytes)";
    return out;
}

}  // namespace tpc3::report
