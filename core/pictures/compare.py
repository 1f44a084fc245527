"""Once an optimizer lesson is done: the same objective from the same start under each optimizer of
unit 3 (gradient descent, momentum, Nesterov, RMSprop, Adam), side by side -- the path of w for one
weight (with w* for reference), the loss L(wₜ) for several -- and the student's own values on it.

The objective is the lesson's own: L(w) is the quantity L₀ as a function of w₀, and its gradient is
taken by central differences (exact up to rounding for the quadratic losses of unit 3), so every
model the optimize kind offers is compared as it is. Each method takes the lesson's learning rate
and the settings of unit 3's lessons (α = 0.9, β₁ = β₂ = 0.9), for at least ``STEPS`` steps.
"""

from __future__ import annotations

import numpy as np

from .. import optim
from ..curves import Chart, Series, marked, same
from .base import Picture, View
from .words import WORDS

#: (method, its name on the chart, its settings besides the learning rate): as in unit 3's lessons
UNIT3 = (
    ("gd", "GD", {}),
    ("momentum", "momentum", {"alpha": 0.9, "form": "textbook"}),
    ("nesterov", "Nesterov", {"alpha": 0.9, "form": "textbook"}),
    ("rmsprop", "RMSprop", {"alpha": 0.9}),
    ("adam", "Adam", {"beta1": 0.9, "beta2": 0.9}),
)
STEPS = 10


def gradient(loss, w: np.ndarray) -> np.ndarray:
    """∂L/∂w by central differences, one coordinate at a time."""
    w = np.asarray(w, dtype=np.float64)
    g = np.zeros_like(w)
    for i in np.ndindex(w.shape):
        h = 1e-6 * max(1.0, abs(float(w[i])))
        up, down = w.copy(), w.copy()
        up[i] += h
        down[i] -= h
        g[i] = (float(loss(up)) - float(loss(down))) / (2 * h)
    return g


def path(loss, w0: np.ndarray, hyper: dict, steps: int) -> list[np.ndarray]:
    """w₀, w₁, … under one method (cut where it leaves the finite numbers)."""
    w, state = np.asarray(w0, dtype=np.float64), optim.init_state(w0, hyper)
    out = [w]
    with np.errstate(all="ignore"):
        for _ in range(steps):
            w, state = optim.step(w, gradient(loss, optim.lookahead(w, state, hyper)), state, hyper)
            if not np.isfinite(w).all():
                break
            out.append(np.asarray(w, dtype=np.float64))
    return out


def compare_picture(view: View) -> Picture | None:
    q = view.problem.quantities
    if view.problem.kind != "optimize" or not view.complete or "lr" not in q or "L0" not in q:
        return None
    if q["L0"].deps != ("w0",):
        return None
    loss = q["L0"].fn
    w0, lr = view.value("w0"), float(view.value("lr").reshape(-1)[0])
    ts = sorted(int(k[1:]) for k in q if k[:1] == "w" and k[1:].isdigit())
    steps = max(ts[-1], STEPS)
    one = w0.size == 1
    y_of = (lambda w: float(np.asarray(w).reshape(-1)[0])) if one else (lambda w: float(loss(w)))
    series = []
    for method, name, settings in UNIT3:
        ws = path(loss, w0, {"method": method, "lr": lr, **settings}, steps)
        series.append(Series(same(name), np.arange(len(ws), dtype=np.float64), np.array([y_of(w) for w in ws])))
    mine = [f"w{t}" if one else f"L{t}" for t in ts]
    mine = [k for k in mine if k in q]
    series.append(Series(WORDS.each("yours"), np.array([float(k[1:]) for k in mine]),
                         np.array([float(view.value(k).reshape(-1)[0]) for k in mine]), points=True))
    shows = set(mine) | {"w0", "lr"}
    if one and "w_star" in q:
        star = float(view.value("w_star").reshape(-1)[0])
        series.append(Series(same("w*"), np.array([0.0, float(steps)]), np.array([star, star])))
        shows.add("w_star")
    title = WORDS.each("chart_compare_w" if one else "chart_compare_loss")
    ticks = tuple(range(0, steps + 1, max(1, steps // 5)))
    chart = Chart(title, WORDS.each("step_t"), marked(series), ticks, same("wₜ" if one else "L(wₜ)"),
                  xlim=(0.0, float(steps)), note=WORDS.each("compare_note", lr=f"{lr:g}"))
    return Picture("chart.compare", "chart", title, frozenset(shows), chart=chart)
