"""Opening an IFC file (or the .ifc in an .ifczip) safely: every way a file can be unusable becomes one
clear InputError."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
import zipfile
import zlib
from concurrent.futures import Future

import ifcopenshell

from permitcheck.errors import ModelNotFound, ModelUnreadable
from permitcheck.model.integrity import check_integrity, log_mark

_TRAILER = b"END-ISO-10303-21;"


def sha256_of(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# A submitted .ifczip is unpacked to at most this much: an IFC this large is no single building's,
# and a zip bomb stops here instead of filling the disk.
MAX_UNZIPPED_BYTES = 2 << 30
_ZIP_MAGIC = b"PK\x03\x04"


_AHEAD: dict[str, tuple[tuple, Future]] = {}  # path as given -> (real path, size and time then; the file or the error)


def _stamp(path: str) -> tuple | None:
    """The file as it is now (its real path, size, time and inode): a file changed or moved since it
    was opened ahead is opened again."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return os.path.realpath(path), st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev


def open_ahead(path: str) -> None:
    """Start opening `path` on a thread: ifcopenshell parses without the GIL, so a command imports
    the checks and loads its rulebook meanwhile; `open_ifc` of the same file, unchanged, takes the
    file (or the error) it found. The thread is not a daemon: a command that stops on other bad
    input first waits for the parse to end before it exits."""
    key, stamp = os.fspath(path), _stamp(path)
    if stamp is None or key in _AHEAD:
        return
    done: Future = Future()

    def run() -> None:
        try:
            done.set_result(_open(path))
        except BaseException as e:  # noqa: BLE001 - raised where the file is asked for, as if opened there
            done.set_exception(e)

    _AHEAD[key] = (stamp, done)
    threading.Thread(target=run, name="permitcheck-open-ahead").start()


def open_ifc(path: str) -> ifcopenshell.file:
    """Open an IFC-SPF file, or the one .ifc inside a zip (.ifczip), or raise an InputError that says
    what is wrong and how to fix it. The path stays the file as submitted (its sha256 too)."""
    ahead = _AHEAD.pop(os.fspath(path), None) if _AHEAD else None
    if ahead is not None:
        when, done = ahead
        if when == _stamp(path):
            return done.result()
        done.exception()  # changed, moved or gone since: the thread is let finish, what it found left
    return _open(path)


def _open(path: str) -> ifcopenshell.file:
    if not os.path.exists(path):
        raise ModelNotFound(f"{path}: no such file — check the path to the IFC model")
    if os.path.isdir(path):
        raise ModelNotFound(f"{path}: is a folder, not an IFC file — pass the .ifc file inside it")
    if os.path.getsize(path) == 0:
        raise ModelUnreadable(f"{path}: the file is empty — re-export the model from the authoring tool")
    with open(path, "rb") as f:
        head = f.read(64)
    if head.startswith(_ZIP_MAGIC):
        with tempfile.TemporaryDirectory(prefix="permitcheck-") as tmp:
            inner, member = _unzip(path, tmp)
            return _open_spf(inner, f"{path} ({member})")
    if path.lower().endswith(".ifcxml") or head.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"<"):
        raise ModelUnreadable(f"{path}: an IfcXML file, which ifcopenshell does not read — export the model as "
                              "IFC (.ifc, or zipped as .ifczip)")
    return _open_spf(path, path)


def _unzip(path: str, folder: str) -> tuple[str, str]:
    """The one .ifc member of a zip, copied into `folder` under a name of ours (the member's own
    name is never a path here), with at most MAX_UNZIPPED_BYTES read."""
    try:
        with zipfile.ZipFile(path) as zf:
            members = [i for i in zf.infolist() if not i.is_dir()]
            models = [i for i in members if i.filename.lower().endswith(".ifc")]
            if not models:
                xml = any(i.filename.lower().endswith(".ifcxml") for i in members)
                raise ModelUnreadable(
                    f"{path}: the zip holds no .ifc file"
                    + (" (an IfcXML one, which ifcopenshell does not read)" if xml else "")
                    + " — zip the model exported as IFC (.ifc)")
            if len(models) > 1:
                raise ModelUnreadable(f"{path}: the zip holds {len(models)} .ifc files — submit one model per file")
            member = models[0]
            out = os.path.join(folder, "model.ifc")
            copied = 0
            with zf.open(member) as src, open(out, "wb") as dst:
                while chunk := src.read(1 << 20):
                    copied += len(chunk)
                    if copied > MAX_UNZIPPED_BYTES:
                        raise ModelUnreadable(f"{path}: unzips to more than {MAX_UNZIPPED_BYTES >> 30} GB — "
                                              "no single building's model is that large; check the file")
                    dst.write(chunk)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error) as e:
        raise ModelUnreadable(f"{path}: a damaged zip ({e}) — zip the .ifc again") from e
    except NotImplementedError as e:  # a compression method zipfile does not know
        raise ModelUnreadable(f"{path}: zipped in a way permitcheck cannot unpack ({e}) — zip it with deflate") from e
    except RuntimeError as e:  # an encrypted member
        raise ModelUnreadable(f"{path}: the zip is encrypted ({e}) — submit it without a password") from e
    return out, member.filename


def _open_spf(path: str, shown: str) -> ifcopenshell.file:
    size = os.path.getsize(path)
    if size == 0:
        raise ModelUnreadable(f"{shown}: the file is empty — re-export the model from the authoring tool")
    with open(path, "rb") as f:
        head = f.read(64)
        f.seek(max(0, size - 2048))
        tail = f.read()
    if not head.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"ISO-10303-21"):
        raise ModelUnreadable(
            f"{shown}: not an IFC STEP file (no ISO-10303-21 header) — export the model as IFC (.ifc)"
        )
    if _TRAILER not in tail:
        raise ModelUnreadable(
            f"{shown}: the file is truncated (no END-ISO-10303-21 trailer) — copy or export it again"
        )
    mark = log_mark()
    try:
        f = ifcopenshell.open(path)
    except ifcopenshell.SchemaError as e:
        raise ModelUnreadable(
            f"{shown}: {e} — export as IFC2X3, IFC4 or IFC4X3_ADD2"
        ) from e
    except (ifcopenshell.Error, OSError, RuntimeError) as e:
        raise ModelUnreadable(f"{shown}: cannot be parsed as IFC ({e}) — check the export") from e
    check_integrity(f, shown, mark)
    return f


def application_of(f: ifcopenshell.file) -> str | None:
    """Authoring application from IfcOwnerHistory/IfcApplication, else the file header."""
    for app in f.by_type("IfcApplication"):
        name = " ".join(str(x) for x in (app.ApplicationFullName, app.Version) if x)
        if name:
            return name
    try:
        system = f.header.file_name.originating_system
        return str(system) or None
    except (AttributeError, RuntimeError):
        return None


_GLOBAL_ID = re.compile(r"^[0-9A-Za-z_$]{22}$")


def project_global_id_of(f: ifcopenshell.file) -> str | None:
    """The IfcProject's GlobalId (22 characters of IFC's base 64), by which BIM tools tell one model from
    another; None when there is no single project or its id is not a GlobalId."""
    projects = f.by_type("IfcProject")
    gid = getattr(projects[0], "GlobalId", None) if len(projects) == 1 else None
    return gid if isinstance(gid, str) and _GLOBAL_ID.match(gid) else None
