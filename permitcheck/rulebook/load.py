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


def _lines(root) -> dict[tuple, int]:
    """Key path -> 1-based line, from the YAML node tree (bounded: aliases were counted before)."""
    out: dict[tuple, int] = {}
    stack = [((), root)]
    while stack:
        path, node = stack.pop()
        out.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                key = k.value if isinstance(k, yaml.ScalarNode) else repr(k.value)
                out[path + (key,)] = k.start_mark.line + 1
                stack.append((path + (key,), v))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((path + (i,), v) for i, v in enumerate(node.value))
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
        elif part in ("from_", "not_") and isinstance(node, dict) and part[:-1] in node:
            node = node[part[:-1]]
            path.append(part[:-1])
    return tuple(path)


def _dotted(path: tuple) -> str:
    s = ""
    for p in path:
        s += f"[{p}]" if isinstance(p, int) else (f".{p}" if s else str(p))
    return s or "(top level)"


def _kind_errors(data: dict, where: str, lines: dict) -> list[str]:
    """Unknown rule kinds, reported by name with the closest known one."""
    out = []
    top = data.get("rules")
    places = [(("rules", i), r) for i, r in enumerate(top)] if isinstance(top, list) else []
    zones = data.get("zones")
    for code, zone in (zones.items() if isinstance(zones, dict) else ()):
        rules = zone.get("rules") if isinstance(zone, dict) else None
        if isinstance(rules, list):
            places += [(("zones", code, "rules", i), r) for i, r in enumerate(rules)]
    for path, rule in list(places):  # and the rules inside each alternative of an any_of
        alts = rule.get("alternatives") if isinstance(rule, dict) else None
        for j, alt in enumerate(alts if isinstance(alts, list) else ()):
            inner = alt.get("rules") if isinstance(alt, dict) else None
            places += [(path + ("alternatives", j, "rules", i), r) for i, r in enumerate(inner or ())
                       if isinstance(inner, list)]
    for path, rule in places:
        kind = rule.get("kind") if isinstance(rule, dict) else None
        if isinstance(rule, dict) and not isinstance(kind, str):
            line = lines.get(path + ("kind",), lines.get(path, 0))
            out.append(f"{where}:{line}: {_dotted(path + ('kind',))}: a rule needs a kind, got {kind!r} — one of "
                       + ", ".join(RULE_KINDS))
        elif kind is not None and kind not in RULE_KINDS:
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

    names = {**schema.RULE_CLASSES, "citation": schema.Citation, "measurement_profile": schema.MeasurementProfile,
             "bands": schema.Band, "LinearDistance": schema.LinearDistance, "when": schema.Condition,
             "alternatives": schema.Alternative}
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


MAX_BYTES = 1024 * 1024  # the largest shipped rulebook is about 30 kB
MAX_NODES = 100_000  # YAML nodes after aliases are expanded: an alias bomb expands to billions
MAX_RULES = 500  # the largest shipped rulebook has 44; each rule costs a check
RULEBOOK_SUFFIXES = (".yaml", ".yml")


def _text(path: Path) -> str:
    """The rulebook's text: a regular file, bounded in size, UTF-8 (with or without a BOM)."""
    if not path.exists():
        raise RulebookError(f"{path}: no such rulebook — check the path given with --rules")
    if not path.is_file():
        raise RulebookError(f"{path}: not a regular file — a rulebook is a .yaml file")
    with path.open("rb") as fh:
        raw = fh.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise RulebookError(f"{path}: larger than {MAX_BYTES // 1024} kB — a rulebook is a short YAML file; "
                            "split it with 'extends:'")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise RulebookError(f"{path}: the file is UTF-16 — save the rulebook as UTF-8")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise RulebookError(f"{path}: not UTF-8 (byte {e.start}: {raw[e.start:e.start + 1]!r}; EUC-KR or CP949 "
                            "text?) — save the rulebook as UTF-8") from None


