// What a conformance check is: its identity (ID, title, severity, the
// requirement it enforces, the role of the implementation it judges) and the
// vocabulary of outcomes. CHECKS.md defines the IDs and their meaning.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tpc3::report {

// The outcome of one check. Skip: the check did not apply. Error: the runner
// could not decide (never silently turned into Pass or Fail).
enum class Status { Pass, Fail, Skip, Error };

// Required: what the assignment asks; decides the exit status.
// Advisory: good practice beyond it; reported, never decides the exit status.
enum class Severity { Required, Advisory };

// The role of the implementation under test (the runner plays the other one).
enum class Role { Server, Client };

// "pass", "fail", "skip", "error" / "required", "advisory" / "server", "client":
// the spellings of the JSON report contract.
std::string_view to_string(Status status);
std::string_view to_string(Severity severity);
std::string_view to_string(Role role);

std::optional<Status> parse_status(std::string_view text);
std::optional<Severity> parse_severity(std::string_view text);
std::optional<Role> parse_role(std::string_view text);

struct CheckInfo {
    std::string id;           // "S-RTP-06": stable, never reused
    std::string title;        // "payload type is 26": short, for tables and JUnit
    Severity severity = Severity::Required;
    std::string requirement;  // "every packet has PT=26 (PROTOCOL.md 4)"
    Role role = Role::Server;

    friend bool operator==(const CheckInfo&, const CheckInfo&) = default;
};

// The group of a check ID: everything before the last '-'.
// "S-RTP-06" -> "S-RTP"; an ID without '-' is its own group.
std::string_view group_of(std::string_view id);

}  // namespace tpc3::report
