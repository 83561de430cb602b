// The catalogue of every check of CHECKS.md: the single place where IDs,
// severities, titles and requirement sentences are written down. Checks keep
// the order of the spec tables (server table, then client table).
#pragma once

#include <ostream>
#include <span>
#include <string_view>
#include <vector>

#include "report/check.h"

namespace tpc3::report {

// Every check, server checks first, each role in CHECKS.md order.
std::span<const CheckInfo> all_checks();

// The checks that judge an implementation of `role`, in CHECKS.md order.
std::vector<CheckInfo> checks_for(Role role);

// The check with exactly this ID, or nullptr.
const CheckInfo* find_check(std::string_view id);

// The check with exactly this ID; throws std::out_of_range naming the ID
// when there is none (a programming error in the runner).
const CheckInfo& lookup(std::string_view id);

// A few words on what a group of checks is about ("S-RTP" -> "RTP header");
// empty for an unknown group.
std::string_view group_title(std::string_view group);

// The `--list` output: one line per check, "ID  severity  title", columns
// aligned; with `with_requirements`, the requirement sentence follows on an
// indented line.
void print_list(std::ostream& out, std::span<const CheckInfo> checks,
                bool with_requirements = false);

}  // namespace tpc3::report
