"""Guards on the shape of the project: layers point downstream; samples match their generator."""

from __future__ import annotations

import ast
import subprocess
import sys

from conftest import ROOT, SAMPLES

# package -> packages it must not import (the flow is model -> facts -> checks -> reports)
FORBIDDEN = {
    "model": ("permitcheck.facts", "permitcheck.profiles", "permitcheck.reports", "permitcheck.cli",
              "permitcheck.inspection"),
    "facts": ("permitcheck.profiles", "permitcheck.reports", "permitcheck.cli", "permitcheck.inspection"),
    "profiles": ("permitcheck.checks", "permitcheck.reports", "permitcheck.cli", "permitcheck.inspection"),
    "reports": ("permitcheck.model", "permitcheck.facts", "permitcheck.profiles", "permitcheck.cli"),
}


def _imports(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (a.name for a in node.names)


def test_layers_point_downstream():
    bad = []
    for package, forbidden in FORBIDDEN.items():
        for py in (ROOT / "permitcheck" / package).rglob("*.py"):
            bad += [f"{py.relative_to(ROOT)} imports {m}" for m in _imports(py) if m.startswith(forbidden)]
    assert bad == []


def test_only_model_imports_ifcopenshell():
    offenders = [
        str(py.relative_to(ROOT)) for py in (ROOT / "permitcheck").rglob("*.py")
        if "model" not in py.relative_to(ROOT / "permitcheck").parts
        and any(m.startswith("ifcopenshell") for m in _imports(py))
    ]
    assert offenders == []


def _content(path):
    """The file without what names the writing library's version (header, IfcApplication)."""
    lines = path.read_text().splitlines()
    return [ln for ln in lines if not ln.startswith("FILE_") and "IFCAPPLICATION" not in ln.upper()]


def test_generated_samples_match_the_generator(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "samples" / "build_samples.py"), str(tmp_path)],
                   check=True, capture_output=True, timeout=300)
    names = sorted(p.name for p in SAMPLES.iterdir() if p.suffix in (".ifc", ".json"))
    assert names == sorted(p.name for p in tmp_path.iterdir())
    stale = [n for n in names if _content(SAMPLES / n) != _content(tmp_path / n)]
    assert stale == [], "regenerate with: python samples/build_samples.py"


def test_import_contracts_hold():
    """The layers in pyproject.toml's [tool.importlinter] contracts (import-linter, as sqlfluff uses)."""
    import shutil

    exe = shutil.which("lint-imports")
    assert exe, "import-linter is in the test extra: pip install '.[test]'"
    proc = subprocess.run([exe, "--config", str(ROOT / "pyproject.toml")], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
