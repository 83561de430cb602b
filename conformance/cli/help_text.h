// The parts of `tpc3-conform --help` that CLI11 does not write: what the
// tool does, how to point it at a server, the checks, the outputs, the exit
// status and examples. Read like a man page.
#pragma once

namespace tpc3::conform::cli {

inline constexpr const char* kDescription =
    R"(tpc3-conform - conformance runner for TPC3 (MJPEG over RTP) student implementations

SYNOPSIS
  tpc3-conform --server-cmd 'COMMAND {port}' --workdir DIR [OPTIONS]
  tpc3-conform --target-server HOST:PORT --file NAME [--movie LOCAL_COPY] [OPTIONS]
  tpc3-conform --client-cmd 'python3 Client.py {host} {tcp_port} {udp_port} {file}' --workdir DIR [OPTIONS]
  tpc3-conform --list
  tpc3-conform fuzz ...   (network fuzzing: see tpc3-conform fuzz --help)

DESCRIPTION
  Plays the client against a server under test and judges it by every S-*
  check of CHECKS.md: the control exchange, the RTP header of every datagram,
  the payloads against the movie's frames, the rate and pacing (kernel
  receive times), the server's robustness against malformed requests and
  vanishing clients, a second session, and (advisory) concurrent sessions,
  requests outside its directory and large frames.

  With --client-cmd it plays the server against a client under test and
  judges it by every C-* check: the control exchange (and a refusal, -1),
  playback of the valid frames on screen and on disk, the RTP datagrams it
  must drop (poison frames with a wrong header, old or repeated sequence
  numbers) and its robustness against short, random and corrupt datagrams.

  tpc3-conform fuzz (same target options, plus --iterations N or --time S,
  --seed S, --out DIR) plays many mutated control exchanges and hostile
  clients against a server (or mutated datagrams and replies against a
  client), checks after every case that a valid session still works and the
  process did not crash, and saves each finding as a replayable case-N.json
  and a case-N.pcap (tpc3-conform fuzz --replay case-N.json).
)";

inline constexpr const char* kFooter = R"(MODES
  --server-cmd 'python3 Server.py {port}' --workdir DIR
      The runner copies DIR to a fresh temporary directory, adds its own test
      movies there, runs the command in it (through /bin/sh, {port} replaced
      by a free TCP port), waits until the port listens, and stops the server
      and all its children at the end. A crash, an exit or a Python traceback
      is evidence in the report; after a crash the server is started again
      (on a new port) so that one bug does not decide every other check. A
      server that cannot start (a python3 without PIL, a missing module) is
      reported plainly, with a hint. Use /usr/bin/python3 (the Python with
      PIL) for student code.

  --target-server HOST:PORT --file NAME [--movie LOCAL_COPY]
      A server that is already running. The runner asks for NAME. Without
      --movie it cannot compare payloads with frames: S-PAY-02/03 skip
      (S-PAY-01 still runs). It cannot restart the server, place files in its
      directory (S-SEC-01 and S-BIG-01 skip), or stream its short movies:
      the sessions that only prove the server alive hang up after 5
      datagrams, as a client whose window was closed. Only loopback hosts are
      contacted unless --allow-remote is given.

  --client-cmd 'python3 Client.py {host} {tcp_port} {udp_port} {file}' --workdir DIR
      The runner plays the server: it copies DIR fresh for every client run,
      starts its own Xvfb (DISPLAY set for the client), answers the request
      and streams a plan of valid frames mixed with poison packets (frames
      that must never be shown nor written) to the UDP port it put on the
      command line. The screen (decoded markers) and the files the client
      writes are observed; a poison seen is evidence, with a screenshot and
      the bytes written (--artifacts DIR, default next to --json). A second
      run at the same time gives the client a missing movie and answers its
      request with -1. The
      client runs in its own process group and is stopped at the end (about
      8 s in all). Use /usr/bin/python3 (the Python with PIL and tkinter).

THE RUN (server under test)
  The main stream (by default the runner's own movie of 40 frames, 2 s)
  waits 0.55 s between the SessionID and Go. Once its first datagram is in, a
  second session asks for a SessionID: a server that answers it during the
  main stream serves sessions concurrently (S-ROB-04), and the other
  questions then run alongside the main stream (about 4 s in all). Otherwise
  they run one after the other (about 11 s). No required check depends on
  concurrency: a check that did not pass on something observed alongside
  other sessions, or while the server died, is asked again alone, and that
  answer is final. --verbose shows the plan as it runs.

CHECKS
  S-SETUP-01..04  control exchange (SessionID, -1, nothing before Go, distinct IDs)
  S-RTP-01..10    RTP header of every datagram (V P X CC M PT, seq, timestamp, SSRC)
  S-PAY-01..03    payloads: one whole JPEG each, frame k of the movie, none missing
  S-TIME-01..02   20 datagrams/s within 5 %, evenly paced
  S-ROB-01..04    malformed requests, vanishing client, second session, concurrency
  S-SEC-01        files outside the served directory (advisory)
  S-BIG-01        frames of about 64,000 bytes (advisory)
  C-SETUP-01..03  client's control exchange (request, Go, exit after -1)
  C-PLAY-01       shows and writes the valid frames
  C-REJ-01..10    drops poison datagrams (bad header fields, SSRC, old or repeated seq)
  C-ROB-01..04    survives short, random and corrupt datagrams; plays on
  C-BIG-01        shows a 60,000-byte frame whole (advisory)
  tpc3-conform --list --verbose prints each check's requirement.

OUTPUT
  The console shows a table grouped by check group (coloured on a terminal)
  and a one-line summary; a failure says which packet (index and seq), which
  field, what was seen and what was expected, with the header bytes in hex.
  --json and --junit write the reports of CHECKS.md; --pcap writes every
  session of the run (control TCP and RTP UDP) to one capture: live on the
  loopback interface when the runner may capture, otherwise rebuilt from
  the runner's own view with correct headers. Open it with Wireshark, or
  tshark -r FILE -d udp.port==N,rtp, N being a session's UDP port (shown by
  --verbose, and listed in the JSON report under extra.sessions).
  Reports and the capture are written even when the run fails.

EXIT STATUS
  0  every required check passed (advisory checks never decide the status)
  1  a required check failed or said error (the runner could not decide)
  2  usage error (bad option, unreadable --movie, unparsable HOST:PORT) or
     the runner itself failed (then the reports still say what it saw)

EXAMPLES
  tpc3-conform --server-cmd '/usr/bin/python3 Server.py {port}' --workdir ~/tpc3
  tpc3-conform --server-cmd '/usr/bin/python3 Server.py {port}' --workdir . \
      --json report.json --junit report.xml --pcap run.pcap
  tpc3-conform --target-server 127.0.0.1:5000 --file movie.mpeg --movie ~/tpc3/movie.mpeg
  tpc3-conform --server-cmd './server {port}' --workdir . --only 'S-RTP-*,S-PAY-02'
  tpc3-conform --client-cmd '/usr/bin/python3 Client.py {host} {tcp_port} {udp_port} {file}' \
      --workdir ~/tpc3 --json client.json
  tpc3-conform --list)";

}  // namespace tpc3::conform::cli
