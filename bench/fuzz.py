#!/usr/bin/env python3
"""Fuzz permitcheck's three inputs and its arguments: every run must end as a verdict on valid
input or one clean line with exit 2.

    python bench/fuzz.py [--n 1000] [--seed 0] [--timeout 20] [--out DIR] [--jobs 2]
                         [--kinds K1,K2,...] [--only ID,...] [--list-kinds] [--memory-mb 3072]

Inputs. Input i of seed S is one case of samples/cases.yaml (model, site, rulebook, zone, anchor)
with ONE mutation applied to its model, its site, its rulebook or its command-line arguments. It
is drawn from its own random.Random(f"{S}:{i}"), so it is the same on every machine and `--only i`
makes it again; kinds are dealt round-robin (in an order shuffled by the seed), so each kind gets
n / kinds inputs. The run is `permitcheck check MODEL --site SITE --rules RULES [...] --json`, or
for some the terminal report, `inspect [--json]` (model mutations) or `rules validate` (rulebook
mutations). Every input runs with `--workers 1` (the fuzzer runs --jobs inputs at a time itself).

Speed. permitcheck.cli and the libraries a check imports are imported once, here; each input then
runs in a forked child: fd 1 and 2 go to files, sys.argv is set, permitcheck.cli.main() is called
and its SystemExit gives the exit code. At most --jobs children run at once, each in its own
process group (killed whole past --timeout), under an address-space cap (RLIMIT_AS), with
NO_COLOR=1 and COLUMNS=80. Children dump their Python stack (faulthandler) on a fatal signal and
2 s before the timeout, which is where a crash or a hang is located.

Outcomes.
  verdict      exit 0/1 from `check` (0 from `inspect`, `rules validate`); with --json, stdout
               parses as strict JSON (NaN/Infinity refused) and its verdict agrees with the code
  clean-error  exit 2; stderr is "permitcheck: warning: ..." lines, then exactly one line
               "permitcheck: error: ..." (`rules validate` may list several error lines)
  BAD          anything else: exit 3 or another code, a traceback, a signal, a timeout, NaN or
               Infinity in JSON, a raw control character (C0 but \\n \\t, C1, ESC) in a terminal
               report or on stderr, rich markup interpreted ("[bold red]FZMARK" printed as
               "FZMARK"), a line of /etc/passwd echoed, a YAML tag that ran code, a verdict on an
               input marked must_refuse (zero-area parcel, non-map CRS, zone null, negative or NaN
               limits and tolerances, ...), a verdict that differs from the unmutated case's on an
               input that means the same (reversed rings, BOM, reformatted YAML, ...), or a
               quantity read wrong ("1,000 m2" read as 1 m2).

Output: a table per mutation kind and per outcome class; DIR/summary.json (the same, with every BAD
input and its groups by root cause); DIR/results.jsonl (one line per input); and for every BAD
input DIR/bad/<id>/ with its files, stdout.txt, stderr.txt, argv.json and repro.txt (the exact
command; inputs are run from that folder, so it works there as written). BAD inputs whose stderr
names an internal error are run once more with --debug to name the frame in permitcheck/ that
raised. Exit 1 if any input is BAD.
"""

from __future__ import annotations

import argparse
import copy
import faulthandler
import importlib
import io
import json
import logging
import math
import os
import pkgutil
import random
import re
import resource
import shlex
import shutil
import signal
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import yaml

ROOT = Path(__file__).resolve().parent.parent
CASES_FILE = ROOT / "samples" / "cases.yaml"
DEFAULT_OUT = Path(tempfile.gettempdir()) / "permitcheck-fuzz"
MARK = "FZMARK"  # follows every rich-markup tag in the hostile strings
SENTINEL = "fuzz-sentinel"  # a YAML tag that runs code would create this file in the input's folder

# Strings from a hostile or careless author: markup, escape sequences (CSI, OSC title, C1), bidi
# overrides, format strings, path traversal, very long text.
HOSTILE = [
    "<script>alert(1)</script>",
    "[/]",
    f"[bold red]{MARK}",
    f"[link=file:///etc/passwd]{MARK}[/link]",
    "[/bold]",
    "\x1b[31mRED\x1b[0m",
    "\x1b]0;pwned\x07",
    "\x9b31mC1-CSI",
    "bell\x07\x08\x08",
    "line1\nline2",
    "cr\roverwrite",
    "\u202egnp.exe",
    "名前 이름 ∑ 😀",
    "%s%n{0}{__class__}",
    "A" * 5000,
    "../../../etc/passwd",
    "'; DROP TABLE x;--",
    "back\\slash",
    "{braces} $dollar ${HOME}",
]


# --------------------------------------------------------------------------------------------
# Cases and mutations


@dataclass(frozen=True)
class Case:
    name: str
    model: Path
    site: Path
    rules: Path
    zone: str | None
    anchor: str | None
    rotation: float | None
    verdict: str | None


def load_cases() -> list[Case]:
    data = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))["cases"]
    return [Case(name, ROOT / c["model"], ROOT / c["site"], ROOT / c["rules"], c.get("zone"),
                 None if c.get("anchor") is None else str(c["anchor"]), c.get("rotation"),
                 (c.get("expect") or {}).get("verdict"))
            for name, c in data.items()]


@dataclass
class Change:
    """What one mutation did: new bytes for its target file, or argument changes."""

    detail: str
    data: bytes | None = None
    args: dict[str, str | None] = field(default_factory=dict)  # option -> value (None drops it)
    paths: dict[str, str] = field(default_factory=dict)  # role -> a literal path (/dev/zero)
    extra: dict[str, bytes] = field(default_factory=dict)  # further files beside the target
    must_refuse: bool = False
    same_verdict: bool = False  # means what the unmutated case means: same verdict, if any
    expect_limit: tuple[str, float] | None = None  # (rule id, limit) a verdict must report
    commands: tuple[str, ...] | None = None  # restrict the commands this input may run


class Ctx:
    """A mutation's view of its case: the rng, the case and the target file's original bytes."""

    _cache: dict[Path, bytes] = {}

    def __init__(self, rng: random.Random, case: Case, target: str):
        self.rng, self.case, self.target = rng, case, target

    def read(self, path: Path) -> bytes:
        if path not in self._cache:
            self._cache[path] = path.read_bytes()
        return self._cache[path]

    @property
    def path(self) -> Path:
        return {"model": self.case.model, "site": self.case.site, "rules": self.case.rules}.get(self.target,
                                                                                             self.case.model)

    @property
    def data(self) -> bytes:
        return self.read(self.path)

    @property
    def text(self) -> str:
        return self.data.decode("utf-8")

    def pick(self, seq):
        return seq[self.rng.randrange(len(seq))]


MUTATIONS: dict[str, tuple[str, Callable[[Ctx], Change | None]]] = {}


def mutation(target: str):
    def deco(fn):
        MUTATIONS[fn.__name__] = (target, fn)
        return fn
    return deco


# --- text helpers shared by the three file kinds


def _truncate(c: Ctx) -> Change:
    d = c.data
    cut = c.rng.randrange(0, len(d))
    return Change(f"truncated at byte {cut} of {len(d)}", d[:cut])


def _byte_flips(c: Ctx, start: int = 0) -> Change:
    d = bytearray(c.data)
    k = c.rng.randint(1, 20)
    where = []
    for _ in range(k):
        i = c.rng.randrange(start, len(d))
        d[i] = c.rng.choice([c.rng.randrange(256), 0, 0xFF, 0x1B, ord("'"), ord('"'), ord(")"), ord("#"),
                             ord(":"), ord("["), ord("{"), ord("\n")])
        where.append(i)
    return Change(f"{k} bytes changed at {sorted(where)[:8]}...", bytes(d))


def _delete_lines(c: Ctx, lo: int = 0, hi: int | None = None) -> Change:
    lines = c.data.split(b"\n")
    hi = len(lines) if hi is None else hi
    k = min(c.rng.randint(1, 10), max(1, hi - lo))
    gone = set(c.rng.sample(range(lo, hi), k))
    shown = [lines[i][:50].decode("utf-8", "replace") for i in sorted(gone)][:3]
    return Change(f"deleted {k} lines {sorted(gone)[:8]} e.g. {shown}",
                  b"\n".join(line for i, line in enumerate(lines) if i not in gone))


# --- IFC (STEP text)

_ENTITY = re.compile(r"^#(\d+)\s*=\s*([A-Za-z0-9_]+)\s*\((.*)\);\s*$")
_NUM = re.compile(r"(?<![#\w.])-?\d+\.\d*(?:E[-+]?\d+)?")


def _split_args(s: str) -> list[str]:
    """Top-level attributes of a STEP entity: commas outside parentheses and strings."""
    out, cur, depth, inq, i = [], [], 0, False, 0
    while i < len(s):
        ch = s[i]
        cur.append(ch)
        if inq:
            if ch == "'":
                if i + 1 < len(s) and s[i + 1] == "'":
                    cur.append("'")
                    i += 1
                else:
                    inq = False
        elif ch == "'":
            inq = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            cur.pop()
            out.append("".join(cur))
            cur = []
        i += 1
    out.append("".join(cur))
    return out


class Step:
    def __init__(self, text: str):
        self.lines = text.split("\n")

    def entities(self, *types: str) -> list[tuple[int, int, str, list[str]]]:
        """(line index, id, TYPE, attributes) of every entity, or of those of the given types."""
        out = []
        for idx, line in enumerate(self.lines):
            m = _ENTITY.match(line)
            if m and (not types or m[2].upper() in types):
                out.append((idx, int(m[1]), m[2].upper(), _split_args(m[3])))
        return out

    def set(self, idx: int, eid: int, typ: str, attrs: list[str]) -> None:
        self.lines[idx] = f"#{eid}={typ}({','.join(attrs)});"

    def max_id(self) -> int:
        return max((e[1] for e in self.entities()), default=0)

    def data_range(self) -> tuple[int, int]:
        lo = next(i for i, line in enumerate(self.lines) if line.strip() == "DATA;") + 1
        hi = max(i for i, line in enumerate(self.lines) if line.strip() == "ENDSEC;")
        return lo, hi

    def add(self, *bodies: str) -> list[int]:
        """Append entities before the DATA section's ENDSEC; their new ids."""
        _, hi = self.data_range()
        first = self.max_id() + 1
        new = [f"#{first + k}={b};" for k, b in enumerate(bodies)]
        self.lines[hi:hi] = new
        return list(range(first, first + len(bodies)))

    def bytes(self, encoding: str = "utf-8") -> bytes:
        return "\n".join(self.lines).encode(encoding, "surrogateescape")


def step_string(s: str) -> str:
    """A STEP string literal: \\X\\hh for 8-bit codes, \\X2\\ (UCS-2) and \\X4\\ beyond ASCII."""
    out = []
    for ch in s:
        o = ord(ch)
        if ch == "'":
            out.append("''")
        elif ch == "\\":
            out.append("\\\\")
        elif 0x20 <= o < 0x7F:
            out.append(ch)
        elif o < 0x100:
            out.append(f"\\X\\{o:02X}")
        elif o < 0x10000:
            out.append(f"\\X2\\{o:04X}\\X0\\")
        else:
            out.append(f"\\X4\\{o:08X}\\X0\\")
    return "'" + "".join(out) + "'"


def _ifc(c: Ctx) -> Step:
    return Step(c.text)


@mutation("model")
def ifc_truncate(c: Ctx) -> Change:
    return _truncate(c)


@mutation("model")
def ifc_byte_flips(c: Ctx) -> Change:
    return _byte_flips(c, start=c.data.find(b"DATA;"))


@mutation("model")
def ifc_delete_lines(c: Ctx) -> Change:
    lo, hi = _ifc(c).data_range()
    return _delete_lines(c, lo, hi)


@mutation("model")
def ifc_duplicate_lines(c: Ctx) -> Change:
    s = _ifc(c)
    ents = s.entities()
    k = c.rng.randint(1, 5)
    picked = c.rng.sample(ents, k)
    if c.rng.random() < 0.5:  # the same line twice
        for idx, *_ in picked:
            s.lines.insert(idx + 1, s.lines[idx])
        return Change(f"duplicated {k} entity lines {[p[1] for p in picked]}", s.bytes())
    # one id, two different entities
    a, b = picked[0], c.rng.choice(ents)
    s.lines.insert(a[0] + 1, f"#{a[1]}={b[2]}({','.join(b[3])});")
    return Change(f"#{a[1]} defined twice: {a[2]} and {b[2]}", s.bytes())


@mutation("model")
def ifc_broken_ref(c: Ctx) -> Change:
    s = _ifc(c)
    ents = [e for e in s.entities() if any("#" in a for a in e[3])]
    missing = s.max_id() + c.rng.choice([1, 1000, 10**9])
    done = []
    for _ in range(c.rng.randint(1, 3)):
        idx, eid, typ, attrs = c.rng.choice(ents)
        slots = [i for i, a in enumerate(attrs) if "#" in a]
        i = c.rng.choice(slots)
        refs = re.findall(r"#\d+", attrs[i])
        old = c.rng.choice(refs)
        new = c.rng.choice([f"#{missing}", f"#{missing}", "#0", "#"])
        attrs[i] = attrs[i].replace(old, new, 1)
        s.set(idx, eid, typ, attrs)
        done.append(f"#{eid} {typ}: {old}->{new}")
    return Change("; ".join(done), s.bytes())


