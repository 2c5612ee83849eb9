"""Data readiness: run a rulebook's IDS (buildingSMART Information Delivery Specification) on the
model with ifctester, and keep what failed as plain records.

A rulebook may ship an IDS of what its rules need from the model (storeys, the sizes of windows,
the use of spaces). This runs it on the file as read, so no second parse, and keeps, for each
specification, whether it holds and the elements that break it: the pre-flight turns them into
findings (permitcheck.preflight). ifctester is an optional extra (`permitcheck[ids]`); without it the
audit says it was skipped, never that the model is ready.

An IDS comes with a rulebook, which may come from anyone: it is read bounded (size, number of
specifications), with no DOCTYPE (so no entities to expand, no external files), before ifctester
sees it.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass

from permitcheck.errors import InputError
from permitcheck.readfile import read_capped, read_limited

MAX_BYTES = 2 * 1024 * 1024
MAX_SPECS = 200
MAX_LISTED = 50  # failing elements kept per specification; the count says how many in all


class IdsError(InputError):
    """An IDS file that cannot be run: too large, not XML, not an IDS."""


@dataclass(frozen=True)
class IdsFailure:
    global_id: str
    ifc_class: str
    name: str
    reason: str  # ifctester's reason: what the element has instead of what is required


@dataclass(frozen=True)
class IdsSpec:
    name: str
    identifier: str
    description: str
    instructions: str  # what to add, as the IDS author wrote it
    usage: str  # required | optional | prohibited
    applies_to: str  # the applicability, as ifctester reads it ("All IFCBUILDINGSTOREY data")
    requirements: tuple[str, ...]  # each requirement, as ifctester reads it ("The Name shall be provided")
    applicable: int  # elements the specification applies to
    failed: int  # of them, elements that break a requirement
    holds: bool | None  # None: not for the model's IFC version
    failures: tuple[IdsFailure, ...] = ()  # the first MAX_LISTED

    def to_dict(self) -> dict:
        return {"name": self.name, "identifier": self.identifier, "usage": self.usage, "applies_to": self.applies_to,
                "requirements": list(self.requirements), "applicable": self.applicable, "failed": self.failed,
                "holds": self.holds, "description": self.description, "instructions": self.instructions}


@dataclass(frozen=True)
class IdsAudit:
    path: str
    sha256: str
    title: str
    specs: tuple[IdsSpec, ...] = ()
    skipped: str | None = None  # why it did not run (ifctester not installed)


def _text(path: str) -> tuple[str, str]:
    raw = read_limited(path, MAX_BYTES, IdsError,
                       "cannot read the IDS file ({why}) — check the rulebook's readiness: ids",
                       f"larger than {MAX_BYTES // 1024 // 1024} MB — an IDS of what a rulebook needs is short")
    if b"<!DOCTYPE" in raw.upper() or b"<!ENTITY" in raw.upper():
        raise IdsError(f"{path}: the IDS has a DOCTYPE or entities — an IDS file needs neither; remove them")
    try:
        return raw.decode("utf-8-sig"), hashlib.sha256(raw).hexdigest()
    except UnicodeDecodeError as e:
        raise IdsError(f"{path}: not UTF-8 (byte {e.start}) — save the IDS as UTF-8") from None


def prewarm() -> None:
    """Import ifctester and build its IDS schema now (0.45 s): a batch parent does it once before it
    forks a process per case, which then starts with it. Nothing when ifctester is not installed."""
    try:
        from ifctester import ids as idslib
    except ImportError:
        return
    idslib.get_schema()


def sha256_of(path: str) -> str:
    return _text(path)[1]


def load_ids(path: str, validate: bool = False):
    """The IDS as ifctester reads it; IdsError when it is not one (with `validate`, against its XSD).
    Raises ImportError without ifctester."""
    from ifctester import ids as idslib

    text, sha = _text(path)
    try:
        specs = _parsed(idslib, text, sha, validate)
    except Exception as e:  # noqa: BLE001 - xmlschema and ElementTree raise many kinds on bad XML
        msg = str(e).splitlines()[0][:200] if str(e) else type(e).__name__
        raise IdsError(f"{path}: not a valid IDS file ({msg}) — check it with 'permitcheck rules validate'") from None
    if len(specs.specifications) > MAX_SPECS:
        raise IdsError(f"{path}: {len(specs.specifications)} specifications — at most {MAX_SPECS}")
    _identifiers(text, specs.specifications)
    return specs


def _parsed(idslib, text: str, sha: str, validate: bool):
    """ifctester's reading of the IDS. ifctester decodes the XML against its XSD, a schema that takes
    0.4 s to build in every process; the decoding (plain JSON: dicts, lists, strings, integers) is
    kept in the user's cache by the text's sha256 and ifctester's version, and a later process
    parses it without building the schema. `validate` (rules validate) always asks the schema."""
    import ifctester

    if validate:
        return idslib.from_string(text, validate=True)
    cached = cache_file(f"ids-{getattr(ifctester, '__version__', '')}-{sha}.json")
    if cached is not None:
        try:
            raw = read_capped(cached, 4 * MAX_BYTES)
            decoded = json.loads(raw) if len(raw) <= 4 * MAX_BYTES else None
            if isinstance(decoded, dict):
                return idslib.Ids().parse(decoded)
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            pass  # absent, or not what we wrote: decode afresh and write it again
    decoded = idslib.get_schema().decode(text, strip_namespaces=True,
                                         namespaces={"": "http://standards.buildingsmart.org/IDS"})
    if cached is not None:
        keep_cached(cached, json.dumps(decoded))
    return idslib.Ids().parse(decoded)


def cache_file(name: str) -> str | None:
    """Where the cache keeps `name`: $PERMITCHECK_CACHE, else $XDG_CACHE_HOME/permitcheck, else
    ~/.cache/permitcheck; None when PERMITCHECK_CACHE is 'off'. Deleting the folder is always safe."""
    root = os.environ.get("PERMITCHECK_CACHE")
    if root == "off":
        return None
    if not root:
        root = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
                            "permitcheck")
    return os.path.join(root, name)


def keep_cached(path: str, text: str) -> None:
    """Write atomically (a parallel process reads the whole file or none); a cache that cannot be
    written (read-only home) is no error."""
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError:
        pass


def _identifiers(text: str, specifications) -> None:
    """ifctester 0.9 leaves a specification's `identifier` unread: take it from the XML, in order."""
    from xml.etree import ElementTree as ET

    found = [e.get("identifier") for e in ET.fromstring(text).iter() if e.tag.rsplit("}", 1)[-1] == "specification"]
    if len(found) == len(specifications):
        for spec, ident in zip(specifications, found):
            if ident and not getattr(spec, "identifier", None):
                spec.identifier = ident


