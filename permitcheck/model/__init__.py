"""Reading IFC models: the only package that imports ifcopenshell.

`read_model(path)` returns a `Model`: units brought to metres, georeferencing, the spatial
structure (buildings, storeys) and one triangle mesh per building element in world coordinates.
Everything downstream (facts, checks, reports) works on that plain data.
"""

from permitcheck.model.types import Building, ElementMesh, Georeference, Model, Storey
from permitcheck.model.read import read_model

__all__ = ["Building", "ElementMesh", "Georeference", "Model", "Storey", "read_model"]
