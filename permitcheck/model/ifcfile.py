"""Opening an IFC file safely: every way a file can be unusable becomes one clear InputError."""

from __future__ import annotations

import hashlib
import os

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


def open_ifc(path: str) -> ifcopenshell.file:
    """Open an IFC-SPF file or raise an InputError that says what is wrong and how to fix it."""
    if not os.path.exists(path):
        raise ModelNotFound(f"{path}: no such file — check the path to the IFC model")
    if os.path.isdir(path):
        raise ModelNotFound(f"{path}: is a folder, not an IFC file — pass the .ifc file inside it")
    size = os.path.getsize(path)
    if size == 0:
        raise ModelUnreadable(f"{path}: the file is empty — re-export the model from the authoring tool")
    with open(path, "rb") as f:
        head = f.read(64)
        f.seek(max(0, size - 2048))
        tail = f.read()
    if not head.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"ISO-10303-21"):
        raise ModelUnreadable(
            f"{path}: not an IFC STEP file (no ISO-10303-21 header) — export the model as IFC (.ifc)"
        )
    if _TRAILER not in tail:
        raise ModelUnreadable(
            f"{path}: the file is truncated (no END-ISO-10303-21 trailer) — copy or export it again"
        )
    mark = log_mark()
    try:
        f = ifcopenshell.open(path)
    except ifcopenshell.SchemaError as e:
        raise ModelUnreadable(
            f"{path}: {e} — export as IFC2X3, IFC4 or IFC4X3_ADD2"
        ) from e
    except (ifcopenshell.Error, OSError, RuntimeError) as e:
        raise ModelUnreadable(f"{path}: cannot be parsed as IFC ({e}) — check the export") from e
    check_integrity(f, path, mark)
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
