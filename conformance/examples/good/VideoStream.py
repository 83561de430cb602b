"""Streaming reader of the movie format: parts of 5 ASCII digits (frame length) + that many JPEG bytes.

The file is read one frame at a time, never whole. A malformed file raises MovieFormatError naming
the file and the byte offset of the problem.
"""

LENGTH_FIELD_SIZE = 5


class MovieFormatError(Exception):
    pass


def _parse_length(field, filename, offset):
    if len(field) != LENGTH_FIELD_SIZE or not all(0x30 <= b <= 0x39 for b in field):
        raise MovieFormatError(f"{filename}: byte {offset}: frame length field {field!r} is not 5 ASCII digits")
    length = int(field)
    if length == 0:
        raise MovieFormatError(f"{filename}: byte {offset}: frame length is 0")
    return length


def check_movie(filename):
    """Walk the length fields of a movie file (seeking over the frames) and return its frame count.

    Raises MovieFormatError for a bad length field, a truncated frame or trailing bytes, OSError if it cannot be read.
    """
    with open(filename, "rb") as f:
        size = f.seek(0, 2)
        offset = 0
        frames = 0
        while offset < size:
            f.seek(offset)
            field = f.read(LENGTH_FIELD_SIZE)
            if len(field) < LENGTH_FIELD_SIZE:
                raise MovieFormatError(f"{filename}: byte {offset}: {len(field)} trailing bytes after the last frame")
            length = _parse_length(field, filename, offset)
            end = offset + LENGTH_FIELD_SIZE + length
            if end > size:
                raise MovieFormatError(f"{filename}: byte {offset}: frame {frames} announces {length} bytes "
                                       f"but only {size - offset - LENGTH_FIELD_SIZE} remain")
            offset = end
            frames += 1
        return frames


class VideoStream:
    def __init__(self, filename):
        self.filename = filename
        self.file = open(filename, "rb")
        self.frameNum = 0
        self.offset = 0

    def nextFrame(self):
        """Return the next frame's JPEG bytes, or None at the clean end of the file."""
        field = self.file.read(LENGTH_FIELD_SIZE)
        if not field:
            return None
        if len(field) < LENGTH_FIELD_SIZE:
            raise MovieFormatError(f"{self.filename}: byte {self.offset}: {len(field)} trailing bytes after the last frame")
        length = _parse_length(field, self.filename, self.offset)
        data = self.file.read(length)
        if len(data) < length:
            raise MovieFormatError(f"{self.filename}: byte {self.offset}: frame {self.frameNum} announces {length} "
                                   f"bytes but only {len(data)} remain")
        self.offset += LENGTH_FIELD_SIZE + length
        self.frameNum += 1
        return data

    def frameNbr(self):
        """Number of frames read so far."""
        return self.frameNum

    def close(self):
        self.file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