def _expanded_size(node, memo: dict[int, int]) -> int:
    """Nodes in the tree once aliases are expanded, counted without expanding them."""
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = MAX_NODES + 1  # a node that contains itself expands without end
    if isinstance(node, yaml.MappingNode):
        size = 1 + sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    elif isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_expanded_size(v, memo) for v in node.value)
    else:
        size = 1
    memo[key] = min(size, MAX_NODES + 1)
    return memo[key]


def _duplicate_key(root) -> tuple[str, int, int] | None:
    """(key, line, first line) of a key written twice in one mapping, anywhere in the tree."""
    seen_nodes: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: dict = {}
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode):
                    if k.value in keys:
                        return k.value, k.start_mark.line + 1, keys[k.value]
                    keys[k.value] = k.start_mark.line + 1
                stack.append(v)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return None


def _count_rules(data: dict, path: Path) -> None:
    rules = data.get("rules")
    n = len(rules) if isinstance(rules, list) else 0
    zones = data.get("zones")
    for zone in (zones.values() if isinstance(zones, dict) else ()):
        zr = zone.get("rules") if isinstance(zone, dict) else None
        n += len(zr) if isinstance(zr, list) else 0
    if n > MAX_RULES:
        raise RulebookError(f"{path}: {n} rules; a rulebook holds at most {MAX_RULES} — split it with 'extends:'")


C_LOADER_MAX_DEPTH = 2000  # nesting libyaml's recursive composer may take on a default C stack


def _loader(text: str):
    """libyaml's safe loader (ten times faster) when the text cannot nest deeper than
    C_LOADER_MAX_DEPTH; else the pure-Python one, whose recursion Python bounds (RecursionError)."""
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is not None and (_depth_bound(text) <= C_LOADER_MAX_DEPTH or _depth(text, loader) <= C_LOADER_MAX_DEPTH):
        return loader(text)
    return yaml.SafeLoader(text)


def _depth(text: str, loader) -> int:
    """The YAML's nesting, exactly, from libyaml's events: its parser keeps its own stack (only
    composing recurses), so this pass is safe at any depth. Used when the quick bound is too loose
    (a long rulebook written in flow style: every bracket counts there)."""
    depth = deepest = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                deepest = max(deepest, depth)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return C_LOADER_MAX_DEPTH + 1  # the pure-Python loader says where the syntax breaks
    return deepest


def _depth_bound(text: str) -> int:
    """An upper bound on the YAML's nesting: every flow bracket, plus the deepest block line (its
    indentation and the '- ' and '? ' entries that open a level on one line)."""
    flow = text.count("[") + text.count("{")
    block = max((len(line) - len(line.lstrip(" ")) + line.count("- ") + line.count("? ") + line.count(": ")
                 for line in text.splitlines()), default=0)
    return flow + block + 2


def _read(path: Path) -> tuple[dict, dict]:
    """Parse once: the node tree gives line numbers, the same tree gives the data."""
    text = _text(path)
    try:
        loader = _loader(text)
        try:
            node = loader.get_single_node()
            if node is not None and _expanded_size(node, {}) > MAX_NODES:
                raise RulebookError(f"{path}: expands to more than {MAX_NODES} YAML nodes through aliases — "
                                    "write the rules out (a rulebook is not this large)")
            duplicate = _duplicate_key(node) if node is not None else None
            if duplicate is not None:
                raise RulebookError(f"{path}:{duplicate[1]}: key '{duplicate[0]}' is written twice in one mapping "
                                    f"(also at line {duplicate[2]}); YAML would keep only the last — merge them")
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except (ValueError, TypeError, OverflowError) as e:  # a tagged value that does not construct: !!int abc
        raise RulebookError(f"{path}: a value does not read as its YAML type ({e}) — fix the value or drop its tag"
                            ) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise RulebookError(f"{path}{line}: not valid YAML ({getattr(e, 'problem', None) or e}) — fix the syntax"
                            ) from None
    except RecursionError:
        raise RulebookError(f"{path}: nested too deeply to be a rulebook — check the file") from None
    if not isinstance(data, dict):
        raise RulebookError(f"{path}: a rulebook is a YAML mapping with 'rulebook:', 'zones:' and 'rules:' keys")
    _count_rules(data, path)
    return data, _lines(node)


