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

The searches that re-run the graph with one input changed (a stale input, a misread or a
left-out given) are in :mod:`.diagnosis_search`, bounded by :data:`MAX_EVALUATIONS`;
:class:`Case` and the graph's re-evaluation in :mod:`.diagnosis_case`; the wording in
:mod:`.diagnosis_text`.
"""

from __future__ import annotations

import math
import re

import numpy as np

from .answers import format_value
from .diagnosis_case import MAX_CALLS, MAX_EVALUATIONS, Case, Evaluator, ancestors, previous, trivial
from .diagnosis_search import left_out, stale_input, wrong_given
from .diagnosis_text import say
from .graph import DATA_ERRORS, Problem

__all__ = [
    "Case", "MAX_CALLS", "MAX_EVALUATIONS", "SPECIFIC", "factor", "left_out", "off_by_one", "plain_factor",
    "power_slip", "stale_input", "trivial", "wrong_given",
]


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
                out.append((1.0 / lr, "lr_missing", {"lr": qs[k].symbol, "v": format_value(lr)}))
                out.append((lr, "lr_twice", {"lr": qs[k].symbol, "v": format_value(lr)}))
    for k in _givens_meaning(p, r"temperature", ("T", "temperature")):
        t = float(p.givens[k])
        if t not in (1.0, -1.0):
            fields = {"T": qs[k].symbol, "v": format_value(t)}
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
            shown = format_value(c) if c >= 1 else f"1/{format_value(1 / c)}"
            return say("times", case.lang, c=shown)
    return None


def _lower(message: str) -> str:
    return message[0].lower() + message[1:] if message[1:2].islower() else message


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
    ev = Evaluator(case)
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


#: The specific general diagnoses, in the order ``feedback.diagnose`` tries them.
SPECIFIC = (factor, power_slip, stale_input, wrong_given, off_by_one)
