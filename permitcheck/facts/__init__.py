"""Pure functions from a `Model` to frozen facts: footprint, height, storeys, floor area."""

from permitcheck.facts.derive import FactSet, derive_facts
from permitcheck.facts.types import ElementRef, Facts, StoreyFacts

__all__ = ["ElementRef", "FactSet", "Facts", "StoreyFacts", "derive_facts"]
