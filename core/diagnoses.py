"""General diagnoses: causes of a wrong value that no operation declared, found from the graph.

Each function takes a :class:`Case` (one wrong answer, in context) and returns a message in
the student's language, or None. ``feedback.diagnose`` tries them after the author's and the
declared mistakes, the transpose and the sign (those are more specific still), and before the
quantities met on the way and the generic rounding and entries slips:

- :func:`factor` -- c × the right value, with a cause the context names (the ½ of the loss,
  a sum for a mean, the learning rate twice or not at all, the temperature, degrees);
- :func:`stale_input` -- the right method on a stale input (the weights before the update,
  the previous step's state or gradient, another observation);
- :func:`wrong_given` -- the right method on a misread given (a sign, two entries swapped,
  swapped digits, a transposed matrix);
- :func:`power_slip` -- β for βᵗ, a forgotten exponential, square or square root, tanh′ or σ′
  without its square or taken at the wrong point, an L1 norm for an L2 one;
- :func:`off_by_one` -- a count one off from a size formula's + 1 or its rounding;
- :func:`left_out` and :func:`plain_factor` -- a given left out (0 for a term, 1 for a factor),
  c × the right value without a known cause: tried after the quantities met on the way
  ("that is a" is the same slip as "b left out of a + b"; "that is t = 2·s" says more).

The searches that re-evaluate the graph are bounded (:data:`MAX_EVALUATIONS`) and their
candidate values are worked out once per step and accepted values (:func:`candidates`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np

from .answers import Reading, format_value
from .diagnosis_text import say
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


def _num(x: float) -> str:
    return format_value(np.asarray(float(x)), 4)


# ----------------------------------------------------------------------------- context

def _texts(problem: Problem) -> str:
    return " ".join(t.get("en", "") for t in problem.conventions.values())


def _loss_half(problem: Problem) -> bool | None:
    """Whether the loss has a ½ (L = ½·Σ(…)²), from the conventions or the loss's formula."""
    conv = " ".join(t.get("en", "") for name, t in problem.conventions.items() if "loss" in name)
    if "no ½" in conv:
        return False
    if "½" in conv:
        return True
    for q in problem.quantities.values():
        if q.role == "loss" and "²" in q.formula:
            return "½" in q.formula
    return False if "Σ(" in conv and "²" in conv else None


def _batch_sizes(problem: Problem, key: str | None = None) -> tuple[list[int], str | None]:
    """The numbers of observations n (or m) and whether the lesson (or the quantity ``key``'s
    own formula) means or sums over them."""
    text = _texts(problem)
    sizes: list[int] = [int(n) for n in re.findall(r"(?:over the|m =|n =) (\d+)", text)]
    for k, q in problem.quantities.items():
        if not q.is_given or k.startswith("at."):
            continue
        v = problem.givens[k]
        m = q.meaning.get("en", "")
        if v.ndim >= 1 and re.search(r"observation|one row per|batch|inputs xᵢ|targets yᵢ|labels yᵢ", m):
            sizes.append(int(v.shape[0]))
        elif v.ndim == 0 and re.search(r"number of (observations|samples|examples|terms)", m) \
                and float(v) == round(float(v)):
            sizes.append(int(v))
    sizes = sorted({n for n in sizes if 2 <= n <= 10_000})
    formula = re.sub(r"∂\S*?/∂", "∂", problem.quantities[key].formula) if key else ""  # not ∂L/∂x's "/"
    if re.search(r"1/m|1/n|mean|\(1/\d+\)", formula):
        return sizes, "mean"
    if "Σ" in formula and "/" not in formula:
        return sizes, "sum"
    mode = "mean" if re.search(r"averaged|mean over|the mean", text) else "sum" if re.search(
        r"sum over the observations|summed|a sum, not a mean|sum over the batch", text) else None
    return sizes, mode


