"""TPC3 streaming client: python3 Client.py hostname TCPControlPort UDPDataPort fileName

Asks the server for a movie, then shows the RTP/JPEG frames it receives in a Tk window. Every accepted
frame is also written to cache-<SessionID>.jpg in the working directory.

Each step is a small method (request, parse_reply, open_rtp_socket, send_go, receive_datagram,
handle_datagram, accept, write_cache, show) and each packet rule a function (check_version ...
check_timestamp), so that the broken-client fixtures (conformance/client_role/fixtures) can plant one
bug by overriding one of them.
"""

import io
import os
import queue
import select
import signal
import socket
import sys
import threading
import time
import tkinter as tk

from PIL import Image, ImageTk

from ControlReader import ControlReader, ControlTimeout, MessageTooLong
from RtpPacket import RtpPacket

CONNECT_TIMEOUT_S = 5.0
REPLY_TIMEOUT_S = 10.0
RECV_BUFFER_BYTES = 65536
POLL_S = 0.2  # receiver thread wakes up this often to notice a stop request
GUI_POLL_MS = 10
END_QUIET_S = 2.0  # stream is over when the server closed TCP and no datagram came for this long
MAX_CLOCK_SKEW_S = 5
MAX_FRAME_PIXELS = 4096 * 4096  # a corrupt header must not make us allocate gigabytes
MAX_QUEUED_FRAMES = 5  # if the GUI falls behind, it skips to the newest frames


def log(message):
    print(f"client: {message}", file=sys.stderr, flush=True)


class SetupError(Exception):
    pass


# One function per rule of PROTOCOL.md section 5: each returns why the packet must be dropped, or None.

def check_version(packet):
    if packet.version() != 2:
        return f"version {packet.version()}, expected 2"
    return None


def check_padding(packet):
    return "padding bit set" if packet.padding() else None


def check_extension(packet):
    return "extension bit set" if packet.extension() else None


def check_csrc_count(packet):
    return f"CSRC count {packet.cc()}, expected 0" if packet.cc() else None


def check_marker(packet):
    return "marker bit set" if packet.marker() else None


def check_payload_type(packet):
    if packet.payloadType() != 26:
        return f"payload type {packet.payloadType()}, expected 26"
    return None


def check_ssrc(packet, session_id):
    if packet.ssrc() != session_id:
        return f"SSRC {packet.ssrc()}, expected SessionID {session_id}"
    return None


def check_sequence(seq, last_seq):
    if last_seq is None:
        return None
    ahead = (seq - last_seq) % 65536  # serial-number order, so a wrap past 65535 still counts as newer
    if ahead == 0:
        return f"sequence number {seq} repeats the last accepted one"
    if ahead >= 32768:
        return f"sequence number {seq} is older than the last accepted {last_seq}"
    return None


def check_timestamp(timestamp, now):
    skew = (timestamp - int(now)) % (1 << 32)
    if skew >= 1 << 31:
        skew -= 1 << 32
    if abs(skew) > MAX_CLOCK_SKEW_S:
        return f"timestamp {timestamp} is {skew} s away from this clock"
    return None


def check_header(packet, session_id):
    """The fixed fields: V, P, X, CC, M, PT and SSRC."""
    return (check_version(packet) or check_padding(packet) or check_extension(packet) or check_csrc_count(packet)
            or check_marker(packet) or check_payload_type(packet) or check_ssrc(packet, session_id))


def check_packet(packet, session_id, last_seq):
    """Return why the packet must be dropped, or None if it is acceptable."""
    return (check_header(packet, session_id) or check_sequence(packet.seqNum(), last_seq)
            or check_timestamp(packet.timestamp(), time.time()))


def decode_jpeg(payload):
    image = Image.open(io.BytesIO(payload))
    if image.format != "JPEG":
        raise ValueError(f"it is {image.format}")
    if image.width * image.height > MAX_FRAME_PIXELS:
        raise ValueError(f"{image.width}x{image.height} is too large to show")
    image.load()
    return image


