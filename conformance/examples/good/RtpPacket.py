"""RTP packet: a 12-byte RFC 3550 fixed header followed by a payload.

Header layout (network byte order, big-endian):

    byte 0    V(2) P(1) X(1) CC(4)
    byte 1    M(1) PT(7)
    byte 2-3  sequence number
    byte 4-7  timestamp
    byte 8-11 SSRC
"""

import struct
import time

HEADER_SIZE = 12
_HEADER = struct.Struct("!BBHII")


def _check_range(name, value, bits):
    if not isinstance(value, int) or not 0 <= value < (1 << bits):
        raise ValueError(f"RTP {name} must be an integer in 0..{(1 << bits) - 1}, got {value!r}")


class RtpPacket:
    def __init__(self):
        self.header = bytes(HEADER_SIZE)
        self.payload = b""

    def encode(self, version, padding, extension, cc, seqnum, marker, pt, ssrc, payload, timestamp=None):
        """Build the packet. The timestamp defaults to the current time in seconds (mod 2^32)."""
        if timestamp is None:
            timestamp = int(time.time()) % (1 << 32)
        for name, value, bits in (("version", version, 2), ("padding", padding, 1),
                                  ("extension", extension, 1), ("CSRC count", cc, 4),
                                  ("marker", marker, 1), ("payload type", pt, 7),
                                  ("sequence number", seqnum, 16), ("timestamp", timestamp, 32),
                                  ("SSRC", ssrc, 32)):
            _check_range(name, value, bits)
        first = (version << 6) | (padding << 5) | (extension << 4) | cc
        second = (marker << 7) | pt
        self.header = _HEADER.pack(first, second, seqnum, timestamp, ssrc)
        self.payload = bytes(payload)

    def decode(self, byteStream):
        """Split a received datagram into header and payload. Raises ValueError if it is too short."""
        data = bytes(byteStream)
        if len(data) < HEADER_SIZE:
            raise ValueError(f"datagram of {len(data)} bytes is shorter than the {HEADER_SIZE}-byte RTP header")
        self.header = data[:HEADER_SIZE]
        self.payload = data[HEADER_SIZE:]

    def version(self):
        return self.header[0] >> 6

    def padding(self):
        return (self.header[0] >> 5) & 1

    def extension(self):
        return (self.header[0] >> 4) & 1

    def cc(self):
        return self.header[0] & 0x0F

    def marker(self):
        return self.header[1] >> 7

    def payloadType(self):
        return self.header[1] & 0x7F

    def seqNum(self):
        return _HEADER.unpack(self.header)[2]

    def timestamp(self):
        return _HEADER.unpack(self.header)[3]

    def ssrc(self):
        return _HEADER.unpack(self.header)[4]

    def getPayload(self):
        return self.payload

    def getPacket(self):
        return self.header + self.payload
