"""Which charts a lesson has: each answers one question, and is there from the first step --
its frame (axes from the givens and known facts, a given curve) and the values found so far,
a point added as each is found. A curve from which a value still to be found could be read
joins only once that value is found (a σ curve shows σ(0) = ½: in a lesson that asks for σ(0)
it comes after that step). ``Picture.shows`` lists every value a chart draws.

- the loss across steps, only where it is one objective over training steps (an optimizer's
  L(wₜ); a net trained on the same batch) -- never the losses of different observations;
- the path of w over the steps (one weight);
- each activation the lesson applies with its derivative, in the lesson's variable (t, z);
  the family of activations side by side; σ(kt) for k = 1, 10, 100 (logistic steps);
- softmax probabilities at each temperature side by side;
- ‖∂sₖ/∂s₁‖ against k (recurrent nets);
- ridge's leave-one-out error against λ; the number of units dropout keeps, N ~ Binomial(n, q);
  the signal's variance layer by layer under the lesson's initialisation and LeCun's.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np

from ..curves import Chart, Series, activation_chart, family_chart, found, marked, sharpening_chart, steps_chart
from .base import Picture, View
from .compare import compare_picture
from .depth import depth_picture
from .words import WORDS, same

_APPLIES = {"sigmoid": "σ", "tanh": "tanh"}


def _scalar(view: View, key: str) -> float | None:
    v = view.value(key)
    return float(v.reshape(-1)[0]) if v.size == 1 and np.isfinite(v).all() else None


def _indexed(view: View, pattern: str) -> dict[int, str]:
    rx = re.compile(pattern)
    return {int(m.group(1)): k for k in view.problem.quantities for m in [rx.match(k)] if m}


def _picture(name: str, chart: Chart, shows, view: View) -> Picture:
    """A chart picture; while the lesson goes on, its note says the points come as values are found."""
    if not view.complete:
        chart = replace(chart, note=WORDS.each("chart_fills"))
    return Picture(name, "chart", chart.title, frozenset(shows), chart=chart)


def _found_steps(view: View, steps: dict[int, str]) -> list[tuple[int, float]]:
    """(step, value) of each stepped scalar the student may see."""
    shown = [(t, _scalar(view, k)) for t, k in steps.items() if view.shown(k)]
    return [(t, v) for t, v in shown if v is not None]


def _steps_picture(view: View, name: str, steps: dict[int, str], title: str, ylabel: str) -> Picture:
    shown = _found_steps(view, steps)
    chart = steps_chart(WORDS.each(title), WORDS.each("step_t"), same(ylabel), shown, tuple(steps))
    return _picture(name, chart, {steps[t] for t, _ in shown}, view)


def loss_picture(view: View) -> Picture | None:
    """L after each step, for an optimizer (L₀ … L_T on all observations) or a net trained on one
    batch for several iterations -- a point for each loss the student has found."""
    q = view.problem.quantities
    if view.problem.kind == "optimize":
        steps = _indexed(view, r"^L(\d+)$")
    elif view.problem.kind == "dense" and not any(re.match(r"^[xX]@\d+$", k) for k in q):
        steps = _indexed(view, r"^L@(\d+)$")  # the same observations at every step: one objective
    else:
        return None
    return _steps_picture(view, "chart.loss", steps, "chart_loss", "L(wₜ)") if len(steps) >= 2 else None


def path_picture(view: View) -> Picture | None:
    """w after each step of a one-weight optimizer (w₀ given: the first point)."""
    if view.problem.kind != "optimize":
        return None
    steps = _indexed(view, r"^w(\d+)$")
    if len(steps) < 2 or any(view.value(k).size != 1 for k in steps.values()):
        return None
    return _steps_picture(view, "chart.path", steps, "chart_path", "wₜ")


def _applications(view: View, token: str) -> list[tuple[str, str]]:
    """(input, output) of each quantity that applies the activation to one input, element by element."""
    q, rx = view.problem.quantities, re.compile(rf"=\s*{re.escape(token)}\(")
    return [(qq.deps[0], k) for k, qq in q.items() if len(qq.deps) == 1 and rx.search(qq.formula)
            and not k.startswith("grad.") and view.value(k).size == view.value(qq.deps[0]).size]


def _seen_as(view: View, key: str) -> str | None:
    """The quantity through which the student may see ``key``'s value: itself, or the given it merely
    copies (a graph's input node is its variable); None while it is still to be found."""
    if view.shown(key):
        return key
    deps = view.problem.quantities[key].deps
    if len(deps) == 1 and view.shown(deps[0]) and np.array_equal(view.value(deps[0]), view.value(key)):
        return deps[0]
    return None


def _points(view: View, tokens) -> tuple[list[Series], set[str]]:
    """The (input, activation) pairs found so far, as the student's points."""
    xs, ys, keys = [], [], set()
    for token in tokens:
        for d, k in _applications(view, token):
            seen = (_seen_as(view, d), _seen_as(view, k))
            if None not in seen:
                xs += view.value(d).reshape(-1).tolist()
                ys += view.value(k).reshape(-1).tolist()
                keys |= set(seen)
    return found(WORDS.each("yours"), (xs, ys)), keys


def _applying(view: View, token: str) -> set[str]:
    """The quantities the lesson asks for whose formula applies the activation (or its derivative)."""
    q = view.problem.quantities
    return {k for k in view.asked if k in q and (f"{token}(" in q[k].formula or f"{token}′(" in q[k].formula
                                                 or f"{token} " in q[k].formula)}


def _variable(view: View) -> str:
    """The variable an activation is written in here: the input of a graph (t), else z."""
    q = view.problem.quantities
    if view.problem.kind == "graph_expr":
        names = [q[k].symbol for k in q if q[k].is_given]
        if len(names) == 1:
            return names[0]
    return "z"


def activation_pictures(view: View) -> list[Picture]:
    """Each activation the lesson applies with its derivative (the curves once every value they show
    is found), the family side by side in a lesson of several, σ(kt) in a logistic optimizer; the
    student's points (z, g(z)) on each as they are found."""
    q = view.problem.quantities
    formulas = " ".join(qq.formula for qq in q.values())
    out = []
    for name, token in _APPLIES.items():
        if f"{token}(" not in formulas:
            continue
        reveals = _applying(view, token)
        curve = all(view.shown(k) for k in reveals)
        points, keys = _points(view, (token,))
        chart = activation_chart(name, _variable(view), curve, points)
        out.append(_picture(f"chart.{name}", chart, (reveals if curve else set()) | keys, view))
    if view.problem.kind == "dense":
        applied = set(re.findall(r"=\s*(σ|tanh|ReLU|LeakyReLU|step)\(", formulas))
        if len(applied) >= 3:  # a lesson about activations: the family side by side
            names = ("step", "relu", "leaky_relu", "sigmoid", "tanh")
            tokens = ("σ", "tanh", "ReLU", "LeakyReLU", "step")
            reveals = set().union(*(_applying(view, t) for t in tokens))
            curve = all(view.shown(k) for k in reveals)
            points, keys = _points(view, tokens)
            shows = (reveals if curve else set()) | keys
            out.append(_picture("chart.family", family_chart(names, curve=curve, points=points), shows, view))
            out.append(_picture("chart.family.slopes", family_chart(names, derivative=True, curve=curve),
                                reveals if curve else set(), view))
    if view.problem.kind == "optimize" and "σ(" in formulas:
        reveals = _applying(view, "σ")
        curve = all(view.shown(k) for k in reveals)
        points, keys = _points(view, ("σ",))
        out.append(_picture("chart.sharpening", sharpening_chart("t", curve=curve, points=points),
                            (reveals if curve else set()) | keys, view))
    return out


def softmax_picture(view: View) -> Picture | None:
    """The softmax probabilities of each step side by side (the temperatures of a lesson that
    divides the logits by T): one series per ŷ⁽ᵏ⁾ the student has found."""
    q = view.problem.quantities
    if view.problem.kind != "dense":
        return None
    outs = _indexed(view, r"^y_hat@(\d+)$")
    if len(outs) < 2 or "softmax" not in " ".join(q[k].formula for k in outs.values()):
        return None
    if any(k.startswith("L@") and k in view.asked for k in q):
        return None  # a loss lesson: the observations differ, not the temperature
    shown = [(k, outs[k]) for k in sorted(outs) if view.shown(outs[k])]
    series = []
    for _k, key in shown:
        v = view.value(key).reshape(-1)
        x = np.arange(1, v.size + 1, dtype=np.float64)
        series.append(Series(same(q[key].symbol), x, v, points=True))
    n = view.value(next(iter(outs.values()))).size
    chart = Chart(WORDS.each("chart_softmax"), WORDS.each("output_k"), marked(series), tuple(range(1, n + 1)),
                  xlim=(1.0, float(n)), ylim=(0.0, 1.0))
    return _picture("chart.softmax", chart, {key for _k, key in shown}, view)


def jacobian_picture(view: View) -> Picture | None:
    """‖∂sₖ/∂s₁‖ against k: how the gradient through time shrinks or grows."""
    q = view.problem.quantities
    norms = _indexed(view, r"^jac_norm(\d+)$")
    if not norms:
        return None
    whole = "jac_norms"
    if whole in q and view.shown(whole):
        v = view.value(whole).reshape(-1)
        shown = [(k + 1, float(v[k])) for k in range(v.size)]
        keys = {whole}
    else:
        shown = _found_steps(view, norms)
        keys = {norms[k] for k, _ in shown}
    chart = steps_chart(WORDS.each("chart_jacobian"), same("k"), same("‖∂sₖ/∂s₁‖"), shown, tuple(norms))
    return _picture("chart.jacobian", chart, keys, view)


def ridge_picture(view: View) -> Picture | None:
    """Ridge regression's leave-one-out error CV(λ) against λ (the λ given), from the folds found."""
    q = view.problem.quantities
    if "ridge.lambdas" not in q:
        return None
    lambdas = view.value("ridge.lambdas").reshape(-1)
    if "ridge.cv" in q and view.shown("ridge.cv"):
        cv = view.value("ridge.cv").reshape(-1)
        shown, keys = list(zip(lambdas.tolist(), cv.tolist())), {"ridge.cv"}
    else:
        folds = _indexed(view, r"^ridge\.cv(\d+)$")
        shown = [(float(lambdas[i - 1]), _scalar(view, k)) for i, k in folds.items()
                 if view.shown(k) and i <= lambdas.size]
        keys = {k for i, k in folds.items() if view.shown(k)}
    shown = sorted((x, y) for x, y in shown if y is not None)
    x = np.array([a for a, _ in shown], dtype=np.float64)
    y = np.array([b for _, b in shown], dtype=np.float64)
    chart = Chart(WORDS.each("chart_ridge"), same("λ"), (Series(same("CV(λ)"), x, y, marker="•"),),
                  xlim=(float(lambdas.min()), float(lambdas.max())) if lambdas.size else None)
    keys |= {"ridge.lambdas"} if view.shown("ridge.lambdas") else set()
    return _picture("chart.ridge", chart, keys, view)


def dropout_picture(view: View) -> Picture | None:
    """The distribution of the number of hidden units kept, N ~ Binomial(n, q): its peak and spread
    are E N and Var N, so the bars come once the student has found them (before: N from 0 to n)."""
    q = view.problem.quantities
    if not {"sizes", "keep", "active.mean"} <= set(q):
        return None
    reveals = {k for k in q if k.startswith("active") and k in view.asked}
    import math

    n = int(np.sum(view.value("sizes").reshape(-1)[1:-1]))
    series = ()
    if all(view.shown(k) for k in reveals):
        keep = float(view.value("keep"))
        mean, sd = n * keep, math.sqrt(max(n * keep * (1 - keep), 1e-12))
        lo, hi = max(0, int(mean - 4 * sd)), min(n, int(mean + 4 * sd) + 1)
        ks = np.arange(lo, hi + 1, dtype=np.float64)
        logp = [math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * math.log(keep)
                + (n - k) * math.log(1 - keep) for k in ks] if 0 < keep < 1 else [0.0] * len(ks)
        series = (Series(same("P(N)"), ks, np.exp(np.array(logp)), marker="•"),)
    else:
        reveals = set()
    chart = Chart(WORDS.each("chart_dropout", n=n), same("N"), series, xlim=(0.0, float(n)))
    shows = reveals | {k for k in ("sizes", "p") if k in q and view.shown(k)}
    return _picture("chart.dropout", chart, shows, view)


def initialisation_picture(view: View) -> Picture | None:
    """The variance of the signal layer after layer, (n_in·Var w)^l, for the lesson's initialisation
    (once its gain is found) and for LeCun's (n_in·Var w = 1, from the first step)."""
    q = view.problem.quantities
    if not {"init.gain", "init.layers"} <= set(q):
        return None
    reveals = {k for k in ("init.gain", "init.gain_total") if k in view.asked}
    depth = int(view.value("init.layers"))
    layers = np.arange(0, depth + 1, dtype=np.float64)
    gain = float(view.value("init.gain"))
    series = marked([Series(same("(n_in·Var w)^l"), layers, gain ** layers),
                     Series(same("LeCun: 1"), layers, np.ones_like(layers))])
    if not all(view.shown(k) for k in reveals):
        series, reveals = series[1:], set()  # the lesson's curve would show its gain
    chart = Chart(WORDS.each("chart_initialisation"), WORDS.each("layer_l"), series,
                  tuple(range(depth + 1)), xlim=(0.0, float(depth)))
    return _picture("chart.initialisation", chart, reveals | {"init.layers"}, view)


def chart_pictures(view: View) -> list[Picture]:
    out = [loss_picture(view), path_picture(view), softmax_picture(view), jacobian_picture(view),
           ridge_picture(view), dropout_picture(view), initialisation_picture(view), compare_picture(view),
           depth_picture(view)]
    out += activation_pictures(view)
    return [p for p in out if p is not None]