class Client:
    def __init__(self, master, server_addr, server_port, rtp_port, file_name):
        self.master = master
        self.server_addr = server_addr
        self.server_port = server_port
        self.rtp_port = rtp_port
        self.file_name = file_name
        self.session_id = None
        self.control = None
        self.rtp_socket = None
        self.frames = queue.Queue()
        self.stop = threading.Event()  # tells the receiver thread to finish
        self.quit_requested = threading.Event()  # set by SIGTERM/SIGINT: close the window
        self.accepted = 0
        self.rejected = 0
        self.last_seq = None
        self.server_closed = False
        self.last_datagram = time.monotonic()
        self.ended = False
        self.receiver = None
        self.photo = None  # keeps the shown image alive (Tk does not hold a reference)
        self.create_widgets()

    def create_widgets(self):
        self.master.title(f"TPC3 client: {self.file_name}")
        self.label = tk.Label(self.master, width=40, height=12, bg="black")
        self.label.pack(padx=5, pady=5)
        self.status = tk.Label(self.master, text="connecting", anchor="w")
        self.status.pack(fill="x", padx=5, pady=(0, 5))
        self.master.protocol("WM_DELETE_WINDOW", self.close)

    def setup(self):
        """Control exchange up to and including Go. Raises SetupError (nothing left open) on failure."""
        try:
            self.control = socket.create_connection((self.server_addr, self.server_port), timeout=CONNECT_TIMEOUT_S)
        except OSError as e:
            raise SetupError(f"cannot connect to {self.server_addr}:{self.server_port}: {e}")
        try:
            self.control.sendall(self.request())
            reply = ControlReader(self.control).read(REPLY_TIMEOUT_S)
        except (OSError, ControlTimeout, MessageTooLong) as e:
            raise SetupError(f"no reply from the server: {e}")
        self.session_id = self.parse_reply(reply)
        try:
            self.rtp_socket = self.open_rtp_socket()
        except OSError as e:
            raise SetupError(f"cannot receive on UDP port {self.rtp_port}: {e}")
        try:
            self.send_go()
        except OSError as e:
            raise SetupError(f"cannot send Go: {e}")
        self.last_datagram = time.monotonic()
        self.status.config(text=f"session {self.session_id}: playing")
        self.receiver = threading.Thread(target=self.receive, name="rtp-receiver", daemon=True)
        self.receiver.start()
        self.master.after(GUI_POLL_MS, self.poll)

    def request(self):
        return f"{self.file_name} {self.rtp_port}".encode("utf-8")

    def parse_reply(self, reply):
        """The SessionID the server replied; SetupError for -1 or anything else."""
        text = reply.decode("utf-8", "replace").strip()
        if text == "-1":
            raise SetupError(f"the server has no file {self.file_name!r}")
        # The length first: int() refuses strings over 4300 digits with a ValueError.
        if not (text.isascii() and text.isdigit()) or len(text) > 20 or int(text) >= 1 << 32:
            raise SetupError(f"the server replied {reply[:40]!r}, not a SessionID")
        return int(text)

    def open_rtp_socket(self):
        rtp_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            rtp_socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            rtp_socket.bind(("", self.rtp_port))
        except OSError:
            rtp_socket.close()
            raise
        return rtp_socket

    def send_go(self):
        self.control.sendall(b"Go")

    def receive(self):
        """Receiver thread: reads datagrams and watches the control connection. Never touches Tk."""
        watched = [self.rtp_socket, self.control]
        while not self.stop.is_set():
            try:
                readable, _, _ = select.select(watched, [], [], POLL_S)
            except (OSError, ValueError):
                return
            if self.control in readable:
                try:
                    self.control.settimeout(0)
                    gone = not self.control.recv(4096)
                except BlockingIOError:
                    gone = False
                except OSError:
                    gone = True
                if gone:
                    self.server_closed = True
                    watched = [self.rtp_socket]
            if self.rtp_socket in readable:
                try:
                    datagram = self.rtp_socket.recv(RECV_BUFFER_BYTES)
                except OSError:
                    continue
                self.last_datagram = time.monotonic()
                self.receive_datagram(datagram)

    def receive_datagram(self, datagram):
        """Safety net: whatever goes wrong with one datagram, playback goes on."""
        try:
            self.handle_datagram(datagram)
        except Exception as e:
            self.rejected += 1
            log(f"dropped a {len(datagram)}-byte datagram: {e!r}")

    def handle_datagram(self, datagram):
        """Accepts the datagram, or drops it with the reason logged."""
        packet = RtpPacket()
        try:
            packet.decode(datagram)
        except ValueError as e:
            self.reject(f"{e}")
            return
        reason = check_packet(packet, self.session_id, self.last_seq)
        if reason:
            self.reject(f"packet seq={packet.seqNum()}: {reason}")
            return
        payload = packet.getPayload()
        try:
            image = decode_jpeg(payload)
        except Exception as e:
            self.reject(f"packet seq={packet.seqNum()}: payload of {len(payload)} bytes is not a decodable JPEG ({e})")
            return
        self.accept(packet.seqNum(), payload, image)

    def accept(self, seq, payload, image):
        self.last_seq = seq
        self.accepted += 1
        self.write_cache(payload)
        self.frames.put((seq, image))  # shown by the Tk thread (poll)

    def reject(self, reason):
        self.rejected += 1
        log(f"dropped {reason}")

    def cache_name(self):
        return f"cache-{self.session_id}.jpg"

    def write_cache(self, payload):
        """Write the frame under a temporary name and rename it, so nobody ever sees half a file."""
        temporary = self.cache_name() + ".tmp"
        with open(temporary, "wb") as f:
            f.write(payload)
        os.replace(temporary, self.cache_name())

    def poll(self):
        """Tk main thread: show the next received frame, notice the end of the stream."""
        if self.quit_requested.is_set():
            self.close()
            return
        try:
            while self.frames.qsize() > MAX_QUEUED_FRAMES:
                self.frames.get_nowait()
            seq, image = self.frames.get_nowait()
        except queue.Empty:
            pass
        else:
            self.show(seq, image)
        if (not self.ended and self.server_closed
                and time.monotonic() - self.last_datagram >= END_QUIET_S and self.frames.empty()):
            self.end_stream()
        self.master.after(GUI_POLL_MS, self.poll)

    def show(self, seq, image):
        try:
            self.photo = ImageTk.PhotoImage(image)
        except Exception as e:
            log(f"cannot show frame seq={seq}: {e}")
            return
        self.label.config(image=self.photo, width=image.width, height=image.height)
        self.status.config(text=f"session {self.session_id}: frame {seq}")

    def end_stream(self):
        self.ended = True
        self.stop.set()
        self.join_receiver()
        print(f"stream ended: {self.accepted} accepted, {self.rejected} rejected", flush=True)
        self.status.config(text=f"session {self.session_id}: stream ended "
                                f"({self.accepted} accepted, {self.rejected} rejected)")
        self.close_sockets()

    def join_receiver(self):
        if self.receiver is not None:
            self.receiver.join(timeout=2 * POLL_S + 1)

    def close_sockets(self):
        for sock in (self.rtp_socket, self.control):
            if sock is not None:
                sock.close()

    def close(self):
        """Window closed or termination requested: stop everything and leave the Tk main loop."""
        self.stop.set()
        self.join_receiver()
        self.close_sockets()
        self.master.destroy()


def parse_port(name, text):
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 65535:
        raise ValueError(f"{name} {text!r} is not a number in 1..65535")
    return int(text)


def main(argv):
    if len(argv) != 5:
        print("usage: python3 Client.py hostname TCPControlPort UDPDataPort fileName", file=sys.stderr)
        return 2
    try:
        server_port = parse_port("TCPControlPort", argv[2])
        rtp_port = parse_port("UDPDataPort", argv[3])
    except ValueError as e:
        print(f"Client.py: {e}", file=sys.stderr)
        return 2
    try:
        root = tk.Tk()
    except tk.TclError as e:
        print(f"Client.py: cannot open a window: {e}", file=sys.stderr)
        return 1
    client = Client(root, argv[1], server_port, rtp_port, argv[4])
    # Python runs signal handlers between bytecodes; the Tk poll loop keeps it running Python often.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: client.quit_requested.set())
    try:
        client.setup()
    except SetupError as e:
        print(f"Client.py: {e}", file=sys.stderr)
        client.close_sockets()
        root.destroy()
        return 1
    root.mainloop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
