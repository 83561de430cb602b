"""One client session: control exchange on its TCP connection, then the RTP stream over UDP."""

import logging
import os
import random
import socket
import threading
import time

from ControlReader import ControlReader, ControlTimeout, MessageTooLong
from RtpPacket import RtpPacket
from VideoStream import MovieFormatError, VideoStream, check_movie

FRAME_PERIOD_S = 0.05  # 20 frames per second
RTP_PAYLOAD_TYPE = 26  # JPEG
REQUEST_TIMEOUT_S = 10.0
GO_TIMEOUT_S = 30.0
SEND_TIMEOUT_S = 1.0
MAX_LATENESS_S = 0.25  # beyond this, restart the schedule rather than send a burst to catch up

log = logging.getLogger("server")


class SessionIds:
    """SessionIDs of the live sessions, so that no two live sessions share one."""

    def __init__(self):
        self._lock = threading.Lock()
        self._live = set()

    def allocate(self):
        with self._lock:
            while True:
                session_id = random.randint(100000, 999999)
                if session_id not in self._live:
                    self._live.add(session_id)
                    return session_id

    def release(self, session_id):
        with self._lock:
            self._live.discard(session_id)


class BadRequest(Exception):
    pass


def parse_request(data):
    """Parse b"<fileName> <UDPDataPort>" (surrounding whitespace ignored) into (fileName, port)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BadRequest(f"not UTF-8 ({e.reason} at byte {e.start})")
    parts = text.strip().rsplit(None, 1)
    if len(parts) != 2:
        raise BadRequest(f"expected '<fileName> <UDPDataPort>', got {text.strip()[:60]!r}")
    name, port_text = parts[0].strip(), parts[1]
    if not (port_text.isascii() and port_text.isdigit()) or not 1 <= int(port_text) <= 65535:
        raise BadRequest(f"UDP port {port_text[:20]!r} is not a number in 1..65535")
    return name, int(port_text)


def is_served_name(name):
    """Only plain file names inside the served directory: no paths, no parent references."""
    return (bool(name) and "/" not in name and "\\" not in name and "\0" not in name
            and name not in (".", "..") and not os.path.isabs(name))


class ServerWorker:
    def __init__(self, conn, peer, served_dir, session_ids):
        self.conn = conn
        self.peer = peer
        self.served_dir = served_dir
        self.session_ids = session_ids
        self.session_id = None
        self.label = f"{peer[0]}:{peer[1]}"

    def run(self):
        try:
            self._serve()
        except Exception as e:  # one client must never take the server down
            log.warning("%s: session ended by unexpected error: %r", self.label, e)
        finally:
            if self.session_id is not None:
                self.session_ids.release(self.session_id)
            self.conn.close()

    def _serve(self):
        reader = ControlReader(self.conn)
        request = self._read_request(reader)
        if request is None:
            return
        name, udp_port = request
        path = self._movie_path(name)
        if path is None:
            self._refuse(name, udp_port)
            return

        self.session_id = self.session_ids.allocate()
        self.label = f"session {self.session_id} ({self.peer[0]}:{udp_port}, {name})"
        log.info("%s: set up", self.label)
        if not self._reply(str(self.session_id).encode("ascii")):
            return
        if not self._await_go(reader):
            return
        log.info("%s: Go, streaming", self.label)
        sent, outcome = self._stream(path, (self.peer[0], udp_port))
        log.info("%s: %s after %d frames", self.label, outcome, sent)
        try:
            self.conn.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # The steps of a session, one method each (the conformance fixtures override one of them to plant a bug).

    def _read_request(self, reader):
        """Read and parse the request. Returns (fileName, UDPDataPort), or None once the client has been answered."""
        try:
            request = reader.read(REQUEST_TIMEOUT_S)
        except ControlTimeout:
            log.info("%s: no request within %.0f s, closing", self.label, REQUEST_TIMEOUT_S)
            return None
        except OSError as e:
            log.info("%s: connection lost before the request (%s)", self.label, e)
            return None
        except MessageTooLong as e:
            log.info("%s: request too long (%s), replying -1", self.label, e)
            self._reply(b"-1")
            return None
        if not request:
            log.info("%s: closed before sending a request", self.label)
            return None
        try:
            return parse_request(request)
        except BadRequest as e:
            log.info("%s: malformed request (%s), replying -1", self.label, e)
            self._reply(b"-1")
            return None

    def _movie_path(self, name):
        """The path of the movie `name` if this server serves it (a valid movie file of its directory), else None."""
        path = os.path.join(self.served_dir, name)
        if not is_served_name(name) or not os.path.isfile(path):
            log.info("%s: no file %r", self.label, name)
            return None
        try:
            frame_count = check_movie(path)
        except (MovieFormatError, OSError) as e:
            log.info("%s: cannot serve %r (%s)", self.label, name, e)
            return None
        log.info("%s: %r has %d frames", self.label, name, frame_count)
        return path

    def _refuse(self, name, udp_port):
        """Answer a request for a file this server does not serve."""
        log.info("%s: replying -1 to the request for %r", self.label, name)
        self._reply(b"-1")

    def _await_go(self, reader):
        """Wait for "Go" after the SessionID. True when it came."""
        try:
            go = reader.read(GO_TIMEOUT_S, is_complete=lambda data: data.strip() == b"Go")
        except (ControlTimeout, MessageTooLong, OSError) as e:
            log.info("%s: no Go (%s), closing", self.label, e)
            return False
        if not go:
            log.info("%s: client closed before Go", self.label)
            return False
        if go.strip() != b"Go":
            log.info("%s: expected Go, got %r, closing", self.label, go[:40])
            return False
        return True

    def _reply(self, message):
        try:
            self.conn.settimeout(SEND_TIMEOUT_S)
            self.conn.sendall(message)
            return True
        except OSError as e:
            log.info("%s: cannot reply (%s)", self.label, e)
            return False

    def _client_gone(self):
        """Why the client's control connection is gone (closed or reset), or None; never blocks."""
        self.conn.setblocking(False)  # with a timeout set, recv would first wait for data
        try:
            data = self.conn.recv(4096)
        except (BlockingIOError, InterruptedError):
            return None
        except OSError as e:
            return f"control connection lost ({e.strerror or e})"
        if data:
            log.info("%s: ignoring %d unexpected control bytes", self.label, len(data))
            return None
        return "client closed the control connection"

    def _stream(self, path, destination):
        """Send every frame at 20/s. Returns (frames sent, how it ended)."""
        sent = 0
        with VideoStream(path) as video, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.settimeout(SEND_TIMEOUT_S)
            # A connected UDP socket reports the ICMP "port unreachable" of a vanished client as
            # ConnectionRefusedError on a later send.
            udp.connect(destination)
            start = time.monotonic()
            index = 0  # position in the schedule since start
            number = 0  # frames taken from the movie so far: frame k (from 0) has sequence number k+1
            frames = self._frames(video)
            while True:
                try:
                    frame = next(frames, None)
                except MovieFormatError as e:
                    return sent, f"stopped on malformed movie ({e})"
                if frame is None:
                    return sent, "finished"
                number += 1
                delay = start + self._due(index) - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                elif -delay > MAX_LATENESS_S:
                    log.info("%s: %.0f ms behind schedule, restarting the schedule", self.label, -delay * 1000)
                    start, index = time.monotonic(), 0
                index += 1
                gone = self._client_gone()
                if gone:
                    return sent, gone
                seq = number % 65536
                try:
                    self._send(udp, self._packet(seq, frame))
                    sent += 1
                except ConnectionRefusedError:
                    return sent, "client UDP port closed"
                except OSError as e:  # e.g. a frame too large for one datagram: skip it, keep the schedule
                    log.info("%s: frame %d (%d bytes) not sent: %s", self.label, seq, len(frame), e)

    def _frames(self, video):
        """The frames to send, in order: every frame of the movie."""
        while True:
            frame = video.nextFrame()
            if frame is None:
                return
            yield frame

    def _due(self, index):
        """When the index-th datagram of the schedule is due, in seconds after the schedule's start."""
        return index * FRAME_PERIOD_S

    def _packet(self, seq, frame):
        """The datagram carrying `frame`: RTP header (V=2, P=X=CC=M=0, PT 26, SSRC = SessionID) + the JPEG."""
        packet = RtpPacket()
        packet.encode(2, 0, 0, 0, seq, 0, RTP_PAYLOAD_TYPE, self.session_id, frame)
        return packet.getPacket()

    def _send(self, udp, datagram):
        udp.send(datagram)
