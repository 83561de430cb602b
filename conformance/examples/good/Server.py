"""TPC3 streaming server: python3 Server.py TCPControlPort

Serves the movie files of its working directory. Each TCP connection gets its own thread (ServerWorker).
"""

import logging
import os
import signal
import socket
import sys
import threading
import time

from ServerWorker import ServerWorker, SessionIds

ACCEPT_POLL_S = 0.5  # accept() wakes up this often so that a signal is handled promptly

log = logging.getLogger("server")


def parse_port(text):
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 65535:
        raise ValueError(f"TCPControlPort {text!r} is not a number in 1..65535")
    return int(text)


def start_thread(worker):
    threading.Thread(target=worker.run, name=f"client-{worker.label}", daemon=True).start()


def serve(port, start_session=start_thread):
    """Accept control connections until stopped; each one is a session started by start_session(worker), by
    default on a thread of its own."""
    served_dir = os.getcwd()
    session_ids = SessionIds()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("", port))
        listener.listen(128)
        listener.settimeout(ACCEPT_POLL_S)
        log.info("listening on TCP port %d, serving %s", port, served_dir)
        while True:
            try:
                conn, peer = listener.accept()
            except socket.timeout:
                continue
            except OSError as e:  # e.g. out of file descriptors: wait and keep serving the others
                log.warning("accept failed: %s", e)
                time.sleep(0.1)
                continue
            log.info("%s:%d: connected", peer[0], peer[1])
            start_session(ServerWorker(conn, peer, served_dir, session_ids))


def main(argv):
    logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                        format="%(asctime)s server: %(message)s")
    if len(argv) != 2:
        print("usage: python3 Server.py TCPControlPort", file=sys.stderr)
        return 2
    try:
        port = parse_port(argv[1])
    except ValueError as e:
        print(f"Server.py: {e}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    try:
        serve(port)
    except KeyboardInterrupt:
        pass
    except OSError as e:
        print(f"Server.py: cannot listen on TCP port {port}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
