// The client-role checks of CHECKS.md, judged from what the suite observed.
#pragma once

#include <vector>

#include "client_role/checks/observations.h"
#include "report/check_result.h"

namespace tpc3::conform::client {

// Every C-* check of the catalogue, in catalogue order. Pure: no I/O. The
// caller applies --only/--skip to the results (each check is cheap).
std::vector<report::CheckResult> judge_client(const ClientObservations& observations);

}  // namespace tpc3::conform::client
