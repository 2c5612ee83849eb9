"""`model.relations` gives what ifcopenshell.util.element gives, on every model at hand."""

from __future__ import annotations

import ifcopenshell
import ifcopenshell.util.element as util
import pytest

from conftest import ROOT, SHARED_IFC
from permitcheck.model import relations



def _readable(path) -> bool:
    """A schema ifcopenshell reads (the IFC4X3 release candidate road model is refused elsewhere)."""
    head = path.read_bytes()[:4096].decode("latin-1")
    return any(f"'{s}'" in head for s in ("IFC2X3", "IFC4", "IFC4X3_ADD2", "IFC4X3"))


MODELS = [p for p in sorted(SHARED_IFC.glob("*.ifc")) + sorted((ROOT / "samples" / "buildings").glob("*.ifc"))
          if _readable(p)]


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.name)
def test_relations_agree_with_ifcopenshell_util(path):
    f = ifcopenshell.open(str(path))
    ifc2x3 = f.schema == "IFC2X3"
    items = f.by_type("IfcProduct") + f.by_type("IfcTypeObject")
    assert items
    for el in items:
        assert relations.aggregate(el) == util.get_aggregate(el)
        assert relations.predefined_type(el, ifc2x3) == util.get_predefined_type(el)
        if el.is_a("IfcProduct"):
            assert relations.container(el, ifc2x3) == util.get_container(el)


def test_a_circle_of_parts_has_no_container():
    f = ifcopenshell.file(schema="IFC4")
    a, b = f.createIfcWall(ifcopenshell.guid.new()), f.createIfcWall(ifcopenshell.guid.new())
    f.createIfcRelAggregates(ifcopenshell.guid.new(), None, None, None, a, [b])
    f.createIfcRelAggregates(ifcopenshell.guid.new(), None, None, None, b, [a])
    assert relations.container(a, False) is None
