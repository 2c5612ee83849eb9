"""The IDS audit cache (permitcheck.model.ids_cache): an audit read back is the audit run afresh; a
torn or foreign file is run again; a hit imports neither ifctester nor xmlschema (0.2 s a process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT
from permitcheck.model import ids as ids_mod
from permitcheck.model import ifcfile
from permitcheck.model.ids import audit, audit_file
from permitcheck.model.ifcfile import open_ifc, sha256_of
from test_readiness import KR_IDS, _model

pytest.importorskip("ifctester")


def test_a_cached_audit_is_the_audit_run_afresh(tmp_path, monkeypatch):
    model = _model(tmp_path, unnamed_storey=True, window=(1.2, 1.5))  # one specification fails
    f, sha = open_ifc(str(model)), sha256_of(str(model))
    monkeypatch.setenv("PERMITCHECK_CACHE", "off")
    fresh = [audit(f, str(p)) for p in KR_IDS]
    assert any(s.failures for a in fresh for s in a.specs)
    monkeypatch.setenv("PERMITCHECK_CACHE", str(tmp_path / "cache"))
    assert [audit(f, str(p), sha) for p in KR_IDS] == fresh  # run, and kept
    assert len(list((tmp_path / "cache").glob("audit-*.json"))) == 2

    def no_ifctester(*a, **k):
        raise AssertionError("ifctester was asked although the audit is cached")

    monkeypatch.setattr(ids_mod, "load_ids", no_ifctester)
    monkeypatch.setattr(ifcfile, "open_ifc", no_ifctester)  # nor the model opened again
    assert list(audit_file(str(model), tuple(str(p) for p in KR_IDS))) == fresh
    copy = tmp_path / "copy.ids"
    copy.write_bytes(KR_IDS[0].read_bytes())
    assert audit(f, str(copy), sha).path == str(copy)  # by content: the same IDS elsewhere is a hit


def test_a_torn_or_foreign_audit_is_run_again(tmp_path, monkeypatch):
    model = _model(tmp_path, unnamed_storey=True)
    f, sha = open_ifc(str(model)), sha256_of(str(model))
    monkeypatch.setenv("PERMITCHECK_CACHE", str(tmp_path / "cache"))
    fresh = audit(f, str(KR_IDS[0]), sha)
    (kept,) = (tmp_path / "cache").glob("audit-*.json")
    good = json.loads(kept.read_text())
    spec = good["specs"][0]
    for bad in ("[1, 2", json.dumps({**good, "sha256": "0" * 64}), json.dumps({**good, "specs": [{**spec, "failed": "1"}]}),
                json.dumps({**good, "specs": [{**spec, "failures": [["a", "b", "c"]]}]}),
                json.dumps({**good, "specs": [{**spec, "holds": 1}]})):
        kept.write_text(bad)
        assert audit(f, str(KR_IDS[0]), sha) == fresh
        assert json.loads(kept.read_text()) == good  # written again


def test_without_ifctester_a_cached_audit_is_not_used(tmp_path, monkeypatch):
    model = _model(tmp_path, unnamed_storey=True)
    monkeypatch.setenv("PERMITCHECK_CACHE", str(tmp_path / "cache"))
    assert audit_file(str(model), (str(KR_IDS[0]),))[0].skipped is None
    monkeypatch.setitem(sys.modules, "ifctester", None)
    assert "not installed" in audit_file(str(model), (str(KR_IDS[0]),))[0].skipped


def test_a_cached_audit_imports_neither_ifctester_nor_xmlschema(tmp_path):
    model = _model(tmp_path, unnamed_storey=True)
    code = ("import sys; from permitcheck.model.ids import audit_file; "
            f"a = audit_file({str(model)!r}, {tuple(str(p) for p in KR_IDS)!r}); "
            "print(sum(s.failed for x in a for s in x.specs), "
            "sorted(m for m in ('ifctester', 'xmlschema', 'elementpath') if m in sys.modules))")
    env = {**os.environ, "PERMITCHECK_CACHE": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT)}
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert first.stdout.split(" ", 1) == ["1", "['elementpath', 'ifctester', 'xmlschema']\n"]
    again = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert again.stdout == "1 []\n"
