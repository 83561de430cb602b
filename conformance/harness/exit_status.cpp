#include "harness/exit_status.h"

#include <cstring>

#include <sys/wait.h>

namespace tpc3::harness {

ExitStatus ExitStatus::from_wait_status(int status) {
    if (WIFEXITED(status)) return exited(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return signaled(WTERMSIG(status), WCOREDUMP(status));
    return unknown();
}

std::string signal_name(int signal) {
    if (const char* abbrev = ::sigabbrev_np(signal)) return std::string("SIG") + abbrev;
    return "signal " + std::to_string(signal);
}

std::string ExitStatus::describe() const {
    switch (kind_) {
        case Kind::exited:
            return "exited with status " + std::to_string(number_);
        case Kind::signaled:
            return "killed by signal " + std::to_string(number_) + " (" + signal_name(number_) + ")" +
                   (core_dumped_ ? ", core dumped" : "");
        case Kind::unknown:
            break;
    }
    return "ended with an unknown status (reaped elsewhere)";
}

}  // namespace tpc3::harness
