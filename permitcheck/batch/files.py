"""Opening files that a case names: regular files only, so a FIFO or a device never blocks the batch."""

from __future__ import annotations

import os

from permitcheck.errors import InputError
from permitcheck.readfile import NotAFile
from permitcheck.readfile import open_regular as _open_regular


def open_regular(path: str | os.PathLike) -> int:
    """A read-only descriptor on a regular file; InputError for anything else (FIFO, device, folder)."""
    try:
        return _open_regular(path)
    except NotAFile:
        raise InputError(f"{path}: not a regular file") from None
