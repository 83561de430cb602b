#!/usr/bin/env bash
# Sets up, builds, and runs the main job on the bundled example:
#  1. the conformance suite (tpc3-conform) against the bundled Python example
#     server (conformance/examples/good), printing the report;
#  2. the same for the bundled example client;
#  3. a synthetic movie served by the reference server and played by the
#     reference client, which prints the stream's statistics.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
bash "$root/scripts/setup.sh" >/dev/null
bash "$root/scripts/build.sh"

echo "=== tpc3-conform: the bundled example Server.py under test ==="
conform_status=0
"$build/conformance/cli/tpc3-conform" \
  --server-cmd '/usr/bin/python3 Server.py {port}' --workdir "$root/conformance/examples/good" \
  --json "$build/example-report.json" --junit "$build/example-report.xml" --pcap "$build/example-run.pcap" \
  || conform_status=$?
echo "(reports: $build/example-report.json, $build/example-report.xml; capture: $build/example-run.pcap)"
echo
echo "=== tpc3-conform: the bundled example Client.py under test (own Xvfb, poison packets) ==="
"$build/conformance/cli/tpc3-conform" \
  --client-cmd '/usr/bin/python3 Client.py {host} {tcp_port} {udp_port} {file}' \
  --workdir "$root/conformance/examples/good" \
  --json "$build/example-client-report.json" --pcap "$build/example-client-run.pcap" \
  || conform_status=$?
echo "(report: $build/example-client-report.json, evidence: $build/example-client-report-artifacts/)"
echo
echo "=== tpc3-server -> tpc3-client: a 100-frame synthetic movie ==="
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
# A UDP port that was free a moment ago (the client binds it before its request).
udp_port=$(/usr/bin/python3 -c "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
"$build/reference/client/tpc3-client" 127.0.0.1 "$port" "$udp_port" movie.mpeg --movie "$work/movie.mpeg" --headless
echo "--- server log ---"
cat "$work/server.log"
exit "$conform_status"