def _placements(s: Step):
    return s.entities("IFCLOCALPLACEMENT")


@mutation("model")
def ifc_placement_self(c: Ctx) -> Change:
    s = _ifc(c)
    idx, eid, typ, attrs = c.rng.choice(_placements(s))
    attrs[0] = f"#{eid}"
    s.set(idx, eid, typ, attrs)
    return Change(f"IfcLocalPlacement #{eid} PlacementRelTo itself", s.bytes())


@mutation("model")
def ifc_placement_cycle(c: Ctx) -> Change:
    s = _ifc(c)
    pl = _placements(s)
    k = c.rng.choice([2, 2, 3])
    chosen = c.rng.sample(pl, k)
    for j, (idx, eid, typ, attrs) in enumerate(chosen):
        attrs[0] = f"#{chosen[(j + 1) % k][1]}"
        s.set(idx, eid, typ, attrs)
    return Change(f"placements {[e[1] for e in chosen]} point at each other in a cycle", s.bytes())


@mutation("model")
def ifc_placement_dangling(c: Ctx) -> Change:
    s = _ifc(c)
    idx, eid, typ, attrs = c.rng.choice(_placements(s))
    target = c.rng.choice([f"#{s.max_id() + 77}", "#1", "#5"])  # missing, IfcProject, a unit
    attrs[0] = target
    s.set(idx, eid, typ, attrs)
    return Change(f"IfcLocalPlacement #{eid} PlacementRelTo {target} (missing or not a placement)", s.bytes())


@mutation("model")
def ifc_placement_deep_chain(c: Ctx) -> Change:
    s = _ifc(c)
    depth = c.rng.choice([5000, 50000, 200000])
    axis = next(e[1] for e in s.entities("IFCAXIS2PLACEMENT3D"))
    _, hi = s.data_range()
    first = s.max_id() + 1
    new = [f"#{first}=IFCLOCALPLACEMENT($,#{axis});"]
    new += [f"#{first + k}=IFCLOCALPLACEMENT(#{first + k - 1},#{axis});" for k in range(1, depth)]
    s.lines[hi:hi] = new
    idx, eid, typ, attrs = c.rng.choice(s.entities("IFCWALL", "IFCSLAB", "IFCBUILDINGSTOREY"))
    attrs[5] = f"#{first + depth - 1}"
    s.set(idx, eid, typ, attrs)
    return Change(f"{typ} #{eid} placed at the end of a chain of {depth} placements", s.bytes())


_HUGE = ["1.E308", "-1.E308", "1.E20", "-1.E20", "1.E400", "-1.E400", "1.E-320", "9.99E307"]


@mutation("model")
def ifc_coord_huge(c: Ctx) -> Change:
    s = _ifc(c)
    pts = s.entities("IFCCARTESIANPOINT", "IFCCARTESIANPOINTLIST2D", "IFCCARTESIANPOINTLIST3D")
    done = []
    for _ in range(c.rng.randint(1, 3)):
        idx, eid, typ, attrs = c.rng.choice(pts)
        body = ",".join(attrs)
        nums = list(_NUM.finditer(body))
        m = c.rng.choice(nums)
        v = c.rng.choice(_HUGE)
        body = body[:m.start()] + v + body[m.end():]
        s.lines[idx] = f"#{eid}={typ}({body});"
        done.append(f"#{eid} {typ}: {m.group()}->{v}")
    return Change("; ".join(done), s.bytes())


@mutation("model")
def ifc_direction_degenerate(c: Ctx) -> Change:
    s = _ifc(c)
    idx, eid, typ, attrs = c.rng.choice(s.entities("IFCDIRECTION"))
    v = c.rng.choice(["((0.,0.,0.))", "((1.E308,1.E308,0.))", "((1.E-320,0.,0.))", "((0.,0.))", "((1.E400,0.,0.))",
                      "((0.,0.,-1.))"])
    s.lines[idx] = f"#{eid}={typ}({v});"
    return Change(f"IfcDirection #{eid} -> {v}", s.bytes())


@mutation("model")
def ifc_geometry_params(c: Ctx) -> Change:
    s = _ifc(c)
    ents = s.entities("IFCEXTRUDEDAREASOLID", "IFCRECTANGLEPROFILEDEF")
    if not ents:
        return None
    idx, eid, typ, attrs = c.rng.choice(ents)
    v = c.rng.choice(["0.", "-3.", "1.E308", "1.E-300", "1.E400", "1.E9", "'x'", "$"])
    attrs[-1] = v
    s.set(idx, eid, typ, attrs)
    return Change(f"{typ} #{eid} last parameter -> {v}", s.bytes())


@mutation("model")
def ifc_storey_elevation(c: Ctx) -> Change:
    s = _ifc(c)
    idx, eid, typ, attrs = c.rng.choice(s.entities("IFCBUILDINGSTOREY"))
    v = c.rng.choice(["1.E308", "-1.E308", "1.E400", "1.E20", "'x'", "$", "-1.E5"])
    attrs[-1] = v
    s.set(idx, eid, typ, attrs)
    return Change(f"storey #{eid} Elevation -> {v}", s.bytes())


@mutation("model")
def ifc_hostile_name(c: Ctx) -> Change:
    s = _ifc(c)
    ents = s.entities("IFCPROJECT", "IFCSITE", "IFCBUILDING", "IFCBUILDINGSTOREY", "IFCWALL", "IFCSLAB")
    idx, eid, typ, attrs = c.rng.choice(ents)
    h = c.rng.choice(HOSTILE)
    slot = c.rng.choice([2, 2, 2, 0])  # Name, or GlobalId
    raw = c.rng.random() < 0.3
    attrs[slot] = ("'" + h.replace("'", "''") + "'") if raw else step_string(h)
    s.set(idx, eid, typ, attrs)
    return Change(f"{typ} #{eid} {'Name' if slot == 2 else 'GlobalId'} = {h[:60]!r} "
                  f"({'raw bytes' if raw else 'STEP-escaped'})", s.bytes())


@mutation("model")
def ifc_storey_markup(c: Ctx) -> Change:
    s = _ifc(c)
    v = c.rng.choice(["[/]", f"[bold red]{MARK}", "[/bold]", "[", "]", "\\X\\1B[31m"])
    ents = s.entities("IFCBUILDINGSTOREY")
    chosen = ents if c.rng.random() < 0.5 else [c.rng.choice(ents)]
    for idx, eid, typ, attrs in chosen:
        attrs[2] = "'" + v + "'"
        s.set(idx, eid, typ, attrs)
    return Change(f"{len(chosen)} storey name(s) = {v!r}", s.bytes())


@mutation("model")
def ifc_schema(c: Ctx) -> Change:
    v = c.rng.choice(["FILE_SCHEMA(('IFC5'));", "FILE_SCHEMA(('IFC2X3'));", "FILE_SCHEMA(('IFC4X3_ADD2'));",
                      "FILE_SCHEMA(('IFC4'),('IFC2X3'));", "FILE_SCHEMA(());", "FILE_SCHEMA((''));",
                      "FILE_SCHEMA(('[bold red]" + MARK + "'));", "FILE_SCHEMA(('IFC4','IFC2X3'));", ""])
    text = re.sub(r"FILE_SCHEMA\(.*?\);", lambda m: v, c.text, count=1)
    return Change(f"schema line -> {v!r}", text.encode())


@mutation("model")
def ifc_no_building(c: Ctx) -> Change:
    s = _ifc(c)
    blds = s.entities("IFCBUILDING")
    idx, bid, _, _ = blds[0]
    variant = c.rng.choice(["line", "clean", "retype"])
    if variant == "retype":  # the spatial tree keeps its shape, with no IfcBuilding in it
        for idx2, eid, typ, attrs in blds:
            s.lines[idx2] = f"#{eid}=IFCBUILDINGELEMENTPROXY({','.join(attrs[:7] + ['$', '$'])});"
        return Change("every IfcBuilding retyped as IfcBuildingElementProxy", s.bytes())
    del s.lines[idx]
    if variant == "clean":  # and every reference to it
        for idx2, eid, typ, attrs in s.entities():
            new = [re.sub(rf"\(#{bid}\)", "()", re.sub(rf"#{bid},|,#{bid}(?!\d)", "", a)) for a in attrs]
            new = ["$" if a == f"#{bid}" else a for a in new]
            if new != attrs:
                s.set(idx2, eid, typ, new)
    return Change(f"IfcBuilding #{bid} deleted ({'its references too' if variant == 'clean' else 'references dangle'})",
                  s.bytes())


@mutation("model")
def ifc_unit_odd(c: Ctx) -> Change:
    s = _ifc(c)
    units = [e for e in s.entities("IFCSIUNIT", "IFCCONVERSIONBASEDUNIT") if ".LENGTHUNIT." in e[3]]
    assign = s.entities("IFCUNITASSIGNMENT")
    if not units or not assign:
        return None
    idx, uid, typ, attrs = units[0]
    variant = c.rng.choice(["exa", "atto", "second", "badenum", "factor0", "factorneg", "factorhuge", "nounit",
                            "twounits"])
    must = False
    if variant in ("exa", "atto", "second", "badenum"):
        body = {"exa": "IFCSIUNIT(*,.LENGTHUNIT.,.EXA.,.METRE.)", "atto": "IFCSIUNIT(*,.LENGTHUNIT.,.ATTO.,.METRE.)",
                "second": "IFCSIUNIT(*,.LENGTHUNIT.,$,.SECOND.)",
                "badenum": "IFCSIUNIT(*,.LENGTHUNIT.,.FOO.,.METRE.)"}[variant]
        s.lines[idx] = f"#{uid}={body};"
    elif variant.startswith("factor"):
        f = {"factor0": "0.", "factorneg": "-0.3048", "factorhuge": "1.E308"}[variant]
        must = variant in ("factor0", "factorneg")
        dims, metre, mwu, conv = s.add("IFCDIMENSIONALEXPONENTS(1,0,0,0,0,0,0)",
                                       "IFCSIUNIT(*,.LENGTHUNIT.,$,.METRE.)", "X", "Y")
        s.lines[s.lines.index(f"#{mwu}=X;")] = f"#{mwu}=IFCMEASUREWITHUNIT(IFCLENGTHMEASURE({f}),#{metre});"
        s.lines[s.lines.index(f"#{conv}=Y;")] = f"#{conv}=IFCCONVERSIONBASEDUNIT(#{dims},.LENGTHUNIT.,'fuzz',#{mwu});"
        aidx, aid, atyp, aattrs = assign[0]
        s.set(aidx, aid, atyp, [re.sub(rf"#{uid}(?!\d)", f"#{conv}", aattrs[0])])
    else:
        aidx, aid, atyp, aattrs = assign[0]
        if variant == "nounit":
            a = re.sub(rf"#{uid},|,#{uid}(?!\d)", "", aattrs[0])
        else:
            (extra,) = s.add("IFCSIUNIT(*,.LENGTHUNIT.,.MILLI.,.METRE.)")
            a = aattrs[0][:-1] + f",#{extra})"
        s.set(aidx, aid, atyp, [a])
    return Change(f"length unit: {variant}", s.bytes(), must_refuse=must)


@mutation("model")
def ifc_encoding(c: Ctx) -> Change:
    variant = c.rng.choice(["utf16", "utf16-nobom", "bom", "latin1", "badbytes", "nul", "crlf"])
    t = c.text
    if variant == "utf16":
        return Change("whole file UTF-16 with BOM", t.encode("utf-16"))
    if variant == "utf16-nobom":
        return Change("whole file UTF-16-LE, no BOM", t.encode("utf-16-le"))
    if variant == "bom":
        return Change("UTF-8 BOM prefix", b"\xef\xbb\xbf" + c.data, same_verdict=True)
    if variant == "crlf":
        return Change("CRLF line endings", c.data.replace(b"\n", b"\r\n"), same_verdict=True)
    s = _ifc(c)
    idx, eid, typ, attrs = c.rng.choice(s.entities("IFCBUILDINGSTOREY", "IFCPROJECT", "IFCBUILDING", "IFCWALL"))
    attrs[2] = "'Stra\udce9e \udcff\udcfe'" if variant == "latin1" else \
        ("'a\udcff\udcfe\udc80b'" if variant == "badbytes" else "'nul\x00here'")
    s.set(idx, eid, typ, attrs)
    return Change(f"{typ} #{eid} name with {variant} bytes", s.bytes())


