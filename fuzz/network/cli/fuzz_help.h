// The man-page parts of `tpc3-conform fuzz --help` that CLI11 does not write.
#pragma once

namespace tpc3::fuzz::net {

inline constexpr const char* kFuzzDescription =
    R"(tpc3-conform fuzz - network fuzzing of a live TPC3 server or client

SYNOPSIS
  tpc3-conform fuzz --server-cmd 'COMMAND {port}' [--workdir DIR] [OPTIONS]
  tpc3-conform fuzz --target-server HOST:PORT --file NAME [OPTIONS]
  tpc3-conform fuzz --client-cmd 'COMMAND {host} {tcp_port} {udp_port} {file}' --workdir DIR [OPTIONS]
  tpc3-conform fuzz --replay case-N.json (the same target options)

DESCRIPTION
  Plays many small hostile cases against an implementation and checks after
  every case that it still works. Against a server: mutated control exchanges
  (every field of the request mutated: the file name empty, huge, a path
  traversal, not UTF-8, with a NUL or format specifiers; the port 0, 65536,
  negative, huge, not digits, missing; the separators), requests truncated,
  repeated, split across TCP segments at every kind of boundary, sent byte by
  byte, 1 MiB long, messages out of order (Go first, Go twice, a request
  after Go), and hostile clients around the stream (close right after Go,
  half-close, reset, 20 connections at once, never Go, garbage after Go).
  Against a client: mutated datagrams and control replies.

  After every case a fresh valid session must still work (a server: request
  a movie, read the SessionID, Go, receive a datagram, all within
  --liveness-deadline); a launched process must not have exited, died on a
  signal or printed a new Python traceback. A case that breaks one of these
  is a finding: its reproducer is saved, a launched server is restarted and
  the run goes on (or stops, with --stop-at-first).

  Case number i depends only on (--seed, i): the same seed plays the same
  cases, and a reproducer replays its case exactly.
)";

inline constexpr const char* kFuzzFooter = R"(TARGETS
  --server-cmd 'COMMAND {port}' [--workdir DIR]
      The command runs through /bin/sh in a fresh copy of DIR, {port}
      replaced by a free TCP port; the runner adds its own short movie
      (tpc3conform-live.mpeg) there for the valid sessions. Use
      /usr/bin/python3 for student code. Stopped (with all its children) at
      the end; its temporary directory is removed.
  --target-server HOST:PORT --file NAME
      A server already running that serves NAME. It cannot be watched or
      restarted: the first finding ends the run. Only loopback hosts unless
      --allow-remote.
  --client-cmd 'COMMAND {host} {tcp_port} {udp_port} {file}' --workdir DIR
      The runner plays the server (under its own Xvfb) and fuzzes the client.

EXIT STATUS
  0  nothing found (a replay: the case did not reproduce)
  1  at least one finding (reproducers saved in --out)
  2  usage error, or the target cannot be fuzzed (it does not start, or it
     fails a valid session before the first case)

FILES WRITTEN
  OUT/case-N.json   the case: format "tpc3-fuzz-case/1", every step with the
                    exact bytes as hex (edit "hex" to change it; "shown" is the
                    same bytes escaped, for reading) and a note of what the
                    mutator did, plus the finding (kind and evidence)
  OUT/case-N.pcap   the bytes the case sent, as TCP/UDP packets on 127.0.0.1
                    (tshark -r case-N.pcap -q -z follow,tcp,ascii,0)
  --json FILE       the summary: cases, cases/s, findings with their evidence
  A replay writes nothing but --json.

EXAMPLES
  Fuzz a student server for two minutes:
    tpc3-conform fuzz --server-cmd '/usr/bin/python3 Server.py {port}' \
        --workdir submission/ --time 120 --out findings/
  Run exactly the same 200 cases again:
    tpc3-conform fuzz --server-cmd '/usr/bin/python3 Server.py {port}' \
        --workdir submission/ --iterations 200 --seed 42
  Replay a finding and watch each step:
    tpc3-conform fuzz --replay findings/case-17.json --verbose \
        --server-cmd '/usr/bin/python3 Server.py {port}' --workdir submission/
  A server already running:
    tpc3-conform fuzz --target-server 127.0.0.1:5000 --file movie.mpeg --iterations 50
)";

}  // namespace tpc3::fuzz::net
