"""Batch runs: every case recorded exactly once, whatever happens to its worker or to the batch."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import signal
import sqlite3
import time

import pytest
import yaml

from conftest import ROOT, SAMPLES, copy_rulebook
from permitcheck.batch import Limits, run_batch
from permitcheck.batch import isolate
from permitcheck.batch.cases import safe_name
from permitcheck.rulebook import load_rulebook

SITES = ROOT / "samples" / "sites"
RULES = ROOT / "rules" / "kr" / "national.yaml"
HOSTILE = "../../<b>evil</b> name;rm -rf ~"


def make_case(root, name, model=SAMPLES / "box_m.ifc", site=SITES / "box_ok.geojson", rules=RULES, **extra):
    d = root / name.replace("/", "_")
    d.mkdir(parents=True)
    shutil.copy(model, d / "model.ifc")
    shutil.copy(site, d / "site.geojson")
    (d / "case.yaml").write_text(yaml.safe_dump({"rules": str(rules), "anchor": [220000, 560000], **extra}))
    return d


@pytest.fixture
def cases(tmp_path):
    root = tmp_path / "cases"
    make_case(root, "good")
    make_case(root, "failing", site=SITES / "box_tight.geojson")
    bad = make_case(root, "truncated")
    (bad / "model.ifc").write_bytes((SAMPLES / "box_m.ifc").read_bytes()[:4000])
    for name in ("hang", "crash", "memory"):
        make_case(root, name)
    return root


@pytest.fixture
def faulty(monkeypatch):
    """Inject the failures a real model can cause inside ifcopenshell: a hang, a segfault, a blow-up."""
    real = isolate.run_case

    def run_case(case, *args):
        if case.name == "hang":
            time.sleep(3600)
        if case.name == "crash":
            os.kill(os.getpid(), signal.SIGSEGV)
        if case.name == "memory":
            blob = bytearray(2 << 30)  # 2 GiB against a cap 1 GiB above the worker's start
            return blob
        return real(case, *args)

    monkeypatch.setattr(isolate, "run_case", run_case)


def rows(out):
    db = sqlite3.connect(out / "permitcheck.sqlite")
    try:
        return db.execute("SELECT case_name, status, verdict, error, timings_json FROM results").fetchall()
    finally:
        db.close()


def _cap_beyond_now(mb: int) -> int:
    """An address-space cap `mb` MB above this process's own: a case's worker is forked from it and
    starts with its size, which in a test runner that has read the real models may be 1 GB already
    (the good cases then failed for memory)."""
    with open("/proc/self/status") as status:
        size_kb = next((int(line.split()[1]) for line in status if line.startswith("VmSize:")), 0)
    return size_kb // 1024 + mb


def test_every_case_is_recorded_whatever_its_worker_does(cases, tmp_path, faulty):
    out = tmp_path / "out"
    limits = Limits(timeout_s=8, memory_mb=_cap_beyond_now(1024))
    summary = run_batch(cases, out, workers=2, limits=limits)
    got = {name: (status, verdict, error) for name, status, verdict, error, _ in rows(out)}
    assert set(got) == {"good", "failing", "truncated", "hang", "crash", "memory"}
    assert got["good"][1] == "PASS" and got["failing"][1] == "FAIL", got  # what each case ended with, on failure
    assert got["truncated"][1] == "ERROR" and "truncated" in got["truncated"][2]
    assert got["hang"][1] == "ERROR" and "timed out after 8 s" in got["hang"][2]
    assert got["crash"][1] == "ERROR" and "SIGSEGV" in got["crash"][2]
    assert got["memory"][1] == "ERROR" and "memory" in got["memory"][2].lower()
    assert summary.counts == {"PASS": 1, "FAIL": 1, "ERROR": 4}
    assert (out / "cases" / "good" / "permitcheck-report.html").exists()
    summary_rows = json.loads((out / "summary.json").read_text())["cases"]
    assert {r["case"] for r in summary_rows} == set(got)
    # a re-run with nothing changed runs nothing
    again = run_batch(cases, out, workers=2, limits=limits)
    assert again.skipped == 6 and again.counts == {} and len(rows(out)) == 6


def test_killed_batch_finishes_on_rerun_without_duplicates(tmp_path, monkeypatch):
    root = tmp_path / "cases"
    for i in range(6):
        make_case(root, f"case{i}")
    out = tmp_path / "out"
    real = isolate.run_case

    def slow(case, *args):
        time.sleep(0.6)
        return real(case, *args)

    monkeypatch.setattr(isolate, "run_case", slow)
    proc = multiprocessing.get_context("fork").Process(target=run_batch, args=(root, out), kwargs={"workers": 1})
    proc.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if (out / "permitcheck.sqlite").exists() and len(rows(out)) >= 2:
            break
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.join()
    done_before = len(rows(out))
    assert 2 <= done_before < 6
    summary = run_batch(root, out, workers=2)
    names = [r[0] for r in rows(out)]
    assert sorted(names) == [f"case{i}" for i in range(6)]  # each exactly once
    assert summary.skipped == done_before and sum(summary.counts.values()) == 6 - done_before


def test_rulebook_change_rechecks_from_the_facts_cache(tmp_path):
    rules = tmp_path / "national.yaml"
    copy_rulebook(RULES, rules)
    root = tmp_path / "cases"
    make_case(root, "a", rules=rules)
    make_case(root, "b", site=SITES / "box_tight.geojson", rules=rules)
    out = tmp_path / "out"
    first = run_batch(root, out, workers=2)
    assert first.counts == {"PASS": 1, "FAIL": 1}
    before = load_rulebook(rules).book.version
    rules.write_text(rules.read_text().replace(f'version: "{before}"', 'version: "9999.1"'))
    second = run_batch(root, out, workers=2)
    assert second.skipped == 0 and sum(second.counts.values()) == 2
    timings = [json.loads(t) for _, _, _, _, t in rows(out)]
    assert len(timings) == 4
    assert sum(1 for t in timings if t.get("facts_cached")) >= 2  # the re-check read no geometry
    versions = sqlite3.connect(out / "permitcheck.sqlite").execute(
        "SELECT DISTINCT rulebook_version FROM results").fetchall()
    assert sorted(v for (v,) in versions) == sorted([before, "9999.1"])


def test_declarations_in_a_case_reach_the_check_and_its_fingerprint(tmp_path):
    root = tmp_path / "cases"
    mbo = ROOT / "rules" / "de" / "mbo.yaml"
    make_case(root, "house", rules=mbo, zone="DE-WA", declare={"use": "residential", "building_class": 2})
    out = tmp_path / "out"
    run_batch(root, out, workers=1)
    (result,) = [json.loads(r) for (r,) in sqlite3.connect(out / "permitcheck.sqlite").execute(
        "SELECT result_json FROM results")]
    assert result["declared"] == {"building_class": "2", "use": "residential"}
    got = {f["rule"]: f for f in result["findings"]}
    assert got["abstandsflaeche"]["reason"] == "condition_not_met"  # the box's 3 storeys: Satz 3 in force
    # a changed declaration is a changed input: the case is checked again, not skipped
    (root / "house" / "case.yaml").write_text(yaml.safe_dump({"rules": str(mbo), "zone": "DE-WA",
                                                              "anchor": [220000, 560000],
                                                              "declare": {"use": "office", "building_class": 2}}))
    again = run_batch(root, out, workers=1)
    assert again.skipped == 0


def test_case_names_cannot_escape_the_output_folder(tmp_path):
    manifest = tmp_path / "m.yaml"
    manifest.write_text(yaml.safe_dump({"cases": [
        {"name": HOSTILE, "model": str(SAMPLES / "box_m.ifc"), "site": str(SITES / "box_ok.geojson"),
         "rules": str(RULES), "anchor": "220000,560000"}]}))
    out = tmp_path / "out"
    run_batch(manifest, out, workers=1)
    made = [p for p in (out / "cases").iterdir()]
    assert len(made) == 1 and made[0].parent == out / "cases"
    assert "/" not in safe_name(HOSTILE) and ".." not in safe_name(HOSTILE) and ";" not in safe_name(HOSTILE)
    index = (out / "index.html").read_text()
    assert "&lt;b&gt;evil&lt;/b&gt;" in index and "<b>evil" not in index


def test_csv_manifest_and_missing_inputs(tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text("name,model,site,rules,zone,anchor\n"
                        f"ok,{SAMPLES / 'box_m.ifc'},{SITES / 'box_ok.geojson'},{RULES},KR-R2G,\"220000,560000\"\n"
                        f"nomodel,{tmp_path / 'none.ifc'},{SITES / 'box_ok.geojson'},{RULES},KR-R2G,\"220000,560000\"\n")
    out = tmp_path / "out"
    summary = run_batch(manifest, out, workers=2)
    got = {n: (v, e) for n, _, v, e, _ in rows(out)}
    assert got["ok"][0] == "PASS" and got["nomodel"][0] == "ERROR" and "not found" in got["nomodel"][1]
    assert summary.total == 2


def test_dask_local_cluster(tmp_path):
    distributed = pytest.importorskip("distributed")
    root = tmp_path / "cases"
    make_case(root, "good")
    make_case(root, "failing", site=SITES / "box_tight.geojson")
    bad = make_case(root, "truncated")
    (bad / "model.ifc").write_bytes((SAMPLES / "box_m.ifc").read_bytes()[:4000])
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        summary = run_batch(root, tmp_path / "out", scheduler=client, limits=Limits(timeout_s=120))
    got = {n: v for n, _, v, _, _ in rows(tmp_path / "out")}
    assert got == {"good": "PASS", "failing": "FAIL", "truncated": "ERROR"}
    assert summary.counts == {"PASS": 1, "FAIL": 1, "ERROR": 1}


def test_store_file_appears_with_its_tables_and_is_never_recreated(tmp_path):
    from permitcheck.batch import store

    path = tmp_path / "out" / "permitcheck.sqlite"
    s = store.Store(path)
    s.start_run("r1", "2026-11-26T00:00:00Z", "x", {})
    s.close()
    store._create(path)  # a second batch racing to create the store loses quietly
    db = sqlite3.connect(path)
    assert db.execute("SELECT run_id FROM runs").fetchall() == [("r1",)]
    db.close()
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".permitcheck-")] == []
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask  # readable as sqlite makes files, not a temp file's 0600


def test_the_progress_bar_counts_cases_that_could_not_start(tmp_path, monkeypatch):
    """A case whose inputs cannot be read, and one whose worker cannot be forked, are ERRORs in the bar's total
    and its count; the batch carries on with the others."""
    import io

    from rich.console import Console

    from permitcheck.reports.batch_progress import BatchProgress

    root = tmp_path / "cases"
    make_case(root, "good")
    make_case(root, "nofork")
    (make_case(root, "nomodel") / "model.ifc").unlink()
    real_context = multiprocessing.get_context

    class NoFork:
        def __init__(self, ctx):
            self.ctx = ctx

        def Pipe(self, **kw):
            return self.ctx.Pipe(**kw)

        def Process(self, target, args, daemon):
            proc = self.ctx.Process(target=target, args=args, daemon=daemon)
            if args[1].name == "nofork":
                def refuse():
                    raise BlockingIOError(11, "Resource temporarily unavailable")
                proc.start = refuse
            return proc

    monkeypatch.setattr(isolate.multiprocessing, "get_context", lambda method: NoFork(real_context(method)))
    bar = BatchProgress(Console(file=io.StringIO(), width=100))
    with bar:
        summary = run_batch(root, tmp_path / "out", workers=2, on_event=lambda kind, case, o: bar.event(kind, case, o))
    task = bar.progress.tasks[0]
    assert (task.total, task.completed) == (3, 3)
    assert bar.counts == {"PASS": 1, "ERROR": 2} and summary.counts == {"PASS": 1, "ERROR": 2}
    got = {name: (verdict, error) for name, _, verdict, error, _ in rows(tmp_path / "out")}
    assert got["nofork"][0] == "ERROR" and "could not start a worker" in got["nofork"][1]
