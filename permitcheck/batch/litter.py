"""Temporary files left in an output folder by processes that died mid-write (kill -9, a timeout).

Every temporary name carries its writer's pid: `cases/.<name>.<pid>.tmp` (and `.<pid>.old.tmp`),
`facts-cache/.<file>.<pid>.tmp`, `.summary.csv.<pid>.tmp`, `.permitcheck-<pid>-<hex>.sqlite`.
One is litter when its writer is gone. Holding the folder's lock proves that no batch, and so no
worker of one (workers die with their batch), is writing there: a pid that still answers is then a
reused number or an unreaped zombie, and its file is litter too.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

_TMP = re.compile(r"^\..+?(?:\.(?P<pid>\d+))?(?:\.old)?\.tmp$")
_STORE_TMP = re.compile(r"^\.permitcheck-(?:(?P<pid>\d+)-)?[0-9a-f]+\.sqlite(?:-journal|-wal|-shm)?$")
FOLDERS = (".", "cases", "facts-cache")


def alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    except OSError:
        return False  # not a valid pid at all
    return True


def _owner(name: str) -> tuple[bool, int | None]:
    """(is a temporary name, its writer's pid if the name says)."""
    m = _TMP.match(name) or _STORE_TMP.match(name)
    if m is None:
        return False, None
    return True, int(m["pid"]) if m["pid"] else None


def sweep(out_dir: Path, lock_held: bool) -> list[Path]:
    """Remove the litter of dead writers under `out_dir`; return what was removed. Never raises."""
    removed = []
    for sub in FOLDERS:
        try:
            entries = list(os.scandir(Path(out_dir) / sub))
        except OSError:
            continue
        for entry in entries:
            is_tmp, pid = _owner(entry.name)
            if not is_tmp:
                continue
            if not lock_held and (pid is None or alive(pid)):
                continue
            path = Path(entry.path)
            try:
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(path)
                else:
                    path.unlink()
                removed.append(path)
            except OSError:
                pass  # litter that cannot be removed costs nothing but space
    return removed
