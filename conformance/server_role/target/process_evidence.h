// A ServerProcessReport as the checks' ProcessEvidence (checks/observations.h).
#pragma once

#include <string>

#include "checks/observations.h"
#include "target/process_report.h"

namespace tpc3::conform::server {

// `during`: the label of the session or step after which the report was
// taken. The traceback (its end) goes to traceback; without one, the stderr
// tail goes to stderr_excerpt; the hint, when there is one, is appended to
// whichever is shown ("hint: ...").
ProcessEvidence to_process_evidence(const ServerProcessReport& report, std::string during);

}  // namespace tpc3::conform::server
