"""Reading a scenario file's bytes safely: regular files only (a FIFO or device is refused
before anything is read from it, so nothing blocks), and no more than MAX_BYTES. Shared by the
YAML reader (which words the refusals) and the compiled copies (which just load the file the
long way when it cannot be read here)."""

from __future__ import annotations

import errno
import os
import stat

MAX_BYTES = 1 << 20


def content_digest(raw: bytes) -> str:
    """The hash that names a version of a scenario file: saves record it, and compiled
    copies are keyed by it. hashlib is imported on first use: it loads OpenSSL (4-5 ms), which
    `check` never needs."""
    import hashlib

    return hashlib.sha256(raw).hexdigest()


class Unreadable(Exception):
    """Not a file a scenario can be read from; the message says why, in one line."""


def read_scenario_bytes(path: str | os.PathLike) -> bytes:
    """The file's bytes, read up to just past MAX_BYTES (a file that grew while being read
    comes back longer than MAX_BYTES: the caller refuses it). IsADirectoryError for a folder,
    Unreadable for a device, a pipe or a file over MAX_BYTES, OSError when it cannot be
    opened or read."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a folder, not a scenario file",
                                    str(path))
        if not stat.S_ISREG(st.st_mode):
            raise Unreadable("not a regular file (a device or a pipe); a scenario is a "
                             ".yaml file")
        if st.st_size > MAX_BYTES:
            raise Unreadable(f"file is {st.st_size:,} bytes; scenarios are limited to "
                             f"{MAX_BYTES:,} bytes")
        os.set_blocking(fd, True)
        chunks, total = [], 0
        while total <= MAX_BYTES:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