def _givens_meaning(problem: Problem, pattern: str, keys: tuple[str, ...]) -> list[str]:
    return [k for k, q in problem.quantities.items()
            if q.is_given and problem.givens[k].ndim == 0 and float(problem.givens[k]) != 0
            and (k in keys or re.search(pattern, q.meaning.get("en", "")))]


def previous(problem: Problem, key: str, values: Mapping[str, np.ndarray]) -> str | None:
    """The same thing one update earlier: W1.next → W1, w2 → w1, W1.next@2 → W1.next@1 → W1."""
    qs = problem.quantities
    for alias in _aliases(key, older_only=True):
        if alias in qs and alias in qs[key].deps and np.shape(values[alias]) == np.shape(values[key]):
            return alias
    return None


def _aliases(key: str, older_only: bool = False) -> list[str]:
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


# ----------------------------------------------------------------------------- factors

def _factor_causes(case: Case) -> list[tuple[float, str, dict]]:
    """(c, message key, its fields) for every constant factor with a cause in this context."""
    p, qs = case.problem, case.problem.quantities
    q = qs[case.key]
    role, out = q.role, []
    half = _loss_half(p)
    # the loss's derivative (its 2, its 1/m) is taken in this step, or in one not asked before it:
    # once the student's own ∂L/∂ŷ was accepted, a factor later on is not the loss's
    suffix = case.key.partition("@")[2]
    open_ = not any(qs[k].role == "backward" and (case.steps is None or k in case.steps)
                    and k.partition("@")[2] == suffix for k in ancestors(p, case.key))
    gradient = (role == "backward" or case.key.startswith("grad")) and open_
    if role == "loss" and half is True:
        out.append((2.0, "half_dropped", {}))
    if role == "loss" and half is False:
        out.append((0.5, "half_added", {}))
    if (gradient or (role == "update" and open_)) and half is True:
        out.append((2.0, "half_cancels", {}))
    if (gradient or (role == "update" and open_)) and half is False:
        out.append((0.5, "two_missing", {}))
    sizes, mode = _batch_sizes(p, case.key)
    if role == "loss" or gradient or (role == "update" and open_) or re.search(r"Σ|mean|1/m", q.formula):
        for n in sizes:
            if mode == "mean":
                out.append((float(n), "sum_for_mean", {"n": n}))
            elif mode == "sum":
                out.append((1.0 / n, "mean_for_sum", {"n": n}))
    if role == "update":
        for k in _givens_meaning(p, r"learning rate|step size", ("lr", "eta")):
            lr = float(p.givens[k])
            if lr != 1 and (k in q.deps or qs[k].symbol in q.formula):
                out.append((1.0 / lr, "lr_missing", {"lr": qs[k].symbol, "v": _num(lr)}))
                out.append((lr, "lr_twice", {"lr": qs[k].symbol, "v": _num(lr)}))
    for k in _givens_meaning(p, r"temperature", ("T", "temperature")):
        t = float(p.givens[k])
        if t not in (1.0, -1.0):
            fields = {"T": qs[k].symbol, "v": _num(t)}
            out += [(t * t, "t_times", fields), (t, "t_missing", fields), (1.0 / t, "t_twice", fields)]
    if re.search(r"\bln\b|ln\(|ln ", q.formula) and "/" not in q.formula.split("=")[-1]:
        out += [(1 / math.log(10), "log10", {}), (1 / math.log(2), "log2", {})]
    if re.search(r"angle|radian|degree", " ".join(q.meaning.values()) + _texts(p)):
        out += [(180.0 / math.pi, "degrees", {}), (math.pi / 180.0, "radians", {})]
    return out


def _scaled(case: Case, c: float) -> list[np.ndarray]:
    """c × the value, and for an update also the value with c × its step (w′ = w − c·η·g)."""
    e = case.expected
    out = [c * e]
    if case.problem.quantities[case.key].role == "update":
        prev = previous(case.problem, case.key, case.values)
        if prev is not None:
            w = np.asarray(case.values[prev], dtype=np.float64).reshape(e.shape)
            out.append(w + c * (e - w))
    return out


