// How a child process ended: exited with a code, or killed by a signal.
#pragma once

#include <string>

namespace tpc3::harness {

class ExitStatus {
public:
    enum class Kind {
        exited,    // called exit(code)
        signaled,  // killed by signal `number()`
        unknown,   // reaped by someone else (waitpid(-1) elsewhere): nothing to say
    };

    static ExitStatus exited(int code) { return {Kind::exited, code, false}; }
    static ExitStatus signaled(int signal, bool core_dumped = false) { return {Kind::signaled, signal, core_dumped}; }
    static ExitStatus unknown() { return {Kind::unknown, 0, false}; }
    // From the status word of waitpid().
    static ExitStatus from_wait_status(int status);

    Kind kind() const { return kind_; }
    bool is_exited() const { return kind_ == Kind::exited; }
    bool is_signaled() const { return kind_ == Kind::signaled; }
    bool success() const { return kind_ == Kind::exited && number_ == 0; }
    // The exit code (kind exited) or the signal number (kind signaled).
    int code() const { return number_; }
    int signal() const { return number_; }
    bool core_dumped() const { return core_dumped_; }

    // "exited with status 1", "killed by signal 11 (SIGSEGV)".
    std::string describe() const;

    friend bool operator==(const ExitStatus&, const ExitStatus&) = default;

private:
    ExitStatus(Kind k, int n, bool core) : kind_(k), number_(n), core_dumped_(core) {}
    Kind kind_;
    int number_;
    bool core_dumped_;
};

// "SIGSEGV" for 11; "signal 99" when the number has no name.
std::string signal_name(int signal);

}  // namespace tpc3::harness
