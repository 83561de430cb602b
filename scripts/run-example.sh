#!/usr/bin/env bash
# Sets up, builds, and runs the main job on the bundled example: a synthetic
# movie served by the reference server and played by the reference client,
# which prints the stream's statistics.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
bash "$root/scripts/setup.sh" >/dev/null
bash "$root/scripts/build.sh"

work=$(mktemp -d -t tpc3-example.XXXXXX)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

"$build/tools/movie/tpc3-movie" make "$work/movie.mpeg" --frames 100 --size 320x240 >/dev/null
"$build/reference/server/tpc3-server" 0 --dir "$work" >"$work/server.out" 2>"$work/server.log" &
server_pid=$!
for _ in $(seq 100); do
  grep -q '^listening on' "$work/server.out" 2>/dev/null && break
  sleep 0.05
done
port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$work/server.out")
[ -n "$port" ] || { echo "run-example: tpc3-server did not start" >&2; cat "$work/server.log" >&2; exit 1; }
udp_port=$(( (port % 20000) + 30000 ))
"$build/reference/client/tpc3-client" 127.0.0.1 "$port" "$udp_port" movie.mpeg --movie "$work/movie.mpeg" --headless
echo "--- server log ---"
cat "$work/server.log"
