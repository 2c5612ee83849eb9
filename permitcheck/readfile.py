"""Reading a file that a user, a rulebook or a case names: a regular file only — a FIFO or a device
would block the read, so it is refused before a byte is read — and never more than a cap."""

from __future__ import annotations

import errno
import os
import stat


class NotAFile(OSError):
    """A FIFO, a device or a folder where a file was named."""

    def __init__(self, path):
        super().__init__(errno.EINVAL, "not a regular file", os.fspath(path))


def open_regular(path: str | os.PathLike) -> int:
    """A read-only descriptor on a regular file (opened without blocking); NotAFile for anything else."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotAFile(path)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_capped(path: str | os.PathLike, limit: int) -> bytes:
    """At most `limit` + 1 bytes of a regular file: a caller that gets more refuses the file as too
    large. OSError (NotAFile among them) when it cannot be read."""
    with os.fdopen(open_regular(path), "rb") as fh:
        return fh.read(limit + 1)


def read_limited(path: str | os.PathLike, limit: int, error: type[Exception], unreadable: str, too_large: str) -> bytes:
    """A named input file's bytes, or `error` with one line: "PATH: <unreadable> (why)" when it cannot
    be read, "PATH: <too_large>" when it holds more than `limit` bytes."""
    try:
        raw = read_capped(path, limit)
    except OSError as e:
        raise error(f"{path}: {unreadable.replace('{why}', str(e.strerror))}") from None
    if len(raw) > limit:
        raise error(f"{path}: {too_large}")
    return raw
