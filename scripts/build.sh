#!/usr/bin/env bash
# Configures and builds tpc3-conform into ./build (or $BUILD_DIR). Assumes setup.sh has run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTPC3_WERROR=ON >/dev/null
cmake --build "$build" -j "$(nproc)"
