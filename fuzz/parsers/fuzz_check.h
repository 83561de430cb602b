// A property check inside a fuzz target: on failure it names the property and
// aborts, which libFuzzer (and replay_main) report as a crash with the input.
// A target that prints more about a failure first starts each line with
// "fuzz detail: " (scripts/fuzz-smoke.sh shows the report from there).
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition, what)                                                              \
    do {                                                                                         \
        if (!(condition)) {                                                                      \
            std::fprintf(stderr, "fuzz property failed at %s:%d: %s (%s)\n", __FILE__, __LINE__, \
                         what, #condition);                                                      \
            std::abort();                                                                        \
        }                                                                                        \
    } while (0)