def factor(case: Case) -> str | None:
    """c × the right value (or, for an update, c × its step), for a c the context explains:
    the ½ of the loss, a mean's 1/n, the learning rate, the temperature, degrees and radians.
    Before the quantities met on the way: "you dropped the ½" says why, "that is t" only what."""
    if not np.any(case.expected != 0):
        return None
    found: list[str] = []
    for c, key, fields in _factor_causes(case):
        if any(case.hits(v) for v in _scaled(case, c)):
            message = say(key, case.lang, **fields)
            if message not in found:
                found.append(message)
    if not found:
        return None
    return found[0] if len(found) == 1 else say("both", case.lang, found[0], _lower(found[1]))


def plain_factor(case: Case) -> str | None:
    """2, ½, n or 1/n × the right value with no cause in view: said as a factor, after the
    quantities met on the way (one of those is the likelier reading) and before rounding."""
    if not np.any(case.expected != 0) or trivial(case.reading.value):
        return None
    sizes, _mode = _batch_sizes(case.problem, case.key)
    for c in [2.0, 0.5] + [float(n) for n in sizes if n != 2] + [1.0 / n for n in sizes if n != 2]:
        if case.hits(c * case.expected):
            shown = _num(c) if c >= 1 else f"1/{_num(1 / c)}"
            return say("times", case.lang, c=shown)
    return None


def _lower(message: str) -> str:
    return message[0].lower() + message[1:] if message[1:2].islower() else message


# ----------------------------------------------------------------------------- re-evaluation

def ancestors(problem: Problem, key: str) -> set[str]:
    qs, seen, todo = problem.quantities, set(), list(problem.quantities[key].deps)
    while todo:
        k = todo.pop()
        if k not in seen:
            seen.add(k)
            todo.extend(qs[k].deps)
    return seen


class _Evaluator:
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


@dataclass(frozen=True)
class Candidate:
    """A value a specific slip gives, with the message naming that slip."""

    value: np.ndarray
    message: str
    kind: str  # "stale" or "given"


#: how many steps' candidates a lesson run keeps (the step in hand, and a few it came back from)
MEMO_SIZE = 16


def candidates(case: Case) -> tuple[tuple[Candidate, ...], int]:
    """The stale-input and misread-given candidates for this step and these values, and how many
    re-evaluations they took: worked out on the first wrong answer, then reused from ``case.memo``
    (the lesson run's) while the values they come from stay the same."""
    upstream = ancestors(case.problem, case.key)
    digest = hash(tuple(np.asarray(case.values[k]).tobytes() for k in sorted(upstream)))
    key = (case.key, digest, case.lang, case.steps)
    hit = case.memo.get(key)
    if hit is not None:
        return hit
    ev = _Evaluator(case)
    found = tuple(_stale_candidates(case, ev)) + tuple(_given_candidates(case, ev))
    if len(case.memo) >= MEMO_SIZE:
        case.memo.pop(next(iter(case.memo)))
    case.memo[key] = (found, ev.count)
    return found, ev.count


def _stale_candidates(case: Case, ev: _Evaluator):
    qs = case.problem.quantities
    index = {k: i for i, k in enumerate(qs)}
    direct = qs[case.key].deps
    # the inputs the student is likelier to have mixed up first: direct ones, then the others
    for d in [*direct, *sorted(set(ev.inputs) - set(direct), key=index.get, reverse=True)]:
        if not case.may_name(d):
            continue
        for a in _aliases(d):
            if a not in qs or a == case.key or index[a] >= index[case.key] or not case.may_name(a):
                continue
            va, vd = np.asarray(case.values[a]), np.asarray(case.values[d])
            if va.shape != vd.shape or np.array_equal(va, vd):
                continue
            for here in ((True, False) if d in direct else (False,)):  # where this step uses it, or on the way
                value = ev({d: va}, here=here)
                if value is None:
                    return
                if np.shape(value) != va.shape or not np.allclose(value, va):  # a value passed through
                    yield Candidate(value, _stale_message(case, a, d), "stale")  # is "that is a", below