@mutation("model")
def ifc_not_ifc(c: Ctx) -> Change:
    hdr = c.text.split("DATA;")[0]
    v = c.rng.choice(["empty", "header", "magic", "binary", "json", "zip", "site", "nodata", "endless-string"])
    data = {"empty": b"", "header": hdr.encode(), "magic": b"ISO-10303-21;\n",
            "binary": bytes(c.rng.randrange(256) for _ in range(4096)),
            "json": b'{"type": "FeatureCollection", "features": []}',
            "zip": b"PK\x03\x04" + bytes(c.rng.randrange(256) for _ in range(2000)),
            "site": c.read(c.case.site),
            "nodata": (hdr + "DATA;\nENDSEC;\nEND-ISO-10303-21;\n").encode(),
            "endless-string": (hdr + "DATA;\n#1=IFCPROJECT('" + "x" * 3_000_000).encode()}[v]
    return Change(f"not an IFC model: {v}", data)


@mutation("model")
def ifc_point_dims(c: Ctx) -> Change:
    s = _ifc(c)
    ents = s.entities("IFCCARTESIANPOINT", "IFCCARTESIANPOINTLIST2D")
    idx, eid, typ, attrs = c.rng.choice(ents)
    if typ == "IFCCARTESIANPOINT":
        v = c.rng.choice(["((0.,0.))", "((0.))", "(())", "((0.,0.,0.,0.))", "(('a','b','c'))", "$"])
    else:
        v = c.rng.choice(["(())", "(((0.,0.)))", "(((0.,0.),(0.,0.),(0.,0.),(0.,0.)))", "(((0.,0.,0.),(1.,0.)))"])
    s.lines[idx] = f"#{eid}={typ}({v});"
    return Change(f"{typ} #{eid} -> {v}", s.bytes())


@mutation("model")
def ifc_entity_swap(c: Ctx) -> Change:
    s = _ifc(c)
    idx, eid, typ, attrs = c.rng.choice(s.entities("IFCWALL", "IFCSLAB", "IFCBUILDINGSTOREY", "IFCSITE",
                                                   "IFCEXTRUDEDAREASOLID", "IFCLOCALPLACEMENT",
                                                   "IFCAXIS2PLACEMENT3D", "IFCPROJECT"))
    new = c.rng.choice(["IFCFOO", "IFCDOOR", "IFCANNOTATION", "IfcWall", "IFCCARTESIANPOINT", "IFCSPACE",
                        "IFCRELAGGREGATES"])
    s.set(idx, eid, new, attrs)
    return Change(f"#{eid} {typ} -> {new}", s.bytes())


@mutation("model")
def ifc_attr_wrong_type(c: Ctx) -> Change:
    s = _ifc(c)
    done = []
    for _ in range(c.rng.randint(1, 3)):
        idx, eid, typ, attrs = c.rng.choice(s.entities())
        i = c.rng.randrange(len(attrs))
        v = c.rng.choice(["'x'", "1.5", "$", "*", ".T.", "(#1,#2)", "#1", "()", "IFCLABEL('x')", "-1", ".FOO."])
        done.append(f"#{eid} {typ}[{i}] {attrs[i][:20]}->{v}")
        attrs[i] = v
        s.set(idx, eid, typ, attrs)
    return Change("; ".join(done), s.bytes())


@mutation("model")
def ifc_georef(c: Ctx) -> Change | None:
    s = _ifc(c)
    conv = s.entities("IFCMAPCONVERSION")
    crs = s.entities("IFCPROJECTEDCRS")
    site = [e for e in s.entities("IFCSITE") if len(e[3]) > 10 and e[3][9] != "$"]
    pset = [i for i, line in enumerate(s.lines) if "ePSet_MapConversion" in line or "ePSet_ProjectedCRS" in line]
    options = []
    if conv:
        options += ["scale0", "scaleneg", "scalehuge", "east-huge", "east-inf", "axis00"]
    if crs:
        options += ["crs-geocentric", "crs-unknown", "crs-lonlat", "crs-empty", "crs-markup"]
    if site:
        options += ["lat-999", "lat-pole", "lon-999", "lat-garbage"]
    if pset:
        options += ["pset-values"]
    if not options:
        return None
    v = c.rng.choice(options)
    must = False
    if v in ("scale0", "scaleneg", "scalehuge", "east-huge", "east-inf", "axis00"):
        idx, eid, typ, attrs = conv[0]
        while len(attrs) < 8:
            attrs.append("$")
        if v.startswith("scale"):
            attrs[7] = {"scale0": "0.", "scaleneg": "-1.", "scalehuge": "1.E308"}[v]
        elif v.startswith("east"):
            attrs[2] = "1.E308" if v == "east-huge" else "1.E400"
        else:
            attrs[5], attrs[6] = "0.", "0."
        s.set(idx, eid, typ, attrs)
    elif v.startswith("crs"):
        idx, eid, typ, attrs = crs[0]
        attrs[0] = {"crs-geocentric": "'EPSG:4978'", "crs-unknown": "'EPSG:999999'", "crs-lonlat": "'EPSG:4326'",
                    "crs-empty": "''", "crs-markup": f"'[bold red]{MARK}'"}[v]
        must = v == "crs-geocentric"
        s.set(idx, eid, typ, attrs)
    elif v.startswith("l"):
        idx, eid, typ, attrs = site[0]
        if v == "lat-999":
            attrs[9] = "(999,0,0,0)"
        elif v == "lat-pole":
            attrs[9] = "(90,0,0,0)"
        elif v == "lon-999":
            attrs[10] = "(999,0,0,0)"
        else:
            attrs[9] = "('a',0.5)"
        s.set(idx, eid, typ, attrs)
    else:
        props = [e for e in s.entities("IFCPROPERTYSINGLEVALUE") if len(e[3]) > 2
                 and ("IFCREAL" in e[3][2].upper() or "IFCLENGTHMEASURE" in e[3][2].upper() or "IFCLABEL" in e[3][2])]
        idx, eid, typ, attrs = c.rng.choice(props)
        if "IFCLABEL" in attrs[2]:
            new = c.rng.choice(["IFCLABEL('EPSG:4978')", "IFCLABEL('')", "IFCREAL(5186.)"])
            must = "4978" in new
        else:
            new = re.sub(r"\(.*\)", "(" + c.rng.choice(["1.E308", "0.", "-1.", "1.E400"]) + ")", attrs[2])
        v = f"pset {attrs[0]} -> {new}"
        attrs[2] = new
        s.set(idx, eid, typ, attrs)
    # inspect may describe such a model; placing a site on it must be refused
    return Change(f"georeferencing: {v}", s.bytes(), must_refuse=must,
                  commands=("check-json", "check-term") if must else None)


@mutation("model")
def ifc_deep_nesting(c: Ctx) -> Change:
    s = _ifc(c)
    depth = c.rng.choice([1000, 100000, 1000000])
    idx, eid, typ, attrs = c.rng.choice(s.entities("IFCCARTESIANPOINT", "IFCWALL", "IFCPROJECT"))
    attrs[-1] = "(" * depth + "0." + ")" * depth
    s.set(idx, eid, typ, attrs)
    return Change(f"{typ} #{eid} last attribute nested {depth} deep", s.bytes())


# --- site (GeoJSON)


def _site(c: Ctx) -> dict:
    return json.loads(c.text)


def _dump(d, **kw) -> bytes:
    """Indented like the samples, unless large."""
    n = len(d.get("features") or ()) if isinstance(d, dict) and isinstance(d.get("features"), list) else 0
    big = n > 100 or (n and sum(len(json.dumps(f.get("geometry"))) for f in d["features"]
                                if isinstance(f, dict)) > 200_000)
    return json.dumps(d, indent=None if big else 1, ensure_ascii=False, allow_nan=True, **kw).encode("utf-8")


def _role(d: dict, role: str) -> list[dict]:
    return [f for f in d["features"] if f.get("properties", {}).get("role") == role]


def _rings(geom: dict) -> list[list]:
    if geom["type"] == "Polygon":
        return list(geom["coordinates"])
    if geom["type"] == "MultiPolygon":
        return [r for p in geom["coordinates"] for r in p]
    return []


def _positions(geom: dict) -> list[list]:
    t, co = geom["type"], geom["coordinates"]
    if t == "LineString":
        return co
    if t in ("Polygon", "MultiLineString"):
        return [p for r in co for p in r]
    if t == "MultiPolygon":
        return [p for poly in co for r in poly for p in r]
    return []


def _parcel_ring(d: dict) -> list:
    return _role(d, "parcel")[0]["geometry"]["coordinates"][0]


def _bbox(ring) -> tuple[float, float, float, float]:
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    return min(xs), min(ys), max(xs), max(ys)


def _add_neighbour(d: dict, zone="KR-R2G") -> dict:
    x0, y0, x1, y1 = _bbox(_parcel_ring(d))
    h = (x1 - x0) / 10 if abs(x1 - x0) < 10 else 5.0
    f = {"type": "Feature", "properties": {"role": "neighbour", "id": "N-fuzz", "zone": zone},
         "geometry": {"type": "Polygon", "coordinates": [[[x0, y1], [x1, y1], [x1, y1 + h * 4], [x0, y1 + h * 4],
                                                           [x0, y1]]]}}
    d["features"].append(f)
    return f


def _some_feature(c: Ctx, d: dict, parcel_weight: float = 0.3) -> dict:
    others = [f for f in d["features"] if f["properties"]["role"] != "parcel"]
    if c.rng.random() < 0.3:
        others.append(_add_neighbour(d))
    if not others or c.rng.random() < parcel_weight:
        return _role(d, "parcel")[0]
    return c.rng.choice(others)


@mutation("site")
def site_reversed_rings(c: Ctx) -> Change:
    d = _site(c)
    only_parcel = c.rng.random() < 0.5
    for f in d["features"]:
        if only_parcel and f["properties"]["role"] != "parcel":
            continue
        for ring in _rings(f["geometry"]):
            ring.reverse()
    return Change(f"rings reversed (clockwise) in {'the parcel' if only_parcel else 'every polygon'}", _dump(d),
                  same_verdict=True, commands=("check-json",))


@mutation("site")
def site_reformatted(c: Ctx) -> Change:
    d = _site(c)
    v = c.rng.choice(["minified", "reordered", "unclosed-ring", "extra-members", "ints"])
    if v == "minified":
        return Change("minified JSON", json.dumps(d, separators=(",", ":")).encode(), same_verdict=True,
                      commands=("check-json",))
    if v == "reordered":
        d["features"].reverse()
        d = dict(reversed(list(d.items())))
    elif v == "unclosed-ring":  # shapely closes it; RFC 7946 says closed, so refusing is fine too
        _role(d, "parcel")[0]["geometry"]["coordinates"][0].pop()
    elif v == "extra-members":
        d["bbox"] = [0, 0, 1, 1]
        d["name"] = "fuzz"
        for f in d["features"]:
            f["id"] = 5
            f["properties"]["fuzz_extra"] = {"nested": [1, 2, None]}
    else:
        for f in d["features"]:
            for p in _positions(f["geometry"]):
                p[0], p[1] = int(p[0]) if p[0] == int(p[0]) else p[0], int(p[1]) if p[1] == int(p[1]) else p[1]
    return Change(f"same site, {v}", _dump(d), same_verdict=True, commands=("check-json",))


@mutation("site")
def site_features_type(c: Ctx) -> Change:
    d = _site(c)
    v = c.rng.choice([{}, "x", 5, None, True, {"0": d["features"][0]}, "missing", 1.5])
    if v == "missing":
        del d["features"]
    else:
        d["features"] = v
    return Change(f"features = {json.dumps(v)[:40]}", _dump(d))


@mutation("site")
def site_feature_is_list(c: Ctx) -> Change:
    d = _site(c)
    i = c.rng.randrange(len(d["features"]))
    v = c.rng.choice([[d["features"][i]], "feature", 5, None, [], True])
    d["features"][i] = v
    return Change(f"features[{i}] = {json.dumps(v)[:40]}", _dump(d))


@mutation("site")
def site_properties_type(c: Ctx) -> Change:
    d = _site(c)
    i = c.rng.randrange(len(d["features"]))
    v = c.rng.choice([[], "parcel", 5, None, "missing", {"role": {"x": 1}}, {"role": ["parcel"]}])
    if v == "missing":
        del d["features"][i]["properties"]
    else:
        d["features"][i]["properties"] = v
    return Change(f"features[{i}].properties = {json.dumps(v)[:40]}", _dump(d))


@mutation("site")
def site_geometry_type(c: Ctx) -> Change:
    d = _site(c)
    f = _some_feature(c, d)
    ring = _parcel_ring(d)
    v = c.rng.choice(["Polygon", None, {"type": "Point", "coordinates": ring[0]},
                      {"type": "Polygon", "coordinates": "x"}, {"type": "Polygon"},
                      {"type": "GeometryCollection", "geometries": []}, {"type": 5, "coordinates": [ring]},
                      {"type": "MultiPolygon", "coordinates": [ring]}, {"type": "Polygon", "coordinates": [[ring]]},
                      {"type": "Polygon", "coordinates": [[[p[0], p[1], "z"] for p in ring]]},
                      {"type": "Polygon", "coordinates": [[[p[0], p[1], 1.0, 2.0] for p in ring]]},
                      {"type": "Polygon", "coordinates": [[[True, False]] * 4]},
                      {"type": "LineString", "coordinates": ring}, "missing"])
    if v == "missing":
        del f["geometry"]
    else:
        f["geometry"] = v
    return Change(f"{f['properties'].get('role')} geometry = {json.dumps(v)[:60]}", _dump(d))


