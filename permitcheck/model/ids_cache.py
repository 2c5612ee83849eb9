"""The IDS audits of a model, kept in the user's cache by the model's and the IDS's content.

An audit is ifctester's verdict on one model for one IDS: the same bytes give the same audit, and
importing ifctester costs 0.2 s in every process (it loads xmlschema), more than reading and
checking a small model. So an audit, as plain JSON, is kept under the sha256 of the model and of
the IDS, the versions of ifctester, IfcOpenShell and elementpath, and FORMAT; a hit needs neither
ifctester nor the model opened again. Whatever the file holds is checked field by field: a torn or foreign file is a
miss, and the audit is run afresh and written again. PERMITCHECK_CACHE=off switches it off.
"""

from __future__ import annotations

import json

from permitcheck.model.ids import MAX_BYTES, IdsAudit, IdsFailure, IdsSpec, cache_file, keep_cached
from permitcheck.readfile import read_capped

FORMAT = 1  # bump when what an audit keeps of ifctester's answer changes (model.ids._spec, MAX_LISTED)


def _versions() -> str | None:
    """The versions of what decides an audit (ifctester, IfcOpenShell, and elementpath, whose regular
    expressions ifctester's facets use), without importing ifctester; None when it is not installed
    (or an import of it is blocked), so the audit says it was skipped as before."""
    import importlib.metadata
    import importlib.util

    import ifcopenshell

    try:
        if importlib.util.find_spec("ifctester") is None:
            return None
        return "-".join((importlib.metadata.version("ifctester"), ifcopenshell.version,
                         importlib.metadata.version("elementpath")))
    except (ImportError, ValueError, importlib.metadata.PackageNotFoundError):
        return None


def _file(ids_sha: str, model_sha: str | None) -> str | None:
    if not model_sha:
        return None
    versions = _versions()
    return None if versions is None else cache_file(f"audit-{FORMAT}-{versions}-{ids_sha}-{model_sha}.json")


def read(path: str, ids_sha: str, model_sha: str | None) -> IdsAudit | None:
    """The cached audit of the IDS (`path`, content `ids_sha`) on the model `model_sha`, or None."""
    name = _file(ids_sha, model_sha)
    if name is None:
        return None
    try:
        raw = read_capped(name, 4 * MAX_BYTES)
        return _audit(json.loads(raw), path, ids_sha) if len(raw) <= 4 * MAX_BYTES else None
    except (OSError, ValueError, TypeError, KeyError):
        return None  # absent, torn, or not what we wrote


def write(audit: IdsAudit, model_sha: str | None) -> None:
    """Keep a completed audit (a skipped one is run again: it may be the model's or the machine's fault)."""
    name = _file(audit.sha256, model_sha)
    if name is None or audit.skipped is not None:
        return
    keep_cached(name, json.dumps({"sha256": audit.sha256, "title": audit.title, "specs": [
        {**{k: getattr(s, k) for k in _SPEC_TEXT + _SPEC_COUNT}, "requirements": list(s.requirements),
         "holds": s.holds, "failures": [[x.global_id, x.ifc_class, x.name, x.reason] for x in s.failures]}
        for s in audit.specs]}))


_SPEC_TEXT = ("name", "identifier", "description", "instructions", "usage", "applies_to")
_SPEC_COUNT = ("applicable", "failed")


def _audit(data, path: str, ids_sha: str) -> IdsAudit:
    if not isinstance(data, dict) or data.get("sha256") != ids_sha or not isinstance(data.get("title"), str):
        raise ValueError("not an audit of this IDS")
    return IdsAudit(path, ids_sha, data["title"], tuple(_spec(s) for s in _list(data["specs"])))


def _spec(s) -> IdsSpec:
    if not isinstance(s, dict):
        raise ValueError("not a specification")
    text = {k: _of(s[k], str) for k in _SPEC_TEXT}
    count = {k: _of(s[k], int) for k in _SPEC_COUNT}
    if isinstance(s["holds"], bool) or s["holds"] is None:
        holds = s["holds"]
    else:
        raise ValueError("holds")
    failures = tuple(IdsFailure(*(_of(v, str) for v in _list(f))) for f in _list(s["failures"]))  # 4 or TypeError
    return IdsSpec(**text, **count, holds=holds, requirements=tuple(_of(r, str) for r in _list(s["requirements"])),
                   failures=failures)


def _list(v) -> list:
    if not isinstance(v, list):
        raise ValueError("not a list")
    return v


def _of(v, kind):
    if not isinstance(v, kind) or (kind is int and isinstance(v, bool)):
        raise ValueError(f"not {kind.__name__}")
    return v
