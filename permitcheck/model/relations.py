"""An element's parent, container and predefined type, read from its inverse relations.

These give what ``ifcopenshell.util.element``'s get_aggregate, get_container and
get_predefined_type give, without reading the file's schema on every call (11,000 reads on the
Tekla carwash, half a second of `inspect`): the caller knows whether the file is IFC2X3 once.
tests/test_relations.py holds them to the ifcopenshell functions on every real model.
"""

from __future__ import annotations


def aggregate(el):
    """The whole an element is part of (IfcRelAggregates), or None."""
    rel = getattr(el, "Decomposes", None)
    if not rel:
        return None
    # IFC2X3 records nesting in Decomposes too: only an aggregation makes a whole.
    return rel[0].RelatingObject if rel[0].is_a("IfcRelAggregates") else None


def _nest(el, ifc2x3: bool):
    if ifc2x3:
        rel = getattr(el, "Decomposes", None)
        return rel[0].RelatingObject if rel and rel[0].is_a("IfcRelNests") else None
    rel = getattr(el, "Nests", None)
    return rel[0].RelatingObject if rel else None


def _first(el, inverse: str, attribute: str):
    rel = getattr(el, inverse, None)
    return getattr(rel[0], attribute) if rel else None


def container(el, ifc2x3: bool):
    """The spatial structure element that holds an element, directly or through what it is part of,
    nested in, fills or voids; None when nothing does (or the chain runs in a circle)."""
    seen = set()
    while el is not None and el.id() not in seen:
        seen.add(el.id())
        held = getattr(el, "ContainedInStructure", None)
        if held:
            return held[0].RelatingStructure
        el = (aggregate(el) or _nest(el, ifc2x3) or _first(el, "FillsVoids", "RelatingOpeningElement")
              or _first(el, "VoidsElements", "RelatingBuildingElement")
              or _first(el, "AdheresToElement", "RelatingElement"))
    return None


def element_type(el, ifc2x3: bool):
    """The type object an element is an occurrence of, or None."""
    if el.is_a("IfcTypeObject"):
        return el
    if not ifc2x3:
        typed = getattr(el, "IsTypedBy", None)
        return typed[0].RelatingType if typed else None
    for rel in getattr(el, "IsDefinedBy", None) or ():
        if rel.is_a("IfcRelDefinesByType"):
            return rel.RelatingType
    return None


def predefined_type(el, ifc2x3: bool):
    """The type's predefined type when it says one, else the element's (USERDEFINED: the name the
    user gave it)."""
    kind = element_type(el, ifc2x3)
    if kind is not None:
        value = getattr(kind, "PredefinedType", None)
        if value == "USERDEFINED" or not value:
            value = getattr(kind, "ElementType", ...)
            if value is ...:
                value = getattr(kind, "ProcessType", None)
        if value and value != "NOTDEFINED":
            return value
    value = getattr(el, "PredefinedType", None)
    if value == "USERDEFINED" or not value:
        value = getattr(el, "ObjectType", None)
    return value
