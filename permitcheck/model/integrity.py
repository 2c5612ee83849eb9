"""Pre-flight checks on an opened IFC file, before anything walks its references.

ifcopenshell follows placement chains, mapped representations and boolean operands recursively in
C++: a placement relative to itself crashes the process (SIGSEGV), two placements relative to each
other exhaust Python's recursion, and a reference to an instance the file does not hold is read as
`$` — the element then stands at the world origin and is measured there without a word. Each of
these is a corrupt file, refused with one line before any geometry is built.
"""

from __future__ import annotations

import re

import ifcopenshell

from permitcheck.errors import ModelUnreadable

# The references along which ifcopenshell recurses, by class: a cycle along them never ends.
_RECURSIVE_ATTRIBUTES = {
    "IfcLocalPlacement": ("PlacementRelTo",),
    "IfcBooleanResult": ("FirstOperand", "SecondOperand"),
    "IfcCsgSolid": ("TreeRootExpression",),
    "IfcMappedItem": ("MappingSource",),
    "IfcRepresentationMap": ("MappedRepresentation",),
    "IfcShapeRepresentation": ("Items",),
    "IfcSweptAreaSolid": ("SweptArea",),
    "IfcSweptDiskSolid": ("Directrix",),
    "IfcArbitraryClosedProfileDef": ("OuterCurve",),
    "IfcArbitraryProfileDefWithVoids": ("InnerCurves",),
    "IfcDerivedProfileDef": ("ParentProfile",),
    "IfcCompositeProfileDef": ("Profiles",),
    "IfcCompositeCurve": ("Segments",),
    "IfcCompositeCurveSegment": ("ParentCurve",),
    "IfcTrimmedCurve": ("BasisCurve",),
    "IfcOffsetCurve2D": ("BasisCurve",),
    "IfcOffsetCurve3D": ("BasisCurve",),
}
# A chain deeper than this is not an export (real models nest placements about ten deep) and
# would overflow the C++ stack that follows it.
MAX_DEPTH = 1000
_DANGLING = re.compile(r"Instance reference #(\d+) used by instance #(\d+)")


def log_mark() -> int:
    """Empty ifcopenshell's log (reading it empties it): what it logs next is about the next file."""
    try:
        ifcopenshell.ifcopenshell_wrapper.get_log()
    except (AttributeError, RuntimeError):
        pass
    return 0


def dangling_references(mark: int = 0) -> list[tuple[int, int]]:
    """(missing id, referring id) pairs ifcopenshell logged while parsing, since `log_mark()`."""
    try:
        log = ifcopenshell.ifcopenshell_wrapper.get_log()
    except (AttributeError, RuntimeError):
        return []
    return [(int(a), int(b)) for a, b in _DANGLING.findall(log)]