def _stale_message(case: Case, a: str, d: str) -> str:
    am, dm = case.meaning(a), case.meaning(d)
    if am == dm:
        return say("stale_same", case.lang, a=case.symbol(a), d=case.symbol(d))
    return say("stale", case.lang, a=case.symbol(a), am=am, d=case.symbol(d), dm=dm)


def _given_candidates(case: Case, ev: _Evaluator):
    qs = case.problem.quantities
    direct = qs[case.key].deps
    givens = [k for k in [*direct, *ev.inputs] if qs[k].is_given and case.may_name(k)]
    givens = [g for g in dict.fromkeys(givens) if np.size(case.values[g]) <= 16]
    readings = [list(_misreadings(np.asarray(case.values[g], dtype=np.float64), case.symbol(g), case.lang))
                for g in givens]
    # every given's likeliest misreadings (its sign, 0, 1, its transpose) before any one's entries
    ranked = [(i, g, r) for g, rs in zip(givens, readings) for i, r in enumerate(rs)]
    ranked.sort(key=lambda t: min(t[0], 4))
    for _i, g, (wrong, message) in ranked:
        value = ev({g: wrong})
        if value is None:
            return
        left_out = bool(np.all(wrong == 0) or np.all(wrong == 1))  # 0 for a term, 1 for a factor
        yield Candidate(value, message, "left_out" if left_out else "given")


def _misreadings(v: np.ndarray, sym: str, lang: str):
    """Ways to misread a given, most likely first: its sign, its transpose, one entry's sign,
    two entries swapped, one entry's two digits swapped."""
    flat = v.reshape(-1)
    if v.size == 1:  # a number (or a vector of one): its sign, 0 for it (left out), 1 for it
        x = float(flat[0])
        for w in ([-x] if x else []) + [w for w in (0.0, 1.0) if w != x]:
            yield np.full(v.shape, w), say("given_sign", lang, g=sym, wrong=_num(w), right=_num(x))
        for w in _digit_swaps(x):
            yield np.full(v.shape, w), say("given_sign", lang, g=sym, wrong=_num(w), right=_num(x))
        return
    if np.any(v != 0):
        yield np.zeros_like(v), say("given_zero", lang, g=sym)
    if np.any(v != 1):
        yield np.ones_like(v), say("given_one", lang, g=sym)
    if np.any(v != 0):
        yield -v, say("given_flip", lang, g=sym)
    if v.ndim == 2 and v.shape[0] == v.shape[1] > 1 and not np.array_equal(v, v.T):
        yield v.T.copy(), say("given_t", lang, g=sym)
    names = [_index(i, v.shape) for i in range(flat.size)]
    for i in range(flat.size):
        if flat[i] != 0 and flat.size <= 4:  # one entry left out
            w = flat.copy()
            w[i] = 0.0
            yield w.reshape(v.shape), say("given_sign", lang, g=say("entry", lang, s=sym, i=names[i]),
                                          wrong="0", right=_num(flat[i]))
    for i in range(flat.size):
        if flat[i] != 0:
            w = flat.copy()
            w[i] = -w[i]
            yield w.reshape(v.shape), say("given_sign", lang, g=say("entry", lang, s=sym, i=names[i]),
                                          wrong=_num(-flat[i]), right=_num(flat[i]))
    for i in range(flat.size if v.ndim == 2 else 0):  # a table read wrongly: two entries swapped
        for j in range(i + 1, flat.size):
            if flat[i] != flat[j]:
                w = flat.copy()
                w[i], w[j] = w[j], w[i]
                yield w.reshape(v.shape), say("given_swap", lang, g=sym, a=say("entry", lang, s=sym, i=names[i]),
                                              b=say("entry", lang, s=sym, i=names[j]))
    for i in range(flat.size):
        for x in _digit_swaps(float(flat[i])):
            w = flat.copy()
            w[i] = x
            yield w.reshape(v.shape), say("given_sign", lang, g=say("entry", lang, s=sym, i=names[i]),
                                          wrong=_num(x), right=_num(flat[i]))


