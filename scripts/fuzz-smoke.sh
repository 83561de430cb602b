#!/usr/bin/env bash
# CI smoke run of the parser fuzz targets (fuzz/parsers): builds them with clang,
# libFuzzer, ASan and UBSan in their own build dir, runs each for FUZZ_SECONDS
# on a temporary copy of its seed corpus (the repository is never modified),
# and fails on any crash, sanitizer report, property failure, leak or timeout,
# printing the target, the saved reproducer, a hexdump of it and the report.
#
# Environment: FUZZ_SECONDS (30), FUZZ_TARGETS ("rtp_header movie_reader control
# pcap_reader marker_decode"), FUZZ_BUILD_DIR (<repo>/build-fuzz), FUZZ_JOBS (2),
# FUZZ_ARTIFACTS (<build dir>/fuzz-artifacts: where reproducers are kept),
# CXX_CLANG (clang++-14, else clang++).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${FUZZ_SECONDS:-30}
targets=${FUZZ_TARGETS:-"rtp_header movie_reader control pcap_reader marker_decode"}
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
artifacts=${FUZZ_ARTIFACTS:-$build/fuzz-artifacts}
cxx=${CXX_CLANG:-$(command -v clang++-14 || command -v clang++ || true)}
if [ -z "$cxx" ]; then
  echo "fuzz-smoke: clang++ not found (scripts/setup.sh installs clang and libclang-rt-14-dev)" >&2
  exit 2
fi

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTPC3_FUZZ=ON >/dev/null
cmake --build "$build" --target $(for t in $targets; do printf 'fuzz_%s ' "$t"; done) -j "${FUZZ_JOBS:-2}"

work=$(mktemp -d "${TMPDIR:-/tmp}/tpc3-fuzz-smoke.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The value of libFuzzer's "stat::name: value" line in a log, or "?".
libfuzzer_stat() { sed -n "s/^stat::$2: *//p" "$1" | tail -1 | grep . || echo "?"; }

failed=()
summary=()
for t in $targets; do
  exe="$build/fuzz/parsers/fuzz_$t"
  mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
  cp -R "$root/fuzz/parsers/corpus/$t/." "$work/$t/corpus/"
  flags=()
  [ -f "$root/fuzz/parsers/dict/$t.dict" ] && flags+=(-dict="$root/fuzz/parsers/dict/$t.dict")
  [ -f "$root/fuzz/parsers/options/$t.options" ] && mapfile -t -O ${#flags[@]} flags < <(grep -v '^\s*#' "$root/fuzz/parsers/options/$t.options" | grep .)
  log="$work/$t/log"
  echo "fuzz-smoke: $t for ${seconds}s"
  status=0
  "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "${flags[@]}" \
    -artifact_prefix="$work/$t/artifacts/" "$work/$t/corpus" >"$log" 2>&1 || status=$?
  cov=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+' || echo "cov: ?")
  line=$(printf '%-14s runs=%s exec/s=%s %s' "$t" "$(libfuzzer_stat "$log" number_of_executed_units)" \
    "$(libfuzzer_stat "$log" average_exec_per_sec)" "$cov")
  mapfile -t found < <(find "$work/$t/artifacts" -type f | sort)
  if [ "$status" -ne 0 ] || [ ${#found[@]} -gt 0 ]; then
    failed+=("$t")
    summary+=("FAIL $line")
    echo "fuzz-smoke: FAILED: target $t (libFuzzer exit status $status)"
    mkdir -p "$artifacts/$t"
    for f in "${found[@]}"; do
      cp "$f" "$artifacts/$t/"
      kept="$artifacts/$t/$(basename "$f")"
      echo "fuzz-smoke: reproducer: $kept ($(wc -c <"$f") bytes); replay: $exe $kept"
      head -c 512 "$f" | od -A d -t x1z -v
    done
    echo "fuzz-smoke: report of $t:"
    # From the first line of the report (sanitizer, property check, libFuzzer's own) to the end.
    awk '/ERROR: |runtime error|fuzz detail: |fuzz property failed|==[0-9]+== ?ERROR|ALARM|out-of-memory/ {p=1} p' "$log" | head -200
    [ -n "$(awk '/ERROR: |runtime error|fuzz property failed|ALARM|out-of-memory/' "$log")" ] || tail -50 "$log"
  else
    summary+=("ok   $line")
  fi
done

echo "fuzz-smoke: summary (${seconds}s per target)"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz-smoke: ${#failed[@]} target(s) failed: ${failed[*]}; reproducers in $artifacts" >&2
  echo "fuzz-smoke: keep each one in fuzz/parsers/crashes/<target>/ once fixed (see fuzz/parsers/README.md)" >&2
  exit 1
fi
