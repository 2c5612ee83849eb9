"""Batch hardening: relative folders, hostile rulebooks, one batch per --out, kill -9 at any moment."""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import select
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, copy_rulebook
from permitcheck.batch import BatchLocked, Limits, OutputLock, isolate, run_batch
from permitcheck.batch.inputs import rulebook_chain, top_level_extends
from permitcheck.batch.litter import sweep
from test_batch import RULES, SITES, make_case

REPORTS = ("permitcheck-report.html", "permitcheck-result.json", "permitcheck-junit.xml")


def batch_cli(*args, cwd: Path, timeout: float = 180, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "permitcheck", "batch", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, **kw)


def start_cli(*args, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "permitcheck", "batch", *map(str, args)], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def results(out: Path) -> list[dict]:
    db = sqlite3.connect(out / "permitcheck.sqlite")
    db.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in db.execute("SELECT * FROM results ORDER BY case_name")]
    finally:
        db.close()


def _call(conn, fn, args, kwargs):
    try:
        conn.send(("returned", fn(*args, **kwargs)))
    except BaseException as e:  # noqa: BLE001 - reported to the test
        conn.send(("raised", f"{type(e).__name__}: {e}"))


def within(seconds: float, fn, *args, **kwargs):
    """fn(*args) in a forked process: the test fails, instead of hanging, if it takes longer."""
    ctx = multiprocessing.get_context("fork")
    reader, writer = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_call, args=(writer, fn, args, kwargs))
    proc.start()
    writer.close()
    try:
        if not reader.poll(seconds):
            pytest.fail(f"{fn.__name__} did not finish within {seconds} s")
        how, value = reader.recv()
    finally:
        proc.kill()
        proc.join()
    if how == "raised":
        pytest.fail(f"{fn.__name__} raised {value}")
    return value


