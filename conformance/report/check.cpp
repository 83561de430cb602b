#include "report/check.h"

namespace tpc3::report {

std::string_view to_string(Status status)
{
    switch (status) {
    case Status::Pass: return "pass";
    case Status::Fail: return "fail";
    case Status::Skip: return "skip";
    case Status::Error: return "error";
    }
    return "error";
}

std::string_view to_string(Severity severity)
{
    return severity == Severity::Required ? "required" : "advisory";
}

std::string_view to_string(Role role)
{
    return role == Role::Server ? "server" : "client";
}

std::optional<Status> parse_status(std::string_view text)
{
    for (Status s : {Status::Pass, Status::Fail, Status::Skip, Status::Error})
        if (to_string(s) == text) return s;
    return std::nullopt;
}

std::optional<Severity> parse_severity(std::string_view text)
{
    for (Severity s : {Severity::Required, Severity::Advisory})
        if (to_string(s) == text) return s;
    return std::nullopt;
}

std::optional<Role> parse_role(std::string_view text)
{
    for (Role r : {Role::Server, Role::Client})
        if (to_string(r) == text) return r;
    return std::nullopt;
}

std::string_view group_of(std::string_view id)
{
    const auto dash = id.rfind('-');
    return dash == std::string_view::npos ? id : id.substr(0, dash);
}

}  // namespace tpc3::report
