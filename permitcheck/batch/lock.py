"""One batch at a time per output folder: an exclusive lock on `<out>/permitcheck.lock`.

Two batches on one folder would both run every case (the last writer wins). The lock is a POSIX
record lock (`fcntl.lockf`): the kernel releases it when its process dies, even by kill -9, and
forked workers do not inherit it (a `flock` would be inherited, so an orphaned worker would keep a
dead batch's folder locked). The holder's pid is written into the file for the refusal message.
Record locks are per process, so the holders inside this process are also kept in a set.
"""

from __future__ import annotations

import errno
import fcntl
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from permitcheck.errors import InputError

LOCK_NAME = "permitcheck.lock"

_held: set[tuple[int, int]] = set()  # (device, inode) of the lock files this process holds
_held_guard = threading.Lock()


class BatchLocked(InputError):
    """Another batch is running on the same output folder."""


def _holder(fd: int) -> str:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        text = ""
    return f"pid {text}" if text.isdigit() else "pid unknown"


class OutputLock:
    """Hold the output folder for one batch; `wait=True` queues behind the running one.

    `on_wait(holder)` is called once before waiting, with e.g. "pid 1234".
    """

    def __init__(self, out_dir: Path, wait: bool = False, on_wait: Callable[[str], None] | None = None):
        self.out_dir = Path(out_dir)
        self.path = self.out_dir / LOCK_NAME
        self.wait = wait
        self.on_wait = on_wait
        self.fd: int | None = None
        self.ident: tuple[int, int] | None = None

    def _refuse(self, holder: str) -> BatchLocked:
        return BatchLocked(f"another batch ({holder}) is running on {self.out_dir} — wait for it to finish, "
                           "give --wait to run after it, or use another --out")

    def _try(self) -> tuple[int | None, str]:
        """(descriptor holding the lock, "") or (None, who holds it)."""
        with _held_guard:
            # Closing any descriptor of the file drops this process's record lock on it, so a
            # folder this process holds is never opened a second time.
            try:
                st = os.stat(self.path)
                if (st.st_dev, st.st_ino) in _held:
                    return None, f"pid {os.getpid()}"
            except FileNotFoundError:
                pass
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
            except OSError as e:
                raise InputError(f"{self.path}: cannot open the batch lock ({e.strerror}) — "
                                 "give an --out folder you can write to") from e
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 0, 0, os.SEEK_SET)
            except OSError as e:
                holder = _holder(fd)
                os.close(fd)
                if e.errno in (errno.EACCES, errno.EAGAIN):
                    return None, holder
                raise InputError(f"{self.path}: cannot lock the output folder ({e.strerror}) — "
                                 "give an --out folder on a file system with POSIX locks") from e
            st = os.fstat(fd)
            self.ident = (st.st_dev, st.st_ino)
            _held.add(self.ident)
            return fd, ""

    def acquire(self) -> "OutputLock":
        fd, holder = self._try()
        if fd is None:
            if not self.wait:
                raise self._refuse(holder)
            if self.on_wait:
                self.on_wait(holder)
            while fd is None:
                time.sleep(0.2)  # polled: Ctrl-C stays prompt and holders in this process are seen too
                fd, holder = self._try()
        self.fd = fd
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except OSError:
            pass  # the pid is only for the message
        return self

    def release(self) -> None:
        if self.fd is None:
            return
        try:
            os.ftruncate(self.fd, 0)
        except OSError:
            pass
        with _held_guard:
            _held.discard(self.ident)
            os.close(self.fd)  # closing releases the record lock
        self.fd = None

    def __enter__(self) -> "OutputLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