def _index(i: int, shape) -> str:
    return ",".join(str(int(k) + 1) for k in np.unravel_index(i, shape))


def _digit_swaps(x: float) -> list[float]:
    """0.25 → 0.52, 12 → 21, −0.3 → none: the two significant digits of a number, swapped."""
    text = format(abs(x), ".10g")
    digits = [c for c in text.lstrip("0.") if c.isdigit()]
    if len(digits) != 2 or digits[0] == digits[1] or "e" in text:
        return []
    a, b = digits
    swapped = text.replace(a + b, b + a, 1) if a + b in text else None
    if swapped is None:
        return []
    return [math.copysign(float(swapped), x)]


def stale_input(case: Case) -> str | None:
    """The quantity's own formula on a stale input: the same-shaped value of another step, time or
    observation (W₁ for W₁′, w₁ for w₂, s₁ for s₂). Before a misread given: a value the student
    computed is the likelier mix-up."""
    for cand in candidates(case)[0]:
        if cand.kind == "stale" and case.hits(cand.value):
            return cand.message
    return None


def wrong_given(case: Case) -> str | None:
    """The right method on a misread given (a sign, a transpose, two entries swapped, two digits
    swapped), found by re-running the graph, at most :data:`MAX_EVALUATIONS` times per step.
    Not when the answer is the right one with some signs flipped: "look again at entry 2" says
    where, which is more use than which given."""
    typed = np.asarray(case.reading.value, dtype=np.float64).reshape(case.expected.shape)
    if trivial(typed):
        return None
    if case.expected.size > 1 and case.hits(np.where(np.isclose(typed, -case.expected), -case.expected,
                                                     case.expected)):
        return None
    for cand in candidates(case)[0]:
        if cand.kind == "given" and case.hits(cand.value):
            return cand.message
    return None


# ----------------------------------------------------------------------------- powers and counts

def power_slip(case: Case) -> str | None:
    """Exponent and power slips: β for βᵗ in a bias correction, the logarithm of the answer (a
    forgotten exp), its square root or square, an L1 norm for an L2 one, tanh′ or σ′ without
    the square or at the wrong point. Each is a structural slip, so it comes before the
    quantities met on the way (which may equal it by chance)."""
    q, e, lang = case.problem.quantities[case.key], case.expected, case.lang
    formula = q.formula
    m = re.search(r"/\(1 − (\S+?)\^(\d+)\)", formula)
    if m:
        b = next((k for k, g in case.problem.quantities.items() if g.is_given and g.symbol == m.group(1)), None)
        t = int(m.group(2))
        if b is not None and t > 1:
            beta = float(case.values[b])
            for u in (1, t - 1):
                if u != t and case.hits(e * (1 - beta ** t) / (1 - beta ** u)):
                    return say("bias_power", lang, b=m.group(1), t=t, u=u)
    typed = np.asarray(case.reading.value, dtype=np.float64).reshape(e.shape)
    if e.size > 1 and np.all(e >= 0) and abs(float(e.sum()) - 1) < 1e-9 and abs(float(typed.sum()) - 1) > 0.01 \
            and float(typed.sum()) > 0 and case.hits(e * typed.sum()):
        return say("normalise", lang)
    for d in q.deps:
        x = np.asarray(case.values[d], dtype=np.float64)
        sym = case.problem.quantities[d].symbol
        if x.size == 1 and float(x.reshape(-1)[0]) not in (0.0, 1.0, -1.0) and (sym + "²") in formula \
                and case.may_name(d) and case.hits(e / float(x.reshape(-1)[0])):
            return say("square_of", lang, x=sym)
    positive = np.all(e > 0) and not trivial(e)
    if positive and np.all(e != 1) and case.hits(np.log(e)):
        return say("no_exp", lang)
    squared = re.search(r"[√²]|\^2|norm|standard deviation|variance", formula + " " + " ".join(q.meaning.values()))
    if positive and squared and case.hits(np.sqrt(e)):
        return say("no_square", lang)
    if positive and squared and case.hits(e * e):
        return say("no_root", lang)
    if ("‖" in formula or "norm" in q.meaning.get("en", "")) and e.size == 1:
        for d in q.deps:
            v = np.asarray(case.values[d], dtype=np.float64)
            if v.size > 1 and case.may_name(d) and case.hits(np.sum(np.abs(v))):
                return say("l1", lang, x=case.symbol(d))
    if re.search(r"\b(sin|cos|tan)\(", formula) and q.deps:
        try:
            with np.errstate(all="ignore"):
                value = q.fn(*(np.asarray(case.values[d], dtype=np.float64) * math.pi / 180 for d in q.deps))
        except DATA_ERRORS:
            value = None
        if value is not None and case.hits(value):
            return say("calc_degrees", lang)
    return _derivative_slip(case)


