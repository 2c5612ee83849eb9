"""Reading IFC models (and massing models: meshes, CityJSON buildings): the only package that knows file
formats, and the only one that imports ifcopenshell.

`read_model(path)` returns a `Model`: units brought to metres, georeferencing, the spatial
structure (buildings, storeys) and one triangle mesh per building element in world coordinates.
Everything downstream (facts, checks, reports) works on that plain data.
"""

from permitcheck.model.types import Building, ElementMesh, Georeference, Massing, Model, Storey
from permitcheck.model.massing import MassingOptions, is_massing
from permitcheck.model.read import read_model

__all__ = ["Building", "ElementMesh", "Georeference", "Massing", "MassingOptions", "Model", "Storey", "is_massing",
           "read_model"]
