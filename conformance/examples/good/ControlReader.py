"""Reads one control message from a TCP socket.

TCP has no message boundaries and the protocol has no terminator (a trailing newline is optional), so a
message ends at a newline, when the caller's predicate says it is complete, when the peer has been quiet
for a short idle time after sending something, or at end of stream. Bytes after a newline are kept for
the next message.
"""

import socket
import time


class ControlTimeout(Exception):
    """Nothing arrived before the deadline."""


class MessageTooLong(Exception):
    """The peer sent more than the size limit without ending the message."""


class ControlReader:
    def __init__(self, sock, max_bytes=4096, idle_s=0.15):
        self.sock = sock
        self.max_bytes = max_bytes
        self.idle_s = idle_s
        self.pending = b""

    def read(self, timeout_s, is_complete=lambda data: False):
        """Return the next message's raw bytes (newline included if there was one; b"" at end of stream)."""
        deadline = time.monotonic() + timeout_s
        buf, self.pending = self.pending, b""
        while True:
            newline = buf.find(b"\n")
            if newline >= 0:
                buf, self.pending = buf[:newline + 1], buf[newline + 1:]
                return buf
            if len(buf) > self.max_bytes:
                raise MessageTooLong(f"{len(buf)} bytes without a newline")
            if buf and is_complete(buf):
                return buf
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if buf:
                    return buf
                raise ControlTimeout(f"no message within {timeout_s} s")
            self.sock.settimeout(min(remaining, self.idle_s) if buf else remaining)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                if buf:
                    return buf  # peer went quiet: the message is what we have
                continue  # loop re-checks the deadline
            if not chunk:
                return buf
            buf += chunk