def _parent_path(path: Path, extends: str, rules_path: tuple[Path, ...]) -> Path:
    """The file `extends:` names, only if it is a rulebook under the extending file's folder or a rules path.

    A rulebook comes from whoever submits a case: `extends: /dev/zero` or `extends: /etc/shadow`
    must neither hang the check nor show another file's lines in an error.
    """
    try:
        target = (path.parent / extends).resolve()
        roots = [path.parent.resolve(), *(Path(r).resolve() for r in rules_path)]
        target.exists()  # a name too long for the file system fails here, not later
    except (OSError, ValueError):
        raise RulebookError(f"{path}: extends: {extends[:80]!r} is not a usable file name — name the parent "
                            "rulebook's .yaml file") from None
    if not any(target.is_relative_to(root) for root in roots):
        raise RulebookError(f"{path}: extends: '{extends}' lies outside the rulebook's folder "
                            f"({path.parent}) — put the parent rulebook beside it or below it, or name its "
                            "folder with --rules-path")
    if target.suffix.lower() not in RULEBOOK_SUFFIXES:
        raise RulebookError(f"{path}: extends: '{extends}' is not a .yaml rulebook — name the parent rulebook file")
    if target.exists() and not target.is_file():
        raise RulebookError(f"{path}: extends: '{extends}' is not a regular file — name the parent rulebook file")
    return target


def _readiness_problems(path: Path, book: Rulebook, lines: dict) -> list[str]:
    """Each `readiness: ids:` names a regular .ids file under the rulebook's folder: an IDS comes with
    the rulebook, and a rulebook from anyone must not make the check read /etc/passwd or /dev/zero."""
    problems = []
    root = path.parent.resolve()
    for i, r in enumerate(book.readiness):
        at = f"{path}:{lines.get(('readiness', i, 'ids'), lines.get(('readiness', i), 0))}: readiness[{i}].ids"
        try:
            target = (path.parent / r.ids).resolve()
            ok = target.is_file()
        except (OSError, ValueError):
            problems.append(f"{at}: {r.ids[:80]!r} is not a usable file name — name the .ids file beside the rulebook")
            continue
        if not target.is_relative_to(root):
            problems.append(f"{at}: '{r.ids}' lies outside the rulebook's folder ({path.parent}) — put the IDS "
                            "beside the rulebook or below it")
        elif target.suffix.lower() != ".ids":
            problems.append(f"{at}: '{r.ids}' is not an .ids file — name the IDS (buildingSMART XML) file")
        elif not ok:
            problems.append(f"{at}: '{r.ids}' is not a file here — put the IDS beside the rulebook")
    return problems


def readiness_files(loaded: "LoadedRulebook") -> tuple[tuple[str, str, object], ...]:
    """(the IDS file, its severity, its citation) of every `readiness` in the chain, parents first."""
    out: dict[str, tuple[str, str, object]] = {}
    for node in reversed(loaded.chain()):
        for r in node.book.readiness:
            target = str((Path(node.path).parent / r.ids).resolve())
            out[target] = (target, r.severity, r.citation)
    return tuple(out.values())


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


def load_rulebook(path: str | os.PathLike, rules_path: tuple[str | os.PathLike, ...] = (),
                  _seen: tuple = ()) -> LoadedRulebook:
    """Load and validate a rulebook and what it extends; raise RulebookError on the first problems.

    `extends:` may name rulebooks under the extending file's folder or under a folder of `rules_path`.
    """
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
    if problems or book is None:
        raise RulebookError(list(dict.fromkeys(problems)) or [f"{where}: not a valid rulebook — run "
                                                              "'permitcheck rules validate' on it"])
    problems = _readiness_problems(path, book, lines)
    if problems:
        raise RulebookError(problems)
    parent = None
    if book.extends:
        parent_path = _parent_path(path, book.extends, tuple(Path(r) for r in rules_path))
        parent = load_rulebook(parent_path, rules_path, _seen + (path.resolve(),))
    loaded = LoadedRulebook(where, book, parent)
    from permitcheck.rulebook.resolve import check_consistency

    problems = check_consistency(loaded, lines)
    if problems:
        raise RulebookError(problems)
    return loaded
