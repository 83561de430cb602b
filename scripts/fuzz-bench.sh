#!/usr/bin/env bash
# Executions per second of each parser fuzz target (fuzz/parsers), in two builds:
#   asan     : the CI build of scripts/fuzz-smoke.sh (ASan + UBSan + coverage; build-fuzz)
#   coverage : libFuzzer's coverage only, no sanitizer (build-fuzz-bench): the raw speed
# Each target runs a fixed number of executions (-runs) from a temporary copy of its seed
# corpus, with a fixed -seed, its dictionary and options file, one process. Two rates:
#   wall : runs / elapsed wall time (what libFuzzer reports, less its rounding)
#   cpu  : runs / CPU time (user + sys) of the process: the rate on a core of its own, which
#          is the fair number on a machine shared with other work
# Prints a table; with FUZZ_BENCH_JSON=FILE also writes the numbers as JSON.
#
# Environment: FUZZ_TARGETS, FUZZ_BENCH_BUILDS ("asan coverage"), FUZZ_JOBS (2), CXX_CLANG,
# FUZZ_BENCH_RUNS_<target> overrides the run counts below.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
targets=${FUZZ_TARGETS:-"rtp_header movie_reader control pcap_reader marker_decode"}
builds=${FUZZ_BENCH_BUILDS:-"asan coverage"}
cxx=${CXX_CLANG:-$(command -v clang++-14 || command -v clang++ || true)}
[ -n "$cxx" ] || { echo "fuzz-bench: clang++ not found" >&2; exit 2; }

declare -A runs=([rtp_header]=3000000 [control]=50000 [movie_reader]=50000 [pcap_reader]=30000
                 [marker_decode]=2000)
declare -A dir=([asan]="$root/build-fuzz" [coverage]="$root/build-fuzz-bench")
declare -A sanitizers=([asan]="address,undefined" [coverage]="")

work=$(mktemp -d "${TMPDIR:-/tmp}/tpc3-fuzz-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

for b in $builds; do
  cmake -S "$root" -B "${dir[$b]}" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DTPC3_FUZZ=ON -DTPC3_FUZZ_SANITIZERS="${sanitizers[$b]}" >/dev/null
  cmake --build "${dir[$b]}" --target $(for t in $targets; do printf 'fuzz_%s ' "$t"; done) -j "${FUZZ_JOBS:-2}" >/dev/null
done

declare -A wall_rate cpu_rate
for t in $targets; do
  var="FUZZ_BENCH_RUNS_$t"
  n=${!var:-${runs[$t]}}
  flags=()
  [ -f "$root/fuzz/parsers/dict/$t.dict" ] && flags+=(-dict="$root/fuzz/parsers/dict/$t.dict")
  [ -f "$root/fuzz/parsers/options/$t.options" ] &&
    mapfile -t -O ${#flags[@]} flags < <(grep -v '^\s*#' "$root/fuzz/parsers/options/$t.options" | grep .)
  for b in $builds; do
    rm -rf "$work/corpus" && mkdir -p "$work/corpus"
    cp -R "$root/fuzz/parsers/corpus/$t/." "$work/corpus/"
    log="$work/$t.$b.log"
    start=$(date +%s.%N)
    /usr/bin/time -f 'cpu_seconds %U %S' -o "$work/time" \
      "${dir[$b]}/fuzz/parsers/fuzz_$t" -runs="$n" -seed=1 -print_final_stats=1 "${flags[@]}" \
      -artifact_prefix="$work/" "$work/corpus" >"$log" 2>&1 || { echo "fuzz-bench: $t ($b) failed:"; tail -30 "$log"; exit 1; }
    end=$(date +%s.%N)
    done_runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    read -r _ user sys <"$work/time"
    wall_rate[$t.$b]=$(awk -v r="$done_runs" -v s="$start" -v e="$end" 'BEGIN { printf "%.0f", r / (e - s) }')
    cpu_rate[$t.$b]=$(awk -v r="$done_runs" -v u="$user" -v s="$sys" 'BEGIN { printf "%.0f", r / (u + s) }')
  done
done

printf '%-14s %9s' target runs
for b in $builds; do printf ' %13s %13s' "$b:wall/s" "$b:cpu/s"; done
echo
for t in $targets; do
  var="FUZZ_BENCH_RUNS_$t"
  printf '%-14s %9s' "$t" "${!var:-${runs[$t]}}"
  for b in $builds; do printf ' %13s %13s' "${wall_rate[$t.$b]}" "${cpu_rate[$t.$b]}"; done
  echo
done
echo "(load average during the run: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores)"
if [ -n "${FUZZ_BENCH_JSON:-}" ]; then
  {
    echo "{"
    sep=""
    for t in $targets; do
      for b in $builds; do
        printf '%s  "%s/%s": {"wall_exec_per_s": %s, "cpu_exec_per_s": %s}' "$sep" "$t" "$b" \
          "${wall_rate[$t.$b]}" "${cpu_rate[$t.$b]}"
        sep=$',\n'
      done
    done
    printf '\n}\n'
  } >"$FUZZ_BENCH_JSON"
fi
