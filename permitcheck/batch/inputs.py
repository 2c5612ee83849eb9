"""A case's inputs key, computed in the batch parent: cheap, bounded, and never raising for a rulebook.

The parent decides from this key whether a case is already recorded. It must not read or validate a
rulebook the way `load_rulebook` does: a non-UTF-8 file or a YAML alias bomb would raise an
exception the parent does not expect, or hang it, and stop the whole batch. So the parent only
hashes files and follows the rulebook's top-level `extends:` values, reading each rulebook (at most
`MAX_RULEBOOK_BYTES`) as a YAML event stream: linear, aliases never expanded, no recursion.
When the chain cannot be followed, the reason goes into the key and the case still goes to its
worker, which loads the rulebook for real, under its timeout and memory cap, and records the error.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import yaml

from permitcheck.batch.cases import Case
from permitcheck.batch.files import open_regular
from permitcheck.errors import InputError
from permitcheck.version import __version__

MAX_RULEBOOK_BYTES = 1 << 20  # the part of a rulebook read to find its `extends:`
MAX_CHAIN = 32  # rulebooks in one `extends:` chain
_NULLS = {"", "~", "null", "Null", "NULL"}


def file_sha256(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with os.fdopen(open_regular(path), "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _read_bounded(path: Path) -> bytes:
    """A rulebook's bytes, refused unread past MAX_RULEBOOK_BYTES (the loader refuses such a file too)."""
    with os.fdopen(open_regular(path), "rb") as f:
        data = f.read(MAX_RULEBOOK_BYTES + 1)
        if len(data) > MAX_RULEBOOK_BYTES:
            size = os.fstat(f.fileno()).st_size
            raise InputError(f"{path}: larger than {MAX_RULEBOOK_BYTES >> 20} MB ({size} bytes)")
    return data


def top_level_extends(text: str) -> str | None:
    """The top-level `extends:` value of a YAML document, read from its events (no aliases expanded).

    Like `yaml.safe_load`, the last of duplicate keys wins and an empty or null value means none.
    A value that is not a plain scalar raises ValueError.
    """
    depth, top_is_mapping, index, key, found = 0, False, 0, None, None
    scalars: dict[str, yaml.ScalarEvent] = {}  # anchor -> its scalar, for `*alias` keys and values
    for event in yaml.parse(text, Loader=yaml.SafeLoader):  # pure Python: no C stack to overflow
        if isinstance(event, yaml.ScalarEvent) and event.anchor:
            scalars[event.anchor] = event
        node = isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent, yaml.CollectionStartEvent))
        if node and depth == 1 and top_is_mapping:
            scalar = scalars.get(event.anchor) if isinstance(event, yaml.AliasEvent) else event
            scalar = scalar if isinstance(scalar, yaml.ScalarEvent) else None
            if index % 2 == 0:
                key = scalar.value if scalar else None
            elif key == "extends":
                if scalar is None:
                    raise ValueError("'extends' is not a plain file name")
                plain_null = scalar.implicit[0] and scalar.value in _NULLS
                found = None if plain_null or scalar.tag == "tag:yaml.org,2002:null" else scalar.value
            index += 1
        if isinstance(event, yaml.CollectionStartEvent):
            if depth == 0:
                top_is_mapping = isinstance(event, yaml.MappingStartEvent)
            depth += 1
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.DocumentEndEvent):
            break  # load_rulebook refuses a second document; its worker will say so
    return found


def readiness_ids(text: str) -> list[str]:
    """The `readiness: - ids:` values of a rulebook, read from its events (no aliases expanded)."""
    found, stack = [], []  # stack: [is_mapping, index, key] of each open collection
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent, yaml.CollectionStartEvent)) and stack:
            top = stack[-1]
            value = event.value if isinstance(event, yaml.ScalarEvent) else None
            if top[0] and top[1] % 2 == 0:
                top[2] = value
            elif (top[0] and top[2] == "ids" and value is not None and len(stack) == 3 and stack[0][2] == "readiness"
                  and not stack[1][0]):
                found.append(value)
            top[1] += 1
        if isinstance(event, yaml.CollectionStartEvent):
            stack.append([isinstance(event, yaml.MappingStartEvent), 0, None])
        elif isinstance(event, yaml.CollectionEndEvent):
            stack.pop()
        elif isinstance(event, yaml.DocumentEndEvent):
            break
    return found[:MAX_CHAIN]


