"""One wrong answer in context (:class:`Case`), and re-running the graph around it (:class:`Evaluator`).

What every general diagnosis (``core.diagnoses``, ``core.diagnosis_search``) takes and asks of
the graph: which quantities the student has met, which keys are the same thing at another step,
and the step's value again with some of its inputs replaced, within a budget.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np

from .answers import Reading
from .graph import DATA_ERRORS, Problem
from .tolerance import Tolerance, compare

#: Re-evaluations of the graph allowed per step for the stale-input and misread-given searches.
MAX_EVALUATIONS = 64
#: and the quantities' functions called in all of them (a long chain costs more than a short one)
MAX_CALLS = 128


@dataclass(frozen=True)
class Case:
    """One wrong answer in context: what was typed for which quantity, with which values."""

    reading: Reading
    expected: np.ndarray
    key: str
    problem: Problem
    values: Mapping[str, np.ndarray]
    tol: Tolerance
    lang: str
    #: the quantities the lesson's steps ask for (None: not known, anything may be named)
    steps: frozenset[str] | None = None
    #: candidates already worked out for this lesson run (``candidates``), kept by the caller
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    def hits(self, value) -> bool:
        """The typed value is ``value`` (to its precision), and is nearer to it than to the right one."""
        value = np.asarray(value, dtype=np.float64)
        e = self.expected
        if value.size != e.size or not np.all(np.isfinite(value)):
            return False
        value = value.reshape(e.shape)
        typed = np.asarray(self.reading.value, dtype=np.float64).reshape(e.shape)
        # the slip explains the typed value better than a rounding of the right one does
        if not np.sum(np.abs(typed - value)) < np.sum(np.abs(typed - e)):
            return False
        return compare(self.reading, value, self.tol).ok

    def may_name(self, key: str) -> bool:
        """A quantity the student has met: a given shown in the text, or one a step asks for."""
        q = self.problem.quantities[key]
        if key.startswith("at."):
            return False
        return self.steps is None or q.is_given or key in self.steps

    def symbol(self, key: str) -> str:
        return self.problem.quantities[key].symbol

    def meaning(self, key: str) -> str:
        q = self.problem.quantities[key]
        return short(q.meaning.get(self.lang, q.meaning["en"]))


def short(meaning: str, limit: int = 48) -> str:
    """A meaning cut to a clause: "the gradient g₁ = ∇L at w₀, used at step 1 (…)" → its head."""
    text = re.split(r" \(|; ", meaning, maxsplit=1)[0]
    if len(text) <= limit:
        return text
    head = text[:limit]
    cut = head.rfind(", ")
    return head[:cut] if cut > limit // 2 else head[:head.rfind(" ")].rstrip(" ,") + "…"


def trivial(value) -> bool:
    """All zeros, all ones or all ½: a value that equals too many things to name one."""
    v = np.asarray(value, dtype=np.float64).reshape(-1)
    return v.size > 0 and bool(np.all(v == v[0])) and float(abs(v[0])) in (0.0, 1.0, 0.5)


# ----------------------------------------------------------------------------- the same thing elsewhere

def previous(problem: Problem, key: str, values: Mapping[str, np.ndarray]) -> str | None:
    """The same thing one update earlier: W1.next → W1, w2 → w1, W1.next@2 → W1.next@1 → W1."""
    qs = problem.quantities
    for alias in aliases(key, older_only=True):
        if alias in qs and alias in qs[key].deps and np.shape(values[alias]) == np.shape(values[key]):
            return alias
    return None


def aliases(key: str, older_only: bool = False) -> list[str]:
    """Keys the same thing might carry at another step, time or observation."""
    out: list[str] = []
    base, at, step = key.partition("@")
    if at:
        k = int(step) if step.isdigit() else None
        if k is not None:
            out += [f"{base}@{k - 1}"] if k > 1 else ([base[:-5]] if base.endswith(".next") else [])
            out += [] if older_only else [f"{base}@{k + 1}"]
        return out
    if key.endswith(".next"):
        out.append(key[:-5])
    m = re.match(r"^(.*?)(\d+)$", key)
    if m and not key.endswith(".next"):
        head, n = m.group(1), int(m.group(2))
        out.append(f"{head}{n - 1}")
        if not older_only:
            out.append(f"{head}{n + 1}")
    elif not older_only and not key.endswith(".next"):
        out.append(key + ".next")
    return out


# ----------------------------------------------------------------------------- re-evaluation

def ancestors(problem: Problem, key: str) -> set[str]:
    """Every quantity ``key`` is computed from, directly or on the way."""
    qs, seen, todo = problem.quantities, set(), list(problem.quantities[key].deps)
    while todo:
        k = todo.pop()
        if k not in seen:
            seen.add(k)
            todo.extend(qs[k].deps)
    return seen


class Evaluator:
    """Re-evaluates one quantity with some values replaced, counting the re-evaluations."""

    def __init__(self, case: Case) -> None:
        self.problem, self.values, self.key = case.problem, case.values, case.key
        self.upstream = ancestors(case.problem, case.key)
        qs = case.problem.quantities
        # the student's answers to earlier steps stay as they are: they were right when typed.
        # Without the steps, every value before this one is taken as the student's own.
        derived = {k for k in self.upstream if not qs[k].is_given}
        self.fixed = frozenset(derived if case.steps is None else (derived & case.steps))
        self.order = [k for k in qs if k in self.upstream or k == case.key]
        live = {case.key} | (derived - self.fixed)
        #: the values a slip can enter by: used by this step or by a value worked out on the way
        self.inputs = [k for k in self.order if k != case.key and any(k in qs[c].deps for c in live)]
        self.count = 0
        self.calls = 0

    def __call__(self, subs: Mapping[str, np.ndarray],
                 patch: Mapping[str, Callable[[np.ndarray], np.ndarray]] | None = None,
                 here: bool = False) -> np.ndarray | None:
        """The quantity with ``subs`` in place of some values, ``patch`` applied to some results;
        ``here``: the substitution in this step's own formula only, not on the way to it."""
        if self.count >= MAX_EVALUATIONS or self.calls >= MAX_CALLS:
            return None
        self.count += 1
        self.calls += 1
        if here:
            q = self.problem.quantities[self.key]
            try:
                with np.errstate(all="ignore"):
                    return np.asarray(q.fn(*(subs.get(d, self.values[d]) for d in q.deps)), dtype=np.float64)
            except DATA_ERRORS:
                return np.full(np.shape(self.values[self.key]), np.nan)
        qs, local, moved = self.problem.quantities, {}, set(subs)
        patch = patch or {}
        with np.errstate(all="ignore"):
            for k in self.order:
                if k in subs:
                    local[k] = subs[k]
                    continue
                q = qs[k]
                if q.is_given or (k in self.fixed) or not (k in patch or any(d in moved for d in q.deps)):
                    continue
                self.calls += 1
                try:
                    v = np.asarray(q.fn(*(local.get(d, self.values[d]) for d in q.deps)), dtype=np.float64)
                    local[k] = patch[k](v) if k in patch else v
                except DATA_ERRORS:
                    return np.full(np.shape(self.values[self.key]), np.nan)
                moved.add(k)
        # None only when the budget is spent; a change that does not reach this step leaves it as it is
        return local.get(self.key, np.asarray(self.values[self.key]))