def running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's zombie may wait long for a reaper in a container)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def processes_naming(text: str) -> list[int]:
    """Running processes whose command line holds `text` (a batch and its forked workers share one)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if text.encode() in f.read() and running(int(entry)):
                        found.append(int(entry))
            except OSError:
                pass
    return found


def gone_within(seconds: float, check) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not check():
            return True
        time.sleep(0.05)
    return not check()


def litter(out: Path) -> list[Path]:
    return [p for p in out.rglob("*") if p.name.endswith(".tmp") or p.name.startswith(".permitcheck-")]


def dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


# 1. the README's own form, from the folder that holds the cases

def test_relative_case_folder_from_its_parent_folder(tmp_path):
    root = tmp_path / "cases"
    make_case(root, "absolute-rules")
    d = make_case(root, "relative-rules", site=SITES / "box_tight.geojson")
    copy_rulebook(RULES, d / "rules.yaml")
    (d / "case.yaml").write_text(yaml.safe_dump({"rules": "rules.yaml", "anchor": [220000, 560000]}))
    done = batch_cli("cases/", "--out", "out/", "--workers", "2", cwd=tmp_path)
    assert done.returncode == 1, done.stderr  # one FAIL, nothing in ERROR
    got = {r["case_name"]: r for r in results(tmp_path / "out")}
    assert {n: r["verdict"] for n, r in got.items()} == {"absolute-rules": "PASS", "relative-rules": "FAIL"}
    for r in got.values():
        assert Path(r["report_dir"]).is_absolute() and (Path(r["report_dir"]) / REPORTS[0]).exists()
    # a re-run from another folder with the absolute spelling finds the same cases recorded
    again = batch_cli(root, "--out", tmp_path / "out", cwd=ROOT)
    assert again.returncode == 1 and len(results(tmp_path / "out")) == 2
    assert len({r["run_id"] for r in results(tmp_path / "out")}) == 1


# 2. a hostile rulebook costs its case, never the batch, and the parent never reads it for real

def alias_bomb(levels: int = 9) -> str:
    lines = ["rulebook: bomb", "a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_bad_rulebooks_cost_their_case_only(tmp_path):
    root = tmp_path / "cases"
    make_case(root, "good")
    make_case(root, "failing", site=SITES / "box_tight.geojson")
    hostile = {
        "euc-kr": RULES.read_text(encoding="utf-8").replace("rulebook:", "# 한국 건축법 규칙\nrulebook:", 1)
        .encode("euc-kr", "replace"),
        "utf-16": RULES.read_text(encoding="utf-8").encode("utf-16"),
        "alias-bomb": alias_bomb().encode(),
        "bad-parent": b"extends: parent.yaml\n",
    }
    for name, data in hostile.items():
        d = make_case(root, name)
        (d / "rules.yaml").write_bytes(data)
        (d / "parent.yaml").write_bytes(hostile["euc-kr"])
        (d / "case.yaml").write_text(yaml.safe_dump({"rules": "rules.yaml", "anchor": [220000, 560000]}))
    out = tmp_path / "out"
    start = time.monotonic()
    summary = within(150, run_batch, root, out, workers=2, limits=Limits(timeout_s=20))
    took = time.monotonic() - start
    got = {r["case_name"]: r for r in results(out)}
    assert {n: r["verdict"] for n, r in got.items()} == {"good": "PASS", "failing": "FAIL", "euc-kr": "ERROR",
                                                         "utf-16": "ERROR", "alias-bomb": "ERROR",
                                                         "bad-parent": "ERROR"}, {n: r["error"] for n, r in got.items()}
    for name in hostile:
        assert got[name]["error"] and "\n" not in got[name]["error"]
    assert summary.counts == {"PASS": 1, "FAIL": 1, "ERROR": 4} and took < 120
    # the keys are stable: a re-run records nothing new
    again = within(60, run_batch, root, out, workers=2, limits=Limits(timeout_s=20))
    assert again.skipped == 6 and again.counts == {}


def test_rulebooks_are_loaded_in_the_workers_only(tmp_path, monkeypatch):
    """Whatever the loader does with a bad file (raise an unexpected type, hang), it does it in a worker."""
    import permitcheck.checking  # noqa: F401 - imported before the patch, as the batch parent preloads it:
    import permitcheck.rulebook as rulebook  # else its `load_rulebook` would bind the patched one for good

    real, parent = rulebook.load_rulebook, os.getpid()

    def load(path, *args, **kwargs):
        if os.getpid() == parent:
            raise RuntimeError("the batch parent loaded a rulebook")
        if Path(path).parent.name == "hang":
            time.sleep(3600)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(rulebook, "load_rulebook", load)
    root = tmp_path / "cases"
    make_case(root, "good")
    make_case(root, "failing", site=SITES / "box_tight.geojson")
    d = make_case(root, "hang")
    copy_rulebook(RULES, d / "rules.yaml")
    (d / "case.yaml").write_text(yaml.safe_dump({"rules": "rules.yaml", "anchor": [220000, 560000]}))
    summary = run_batch(root, tmp_path / "out", workers=2, limits=Limits(timeout_s=10))
    got = {r["case_name"]: (r["verdict"], r["error"]) for r in results(tmp_path / "out")}
    assert got == {"good": ("PASS", None), "failing": ("FAIL", None), "hang": ("ERROR", "timed out after 10 s")}
    assert summary.counts == {"PASS": 1, "FAIL": 1, "ERROR": 1}


def test_the_parent_reads_only_the_extends_chain_bounded(tmp_path):
    (tmp_path / "bomb.yaml").write_text("extends: parent.yaml\n" + alias_bomb(12))
    (tmp_path / "parent.yaml").write_bytes("rulebook: 규칙\n".encode("euc-kr"))
    t = time.monotonic()
    hashes, error = rulebook_chain(str(tmp_path / "bomb.yaml"))
    assert time.monotonic() - t < 2
    assert list(hashes) == [str(tmp_path / "bomb.yaml"), str(tmp_path / "parent.yaml")]
    assert error.startswith("UnicodeDecodeError")
    (tmp_path / "loop.yaml").write_text("extends: loop.yaml\n")
    assert "loops" in rulebook_chain(str(tmp_path / "loop.yaml"))[1]
    (tmp_path / "big.yaml").write_text("# padding\n" * 200_000)
    assert "larger than 1 MB" in rulebook_chain(str(tmp_path / "big.yaml"))[1]
    os.mkfifo(tmp_path / "fifo.yaml")  # would block an open() for reading
    (tmp_path / "to-fifo.yaml").write_text("extends: fifo.yaml\n")
    assert "not a regular file" in rulebook_chain(str(tmp_path / "to-fifo.yaml"))[1]
    assert top_level_extends("x: &p base.yaml\nextends: *p\n") == "base.yaml"
    assert top_level_extends("zones: {extends: nope}\nextends: ~\n") is None


def test_hostile_case_files_cost_their_case_only(tmp_path):
    root = tmp_path / "cases"
    make_case(root, "good")
    for name, text in {"not-utf8": "rules: 규칙.yaml\n".encode("euc-kr"),
                       "bomb": (alias_bomb() + "rules: *a8\nzone: *a8\n").encode(),
                       "list": b"- just\n- a list\n"}.items():
        (make_case(root, name) / "case.yaml").write_bytes(text)
    summary = within(60, run_batch, root, tmp_path / "out", workers=2)
    got = {r["case_name"]: r for r in results(tmp_path / "out")}
    assert {n: r["verdict"] for n, r in got.items()} == {"good": "PASS", "not-utf8": "ERROR", "bomb": "ERROR",
                                                         "list": "ERROR"}
    assert "not UTF-8" in got["not-utf8"]["error"] and len(got["bomb"]["error"]) < 300
    assert summary.total == 4


# 3. litter of dead processes is swept; workers die with their batch

def test_litter_of_dead_processes_is_swept_at_batch_start(tmp_path):
    root = tmp_path / "cases"
    make_case(root, "good")
    out = tmp_path / "out"
    dead, live = dead_pid(), os.getppid()
    made = [out / "cases" / f".good.{dead}.tmp", out / "cases" / f".good.{dead}.old.tmp",
            out / "facts-cache" / f".{'0' * 32}.pickle.{dead}.tmp", out / f".summary.csv.{dead}.tmp",
            out / f".permitcheck-{dead}-{'ab' * 16}.sqlite", out / f".permitcheck-{'cd' * 16}.sqlite",
            out / "cases" / f".good.{live}.tmp"]
    for p in made:
        p.parent.mkdir(parents=True, exist_ok=True)
        if p.parent.name == "cases":
            p.mkdir()
            (p / "permitcheck-report.html").write_text("half")
        else:
            p.write_text("half")
    # without the lock only the dead writers' files go; the live pid's file and a pid-less one stay
    assert set(sweep(out, lock_held=False)) == set(made[:5])
    assert made[5].exists() and made[6].exists()
    for p in made[:5]:
        p.mkdir() if p.parent.name == "cases" else p.write_text("half")
    run_batch(root, out, workers=1)  # holds the lock: no other batch, so nothing is being written
    assert litter(out) == [] and [r["verdict"] for r in results(out)] == ["PASS"]


def test_workers_die_with_a_killed_batch(tmp_path, monkeypatch):
    root = tmp_path / "cases"
    make_case(root, "hang")
    pid_file = tmp_path / "worker.pid"

    def hang(case, *args):
        pid_file.write_text(str(os.getpid()))
        time.sleep(3600)

    monkeypatch.setattr(isolate, "run_case", hang)
    proc = multiprocessing.get_context("fork").Process(target=run_batch, args=(root, tmp_path / "out"),
                                                        kwargs={"workers": 1})
    proc.start()
    deadline = time.monotonic() + 60
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    worker = int(pid_file.read_text())
    os.kill(proc.pid, signal.SIGKILL)
    proc.join()
    try:
        assert gone_within(5, lambda: running(worker)), "the worker outlived its batch"
    finally:
        if running(worker):
            os.kill(worker, signal.SIGKILL)


# 4. one batch per output folder

def test_second_batch_on_the_same_out_refuses_or_waits(tmp_path):
    root = tmp_path / "cases"
    make_case(root, "good")
    out = tmp_path / "out"
    out.mkdir()
    with OutputLock(out):  # a batch of this process holds the folder
        refused = batch_cli("cases", "--out", "out", cwd=tmp_path)
        assert refused.returncode == 2
        assert refused.stdout == "" and refused.stderr == (
            f"permitcheck: error: another batch (pid {os.getpid()}) is running on out — wait for it to finish, "
            "give --wait to run after it, or use another --out\n")
        with pytest.raises(BatchLocked):
            run_batch(root, out)  # a second batch in the same process too
        waiting = start_cli("cases", "--out", "out", "--wait", cwd=tmp_path)
        ready, _, _ = select.select([waiting.stderr], [], [], 120)
        assert ready, "the waiting batch said nothing"
        assert waiting.stderr.readline() == (f"permitcheck: another batch (pid {os.getpid()}) is running on out; "
                                             "waiting for it to finish\n")
        time.sleep(0.5)
        assert waiting.poll() is None and not (out / "permitcheck.sqlite").exists()
    _, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    assert [r["verdict"] for r in results(out)] == ["PASS"]
    assert (out / "permitcheck.lock").read_text() == ""  # released, no pid left behind


def test_two_concurrent_batches_never_both_run_a_case(tmp_path):
    root = tmp_path / "cases"
    for i in range(4):
        make_case(root, f"case{i}")
    out = tmp_path / "out"
    first = start_cli(root, "--out", out, "--workers", "2", cwd=tmp_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (out / "permitcheck.lock").exists():
        time.sleep(0.01)
    second = start_cli(root, "--out", out, "--workers", "2", "--wait", cwd=tmp_path)
    third = start_cli(root, "--out", out, "--workers", "2", cwd=tmp_path)
    codes = [p.wait(timeout=180) for p in (first, second, third)]
    errs = [p.stderr.read() for p in (first, second, third)]
    assert codes[:2] == [0, 0], errs
    assert codes[2] == 0 or (codes[2] == 2 and "another batch (pid" in errs[2]), errs[2]
    rows = results(out)
    assert sorted(r["case_name"] for r in rows) == [f"case{i}" for i in range(4)]
    assert len({r["run_id"] for r in rows}) == 1  # one batch ran every case; the others ran none
    db = sqlite3.connect(out / "permitcheck.sqlite")
    runs = db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    db.close()
    assert runs == (3 if codes[2] == 0 else 2)
    for p in (first, second, third):
        p.stdout.close()
        p.stderr.close()


# 5. the "done when": kill -9 at random moments, ten times, then a re-run

def recorded(out: Path) -> int:
    try:
        db = sqlite3.connect(out / "permitcheck.sqlite", timeout=5)
        try:
            return db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:  # not created yet
        return 0


@pytest.mark.slow
def test_kill_nine_at_random_moments_then_rerun(tmp_path):
    """Each kill lands a random 0-0.6 s after 0-2 more cases are recorded (in start-up, planning, a case's
    check, its recording or the summaries), or, in about 4 runs of 10, while a worker writes its reports."""
    root = tmp_path / "cases"
    expected = {}
    for i in range(12):
        tight = i % 3 == 2
        make_case(root, f"case{i:02d}", site=SITES / ("box_tight.geojson" if tight else "box_ok.geojson"))
        expected[f"case{i:02d}"] = "FAIL" if tight else "PASS"
    out = tmp_path / "out"
    rng = random.Random(20261126)
    start, killed, littered = time.monotonic(), 0, 0
    for _ in range(10):
        proc = subprocess.Popen([sys.executable, "-m", "permitcheck", "batch", str(root), "--out", str(out),
                                 "--workers", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        if rng.random() < 0.4:  # the moment a worker is writing its reports
            while proc.poll() is None and not litter(out) and time.monotonic() < deadline:
                time.sleep(0.005)
        else:
            target = recorded(out) + rng.randint(0, 2)
            while proc.poll() is None and recorded(out) < target and time.monotonic() < deadline:
                time.sleep(0.02)
            time.sleep(rng.uniform(0, 0.6))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait()
        assert gone_within(5, lambda: processes_naming(str(out))), "a worker outlived its killed batch"
        littered += bool(litter(out))
    final = batch_cli(root, "--out", out, "--workers", "2", cwd=tmp_path)
    took = time.monotonic() - start
    assert final.returncode == 1, final.stderr  # the tight sites FAIL
    rows = results(out)
    assert sorted(r["case_name"] for r in rows) == sorted(expected)  # each case exactly once
    for r in rows:
        assert r["verdict"] == expected[r["case_name"]] and r["status"] == "done"
        report = Path(r["report_dir"])
        assert all((report / name).exists() for name in REPORTS)
        assert json.loads((report / "permitcheck-result.json").read_text())["verdict"] == r["verdict"]
    assert sorted(p.name for p in (out / "cases").iterdir()) == sorted(expected)
    assert litter(out) == []
    assert processes_naming(str(out)) == []
    assert {c["case"] for c in json.loads((out / "summary.json").read_text())["cases"]} == set(expected)
    assert killed >= 5, f"only {killed} of 10 runs were killed mid-way"
    assert littered >= 1, "no kill left temporary files to clean up: the test did not exercise the sweep"
    print(f"kill -9 stress: {killed} of 10 runs killed, {littered} left litter, {len(rows)} rows, {took:.1f} s")


def test_a_parent_rulebook_outside_the_case_folder_needs_rules_path(tmp_path):
    """`extends:` is confined to the rulebook's folder; batch --rules-path names the shared folder."""
    shared = tmp_path / "shared"
    shared.mkdir()
    copy_rulebook(RULES, shared / "national.yaml")
    city = tmp_path / "city"
    city.mkdir()
    (city / "city.yaml").write_text("rulebook: city\ntitle: city\njurisdiction: KR\nversion: '1'\n"
                                    "effective_from: 2024-01-01\nextends: ../shared/national.yaml\n")
    cases = tmp_path / "cases"
    make_case(cases, "good", rules=city / "city.yaml")
    first = run_batch(cases, tmp_path / "out1", workers=1, limits=Limits(120.0))
    assert first.counts == {"ERROR": 1}
    (row,) = results(tmp_path / "out1")
    assert "outside the rulebook's folder" in row["error"]
    second = run_batch(cases, tmp_path / "out2", workers=1, limits=Limits(120.0), rules_path=(shared,))
    assert second.counts == {"PASS": 1}
    proc = batch_cli(str(cases), "--out", str(tmp_path / "out3"), "--rules-path", str(shared), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