def readiness_chain(rulebooks: dict[str, str]) -> dict[str, str]:
    """{path: sha256} of the IDS files the rulebooks' `readiness` names: a changed IDS re-runs the case.
    Never raises: a file that cannot be read is keyed by why (its worker reports the real error)."""
    out: dict[str, str] = {}
    for book in rulebooks:
        try:
            names = readiness_ids(_read_bounded(Path(book)).decode("utf-8-sig"))
        except Exception:  # noqa: BLE001 - the chain's own key already says what is wrong with it
            continue
        for name in names:
            ids = Path(book).parent / name
            try:
                out[str(ids)] = hashlib.sha256(_read_bounded(ids)).hexdigest()
            except Exception as e:  # noqa: BLE001
                out[str(ids)] = " ".join(f"{type(e).__name__}: {e}".split())[:200]
    return out


def rulebook_chain(rules: str) -> tuple[dict[str, str], str | None]:
    """{path: sha256} of a rulebook and those it extends (nearest first), and why it stopped early.

    A parent is spelled `<folder of the child>/<extends>`, as the loaded chain was spelled when the
    parent computed the key from it, so stores written then keep their keys. Reads at most
    MAX_CHAIN files of at most MAX_RULEBOOK_BYTES each. Never raises.
    """
    hashes: dict[str, str] = {}
    seen: set[Path] = set()
    path = Path(rules)
    try:
        while True:
            if len(hashes) >= MAX_CHAIN:
                raise InputError(f"more than {MAX_CHAIN} rulebooks in the 'extends' chain")
            real = path.resolve()
            if real in seen:
                raise InputError(f"{path}: 'extends' loops back to itself")
            seen.add(real)
            data = _read_bounded(path)
            hashes[str(path)] = hashlib.sha256(data).hexdigest()
            parent = top_level_extends(data.decode("utf-8-sig"))
            if parent is None:
                return hashes, None
            path = path.parent / parent
    except Exception as e:  # noqa: BLE001 - whatever a rulebook does, the parent carries on
        return hashes, " ".join(f"{type(e).__name__}: {e}".split())[:500]


def inputs_of(case: Case) -> dict:
    """Hashes of everything the decision depends on; raises InputError for a missing model, site or rulebook.

    A rulebook whose `extends:` chain cannot be followed does not raise: the reason is kept under
    `rulebook_chain_error` (so it is part of the key) and the worker reports the real error.
    """
    if case.error:
        raise InputError(case.error)
    layers = (("cadastre", case.cadastre), ("zoning", case.zoning), ("buildings", case.buildings),
              ("roads", case.roads))
    site = tuple((what, p) for what, p in layers if p) if case.cadastre else (("site", case.site),)
    for what, p in (("model", case.model),) + site + (("rulebook", case.rules),):
        if not p or not os.path.isfile(p):
            raise InputError(f"case {case.name}: {what} {p!r} not found")
    rulebooks, chain_error = rulebook_chain(case.rules)
    inputs = {
        "model_sha256": file_sha256(case.model),
        "rulebook_sha256": rulebooks,
        "options": [case.zone, case.anchor, case.rotation, case.site_crs, case.ground_level]
                   + ([list(map(list, case.declare))] if case.declare else []),  # old fingerprints unchanged
        "tool_version": __version__,
    }
    if case.cadastre:  # the layers and every file beside them that the layer is read with
        inputs["layers_sha256"] = {str(p): file_sha256(p) for _, path in site for p in _layer_files(path)}
        inputs["layer_options"] = [case.parcel_id, case.zoning_field, case.encoding] \
            + ([list(map(list, case.site_layers))] if case.site_layers else [])  # old fingerprints unchanged
    else:
        inputs["site_sha256"] = file_sha256(case.site)
    if case.submission:  # the cover block changes the reports; a case without one keeps its old fingerprint
        inputs["submission"] = [list(kv) for kv in case.submission]
    if case.context:  # only then: a case without one keeps its old fingerprint
        if not os.path.isfile(case.context):
            raise InputError(f"case {case.name}: context {case.context!r} not found")
        inputs["context_sha256"] = file_sha256(case.context)
    if chain_error:
        inputs["rulebook_chain_error"] = chain_error
    ids = readiness_chain(rulebooks)
    if ids:  # only then: a rulebook without readiness keeps its old fingerprints
        inputs["ids_sha256"] = ids
    return inputs


_SIDECARS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


def _layer_files(path: str) -> list[str]:
    """A layer's files: a Shapefile is its .shp and the sidecars beside it, any case."""
    p = Path(path)
    if p.suffix.lower() != ".shp":
        return [str(p)]
    return sorted(str(q) for q in p.parent.iterdir()
                  if q.is_file() and q.stem == p.stem and q.suffix.lower() in _SIDECARS)


def inputs_key(inputs: dict) -> str:
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()
