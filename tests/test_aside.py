"""The legal facts measured aside, in a forked copy, while the other rules run: the same answer as in
turn, the same errors, and the same answer again when the copy cannot be made or dies."""

from __future__ import annotations

import json
import os
import signal
import threading

import pytest

from conftest import ROOT
from permitcheck import aside
from permitcheck.aside import Aside

SAMPLE = ROOT / "samples" / "buildings" / "podium_tower.ifc"
SITE = ROOT / "samples" / "sites" / "podium_north.geojson"
KR = ROOT / "rules" / "kr" / "national.yaml"


@pytest.fixture
def forking(monkeypatch):
    """A fork even where the test runner keeps threads of its own (the copy runs only the function)."""
    monkeypatch.setattr(aside, "can_fork", lambda: True)


def test_the_answer_comes_from_the_copy(forking):
    here = os.getpid()
    job = Aside(lambda: (os.getpid(), [1.5, "x"]))
    pid, value = job.result()
    assert pid != here and value == [1.5, "x"]
    assert job.result() == (pid, value)  # kept: the copy is asked once


def test_an_error_in_the_copy_is_raised_here(forking):
    job = Aside(lambda: int("not a number"))
    with pytest.raises(ValueError, match="not a number"):
        job.result()


def test_a_copy_that_dies_is_done_again_here(forking):
    here = os.getpid()

    def work():
        if os.getpid() != here:
            os.kill(os.getpid(), signal.SIGKILL)  # the copy is killed (out of memory, say)
        return "done here"

    assert Aside(work).result() == "done here"


def test_an_error_that_cannot_be_sent_is_raised_from_here(forking):
    here = os.getpid()

    class Unsendable(Exception):
        def __reduce__(self):
            raise TypeError("no pickling")

    def work():
        raise Unsendable("in the copy" if os.getpid() != here else "here")

    with pytest.raises(Unsendable, match="here"):
        Aside(work).result()


def test_no_fork_while_another_thread_runs():
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not aside.can_fork()
        assert Aside(os.getpid).result() == os.getpid()  # done here, when asked
    finally:
        stop.set()
        other.join()


def test_a_check_with_the_legal_facts_aside_is_the_check_in_turn(forking, monkeypatch):
    """The podium sample against Korea's national rulebook: the same result, every figure and
    finding in the rulebook's order, with the legal facts measured in a copy; the rules that do
    not read them measured while the copy works, those that do after."""
    import permitcheck.checking as checking
    from permitcheck import engine
    from permitcheck.checks import READS_LEGAL
    from permitcheck.inspection import inspect_model
    from permitcheck.rulebook import load_rulebook

    inspection, book = inspect_model(SAMPLE, workers=1), load_rulebook(KR)

    def run(**kw):
        d = checking.check_inspection(inspection, SITE, book, zone="KR-R2G", anchor=(220000, 560000), **kw).to_dict()
        d.pop("checked_at", None)
        d.get("provenance", {}).pop("checked_at", None)
        return json.dumps(d, sort_keys=True, default=str)

    in_turn = run()
    monkeypatch.setattr(checking, "ASIDE_ELEMENTS", 1)
    made, order = [], []
    real_aside, real_measure = Aside.__init__, engine._measure

    def init(self, fn, *args):
        made.append(fn)
        real_aside(self, fn, *args)

    def measure(rule, ctx, scope):
        order.append(rule.kind in READS_LEGAL)
        return real_measure(rule, ctx, scope)

    monkeypatch.setattr(Aside, "__init__", init)
    monkeypatch.setattr(engine, "_measure", measure)
    assert run(aside=True) == in_turn
    assert made and True in order and order == sorted(order)  # those reading the legal facts last
    made.clear()
    assert run(aside=False) == in_turn and not made


def test_a_value_that_cannot_be_sent_is_computed_here(forking):
    value = Aside(lambda: {"lock": threading.Lock()}).result()  # a lock does not pickle
    assert isinstance(value["lock"], type(threading.Lock()))


def test_an_interrupted_wait_leaves_no_copy_no_frozen_objects_and_no_closed_pipe(forking):
    """Ctrl-C while a check waits for its legal facts: the interrupt goes on as the check's (the CLI's
    exit 130, not an internal error about a closed file), the copy is killed and reaped, the
    collector thaws, and a later ask measures here (found by a review)."""
    import gc
    import time

    def slow():
        time.sleep(30)
        return "late"

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    job = Aside(slow)
    pid = job._pid
    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.3)
    try:
        with pytest.raises(KeyboardInterrupt):
            job.wait()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped already
    assert gc.get_freeze_count() == 0
    job._fn = lambda: "here"
    assert job.result() == "here"


def test_a_callers_own_frozen_objects_stay_frozen(forking):
    import gc

    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert Aside(lambda: 7).result() == 7
        assert gc.get_freeze_count() >= frozen > 0
    finally:
        gc.unfreeze()
