"""A formula is accepted only on SymPy's proof, whatever state its worker is in.

The probe: right after an answer hit the one-second cap the worker restarts, and in that time
``1 - s + 1e-12*s`` was accepted as ``1 - s`` on the numbers alone. Now numbers only refute;
while a proof runs the screen says "Checking…" and keys stay live; with no proof to be had the
student is asked to try again, and no attempt is counted.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from nntutor.core.feedback import CHECKING, CORRECT, FORMAT, WRONG
from nntutor.core.judging import Proof
from nntutor.core.lesson import load_lesson
from nntutor.core.progress import ProgressStore
from nntutor.core.session import LessonRun
from nntutor.core.symbolic import FormulaResult, SymbolicWorker
from nntutor.tui.app import NNTutorApp

LESSON = load_lesson(Path(__file__).parents[1] / "lessons" / "kinds" / "formula.toml")


class DeadWorker(SymbolicWorker):
    """A worker that never becomes ready: every request is "unavailable"."""

    def equivalent(self, a, b, assumptions=None, timeout=1.0, wait=0.0):
        return "unavailable"


@pytest.fixture
def run_at_sigma_of_s(tmp_path):
    """A run on the step asking for σ′ in terms of s (its answer: s·(1 − s))."""
    store = ProgressStore(tmp_path / "p.sqlite3")
    run = LessonRun(LESSON, store, "en", DeadWorker())
    while run.current.quantity != "dsigma":
        run.accept(run.current, "(key)", run.expected(run.current), "")
    yield run, store
    store.close()


def test_without_a_proof_a_right_formula_is_not_accepted_and_costs_no_attempt(run_at_sigma_of_s):
    run, store = run_at_sigma_of_s
    step = run.current
    verdict = run.submit("s*(1 - s)")
    assert verdict.status == FORMAT and not verdict.ok
    assert "try again" in verdict.message
    assert run.current is step  # not accepted
    assert store.steps(run.key).get(step.id) is None or store.steps(run.key)[step.id].attempts == 0


def test_a_near_miss_that_only_sympy_can_refute_is_never_accepted_on_numbers(run_at_sigma_of_s):
    run, _store = run_at_sigma_of_s
    verdict = run.submit("s*(1 - s) + s/1000000000000")
    assert verdict.status != CORRECT and run.current.quantity == "dsigma"


def test_a_formula_refuted_by_the_numbers_is_judged_at_once_without_the_worker(run_at_sigma_of_s):
    run, _store = run_at_sigma_of_s
    verdict = run.start("s*(1 + s)")
    assert verdict.status == WRONG and verdict.proof is None


def test_a_formula_the_numbers_cannot_refute_waits_for_its_proof(run_at_sigma_of_s):
    run, _store = run_at_sigma_of_s
    pending = run.start("s - s^2")
    assert pending.status == CHECKING and pending.proof is not None and run.current.quantity == "dsigma"
    proved = FormulaResult("equal", "sympy", {"en": "Correct", "ru": "Верно"})
    assert run.conclude(pending.proof, proved).status == CORRECT
    assert run.current.quantity != "dsigma"


def test_a_proof_that_lands_after_start_over_changes_nothing(run_at_sigma_of_s):
    run, _store = run_at_sigma_of_s
    pending = run.start("s - s^2")
    run.restart()
    late = run.conclude(pending.proof, FormulaResult("equal", "sympy", {"en": "", "ru": ""}))
    assert late.status == FORMAT and "moved on" in late.message
    assert not any(run.is_accepted(s) for s in run.steps)


def test_the_screen_says_checking_and_keys_stay_live_while_a_proof_runs(tmp_path, monkeypatch):
    release = threading.Event()
    real_run = Proof.run

    def slow_run(self):
        release.wait(30)
        return real_run(self)

    monkeypatch.setattr(Proof, "run", slow_run)

    async def go():
        app = NNTutorApp(lang="en", lesson=LESSON, store=ProgressStore(tmp_path / "p.sqlite3"))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            box = app.screen.query_one("#answer")
            box.value = "σ(t)(1 − σ(t))"
            await pilot.press("enter")
            await pilot.pause()
            assert "Checking…" in str(app.screen.query_one("#feedback").render())
            await pilot.press("f1")  # a key works while the proof runs
            await pilot.pause()
            assert "Hint 1/" in str(app.screen.query_one("#feedback").render())
            release.set()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert "Correct." in str(app.screen.query_one("#feedback").render())
            assert app.screen.run.current is LESSON.steps[1]

    import asyncio

    asyncio.run(go())