def _attributes_of(inst, cache: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    cls = inst.is_a()
    names = cache.get(cls)
    if names is None:
        names = tuple(n for c, ns in _RECURSIVE_ATTRIBUTES.items() if inst.is_a(c) for n in ns)
        cache[cls] = names
    return names


def _edges(inst, cache: dict[str, tuple[str, ...]]) -> list:
    out = []
    for name in _attributes_of(inst, cache):
        value = getattr(inst, name, None)
        if isinstance(value, ifcopenshell.entity_instance):
            out.append(value)
        elif isinstance(value, (tuple, list)):
            out += [v for v in value if isinstance(v, ifcopenshell.entity_instance)]
    return out


def _roots(f: ifcopenshell.file) -> list:
    """Every instance of every class a cycle can run through (a cycle may start anywhere on it)."""
    roots, seen = [], set()
    for cls in _RECURSIVE_ATTRIBUTES:
        try:
            found = f.by_type(cls)
        except RuntimeError:  # the class is not in this schema
            continue
        for inst in found:
            if inst.id() not in seen:
                seen.add(inst.id())
                roots.append(inst)
    return roots


def aggregation_cycle(f: ifcopenshell.file) -> list[int] | None:
    """A cycle in the decomposition (a space aggregated into a space aggregated into it), else None."""
    parent: dict[int, int] = {}
    for cls in ("IfcRelAggregates", "IfcRelNests"):
        try:
            rels = f.by_type(cls)
        except RuntimeError:
            continue
        for rel in rels:
            whole = rel[4]  # RelatingObject
            for part in rel[5] or ():  # RelatedObjects
                if isinstance(whole, ifcopenshell.entity_instance) and isinstance(part, ifcopenshell.entity_instance):
                    parent.setdefault(part.id(), whole.id())
    done: set[int] = set()
    for start in parent:
        path, on_path, node = [], set(), start
        while node in parent and node not in done:
            if node in on_path:
                return path[path.index(node):] + [node]
            path.append(node)
            on_path.add(node)
            node = parent[node]
        done |= on_path
    return None


def find_cycle(f: ifcopenshell.file) -> list[int] | None:
    """A reference cycle (instance ids, first repeated last) or an over-deep chain, else None.

    Depth-first with three colours over the recursive references only, so the cost is linear in
    the placements and geometry items, not in the whole file. A chain deeper than `MAX_DEPTH` is
    reported with -1 at its end: ifcopenshell follows chains recursively and overflows its stack.
    """
    done: dict[int, int] = {}  # id -> length of the longest chain below it
    cache: dict[str, tuple[str, ...]] = {}
    for root in _roots(f):
        if root.id() in done:
            continue
        path: list[int] = [root.id()]
        on_path: set[int] = {root.id()}
        stack = [(root, iter(_edges(root, cache)), [0])]
        while stack:
            inst, children, deepest = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                on_path.discard(path.pop())
                done[inst.id()] = deepest[0] + 1
                if stack:
                    stack[-1][2][0] = max(stack[-1][2][0], deepest[0] + 1)
                if deepest[0] + 1 > MAX_DEPTH:
                    return [inst.id(), -1]
                continue
            cid = child.id()
            if cid in on_path:
                return path[path.index(cid):] + [cid]
            if cid in done:
                deepest[0] = max(deepest[0], done[cid])
                if deepest[0] + 1 > MAX_DEPTH:
                    return [inst.id(), -1]
                continue
            if len(path) >= MAX_DEPTH:
                return [root.id(), -1]
            stack.append((child, iter(_edges(child, cache)), [0]))
            path.append(cid)
            on_path.add(cid)
    return None


def _kind(value, allowed: tuple[str, ...], memo: dict) -> bool:
    """Whether `value` is an instance of one of `allowed` (memoised by class name: is_a is slow)."""
    if not isinstance(value, ifcopenshell.entity_instance):
        return False
    key = (value.is_a(), allowed)
    if key not in memo:
        memo[key] = any(value.is_a(a) for a in allowed)
    return memo[key]


def _describe(value) -> str:
    return value.is_a() if isinstance(value, ifcopenshell.entity_instance) else type(value).__name__


def _numbers(values, dims: int) -> bool:
    return isinstance(values, (tuple, list)) and len(values) == dims and \
        all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def mistyped_reference(f: ifcopenshell.file) -> str | None:
    """The first placement or representation reference that points at the wrong kind of instance.

    ifcopenshell follows these without checking: a placement relative to a wall crashes the
    geometry kernel; one relative to the project, Python's placement walk. Attributes are read by
    position (PlacementRelTo, RelativePlacement; Location, Axis, RefDirection; Coordinates), which
    costs a third of reading them by name.
    """
    memo: dict = {}
    for p in f.by_type("IfcLocalPlacement"):
        rel, axes = p[0], p[1]
        if rel is not None and not _kind(rel, ("IfcObjectPlacement",), memo):
            return f"#{p.id()} IfcLocalPlacement.PlacementRelTo points at {_describe(rel)}, not a placement"
        if not _kind(axes, ("IfcAxis2Placement2D", "IfcAxis2Placement3D"), memo):
            return f"#{p.id()} IfcLocalPlacement.RelativePlacement points at {_describe(axes)}, not an axis placement"
        dims = 3 if _kind(axes, ("IfcAxis2Placement3D",), memo) else 2
        for k, name, kind in ((0, "Location", "IfcCartesianPoint"), (1, "Axis", "IfcDirection"),
                              (2, "RefDirection", "IfcDirection")):
            if k >= len(axes):
                continue
            ref = axes[k]
            if ref is None:
                continue
            if not _kind(ref, (kind,), memo):
                return f"#{axes.id()} {axes.is_a()}.{name} points at {_describe(ref)}, not an {kind}"
            if not _numbers(ref[0], dims):
                return f"#{axes.id()} {axes.is_a()} has #{ref.id()} {kind} {ref[0]!r}, not {dims} numbers"
    for product in f.by_type("IfcProduct"):
        place, shape = product[5], product[6]  # ObjectPlacement, Representation in every schema
        if place is not None and not _kind(place, ("IfcObjectPlacement",), memo):
            return f"#{product.id()} {product.is_a()}.ObjectPlacement points at {_describe(place)}, not a placement"
        if shape is not None and not _kind(shape, ("IfcProductRepresentation",), memo):
            return f"#{product.id()} {product.is_a()}.Representation points at {_describe(shape)}"
    return None


def check_integrity(f: ifcopenshell.file, path: str, mark: int) -> None:
    """Refuse a file with dangling references or reference cycles ifcopenshell would follow."""
    dangling = dangling_references(mark)
    if dangling:
        missing, user = dangling[0]
        more = f" (and {len(dangling) - 1} more)" if len(dangling) > 1 else ""
        raise ModelUnreadable(
            f"{path}: #{user} refers to #{missing}, which is not in the file{more} — the file is corrupt "
            "(a reference was cut); export the model again"
        )
    cycle = find_cycle(f) or aggregation_cycle(f)  # first: it bounds the walk the type check then makes
    if cycle is None:
        wrong = mistyped_reference(f)
        if wrong is not None:
            raise ModelUnreadable(f"{path}: {wrong} — the file is corrupt; export the model again")
        return
    if cycle[-1] == -1:
        raise ModelUnreadable(
            f"{path}: a chain of placements or geometry through #{cycle[0]} is more than {MAX_DEPTH} deep — "
            "the file is corrupt or hostile; export the model again"
        )
    first = f.by_id(cycle[0]).is_a()
    chain = " → ".join(f"#{i}" for i in cycle)
    if len(cycle) == 2:
        what = "is placed relative to itself" if first == "IfcLocalPlacement" else "refers to itself (a cycle)"
    else:
        what = "is part of a reference cycle"
    raise ModelUnreadable(
        f"{path}: #{cycle[0]} {first} {what} ({chain}) — the file is corrupt; export the model again"
    )
