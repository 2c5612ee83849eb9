"""Opening files that a case names: regular files only, so a FIFO or a device never blocks the batch."""

from __future__ import annotations

import os
import stat

from permitcheck.errors import InputError


def open_regular(path: str | os.PathLike) -> int:
    """A read-only descriptor on a regular file; InputError for anything else (FIFO, device, folder)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InputError(f"{path}: not a regular file")
    except BaseException:
        os.close(fd)
        raise
    return fd
