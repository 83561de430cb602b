#!/usr/bin/env bash
# Sets up (packages), builds, and runs the whole test suite with CTest, then the parser fuzz smoke run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh"
cd "$build"
ctest --output-on-failure -j "$(nproc)" --timeout 300
# Then a bounded run of every parser fuzz target with clang, ASan and UBSan (FUZZ_SECONDS each,
# 30 by default); any crash fails the run and prints the reproducer (fuzz/parsers/README.md).
bash "$root/scripts/fuzz-smoke.sh"
