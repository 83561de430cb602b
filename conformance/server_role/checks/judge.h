// The server-role checks of CHECKS.md, judged from what the suite observed.
#pragma once

#include <vector>

#include "checks/observations.h"
#include "report/check_result.h"

namespace tpc3::conform::server {

// Every S-* check of the catalogue, in catalogue order. Pure: no I/O. The
// caller applies --only/--skip to the results (each check is cheap).
std::vector<report::CheckResult> judge_server(const Observations& observations);

}  // namespace tpc3::conform::server
