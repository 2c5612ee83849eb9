"""JSON report: the result dict written as a UTF-8 file, and the JSON Schemas that document it.

The schemas ship inside the package (``permitcheck/reports/schema/``): ``check-result.schema.json``
for a check result, ``inspect-result.schema.json`` for an inspect result. The check schema refers
to parts of the inspect schema by its ``$id`` (``urn:permitcheck:schema:inspect-result:1``), so a
validator needs both; `validate` sets that up. See docs/json-format.md.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

SCHEMAS = {"check": "check-result.schema.json", "inspect": "inspect-result.schema.json"}


def write(result: dict, out: Path) -> Path:
    """Write `result` to `out` as UTF-8 JSON (non-ASCII kept, indent 2, keys in the order given)."""
    out = Path(out)
    # allow_nan=False: NaN/Infinity are not JSON; fail here rather than write a file others cannot read.
    text = json.dumps(result, ensure_ascii=False, indent=2, allow_nan=False)
    out.write_text(text + "\n", encoding="utf-8")
    return out


def schema_path(kind: str = "check") -> Path:
    """Path of the shipped JSON Schema of a "check" or an "inspect" result."""
    if kind not in SCHEMAS:
        raise ValueError(f"unknown result kind {kind!r} — use one of: {', '.join(SCHEMAS)}")
    return Path(str(resources.files("permitcheck.reports").joinpath("schema", SCHEMAS[kind])))


def load_schema(kind: str = "check") -> dict:
    return json.loads(schema_path(kind).read_text(encoding="utf-8"))


def validator(kind: str = "check"):
    """A `jsonschema` Draft 2020-12 validator for `kind`, with both schemas registered.

    Needs the `jsonschema` package (>= 4.18), which permitcheck itself does not depend on.
    """
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    schemas = [load_schema(k) for k in SCHEMAS]
    registry = Registry().with_resources((s["$id"], Resource.from_contents(s)) for s in schemas)
    return Draft202012Validator(load_schema(kind), registry=registry,
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


def validate(result: dict, kind: str = "check") -> None:
    """Raise `jsonschema.ValidationError` (the most relevant one) if `result` does not match its schema."""
    from jsonschema.exceptions import best_match

    error = best_match(validator(kind).iter_errors(result))
    if error is not None:
        raise error
