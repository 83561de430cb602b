#include "target/server_target.h"

namespace tpc3::conform::server {

std::string StartOutcome::describe() const
{
    std::string s = started ? "started" : problem;
    if (process) s += (s.empty() ? "" : ": ") + process->summary();
    return s;
}

}  // namespace tpc3::conform::server