@mutation("site")
def site_crs_numeric(c: Ctx) -> Change:
    d = _site(c)
    v = c.rng.choice([{"type": "name", "properties": {"name": 5186}}, {"type": "name", "properties": {"name": None}},
                      {"type": "name", "properties": {"name": ["EPSG:5186"]}}, {"type": "name", "properties": 5},
                      {"type": "name"}, "EPSG:5186", 5186, [], True,
                      {"type": "link", "properties": {"href": "http://example.com/crs", "type": "proj4"}},
                      {"type": "name", "properties": {"name": {"code": 5186}}}])
    d["crs"] = v
    return Change(f"crs = {json.dumps(v)[:60]}", _dump(d))


@mutation("site")
def site_crs_unknown(c: Ctx) -> Change:
    d = _site(c)
    v = c.rng.choice(["EPSG:999999", "urn:ogc:def:crs:EPSG::999999", "foo", "EPSG:", "EPSG:-1",
                      "+proj=longlat +ellps=WGS84", "PROJCS[\"broken\"", "x" * 100000, f"[bold red]{MARK}",
                      "EPSG:3857", "EPSG:4326", "\x1b[31mEPSG:5186", "EPSG:5186\n"])
    d["crs"] = {"type": "name", "properties": {"name": v}}
    return Change(f"crs name = {v[:60]!r}", _dump(d))


@mutation("site")
def site_crs_non_map(c: Ctx) -> Change:
    d = _site(c)
    v = c.rng.choice(["EPSG:4978", "EPSG:4936", "EPSG:5773", "EPSG:7789", "+proj=geocent +datum=WGS84 +units=m"])
    d["crs"] = {"type": "name", "properties": {"name": v}}
    return Change(f"crs name = {v!r} (geocentric or vertical: not a map CRS)", _dump(d), must_refuse=True)


@mutation("site")
def site_parcel_zero_area(c: Ctx) -> Change:
    d = _site(c)
    f = _role(d, "parcel")[0]
    ring = f["geometry"]["coordinates"][0]
    x0, y0, x1, y1 = _bbox(ring)
    v = c.rng.choice(["point", "collinear", "hole-equal", "two-points", "tiny"])
    if v == "point":
        f["geometry"]["coordinates"] = [[[x0, y0]] * 5]
    elif v == "collinear":
        f["geometry"]["coordinates"] = [[[x0, y0], [x1, y0], [(x0 + x1) / 2, y0], [x0, y0]]]
    elif v == "hole-equal":
        f["geometry"]["coordinates"] = [ring, list(reversed(ring))]
    elif v == "two-points":
        f["geometry"]["coordinates"] = [[[x0, y0], [x1, y1], [x0, y0], [x1, y1]]]
    else:  # 1 mm square: not zero, but no real parcel
        f["geometry"]["coordinates"] = [[[x0, y0], [x0 + 0.001, y0], [x0 + 0.001, y0 + 0.001], [x0, y0 + 0.001],
                                         [x0, y0]]]
    return Change(f"parcel of zero area: {v}", _dump(d), must_refuse=v != "tiny")


@mutation("site")
def site_parcel_invalid(c: Ctx) -> Change:
    d = _site(c)
    f = _role(d, "parcel")[0]
    x0, y0, x1, y1 = _bbox(f["geometry"]["coordinates"][0])
    v = c.rng.choice(["bowtie", "spike", "repeated-vertices", "hole-outside"])
    if v == "bowtie":
        f["geometry"]["coordinates"] = [[[x0, y0], [x1, y1], [x1, y0], [x0, y1], [x0, y0]]]
    elif v == "spike":
        f["geometry"]["coordinates"] = [[[x0, y0], [x1, y0], [x1, y1], [x1, y1 + 50], [x1, y1], [x0, y1], [x0, y0]]]
    elif v == "repeated-vertices":
        ring = f["geometry"]["coordinates"][0]
        f["geometry"]["coordinates"] = [[p for p in ring for _ in range(3)]]
    else:
        f["geometry"]["coordinates"].append([[x1 + 10, y1 + 10], [x1 + 12, y1 + 10], [x1 + 12, y1 + 12],
                                             [x1 + 10, y1 + 10]])
    return Change(f"parcel polygon: {v}", _dump(d), same_verdict=v == "repeated-vertices",
                  commands=("check-json",) if v == "repeated-vertices" else None)


@mutation("site")
def site_zone_null(c: Ctx) -> Change:
    d = _site(c)
    v = c.rng.choice([None, None, "", " ", [], {}, "deleted"])
    if v == "deleted":
        d["features"] = [f for f in d["features"] if f["properties"]["role"] != "zone"]
    else:
        for f in _role(d, "zone"):
            f["properties"]["zone"] = v
    return Change(f"zone feature's zone = {json.dumps(v)}" + ("" if c.case.zone is None else
                                                                f" (--zone {c.case.zone} given)"),
                  _dump(d), must_refuse=c.case.zone is None)


@mutation("site")
def site_deep_nesting(c: Ctx) -> Change:
    d = _site(c)
    depth = c.rng.choice([5000, 5000, 100000])
    where = c.rng.choice(["property", "coordinates", "top"])
    deep = "[" * depth + "]" * depth
    if where == "property":
        _role(d, "parcel")[0]["properties"]["fuzz"] = "__DEEP__"
    elif where == "coordinates":
        _role(d, "parcel")[0]["geometry"]["coordinates"] = "__DEEP__"
    else:
        d["fuzz"] = "__DEEP__"
    return Change(f"JSON nested {depth} deep in {where}", _dump(d).replace(b'"__DEEP__"', deep.encode()))


_NONFINITE = ["NaN", "Infinity", "-Infinity", "1e999", "-1e999"]


@mutation("site")
def site_nonfinite(c: Ctx) -> Change:
    d = _site(c)
    f = _some_feature(c, d)
    pos = c.rng.choice(_positions(f["geometry"]))
    k = c.rng.randrange(2)
    v = c.rng.choice(_NONFINITE)
    pos[k] = "__NF__"
    return Change(f"{f['properties']['role']} coordinate = {v}", _dump(d).replace(b'"__NF__"', v.encode()))


@mutation("site")
def site_empty_coords(c: Ctx) -> Change:
    d = _site(c)
    f = _some_feature(c, d)
    p = _positions(f["geometry"])
    v = c.rng.choice([[], [[]], [[[]]], [[p[0]]], [[p[0], p[1]]], [[p[0], p[1], p[0]]], [[[]], [[]]]])
    f["geometry"]["coordinates"] = v
    return Change(f"{f['properties']['role']} ({f['geometry']['type']}) coordinates = {json.dumps(v)[:60]}", _dump(d))


@mutation("site")
def site_huge_coords(c: Ctx) -> Change:
    d = _site(c)
    f = _some_feature(c, d, parcel_weight=0.5)
    pos = c.rng.choice(_positions(f["geometry"]))
    k = c.rng.randrange(2)
    v = c.rng.choice([1e308, -1e308, 1e20, -1e20, 1.0000001e8, 99999999.0, 5e-324])
    old = pos[k]
    pos[k] = v
    if c.rng.random() < 0.5:  # every position of the feature
        for p in _positions(f["geometry"]):
            p[k] = v
    return Change(f"{f['properties']['role']} coordinate {old} -> {v}", _dump(d))


@mutation("site")
def site_truncate(c: Ctx) -> Change:
    return _truncate(c)


@mutation("site")
def site_byte_flips(c: Ctx) -> Change:
    return _byte_flips(c)


@mutation("site")
def site_delete_lines(c: Ctx) -> Change:
    return _delete_lines(c)


@mutation("site")
def site_encoding(c: Ctx) -> Change:
    v = c.rng.choice(["bom", "utf16", "utf16-nobom", "utf32", "latin1", "nul", "crlf"])
    t = c.text
    if v == "bom":
        return Change("UTF-8 BOM prefix", b"\xef\xbb\xbf" + c.data, same_verdict=True, commands=("check-json",))
    if v == "crlf":
        return Change("CRLF line endings", c.data.replace(b"\n", b"\r\n"), same_verdict=True,
                      commands=("check-json",))
    if v == "utf16":
        return Change("UTF-16 with BOM", t.encode("utf-16"))
    if v == "utf16-nobom":
        return Change("UTF-16-LE without BOM", t.encode("utf-16-le"))
    if v == "utf32":
        return Change("UTF-32", t.encode("utf-32"))
    if v == "latin1":
        return Change("Latin-1 'é' in the parcel id", t.replace('"P-1"', '"P-\u00e9"').encode("latin-1"))
    return Change("NUL bytes after the document", c.data + b"\x00" * 16)


