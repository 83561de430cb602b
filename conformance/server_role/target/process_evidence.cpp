#include "target/process_evidence.h"

namespace tpc3::conform::server {

ProcessEvidence to_process_evidence(const ServerProcessReport& report, std::string during)
{
    ProcessEvidence e;
    e.during = std::move(during);
    e.died = report.died();
    e.exit_status = report.running ? std::string() : report.exit_status;
    e.when = report.when;
    const std::string hint = report.hint.empty() ? std::string() : "\nhint: " + report.hint;
    if (report.has_traceback) {
        e.traceback = report.traceback + hint;
    } else {
        e.stderr_excerpt = report.stderr_tail + hint;
    }
    return e;
}

}  // namespace tpc3::conform::server