_SYM = {"tanh′": (lambda z: 1 - np.tanh(z) ** 2, [(lambda z: 1 - np.tanh(z), "tanh_square"),
                                                 (lambda z: 1 - z * z, "tanh_at_z")]),
        "σ′": (lambda z: 1 / (1 + np.exp(-z)) * (1 - 1 / (1 + np.exp(-z))),
               [(lambda z: 1 / (1 + np.exp(-z)), "sigma_half"), (lambda z: z * (1 - z), "sigma_at_z")])}


def _derivative_slip(case: Case) -> str | None:
    """tanh′ or σ′ slipped wherever the quantity (or an unasked step on its way) uses one:
    each such factor is replaced by the slip and the quantity re-evaluated."""
    qs = case.problem.quantities
    by_symbol = {q.symbol: k for k, q in qs.items()}
    ev = _Evaluator(case)
    for name, (right, slips) in _SYM.items():
        where = [k for k in [*ev.order] if name + "(" in qs[k].formula and (k == case.key or k not in ev.fixed)]
        if not where:
            continue
        for slip, message in slips:
            patch = {}
            for k in where:
                arg = re.search(re.escape(name) + r"\(([^)]+)\)", qs[k].formula).group(1)
                z_key = by_symbol.get(arg)
                if z_key is None:
                    break
                z = np.asarray(case.values[z_key], dtype=np.float64)
                d = right(z)
                if np.any(d == 0):
                    break
                patch[k] = lambda v, z=z, d=d, slip=slip: v * slip(z) / d if np.shape(v) == np.shape(d) or d.ndim == 0 else v
            else:
                value = ev({}, patch)
                if value is not None and case.hits(value):
                    return say(message, case.lang)
    return None


def off_by_one(case: Case) -> str | None:
    """A whole-number size one off from a formula with a + 1 or a rounding (n − k for n − k + 1,
    ⌈·⌉ for ⌊·⌋): after the declared mistakes, which name the exact term when they can."""
    e, formula = case.expected, case.problem.quantities[case.key].formula
    if e.size != 1 or float(e.reshape(-1)[0]) != round(float(e.reshape(-1)[0])) or not re.search(r"⌊|⌈|\+ 1|− 1", formula):
        return None
    if case.hits(e + 1) or case.hits(e - 1):
        return say("off_by_one", case.lang)
    return None


def left_out(case: Case) -> str | None:
    """The right method with a given left out (taken as 0, or a factor taken as 1): after the
    quantities met on the way, since "that is a" is the same slip as "b left out of a + b"."""
    if trivial(case.reading.value):
        return None
    for cand in candidates(case)[0]:
        if cand.kind == "left_out" and case.hits(cand.value):
            return cand.message
    return None


#: The specific general diagnoses, in the order ``feedback.diagnose`` tries them.
SPECIFIC = (factor, power_slip, stale_input, wrong_given, off_by_one)