def skipped_audit(path: str, why: str) -> IdsAudit:
    """An IDS that was not run on the model, and why (a massing model has no IFC data to check)."""
    return IdsAudit(path, _text(path)[1], "", skipped=why)


def audit_file(model_path: str, paths: tuple[str, ...]) -> tuple[IdsAudit, ...]:
    """Run the IDS files on the model at `model_path`: for facts measured before the rulebook was
    known. Audits the cache holds for this model's content are read back; the model is opened (once
    for all the files) only when one is not."""
    from permitcheck.model.ifcfile import open_ifc
    from permitcheck.model.ifcfile import sha256_of as model_sha256
    from permitcheck.model.massing import is_massing

    if is_massing(model_path):
        return tuple(skipped_audit(p, "a massing model has no IFC data for an IDS to check") for p in paths)
    if not paths:
        return ()
    model_sha = model_sha256(model_path)
    found = [cached_audit(p, model_sha) for p in paths]
    if all(a is not None for a in found):
        return tuple(a for a in found if a is not None)
    f = open_ifc(model_path)
    return tuple(a if a is not None else audit(f, p, model_sha) for p, a in zip(paths, found))


def cached_audit(path: str, model_sha: str) -> IdsAudit | None:
    """The audit of the IDS at `path` on the model whose sha256 is `model_sha`, if the cache holds it."""
    from permitcheck.model import ids_cache

    return ids_cache.read(path, _text(path)[1], model_sha)


def audit(f, path: str, model_sha: str | None = None) -> IdsAudit:
    """Run the IDS at `path` on the open IFC file `f`. With `model_sha` (the file's sha256) the audit
    is read from the cache when it holds it, and kept there when not (permitcheck.model.ids_cache)."""
    from permitcheck.model import ids_cache

    sha = _text(path)[1]
    hit = ids_cache.read(path, sha, model_sha)
    if hit is not None:
        return hit
    try:
        specs = load_ids(path)
    except ImportError:
        return IdsAudit(path, sha, "", skipped="ifctester is not installed: pip install 'permitcheck[ids]'")
    try:
        specs.validate(f, should_filter_version=True)
    except Exception as e:  # noqa: BLE001 - a facet that trips on a malformed model: said, the rules still run
        return IdsAudit(path, sha, "", skipped=f"the IDS could not be run on this model ({type(e).__name__}: "
                                              f"{str(e)[:200]})")
    done = IdsAudit(path, sha, str(specs.info.get("title") or ""), tuple(_spec(s) for s in specs.specifications))
    ids_cache.write(done, model_sha)
    return done


def _spec(s) -> IdsSpec:
    failed: dict[int, IdsFailure] = {}
    for facet in s.requirements:
        for failure in facet.failures:
            el = failure["element"]
            if el.id() not in failed:
                failed[el.id()] = IdsFailure(str(getattr(el, "GlobalId", "") or f"#{el.id()}"), el.is_a(),
                                             str(getattr(el, "Name", "") or ""), str(failure["reason"])[:300])
    requirements = tuple(_said(lambda: r.to_string("requirement", s, r)) for r in s.requirements)
    applies_to = "; ".join(_said(lambda: a.to_string("applicability", s)) for a in s.applicability)
    holds = None if s.is_ifc_version is False else bool(s.status)
    return IdsSpec(name=str(s.name or ""), identifier=str(s.identifier or ""), description=str(s.description or ""),
                   instructions=str(s.instructions or ""), usage=s.get_usage(),
                   applies_to=applies_to, requirements=requirements, applicable=len(s.applicable_entities),
                   failed=len(failed), holds=holds,
                   failures=tuple(sorted(failed.values(), key=lambda x: x.global_id))[:MAX_LISTED])


def _said(text) -> str:
    try:
        return str(text())
    except Exception:  # noqa: BLE001 - a facet ifctester cannot phrase is still run; only its sentence is lost
        return "(a facet ifctester cannot phrase)"