@mutation("site")
def site_huge_parcel(c: Ctx) -> Change:
    d = _site(c)
    f = _role(d, "parcel")[0]
    ring = f["geometry"]["coordinates"][0]
    target = c.rng.choice([5000, 19000, 100000, 250000])
    per = max(1, target // (len(ring) - 1))
    new = []
    for a, b in zip(ring, ring[1:]):
        for k in range(per):
            t = k / per
            new.append([a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t])
    new.append(list(ring[-1]))
    f["geometry"]["coordinates"] = [new]
    same = target <= 19000
    return Change(f"parcel densified to {len(new)} vertices (same shape)", _dump(d), same_verdict=same,
                  commands=("check-json",) if same else None)


@mutation("site")
def site_many_features(c: Ctx) -> Change:
    d = _site(c)
    n = c.rng.choice([2000, 60000])  # within the site limits (2 million vertices)
    x0, y0, x1, y1 = _bbox(_parcel_ring(d))
    role = c.rng.choice(["neighbour", "road", "building", "zone"])
    r = random.Random(c.rng.random())
    for i in range(n):
        x, y = x0 - 300 + r.random() * 600, y1 + 2 + r.random() * 300
        geom = {"type": "Polygon", "coordinates": [[[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]]}
        props = {"role": role, "id": f"N{i}"}
        if role in ("neighbour", "zone"):
            props["zone"] = "KR-R2G"
        d["features"].append({"type": "Feature", "properties": props, "geometry": geom})
    return Change(f"{n} small {role} features added north of the parcel", _dump(d))


@mutation("site")
def site_duplicate_parcel(c: Ctx) -> Change:
    d = _site(c)
    p = _role(d, "parcel")[0]
    v = c.rng.choice(["identical", "shifted", "overlapping"])
    q = json.loads(json.dumps(p))
    dx = {"identical": 0, "shifted": 100, "overlapping": 3}[v]
    for pos in _positions(q["geometry"]):
        pos[0] += dx
    d["features"].insert(c.rng.randrange(len(d["features"]) + 1), q)
    return Change(f"a second parcel: {v}", _dump(d))


@mutation("site")
def site_hostile_names(c: Ctx) -> Change:
    d = _site(c)
    h = c.rng.choice(HOSTILE)
    where = c.rng.choice(["parcel id", "zone", "neighbour zone", "neighbour id", "boundary kind", "road width",
                          "property key", "role"])
    if where == "parcel id":
        _role(d, "parcel")[0]["properties"]["id"] = h
    elif where == "zone":
        for f in _role(d, "zone"):
            f["properties"]["zone"] = h
    elif where.startswith("neighbour"):
        n = _add_neighbour(d)
        n["properties"]["zone" if where.endswith("zone") else "id"] = h
    elif where == "boundary kind":
        ring = _parcel_ring(d)
        d["features"].append({"type": "Feature", "properties": {"role": "boundary", "kind": h},
                              "geometry": {"type": "LineString", "coordinates": [ring[2], ring[3]]}})
    elif where == "road width":
        for f in _role(d, "road"):
            f["properties"]["width"] = h
    elif where == "property key":
        _role(d, "parcel")[0]["properties"][h] = h
    else:
        _role(d, "road")[0]["properties"]["role"] = h
    return Change(f"{where} = {h[:50]!r}", _dump(d))


@mutation("site")
def site_road_width(c: Ctx) -> Change:
    d = _site(c)
    v = c.rng.choice(["abc", -5, 0, "1e999 m", "100 furlongs", True, [], {}, 1e308, "NaN m", "-3 m", "1,5 m",
                      "__NaN__", "__Infinity__", "8 m", "26 ft", None, "0 ft", "１２ m"])
    road = _role(d, "road")[0]
    if c.rng.random() < 0.3:  # a centre line instead of a polygon
        x0, y0, x1, y1 = _bbox(road["geometry"]["coordinates"][0])
        road["geometry"] = {"type": "LineString", "coordinates": [[x0, (y0 + y1) / 2], [x1, (y0 + y1) / 2]]}
    road["properties"]["width"] = v
    data = _dump(d).replace(b'"__NaN__"', b"NaN").replace(b'"__Infinity__"', b"Infinity")
    return Change(f"road width = {v!r} ({road['geometry']['type']})", data)


@mutation("site")
def site_role_weird(c: Ctx) -> Change:
    d = _site(c)
    f = c.rng.choice(d["features"])
    old = f["properties"]["role"]
    v = c.rng.choice(["missing", None, 5, old.capitalize(), old + " ", [old], "", "\x1b[2J"])
    if v == "missing":
        del f["properties"]["role"]
    else:
        f["properties"]["role"] = v
    return Change(f"{old} role = {json.dumps(v)}", _dump(d))


@mutation("site")
def site_not_collection(c: Ctx) -> Change:
    d = _site(c)
    v = c.rng.choice([[], "x", 5, None, {}, dict(_role(d, "parcel")[0]), {"type": "FeatureCollection"},
                      {"type": "FeatureCollection", "features": []}, [d], {"type": "featurecollection",
                                                                             "features": d["features"]}])
    return Change(f"document = {json.dumps(v)[:60]}", _dump(v))


@mutation("site")
def site_ground_elevation(c: Ctx) -> Change:
    d = _site(c)
    v = c.rng.choice(["__NaN__", "35", 1e308, -99999, True, [35], None, "__Infinity__", 1e5, -1e5 + 1])
    _role(d, "parcel")[0]["properties"]["ground_elevation"] = v
    data = _dump(d).replace(b'"__NaN__"', b"NaN").replace(b'"__Infinity__"', b"Infinity")
    return Change(f"parcel ground_elevation = {v!r}", data)


@mutation("site")
def site_boundary_weird(c: Ctx) -> Change:
    d = _site(c)
    ring = _parcel_ring(d)
    v = c.rng.choice(["one-point", "zero-length", "far", "3d", "empty-kind", "north", "multi", "along-all"])
    coords = {"one-point": [ring[0]], "zero-length": [ring[0], ring[0]],
              "far": [[ring[0][0] + 5000, ring[0][1]], [ring[0][0] + 5010, ring[0][1]]],
              "3d": [[*ring[0][:2], 5.0], [*ring[1][:2], 5.0]]}.get(v, [ring[2], ring[3]])
    geom = {"type": "LineString", "coordinates": coords}
    if v == "multi":
        geom = {"type": "MultiLineString", "coordinates": [[ring[0], ring[1]], [ring[1]]]}
    if v == "along-all":
        geom = {"type": "LineString", "coordinates": ring}
    kind = "" if v == "empty-kind" else c.rng.choice(["north", "front", "rear", "side", "skyline"])
    d["features"].append({"type": "Feature", "properties": {"role": "boundary", "kind": kind}, "geometry": geom})
    return Change(f"boundary line: {v}, kind {kind!r}", _dump(d))


# --- rulebook (YAML)


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_BOOKS: dict[Path, dict] = {}


def _book(c: Ctx) -> dict:
    """The case's rulebook parsed (a fresh copy: mutations change it)."""
    if c.case.rules not in _BOOKS:
        book = yaml.load(c.text, Loader=_Loader)
        if isinstance(book, dict) and not book.get("zones"):
            # an extending rulebook (rules/de/mbo.yaml) may add no zone: give mutations the case's zone to
            # work on, with no rules of its own (the parent's zone is merged with it, unchanged)
            book["zones"] = {c.case.zone or "Z": {"rules": []}}
        _BOOKS[c.case.rules] = book
    return copy.deepcopy(_BOOKS[c.case.rules])


def _ydump(d, **kw) -> bytes:
    return yaml.dump(d, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=4096, **kw).encode("utf-8")


def _site_zone(c: Ctx) -> str | None:
    try:
        d = json.loads(c.read(c.case.site))
        return next((f["properties"]["zone"] for f in d["features"] if f["properties"].get("role") == "zone"), None)
    except (ValueError, KeyError):
        return None


def _case_zone(c: Ctx, book: dict) -> str | None:
    zones = book.get("zones") or {}
    want = c.case.zone or _site_zone(c)
    if want in zones:
        return want
    for code, z in zones.items():
        if isinstance(z, dict) and want in (z.get("names") or []):
            return code
    return None


def _inject(c: Ctx, rule: dict, rid: str = "fuzz-rule") -> tuple[dict, str]:
    book = _book(c)
    sources = list((book.get("sources") or {}).keys())
    rule = {"id": rid, "title": "fuzz", **rule,
            "citation": {"source": sources[0] if sources else "x", "article": "fuzz"}}
    code = _case_zone(c, book)
    if code:
        zone = book["zones"][code]
        zone["rules"] = list(zone.get("rules") or []) + [rule]
        return book, f"zone {code}"
    book["rules"] = list(book.get("rules") or []) + [rule]
    return book, "rulebook-wide rules"


@mutation("rules")
def rules_encoding(c: Ctx) -> Change:
    v = c.rng.choice(["euc-kr", "cp949", "utf16", "utf16-nobom", "stray", "nul", "bom", "latin1"])
    t = c.text
    if v in ("euc-kr", "cp949"):
        return Change(f"encoded {v}", t.encode(v, errors="replace"))
    if v == "utf16":
        return Change("UTF-16 with BOM", t.encode("utf-16"))
    if v == "utf16-nobom":
        return Change("UTF-16-BE without BOM", t.encode("utf-16-be"))
    if v == "stray":
        d = bytearray(c.data)
        i = c.rng.randrange(len(d))
        d[i:i] = c.rng.choice([b"\xff\xfe", b"\x80", b"\xc3", b"\xed\xa0\x80"])
        return Change(f"stray invalid UTF-8 bytes at {i}", bytes(d))
    if v == "nul":
        return Change("NUL byte in the title", t.replace("title:", "title: \x00", 1).encode())
    if v == "bom":
        return Change("UTF-8 BOM", b"\xef\xbb\xbf" + c.data, same_verdict=True, commands=("check-json", "validate"))
    return Change("Latin-1 text", t.encode("latin-1", errors="replace"))


@mutation("rules")
def rules_alias_bomb(c: Ctx) -> Change:
    v = c.rng.choice(["laughs", "laughs-deep", "self", "merge"])
    if v.startswith("laughs"):
        levels = 9 if v == "laughs" else 20
        lines = ['fuzz_a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
        for k in range(1, levels):
            lines.append(f"fuzz_a{k}: &a{k} [" + ", ".join([f"*a{k - 1}"] * 9) + "]")
        bomb = "\n".join(lines) + "\n"
        text = c.text
        # the bomb feeds a real key too, so a loader that skips unknown keys still expands it
        text = re.sub(r"^title:.*$", f"title: *a{levels - 1}", text, count=1, flags=re.M)
        return Change(f"billion laughs, {levels} levels", (bomb + text).encode())
    if v == "self":
        text = re.sub(r"^title:.*$", "title: &t [*t]", c.text, count=1, flags=re.M)
        return Change("an alias inside its own anchor (title: &t [*t])", text.encode())
    text = "fuzz_m: &m {x: 1}\n" + re.sub(r"^version:.*$", "version:\n  <<: [*m, *m, *m]", c.text, count=1,
                                            flags=re.M)
    return Change("merge keys through aliases", text.encode())


@mutation("rules")
def rules_huge(c: Ctx) -> Change:
    v = c.rng.choice(["comment-20MB", "string-20MB", "just-over-1MB", "many-rules-under-cap"])
    t = c.text
    if v == "comment-20MB":
        return Change("20 MB comment line", (t + "\n# " + "x" * 20_000_000 + "\n").encode())
    if v == "string-20MB":
        return Change("20 MB title", re.sub(r"^title:.*$", lambda m: "title: " + "x" * 20_000_000, t, count=1,
                                           flags=re.M).encode())
    if v == "just-over-1MB":
        return Change("1.1 MB of comment", (t + "\n# " + "y" * 1_100_000 + "\n").encode())
    book = _book(c)
    code = _case_zone(c, book)
    sources = list((book.get("sources") or {}).keys())
    rules = [{"id": f"h{i}", "kind": "max_height", "limit": "500 m",
              "citation": {"source": sources[0] if sources else "x", "article": str(i)}} for i in range(6000)]
    if code:
        book["zones"][code]["rules"] = list(book["zones"][code].get("rules") or []) + rules
    else:
        book["rules"] = list(book.get("rules") or []) + rules
    data = _ydump(book, default_flow_style=None)
    return Change(f"6000 extra max_height rules ({len(data) // 1024} kB)", data)


@mutation("rules")
def rules_extends_special(c: Ctx) -> Change:
    name = c.case.rules.name
    v = c.rng.choice(["/dev/zero", "/etc/passwd", "/", ".", "/dev/stdin", "/dev/urandom", "self", "cycle2",
                      "missing", "", 5, ["national.yaml"], {"a": 1}, "../../../../../../etc/passwd",
                      "x" * 5000 + ".yaml", "a\x00b.yaml", "/proc/self/status", "~/x.yaml"])
    book = _book(c)
    extra = {}
    if v == "self":
        book["extends"] = name
    elif v == "cycle2":
        book["extends"] = "other.yaml"
        other = _book(c)
        other["rulebook"] = "fuzz-other"
        other["extends"] = name
        extra["other.yaml"] = _ydump(other)
    elif v == "missing":
        book["extends"] = "does-not-exist.yaml"
    else:
        book["extends"] = v
    return Change(f"extends: {str(v)[:60]!r}", _ydump(book), extra=extra)


@mutation("rules")
def rules_zone_rules_type(c: Ctx) -> Change:
    book = _book(c)
    code = _case_zone(c, book) or c.rng.choice(list(book["zones"]))
    v = c.rng.choice([5, "x", {}, None, [5], [None], [[{"id": "a"}]], {"id": "a", "kind": "max_height"}, True,
                      "zone-list", "zone-str", "zone-null"])
    if v == "zone-list":
        book["zones"][code] = [book["zones"][code]]
    elif v == "zone-str":
        book["zones"][code] = "KR"
    elif v == "zone-null":
        book["zones"][code] = None
    else:
        book["zones"][code]["rules"] = v
    return Change(f"zone {code}: rules/zone = {json.dumps(v, default=str)[:50]}", _ydump(book))


_NEGATIVE = [
    ("min_setback distance -1.5 m", {"kind": "min_setback", "from": "any", "distance": "-1.5 m"}),
    ("plane clear.distance -1.5 m", {"kind": "plane", "from": "north", "slope": 1, "clear": {"distance": "-1.5 m"}}),
    ("plane above -10 m", {"kind": "plane", "from": "north", "slope": 1, "above": "-10 m"}),
    ("plane clear.above -3 m", {"kind": "plane", "from": "north", "slope": 1,
                                "clear": {"distance": "1 m", "above": "-3 m"}}),
    ("max_height limit -3 m", {"kind": "max_height", "limit": "-3 m"}),
    ("max_footprint_area -5 m2", {"kind": "max_footprint_area", "limit": "-5 m2"}),
    ("max_far -1", {"kind": "max_far", "limit": -1}),
    ("max_storeys -1", {"kind": "max_storeys", "limit": -1}),
    ("min_setback band distance -2 m", {"kind": "min_setback", "from": "any",
                                        "distance": {"bands": [{"up_to": "10 m", "distance": "-2 m"}]}}),
    ("min_setback min -3 m", {"kind": "min_setback", "from": "any", "distance": {"ratio": 0.5, "min": "-3 m"}}),
    ("envelope height -5 m", {"kind": "envelope", "height": "-5 m"}),
    ("max_coverage -10 %", {"kind": "max_coverage", "limit": "-10 %"}),
]


@mutation("rules")
def rules_negative(c: Ctx) -> Change:
    if c.rng.random() < 0.15:
        book = _book(c)
        key = c.rng.choice(["length_tolerance", "relative_tolerance"])
        mp = dict(book.get("measurement_profile") or {})
        mp[key] = "-0.05 m" if key == "length_tolerance" else -0.005
        book["measurement_profile"] = mp
        return Change(f"measurement_profile.{key} negative", _ydump(book), must_refuse=True)
    what, rule = c.pick(_NEGATIVE)
    book, where = _inject(c, rule)
    return Change(f"{what} (in {where})", _ydump(book), must_refuse=True)


@mutation("rules")
def rules_thousands(c: Ctx) -> Change:
    text, value = c.pick([("1,000 m2", 1000.0), ("2,500 m2", 2500.0), ("12,000 m2", 12000.0)])
    book, where = _inject(c, {"kind": "max_footprint_area", "limit": text}, rid="fuzz-thousands")
    return Change(f"limit {text!r} (in {where}): a verdict must read it as {value:g} m2", _ydump(book),
                  expect_limit=("fuzz-thousands", value), commands=("check-json", "validate"))


@mutation("rules")
def rules_truncate(c: Ctx) -> Change:
    return _truncate(c)


@mutation("rules")
def rules_byte_flips(c: Ctx) -> Change:
    return _byte_flips(c)


@mutation("rules")
def rules_delete_lines(c: Ctx) -> Change:
    return _delete_lines(c)


def _paths(node, path=()):
    yield path, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, path + (i,))


def _wrong(c: Ctx, v):
    if isinstance(v, dict):
        return c.rng.choice([list(v.values()), "string", 5, None, [v]])
    if isinstance(v, list):
        return c.rng.choice([{"0": v[0] if v else 1}, "x", 5, None, {}])
    if isinstance(v, bool):
        return c.rng.choice(["yes", 1, [True]])
    if isinstance(v, (int, float)):
        return c.rng.choice(["abc", [1], {}, True, None])
    return c.rng.choice([5, ["x"], {"a": 1}, True, None, 1.5])


@mutation("rules")
def rules_wrong_types(c: Ctx) -> Change:
    book = _book(c)
    if c.rng.random() < 0.2:  # a mapping key of the wrong type
        code = _case_zone(c, book) or next(iter(book["zones"]))
        key = c.rng.choice([5, None, True, 2.5])
        book["zones"] = {(key if k == code else k): z for k, z in book["zones"].items()}
        return Change(f"zone code {code!r} -> key {key!r}", _ydump(book))
    paths = [p for p, _ in _paths(book) if p]
    path = c.rng.choice(paths)
    parent = book
    for p in path[:-1]:
        parent = parent[p]
    new = _wrong(c, parent[path[-1]])
    parent[path[-1]] = new
    return Change(f"{'.'.join(map(str, path))} -> {json.dumps(new, default=str)[:50]}", _ydump(book))


@mutation("rules")
def rules_top_level(c: Ctx) -> Change:
    v = c.rng.choice(["", "---\n", "- a\n- b\n", "just a string\n", "5\n", "null\n", "~\n", "a: 1\n---\nb: 2\n",
                      "{\n", "[\n", "key: [unclosed\n", "\t- tab\n", "? [1, 2]\n: x\n", "*undefined_alias\n",
                      "&a x\n"])
    return Change(f"whole document = {v!r}", v.encode())


@mutation("rules")
def rules_hostile_text(c: Ctx) -> Change:
    book = _book(c)
    h = c.rng.choice(HOSTILE)
    where = c.rng.choice(["rulebook title", "zone title", "zone names", "rule title", "rule note", "source law",
                          "citation article", "rule id", "zone code", "rulebook id"])
    args = {}
    code = _case_zone(c, book)
    zone = book["zones"][code] if code else next(iter(book["zones"].values()))
    rules = zone.get("rules") or book.get("rules") or []
    if where == "rulebook title":
        book["title"] = h
    elif where == "rulebook id":
        book["rulebook"] = h
    elif where == "zone title":
        zone["title"] = h
    elif where == "zone names":
        zone["names"] = list(zone.get("names") or []) + [h]
    elif where == "source law":
        for s in (book.get("sources") or {}).values():
            s["law"] = h
    elif where == "zone code" and code:
        book["zones"] = {(h if k == code else k): z for k, z in book["zones"].items()}
        args["--zone"] = h
    elif rules:
        r = c.rng.choice(rules)
        if where == "rule title":
            r["title"] = h
        elif where == "rule note":
            r["note"] = h
        elif where == "citation article":
            r["citation"]["article"] = h
        else:
            r["id"] = h
    return Change(f"{where} = {h[:50]!r}", _ydump(book), args=args)


@mutation("rules")
def rules_yaml_tags(c: Ctx) -> Change:
    v = c.rng.choice([f'!!python/object/apply:os.system ["touch {SENTINEL}"]',
                      f'!!python/object/apply:subprocess.check_output [["touch", "{SENTINEL}"]]',
                      "!!python/name:os.system", '!!python/object/new:type ["x", [], {}]',
                      "!!binary aGVsbG8=", "!!set {a, b}", "!!timestamp 2020-99-99", "!custom x", "!!omap [a: 1]",
                      "!!int abc", "!!float x", f'!!python/object/apply:builtins.open ["{SENTINEL}", "w"]'])
    text = re.sub(r"^title:.*$", lambda m: f"title: {v}", c.text, count=1, flags=re.M)
    return Change(f"title: {v}", text.encode())


@mutation("rules")
def rules_nonfinite(c: Ctx) -> Change:
    v = c.rng.choice([float("nan"), float("inf"), float("-inf"), "nan m", "inf m", "1e999 m", "NaN", ".nan m"])
    if c.rng.random() < 0.25:
        book = _book(c)
        mp = dict(book.get("measurement_profile") or {})
        mp["length_tolerance"] = float("nan")
        book["measurement_profile"] = mp
        return Change("measurement_profile.length_tolerance .nan", _ydump(book), must_refuse=True)
    kind = c.rng.choice(["max_height", "plane-slope", "min_setback"])
    if kind == "max_height":
        rule = {"kind": "max_height", "limit": v}
    elif kind == "plane-slope":
        rule = {"kind": "plane", "from": "north", "slope": v}
    else:
        rule = {"kind": "min_setback", "from": "any", "distance": v}
    book, where = _inject(c, rule)
    is_nan = isinstance(v, float) and math.isnan(v)
    return Change(f"{kind} = {v!r} (in {where})", _ydump(book), must_refuse=is_nan)


@mutation("rules")
def rules_unit_weird(c: Ctx) -> Change:
    v = c.rng.choice(["12 parsecs", "12", "m 12", "12 m m", "１２ m", "12 M", "12m", "0x10 m", "+12 m", "12.5.5 m",
                      "12 m2", "60 %", "1e3 m", "12 ft ", "12 metres", "٣ m", "12\u00a0m", " ", "12 m; DROP"])
    book, where = _inject(c, {"kind": "max_height", "limit": v})
    return Change(f"max_height limit {v!r} (in {where})", _ydump(book))


@mutation("rules")
def rules_deep_nesting(c: Ctx) -> Change:
    depth = c.rng.choice([1000, 10000, 100000])
    v = c.rng.choice(["flow-seq", "flow-map", "block"])
    if v == "flow-seq":
        deep = "[" * depth + "]" * depth
    elif v == "flow-map":
        deep = "{a: " * depth + "1" + "}" * depth
    else:
        deep = "\n" + "".join(" " * k + "- \n" for k in range(min(depth, 3000)))
    text = re.sub(r"^title:.*$", lambda m: "title: " + deep, c.text, count=1, flags=re.M)
    return Change(f"title nested {depth} deep ({v})", text.encode())


@mutation("rules")
def rules_duplicate_keys(c: Ctx) -> Change:
    t = c.text
    v = c.rng.choice(["zones", "rules", "title", "rulebook"])
    present = re.search(rf"^{v}:", t, re.M) is not None
    t += {"zones": "\nzones: {}\n", "rules": "\nrules: []\n", "title": '\ntitle: "again"\n',
          "rulebook": "\nrulebook: other\n"}[v]
    # A YAML mapping's keys are unique (YAML 1.2, 3.2.1.1). A loader that keeps the last one drops
    # every zone or rulebook-wide rule written above the second key without a word: refuse it.
    return Change(f"top-level key {v!r} written twice" if present else f"top-level key {v!r} added", t.encode(),
                  must_refuse=present and v in ("zones", "rules"))


@mutation("rules")
def rules_roundtrip(c: Ctx) -> Change:
    return Change("parsed and written again by yaml.safe_dump (comments and layout lost)", _ydump(_book(c)),
                  same_verdict=True, commands=("check-json", "validate"))


# --- command-line arguments


@mutation("cli")
def cli_anchor(c: Ctx) -> Change:
    v = c.rng.choice(["nan,nan", "inf,0", "-inf,1", "1e308,1e308", "a,b", "1,2,3", "", ",", "220000",
                      "220000;560000", "1_000,2", " 220000 , 560000 ", "220000,560000,", "nan,560000",
                      "1e400,0", "0x10,5", f"[bold red]{MARK}", "\x1b[31m1,2"])
    return Change(f"--anchor {v!r}", args={"--anchor": v})


@mutation("cli")
def cli_rotation(c: Ctx) -> Change:
    v = c.rng.choice(["nan", "inf", "-inf", "1e308", "-1e308", "abc", "360", "1e-320", "1e400", "NaN", "720.5"])
    args = {"--rotation": v}
    if c.case.anchor is None:
        args["--anchor"] = "210000,550000"
    return Change(f"--rotation {v!r}", args=args)


@mutation("cli")
def cli_ground_level(c: Ctx) -> Change:
    v = c.rng.choice(["1e308", "-1e308", "nan", "inf", "-inf", "1e20", "-1e5", "1e400"])
    return Change(f"--ground-level {v!r}", args={"--ground-level": v})


@mutation("cli")
def cli_zone(c: Ctx) -> Change:
    v = c.rng.choice([f"[bold red]{MARK}", "[/]", "\x1b[31mX", "", " ", "KR-R2G\n", "a" * 10000, "\x1b]0;pwned\x07",
                      "제2종일반주거지역", "kr-r2g", "\u202eKR"])
    return Change(f"--zone {v[:40]!r}", args={"--zone": v})


@mutation("cli")
def cli_site_crs(c: Ctx) -> Change:
    v = c.rng.choice(["EPSG:4978", "+proj=geocent +datum=WGS84", "EPSG:5773", "EPSG:999999", "foo", "EPSG:4326", "",
                      "EPSG:3857", "urn:ogc:def:crs:EPSG::5186", f"[bold red]{MARK}", "x" * 20000])
    must = v in ("EPSG:4978", "+proj=geocent +datum=WGS84", "EPSG:5773")
    return Change(f"--site-crs {v[:40]!r}", args={"--site-crs": v}, must_refuse=must)


@mutation("cli")
def cli_paths_special(c: Ctx) -> Change:
    role = c.rng.choice(["model", "site", "rules"])
    v = c.rng.choice(["/dev/zero", "/dev/null", "/etc/passwd", "/", "/nonexistent/x", "/proc/self/status",
                      "/dev/urandom"])
    return Change(f"{role} path = {v}", paths={role: v})


# --------------------------------------------------------------------------------------------
# Inputs


@dataclass
class Mutant:
    index: int
    id: str
    case: Case
    kind: str
    target: str
    command: str
    change: Change

    def meta(self) -> dict:
        ch = self.change
        return {"id": self.id, "case": self.case.name, "kind": self.kind, "target": self.target,
                "command": self.command, "detail": ch.detail, "must_refuse": ch.must_refuse,
                "same_verdict": ch.same_verdict}


COMMANDS = {
    "model": [("check-json", 45), ("check-term", 20), ("inspect-json", 17), ("inspect-term", 18)],
    "rules": [("check-json", 50), ("check-term", 20), ("validate", 30)],
    "site": [("check-json", 70), ("check-term", 30)],
    "cli": [("check-json", 70), ("check-term", 30)],
}


# Kinds dealt half as often: their inputs take seconds each (or the timeout, today).
HEAVY = {"site_many_features"}


def kind_order(seed: int, kinds: list[str]) -> list[str]:
    """The deal: every kind twice (a heavy one once), shuffled by the seed; input i gets order[i % len]."""
    order = [k for k in sorted(kinds) for _ in range(1 if k in HEAVY else 2)]
    random.Random(f"kinds:{seed}").shuffle(order)
    return order


def generate(i: int, seed: int, cases: list[Case], order: list[str]) -> Mutant:
    rng = random.Random(f"{seed}:{i}")
    kind = order[i % len(order)]
    target, fn = MUTATIONS[kind]
    for _ in range(50):
        case = rng.choice(cases)
        change = fn(Ctx(rng, case, target))
        if change is not None:
            break
    else:
        raise RuntimeError(f"mutation {kind} applies to no case")
    allowed = [(cmd, w) for cmd, w in COMMANDS[target] if change.commands is None or cmd in change.commands]
    command = rng.choices([c for c, _ in allowed], [w for _, w in allowed])[0]
    return Mutant(i, f"{i:05d}", case, kind, target, command, change)


def _argv(command: str, files: dict[str, str], case: Case, args: dict[str, str | None]) -> list[str]:
    if command == "validate":
        return ["permitcheck", "rules", "validate", files["rules"]]
    if command.startswith("inspect"):
        argv = ["permitcheck", "inspect", files["model"], "--workers", "1"]
        return argv + (["--json"] if command == "inspect-json" else [])
    opts = {"--zone": case.zone, "--anchor": case.anchor,
            "--rotation": None if case.rotation is None else str(case.rotation)}
    opts.update(args)
    argv = ["permitcheck", "check", files["model"], "--site", files["site"], "--rules", files["rules"]]
    for k, v in opts.items():
        if v is not None:
            argv.append(f"{k}={v}")
    argv += ["--workers", "1"]
    return argv + (["--json"] if command == "check-json" else [])


def materialize(m: Mutant, workdir: Path) -> list[str]:
    """Write the input's files into its own folder (run from there); its argv."""
    workdir.mkdir(parents=True, exist_ok=True)
    files = {}
    for role, src in (("model", m.case.model), ("site", m.case.site), ("rules", m.case.rules)):
        dst = workdir / src.name
        if role == m.target and m.change.data is not None:
            dst.write_bytes(m.change.data)
        else:
            shutil.copyfile(src, dst)
        files[role] = src.name
    for name, data in m.change.extra.items():
        (workdir / name).write_bytes(data)
    files.update(m.change.paths)
    return _argv(m.command, files, m.case, m.change.args)


# --------------------------------------------------------------------------------------------
# Running: one forked child per input

_WARM = ["permitcheck.cli", "permitcheck.checking", "permitcheck.inspection", "permitcheck.engine",
         "permitcheck.reports.check_terminal", "permitcheck.reports.inspect_terminal", "permitcheck.rulebook",
         "permitcheck.site.load", "ifcopenshell", "ifcopenshell.geom", "ifcopenshell.util.unit", "pyproj",
         "shapely", "trimesh", "manifold3d", "scipy.spatial", "scipy.sparse.csgraph", "scipy.ndimage",
         "scipy.optimize", "PIL.Image", "pydantic", "rich.table", "yaml"]


def warm_imports() -> None:
    """Import once in the parent what every child would otherwise import (about 1 s each)."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    for name in _WARM:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a child importing it will show the error as a BAD run
            pass
    try:
        import permitcheck.checks as checks

        for mod in pkgutil.iter_modules(checks.__path__):
            importlib.import_module(f"permitcheck.checks.{mod.name}")
    except Exception:  # noqa: BLE001
        pass


def _show_warning(message, category, filename, lineno, file=None, line=None):
    sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


def _child(argv: list[str], cwd: Path, out: Path, err: Path, timeout: float, mem_bytes: int) -> None:
    """In the forked child: run permitcheck.cli.main() as the `permitcheck` process would. Never returns."""
    code = 70
    try:
        os.setpgid(0, 0)
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD, signal.SIGALRM, signal.SIGUSR1, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        os.dup2(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), 1)
        os.dup2(os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), 2)
        sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8", errors="strict")
        sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8",
                                      errors="backslashreplace", line_buffering=True)
        os.chdir(cwd)
        for k in ("FORCE_COLOR", "PY_COLORS", "CLICOLOR_FORCE", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
            os.environ.pop(k, None)
        os.environ.update({"NO_COLOR": "1", "COLUMNS": "80", "LINES": "25", "TERM": "xterm"})
        if mem_bytes:
            resource.setrlimit(resource.RLIMIT_AS, (mem_bytes, mem_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        # what a fresh interpreter has, whatever pytest set in the parent
        warnings.resetwarnings()
        for action, cat, mod in (("ignore", ResourceWarning, ""), ("ignore", ImportWarning, ""),
                                 ("ignore", PendingDeprecationWarning, ""), ("ignore", DeprecationWarning, ""),
                                 ("default", DeprecationWarning, "__main__")):
            warnings.filterwarnings(action, category=cat, module=mod)
        warnings.showwarning = _show_warning
        logging.root.handlers = []
        logging.root.setLevel(logging.WARNING)
        faulthandler.enable(file=sys.stderr, all_threads=False)
        if timeout > 4:
            faulthandler.dump_traceback_later(timeout - 2, exit=False, file=sys.stderr)
        sys.argv = list(argv)
        import permitcheck.cli

        try:
            permitcheck.cli.main()
            code = 0
        except SystemExit as e:
            if e.code is None:
                code = 0
            elif isinstance(e.code, int):
                code = e.code
            else:
                sys.stderr.write(f"{e.code}\n")
                code = 1
        except BaseException:  # noqa: BLE001 - an uncaught exception: Python prints it and exits 1
            traceback.print_exc()
            code = 1
        try:
            sys.stdout.flush()
        except BaseException:  # noqa: BLE001 - the interpreter would say so and exit 120
            traceback.print_exc()
            code = 120
        sys.stderr.flush()
    except BaseException:  # noqa: BLE001 - the harness itself failed in the child
        try:
            traceback.print_exc()
            sys.stderr.flush()
        except BaseException:  # noqa: BLE001
            pass
        code = 70
    finally:
        os._exit(code & 0xFF)


@dataclass
class Job:
    key: str
    argv: list[str]
    cwd: Path
    out: Path
    err: Path
    payload: object = None


@dataclass
class RunResult:
    code: int | None
    signal: str | None
    timed_out: bool
    seconds: float
    stdout: bytes
    stderr: bytes


def _killpg(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run_jobs(jobs_iter, jobs: int, timeout: float, mem_bytes: int, done: Callable[[Job, RunResult], None]) -> None:
    """Fork a child per job, --jobs at a time; `done` gets each job's result as it ends."""
    running: dict[int, tuple[Job, float]] = {}
    it = iter(jobs_iter)
    exhausted = False
    while True:
        while not exhausted and len(running) < jobs:
            job = next(it, None)
            if job is None:
                exhausted = True
                break
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                _child(job.argv, job.cwd, job.out, job.err, timeout, mem_bytes)
            try:
                os.setpgid(pid, pid)
            except OSError:
                pass
            running[pid] = (job, time.monotonic())
        if not running:
            return
        busy = True
        for pid, (job, t0) in list(running.items()):
            info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            timed_out = info is None and time.monotonic() - t0 > timeout
            if info is None and not timed_out:
                continue
            busy = False
            _killpg(pid)  # the child's own children too; a zombie keeps its group id until reaped
            _, status = os.waitpid(pid, 0)
            seconds = time.monotonic() - t0
            del running[pid]
            sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
            res = RunResult(
                code=os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
                signal=None if sig is None or timed_out else signal.Signals(sig).name,
                timed_out=timed_out, seconds=seconds,
                stdout=job.out.read_bytes() if job.out.exists() else b"",
                stderr=job.err.read_bytes() if job.err.exists() else b"")
            done(job, res)
        if busy:
            time.sleep(0.005)


# --------------------------------------------------------------------------------------------
# Classification

_PASSWD: list[str] | None = None


def _passwd_lines() -> list[str]:
    global _PASSWD
    if _PASSWD is None:
        try:
            _PASSWD = [ln for ln in Path("/etc/passwd").read_text(errors="replace").splitlines()
                       if ln.count(":") >= 5 and len(ln) >= 10]
        except OSError:
            _PASSWD = []
    return _PASSWD


def _controls(text: str) -> list[str]:
    bad = set()
    for ch in text:
        o = ord(ch)
        if (o < 0x20 and ch not in "\n\t") or 0x80 <= o <= 0x9F or 0xDC80 <= o <= 0xDC9F:
            bad.add(ch)
    return sorted(repr(ch) for ch in bad)


def _markup_eaten(text: str) -> bool:
    return any(text[m.start() - 1:m.start()] != "]" for m in re.finditer(MARK, text))


class _NonFinite(ValueError):
    pass


def _strict_json(s: str):
    def refuse(name):
        raise _NonFinite(name)
    return json.loads(s, parse_constant=refuse)


_FAULT_TIMEOUT = re.compile(r"^Timeout \(\d+:\d\d:\d\d(?:\.\d+)?\)!$", re.M)


def classify(meta: dict, res: RunResult, baseline: dict | None, workdir: Path | None) -> tuple[str, list[str], dict]:
    """('verdict' | 'clean-error' | 'BAD', BAD classes, facts worth keeping)."""
    out = res.stdout.decode("utf-8", "surrogateescape")
    err = res.stderr.decode("utf-8", "surrogateescape")
    notes: dict = {}
    m = _FAULT_TIMEOUT.search(err)
    if m and not res.timed_out:  # finished in the last 2 s: keep what it wrote before the stack dump
        notes["slow"] = True
        err = err[:m.start()]
    command = meta["command"]
    terminal = not command.endswith("-json")
    bad: list[str] = []
    if res.timed_out:
        bad.append("timeout")
    elif res.signal:
        bad.append(f"signal {res.signal}")
    if "Traceback (most recent call last)" in err or "Traceback (most recent call last)" in out:
        bad.append("traceback")
    code = res.code
    outcome = None
    if code is not None and not res.timed_out:
        verdict_codes = (0, 1) if command.startswith("check") else (0,)
        if code in verdict_codes:
            outcome = "verdict"
        elif code == 2:
            outcome = "clean-error"
        elif code == 3:
            bad.append("exit 3 (internal error)")
        elif "traceback" not in bad:
            bad.append(f"exit {code}")
    if outcome == "clean-error":
        lines = [ln for ln in err.split("\n") if ln.strip()]
        if command == "validate":
            ok = bool(lines) and lines[-1].startswith("permitcheck: error:") and all(
                ln.startswith(("permitcheck: error:", "permitcheck: warning:")) for ln in lines)
        else:
            ok = bool(lines) and lines[-1].startswith("permitcheck: error:") and all(
                ln.startswith("permitcheck: warning:") for ln in lines[:-1])
        if not ok:
            bad.append("exit 2 without one clean error line")
    if outcome == "verdict":
        if command.endswith("-json"):
            try:
                data = _strict_json(out)
            except _NonFinite as e:
                bad.append(f"non-finite number in JSON ({e})")
                data = None
            except ValueError:
                bad.append("stdout is not JSON")
                data = None
            if isinstance(data, dict) and command == "check-json":
                v = data.get("verdict")
                notes["verdict"] = v
                notes["statuses"] = {f.get("rule"): f.get("status") for f in data.get("findings") or []
                                     if isinstance(f, dict)}
                if (code == 0) != (v == "PASS"):
                    bad.append(f"exit {code} but verdict {v}")
                lim = meta.get("expect_limit")
                if lim:
                    got = [f.get("limit") for f in data.get("findings") or [] if f.get("rule") == lim[0]]
                    notes["limit_read"] = got
                    if got and not any(isinstance(g, (int, float)) and abs(g - lim[1]) < 1e-6 * lim[1] for g in got):
                        bad.append("quantity read wrong")
                if meta.get("same_verdict") and baseline and baseline.get("verdict") is not None:
                    if v != baseline["verdict"] or notes["statuses"] != baseline.get("statuses"):
                        bad.append("verdict differs from the unmutated case")
                        notes["baseline_verdict"] = baseline["verdict"]
                        notes["diff"] = {k: [baseline["statuses"].get(k), notes["statuses"].get(k)]
                                         for k in set(baseline["statuses"]) | set(notes["statuses"])
                                         if baseline["statuses"].get(k) != notes["statuses"].get(k)}
        if meta.get("must_refuse"):
            bad.append("verdict on input that must be refused")
    if terminal:
        ctl = _controls(out)
        if ctl:
            bad.append("control characters in terminal output")
            notes["stdout_controls"] = ctl
    ctl = _controls(err[:200_000])
    if ctl and not res.timed_out and not res.signal:
        bad.append("control characters on stderr")
        notes["stderr_controls"] = ctl
    if (terminal and _markup_eaten(out)) or _markup_eaten(err):
        bad.append("rich markup interpreted")
    both = out + err
    if any(ln in both for ln in _passwd_lines()):
        bad.append("/etc/passwd echoed")
    if workdir is not None and (workdir / SENTINEL).exists():
        bad.append("YAML tag ran code")
    if bad:
        return "BAD", bad, notes
    return outcome or "BAD", ([] if outcome else ["no outcome"]), notes


def last_line(stderr: bytes) -> str:
    text = stderr.decode("utf-8", "replace")
    m = _FAULT_TIMEOUT.search(text)
    lines = [ln for ln in text.split("\n") if ln.strip()]
    fatal = [ln for ln in lines if ln.startswith("Fatal Python error:")]
    if fatal:
        return fatal[0]
    words = [ln for ln in lines if re.search(r"[A-Za-z]", ln)]
    if lines and words and not re.search(r"[A-Za-z]", lines[-1]):  # a box drawn by rich: its last words
        return " ".join(" ".join(ln.strip("│ ").split()) for ln in words[-2:])[:300]
    if m:  # the dump's first Python frame says where it hung
        before = [ln for ln in text[:m.start()].split("\n") if ln.strip()]
        return (before[-1] if before else "") or "(stack dumped at timeout)"
    return lines[-1][:300] if lines else ""


_FRAME = re.compile(r'File "([^"]+)", line (\d+),? in (\S+)')


def frame_in_project(text: str, most_recent_first: bool) -> str | None:
    frames = _FRAME.findall(text)
    if most_recent_first:
        frames = list(reversed(frames))
    pkg = str(ROOT / "permitcheck")
    ours = [f for f in frames if f[0].startswith(pkg)]
    pick = ours[-1] if ours else (frames[-1] if frames else None)
    if not pick:
        return None
    path = pick[0][len(str(ROOT)) + 1:] if pick[0].startswith(str(ROOT)) else pick[0]
    return f"{path}:{pick[1]} in {pick[2]}"


def normalise(line: str) -> str:
    line = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", line)
    line = re.sub(r"\d+(\.\d+)?", "N", line)
    return line[:160]


# --------------------------------------------------------------------------------------------
# The run


def run(n: int = 1000, seed: int = 0, timeout: float = 20.0, out: Path | str = DEFAULT_OUT, jobs: int = 2,
        kinds: list[str] | None = None, only: list[int] | None = None, memory_mb: int = 3072,
        quiet: bool = False, debug_reruns: int = 3) -> dict:
    """Run the fuzzer; the summary (also written to OUT/summary.json)."""
    t_start = time.monotonic()
    out = Path(out)
    if out.exists():
        shutil.rmtree(out / "work", ignore_errors=True)
        shutil.rmtree(out / "bad", ignore_errors=True)
    (out / "work").mkdir(parents=True, exist_ok=True)
    (out / "bad").mkdir(parents=True, exist_ok=True)
    cases = load_cases()
    names = sorted(MUTATIONS) if not kinds else [k for k in sorted(MUTATIONS) if k in kinds]
    unknown = set(kinds or ()) - set(MUTATIONS)
    if unknown:
        raise SystemExit(f"unknown mutation kinds: {', '.join(sorted(unknown))}")
    order = kind_order(seed, names)
    indices = list(only) if only else list(range(n))
    mem = memory_mb * 2**20
    log = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))
    warm_imports()
    import gc
    gc.collect()
    gc.freeze()

    # Baselines: the unmutated case, for inputs that must mean the same.
    base_cases = cases if not only else sorted({generate(i, seed, cases, order).case for i in indices},
                                               key=lambda c: c.name)
    baselines: dict[str, dict] = {}
    base_dir = out / "work" / "baseline"

    def base_jobs():
        for case in base_cases:
            wd = base_dir / case.name
            wd.mkdir(parents=True, exist_ok=True)
            files = {r: str(p) for r, p in (("model", case.model), ("site", case.site), ("rules", case.rules))}
            yield Job(case.name, _argv("check-json", files, case, {}), wd, wd / "stdout", wd / "stderr", case)

    base_times = []

    def base_done(job: Job, res: RunResult) -> None:
        outcome, bad, notes = classify({"command": "check-json", "id": job.key}, res, None, None)
        base_times.append(res.seconds)
        baselines[job.key] = {"outcome": outcome, "bad": bad, "verdict": notes.get("verdict"),
                              "statuses": notes.get("statuses", {}), "seconds": round(res.seconds, 3),
                              "expected": job.payload.verdict, "last_line": last_line(res.stderr)}

    run_jobs(base_jobs(), jobs, timeout, mem, base_done)
    broken = {k: v for k, v in baselines.items() if v["outcome"] != "verdict" or v["verdict"] != v["expected"]}
    log(f"baselines: {len(baselines)} cases in {time.monotonic() - t_start:.1f} s"
        + (f"; NOT as expected: {sorted(broken)}" if broken else ""))

    # The inputs.
    records: list[dict] = []
    results = open(out / "results.jsonl", "w", encoding="utf-8")
    t_fuzz = time.monotonic()

    def fuzz_jobs():
        for i in indices:
            m = generate(i, seed, cases, order)
            wd = out / "work" / m.id
            argv = materialize(m, wd)
            meta = m.meta()
            meta["expect_limit"] = m.change.expect_limit
            meta["argv"] = argv
            m.change.data = None  # 20 MB inputs need not stay in memory
            yield Job(m.id, argv, wd, wd / ".stdout", wd / ".stderr", meta)

    def fuzz_done(job: Job, res: RunResult) -> None:
        meta = job.payload
        outcome, bad, notes = classify(meta, res, baselines.get(meta["case"]), job.cwd)
        rec = {**meta, "outcome": outcome, "bad": bad, "exit": res.code, "signal": res.signal,
               "timed_out": res.timed_out, "seconds": round(res.seconds, 3), "last_line": last_line(res.stderr),
               **{k: v for k, v in notes.items() if k not in ("statuses",)}}
        if outcome == "BAD":
            dest = out / "bad" / meta["id"]
            shutil.rmtree(dest, ignore_errors=True)
            job.out.rename(job.cwd / "stdout.txt")
            job.err.rename(job.cwd / "stderr.txt")
            shutil.move(str(job.cwd), dest)
            if res.signal or res.timed_out:
                rec["location"] = frame_in_project(res.stderr.decode("utf-8", "replace"), most_recent_first=True)
            elif "traceback" in bad:
                rec["location"] = frame_in_project(res.stderr.decode("utf-8", "replace"), most_recent_first=False)
            _write_repro(dest, rec, seed, kinds)
        else:
            shutil.rmtree(job.cwd, ignore_errors=True)
        records.append(rec)
        results.write(json.dumps(rec, ensure_ascii=False, default=str) + "\n")
        if not quiet and len(records) % 50 == 0:
            nb = sum(r["outcome"] == "BAD" for r in records)
            log(f"  {len(records)}/{len(indices)} inputs, {nb} BAD, {time.monotonic() - t_fuzz:.0f} s")

    run_jobs(fuzz_jobs(), jobs, timeout, mem, fuzz_done)
    results.close()
    fuzz_seconds = time.monotonic() - t_fuzz

    # Where the internal errors come from: the same input once more with --debug (all of them, or
    # the first few of each kind and message when there are many; the rest take their location).
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in records:
        if r["outcome"] == "BAD" and "location" not in r and (
                r["bad"][0].startswith("exit 3") or r["bad"][0] == "exit 2 without one clean error line"):
            groups[(r["bad"][0], normalise(r["last_line"]), r["kind"])].append(r)
    total = sum(len(m) for m in groups.values())
    reruns = [r for members in groups.values() for r in (members if total <= 80 else members[:debug_reruns])]
    by_id = {r["id"]: r for r in reruns}

    def debug_jobs():
        for r in reruns:
            dest = out / "bad" / r["id"]
            argv = [r["argv"][0], "--debug", *r["argv"][1:]]
            yield Job(r["id"], argv, dest, dest / ".debug-stdout", dest / "debug-stderr.txt", r)

    def debug_done(job: Job, res: RunResult) -> None:
        by_id[job.key]["location"] = frame_in_project(res.stderr.decode("utf-8", "replace"), most_recent_first=False)
        (job.cwd / ".debug-stdout").unlink(missing_ok=True)

    run_jobs(debug_jobs(), jobs, timeout, mem, debug_done)
    for members in groups.values():
        found = next((r["location"] for r in members if r.get("location")), None)
        for r in members:
            r.setdefault("location", found)
    shutil.rmtree(out / "work", ignore_errors=True)

    summary = _summary(records, baselines, indices, seed, n, jobs, timeout, fuzz_seconds,
                       time.monotonic() - t_start, base_times, out)
    (out / "summary.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False, default=str) + "\n")
    if not quiet:
        print(render(summary))
    return summary


def _write_repro(dest: Path, rec: dict, seed: int, kinds: list[str] | None) -> None:
    argv = rec["argv"]
    (dest / "argv.json").write_text(json.dumps(argv, ensure_ascii=False) + "\n")
    shown = " ".join(shlex.quote(a) for a in argv)
    if _controls(shown):
        shown = repr(argv) + "   (argv has control characters: see argv.json)"
    regen = f"python bench/fuzz.py --seed {seed} --only {int(rec['id'])}" + \
        (f" --kinds {','.join(kinds)}" if kinds else "")
    (dest / "repro.txt").write_text(
        f"input {rec['id']}: {rec['kind']} ({rec['target']}) on case {rec['case']}\n"
        f"mutation: {rec['detail']}\n"
        f"must_refuse: {rec['must_refuse']}  same_verdict: {rec['same_verdict']}\n"
        f"BAD: {'; '.join(rec['bad'])}\n"
        f"exit: {rec['exit']}  signal: {rec['signal']}  timed out: {rec['timed_out']}  {rec['seconds']} s\n"
        f"last stderr line: {rec['last_line']}\n\n"
        f"cd {dest} && NO_COLOR=1 COLUMNS=80 {shown}\n\n"
        f"regenerate this input: {regen}\n", encoding="utf-8")


def _summary(records, baselines, indices, seed, n, jobs, timeout, fuzz_seconds, total_seconds, base_times, out):
    per_kind: dict[str, Counter] = defaultdict(Counter)
    classes = Counter()
    for r in records:
        per_kind[r["kind"]][r["outcome"]] += 1
        for b in r["bad"]:
            classes[b] += 1
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in records:
        if r["outcome"] == "BAD":
            msg = normalise(r["last_line"]) if r["exit"] not in (0, 1) or r["bad"][0] == "traceback" else ""
            loc = r.get("location") or ""
            key = (r["bad"][0], loc, msg, "" if (loc or msg) else r["kind"])
            groups[key].append(r)
    group_list = []
    for (cls, loc, line, _), members in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        ex = members[0]
        group_list.append({"class": cls, "location": loc, "message": line, "count": len(members),
                           "kinds": sorted({m["kind"] for m in members}),
                           "example": {"id": ex["id"], "kind": ex["kind"], "case": ex["case"],
                                       "detail": ex["detail"], "command": ex["command"], "exit": ex["exit"],
                                       "signal": ex["signal"], "last_line": ex["last_line"],
                                       "repro": str(out / "bad" / ex["id"] / "repro.txt")},
                           "ids": [m["id"] for m in members]})
    outcomes = Counter(r["outcome"] for r in records)
    secs = sorted(r["seconds"] for r in records)
    return {
        "seed": seed, "n": len(indices), "jobs": jobs, "timeout_s": timeout,
        "kinds": len(per_kind), "fuzz_seconds": round(fuzz_seconds, 1), "total_seconds": round(total_seconds, 1),
        "wall_per_input_s": round(fuzz_seconds / max(1, len(records)), 3),
        "child_seconds_median": secs[len(secs) // 2] if secs else None,
        "child_seconds_max": secs[-1] if secs else None,
        "baseline_check_seconds_median": sorted(base_times)[len(base_times) // 2] if base_times else None,
        "outcomes": dict(outcomes), "bad_classes": dict(classes.most_common()),
        "per_kind": {k: {"target": MUTATIONS[k][0], **dict(v)} for k, v in sorted(per_kind.items())},
        "baselines_not_as_expected": {k: v for k, v in baselines.items()
                                      if v["outcome"] != "verdict" or v["verdict"] != v["expected"]},
        "bad_groups": group_list,
        "bad": [r for r in records if r["outcome"] == "BAD"],
        "out": str(out),
    }


def render(s: dict) -> str:
    lines = [f"permitcheck fuzz: {s['n']} inputs, seed {s['seed']}, {s['kinds']} kinds, {s['jobs']} jobs, "
             f"timeout {s['timeout_s']} s: {s['fuzz_seconds']} s ({s['wall_per_input_s']} s per input wall, "
             f"child median {s['child_seconds_median']} s, max {s['child_seconds_max']} s); "
             f"total {s['total_seconds']} s",
             "", f"{'kind':<28} {'target':<6} {'n':>4} {'verdict':>8} {'clean':>6} {'BAD':>5}"]
    for k, v in s["per_kind"].items():
        n = v.get("verdict", 0) + v.get("clean-error", 0) + v.get("BAD", 0)
        lines.append(f"{k:<28} {v['target']:<6} {n:>4} {v.get('verdict', 0):>8} {v.get('clean-error', 0):>6} "
                     f"{v.get('BAD', 0):>5}")
    lines += ["", "outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(s["outcomes"].items()))]
    if s["bad_classes"]:
        lines.append("BAD classes (an input may have several): " +
                     "; ".join(f"{k} {v}" for k, v in s["bad_classes"].items()))
    if s["baselines_not_as_expected"]:
        lines.append("baselines not as cases.yaml expects: " + ", ".join(sorted(s["baselines_not_as_expected"])))
    if s["bad_groups"]:
        lines += ["", f"BAD groups ({len(s['bad_groups'])}), by first class, location and message:"]
        for g in s["bad_groups"]:
            ex = g["example"]
            lines.append(f"- {g['count']} x {g['class']}" + (f" at {g['location']}" if g["location"] else "")
                         + f" [{', '.join(g['kinds'][:6])}{'...' if len(g['kinds']) > 6 else ''}]")
            lines.append(f"    e.g. {ex['id']} {ex['kind']}: {ex['detail'][:100]!r}; {ex['command']}; exit "
                         f"{ex['exit']} signal {ex['signal']}")
            lines.append(f"    stderr: {ex['last_line'][:200]}")
            lines.append(f"    repro: {ex['repro']}")
    lines.append(f"\nsummary: {s['out']}/summary.json; BAD inputs: {s['out']}/bad/<id>/repro.txt")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=1000, help="inputs (default 1000)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--timeout", type=float, default=20.0, help="seconds per input before it is killed")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})")
    p.add_argument("--jobs", type=int, default=2, help="inputs run at once")
    p.add_argument("--kinds", help="only these mutation kinds, comma-separated")
    p.add_argument("--only", help="only these input numbers, comma-separated (same seed and --kinds)")
    p.add_argument("--memory-mb", type=int, default=3072, help="address-space cap per input (0: none)")
    p.add_argument("--list-kinds", action="store_true")
    p.add_argument("--quiet", action="store_true")
    a = p.parse_args(argv)
    if a.list_kinds:
        for k in sorted(MUTATIONS):
            print(f"{k:<28} {MUTATIONS[k][0]}")
        return 0
    kinds = a.kinds.split(",") if a.kinds else None
    only = [int(x) for x in a.only.split(",")] if a.only else None
    s = run(n=a.n, seed=a.seed, timeout=a.timeout, out=a.out, jobs=a.jobs, kinds=kinds, only=only,
            memory_mb=a.memory_mb, quiet=a.quiet)
    if a.quiet:
        print(render(s))
    return 1 if s["bad"] else 0


if __name__ == "__main__":
    sys.exit(main())
