"""Loading rulebooks: safe YAML, schema errors with file, line and key path, and `extends:`.

Errors read like ``rules/kr/national.yaml:34: zones.KR-R2G.rules[0].limit: expected ... — write
e.g. '60 %'``: what is wrong, where, and how to fix it.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from permitcheck.errors import InputError
from permitcheck.rulebook.schema import RULE_KINDS, Rulebook


class RulebookError(InputError):
    """All problems found in a rulebook; str() is the first, with a count of the rest."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        more = len(self.problems) - 1
        tail = f" (and {more} more: run 'permitcheck rules validate' to list them)" if more else ""
        super().__init__(self.problems[0] + tail)


def _lines(node, path=()) -> dict[tuple, int]:
    """Key path -> 1-based line, from the YAML node tree."""
    out = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            out[path + (k.value,)] = k.start_mark.line + 1
            out.update({p: ln for p, ln in _lines(v, path + (k.value,)).items() if p != path + (k.value,)})
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            out.update(_lines(v, path + (i,)))
    return out


def _yaml_path(loc: tuple, data) -> tuple:
    """Drop the pydantic-only parts of an error location (union tags, type names)."""
    path, node = [], data
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
            path.append(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            path.append(part)
        elif part == "from_" and isinstance(node, dict) and "from" in node:
            node = node["from"]
            path.append("from")
    return tuple(path)


def _dotted(path: tuple) -> str:
    s = ""
    for p in path:
        s += f"[{p}]" if isinstance(p, int) else (f".{p}" if s else str(p))
    return s or "(top level)"


def _kind_errors(data: dict, where: str, lines: dict) -> list[str]:
    """Unknown rule kinds, reported by name with the closest known one."""
    out = []
    places = [(("rules", i), r) for i, r in enumerate(data.get("rules") or [])]
    for code, zone in (data.get("zones") or {}).items():
        if isinstance(zone, dict):
            places += [(("zones", code, "rules", i), r) for i, r in enumerate(zone.get("rules") or [])]
    for path, rule in places:
        kind = rule.get("kind") if isinstance(rule, dict) else None
        if kind is not None and kind not in RULE_KINDS:
            near = difflib.get_close_matches(str(kind), RULE_KINDS, n=1)
            hint = f"did you mean '{near[0]}'?" if near else "known kinds: " + ", ".join(RULE_KINDS)
            line = lines.get(path + ("kind",), lines.get(path, 0))
            out.append(f"{where}:{line}: {_dotted(path + ('kind',))}: unknown rule kind '{kind}' — {hint} "
                       "(a kind permitcheck cannot evaluate is refused, never skipped)")
    return out


def _message(err: dict, data, lines: dict, where: str) -> str:
    path = _yaml_path(err["loc"], data)
    line = lines.get(path, 0)
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        parent = data
        for p in path[:-1] if path and path[-1] == err["loc"][-1] else path:
            parent = parent[p]
        key = err["loc"][-1]
        path = path if path and path[-1] == key else path + (key,)
        line = lines.get(path, line)
        allowed = _allowed_keys(err["loc"])
        near = difflib.get_close_matches(str(key), allowed, n=1)
        msg = f"unknown key '{key}'" + (f" — did you mean '{near[0]}'?" if near else
                                         (" — allowed: " + ", ".join(allowed) if allowed else ""))
    elif err["type"] == "missing":
        path = path + (err["loc"][-1],) if not path or path[-1] != err["loc"][-1] else path
        msg = "required key is missing — add it"
    return f"{where}:{line}: {_dotted(path)}: {msg}"


def _allowed_keys(loc: tuple) -> list[str]:
    from permitcheck.rulebook import schema

    names = {k: getattr(schema, c) for k, c in (
        ("max_height", "MaxHeight"), ("max_storeys", "MaxStoreys"), ("max_coverage", "MaxCoverage"),
        ("max_far", "MaxFar"), ("max_footprint_area", "MaxFootprintArea"), ("min_setback", "MinSetback"),
        ("within", "Within"), ("citation", "Citation"), ("measurement_profile", "MeasurementProfile"),
        ("bands", "Band"), ("LinearDistance", "LinearDistance"))}
    model = schema.Rulebook
    for part in reversed(loc[:-1]):
        if part in names:
            model = names[part]
            break
        if part == "sources":
            model = schema.Source
            break
    else:
        if "zones" in loc and len(loc) == 3:
            model = schema.Zone
    return [f.alias or n for n, f in model.model_fields.items()]


def _read(path: Path) -> tuple[dict, dict]:
    if not path.exists():
        raise RulebookError(f"{path}: no such rulebook — check the path given with --rules")
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise RulebookError(f"{path}{line}: not valid YAML ({getattr(e, 'problem', e)}) — fix the syntax") from e
    if not isinstance(data, dict):
        raise RulebookError(f"{path}: a rulebook is a YAML mapping with 'rulebook:', 'zones:' and 'rules:' keys")
    return data, _lines(node) if node is not None else {}


@dataclass(frozen=True)
class LoadedRulebook:
    """A validated rulebook and its parent chain (nearest first)."""

    path: str
    book: Rulebook
    parent: "LoadedRulebook | None"

    def chain(self) -> list["LoadedRulebook"]:
        out, node = [], self
        while node is not None:
            out.append(node)
            node = node.parent
        return out


def load_rulebook(path: str | os.PathLike, _seen: tuple = ()) -> LoadedRulebook:
    """Load and validate a rulebook and what it extends; raise RulebookError on the first problems."""
    path = Path(path)
    where = str(path)
    if path.resolve() in _seen:
        raise RulebookError(f"{where}: 'extends' loops back to itself — remove the cycle")
    data, lines = _read(path)
    problems = _kind_errors(data, where, lines)
    book = None
    try:
        book = Rulebook.model_validate(data)
    except ValidationError as e:
        problems += [_message(err, data, lines, where) for err in e.errors()
                     if not (err["type"] == "union_tag_invalid")]
    if problems:
        raise RulebookError(list(dict.fromkeys(problems)))
    parent = None
    if book.extends:
        parent_path = (path.parent / book.extends)
        parent = load_rulebook(parent_path, _seen + (path.resolve(),))
    loaded = LoadedRulebook(where, book, parent)
    from permitcheck.rulebook.resolve import check_consistency

    problems = check_consistency(loaded, lines)
    if problems:
        raise RulebookError(problems)
    return loaded
