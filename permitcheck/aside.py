"""Work done aside: a function run in a forked copy of this process while this one goes on.

A check measures the legal facts (unions of plans, mostly inside GEOS) while the rules that do not
read them measure setbacks, planes and the sun: on two cores the two run at once. A forked copy
shares everything already computed and keeps what it computes to itself, so nothing is shared
between two threads (GEOS's prepared geometries are not safe to share: libgeos/geos#825); the
result comes back pickled. Where no fork can be made, or the copy dies without an answer, the
function runs here when the result is asked for: the answer is the same either way.
"""

from __future__ import annotations

import ctypes
import gc
import os
import pickle
import signal
import sys
import threading

PR_SET_PDEATHSIG = 1


def _find_prctl():
    """libc's prctl, looked up in the parent: a forked child of a threaded process must not dlopen."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_prctl = _find_prctl()


def die_with_parent(parent_pid: int) -> None:
    """Ask Linux to SIGKILL this process when its parent dies; exit now if it already has.

    The signal follows the parent *thread* that forked us (a batch's, which waits for its workers;
    a check's, which waits for what it set aside). Elsewhere (no prctl) this does nothing.
    """
    if _prctl is None or _prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return
    if os.getppid() != parent_pid:  # the parent died before the request was in place
        os._exit(1)


def can_fork() -> bool:
    """A fork is safe here: Linux (macOS's system libraries are not safe to use in a forked copy,
    which is why Python spawns there) and no other thread running (a thread holding a lock at the
    fork would leave it held in the copy for ever)."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


class Aside:
    """`fn(*args)`, computed in a forked copy of this process from now on; `result()` waits for it
    and returns it, or raises what it raised."""

    def __init__(self, fn, *args):
        self._fn, self._args = fn, args
        self._pid: int | None = None
        self._done: tuple[bool, object] | None = None
        if not can_fork():
            return
        try:
            read, write = os.pipe()
        except OSError:
            return
        parent = os.getpid()
        # what exists now is left out of the collector's passes in both copies until the answer is
        # in: a pass writes to every object it visits, and each page written is copied, in turn
        # (left frozen after, where the caller had frozen objects of its own: theirs to unfreeze)
        self._unfreeze = gc.get_freeze_count() == 0
        gc.freeze()
        try:
            pid = os.fork()
        except OSError:  # no process to spare (EAGAIN, ENOMEM): done here when asked
            if self._unfreeze:
                gc.unfreeze()
            os.close(read)
            os.close(write)
            return
        if pid == 0:
            _child(write, read, parent, fn, args)
        os.close(write)
        self._pid, self._read = pid, read

    def wait(self) -> None:
        """Wait for the copy to end and keep its answer (or error) for `result()`: the copy reaped
        however this process goes on (an interrupted check does not measure here instead)."""
        if self._pid is None:
            return
        pid, read, self._pid, self._read = self._pid, self._read, None, None
        chunks = []
        try:
            with os.fdopen(read, "rb") as pipe:
                while chunk := pipe.read(1 << 20):
                    chunks.append(chunk)
        except BaseException:  # interrupted: the copy is not waited for, nor its answer kept
            os.kill(pid, signal.SIGKILL)
            raise
        finally:
            os.waitpid(pid, 0)
            if self._unfreeze:
                gc.unfreeze()
        try:
            ok, value = pickle.loads(b"".join(chunks))
        except Exception:  # noqa: BLE001 - the copy died (killed, out of memory) before it answered
            return
        if ok or isinstance(value, BaseException):  # else an error it could not send: done here
            self._done = (ok, value)

    def result(self):
        self.wait()
        if self._done is None:
            self._done = self._here()
        ok, value = self._done
        if ok:
            return value
        raise value

    def _here(self) -> tuple[bool, object]:
        try:
            return True, self._fn(*self._args)
        except Exception as e:  # noqa: BLE001 - raised again by result(), as a call would
            return False, e


def _child(write: int, read: int, parent: int, fn, args) -> None:
    """The forked copy: compute, write the pickled answer, and leave without running anything of the
    parent's (no atexit, no buffered output flushed twice)."""
    try:
        os.close(read)
        die_with_parent(parent)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        gc.disable()  # a short life: no pass of the collector over the parent's objects
        try:
            value = fn(*args)
        except Exception as e:  # noqa: BLE001 - the parent raises it, or runs fn itself when it cannot be sent
            try:
                payload = pickle.dumps((False, e), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:  # noqa: BLE001
                payload = pickle.dumps((False, None))
        else:
            try:
                payload = pickle.dumps((True, value), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:  # noqa: BLE001 - a value that cannot be sent: the parent computes it
                payload = pickle.dumps((False, None))
        view = memoryview(payload)
        while view:
            view = view[os.write(write, view):]
    finally:
        os._exit(0)
