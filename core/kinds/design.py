"""Weight design: the student chooses the weights; any weights that reproduce every case pass.

The lesson gives the architecture (layers with their activations, biases or none), a table
of cases (inputs and targets) and a *reference design*: weights that work, used for the
answer key and checked here. Every weight and bias (``W{l}``, ``b{l}``) is student-chosen;
a step that asks for one is judged by running the net with the student's value as an
override (:func:`judge`), never by comparing with the reference.

Forward, one case per row:  A_0 = X (with ``product_input``: X plus the column x₁·x₂),
  row layout    Z_l = A_{l−1}·W_l (+ b_l),  W_l is n_in×units;
  column layout Z_l = A_{l−1}·W_lᵀ (+ b_l), W_l is units×n_in (each row is one unit's weights);
  A_l = g_l(Z_l),  Ŷ = A_L.  step(t) = 1 if t ≥ 0 else 0 (so step(0) = 1), unless a layer says
  ``step_at_zero = 0``: then step(t) = 1 only if t > 0. ELU takes ``alpha``.
Decision:  with a threshold θ a case's class is [ŷ ≥ θ] and must equal its target (0 or 1);
  without one, every output must equal its target within the tolerance (default 1e-9), which
  is exact for step outputs (0 or 1) and "any exact solution" for a linear output.
failed_i = 1 when case i disagrees;  failures = Σ failed_i;  failed_cases = the case numbers
(counted from 1) that disagree.
Shapes: X is m×n (m cases), Y and Ŷ m×n_out; sizes of 1 are dropped in the values shown and
typed (one output unit gives vectors over the cases; one unit's weights are a list).
"""

from __future__ import annotations

import re
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ..graph import Problem, ProblemBuilder
from ..judging import ByDesign
from ..notation import subscript
from ..ops import ACTIVATIONS, LEAKY_SLOPE
from . import (
    ACT_OPTION_DOCS, DataError, FieldDoc, Kind, NameDoc, read_activation, read_array, read_bool, read_choice, read_number,
    reject_unknown,
)

_TOP = {"kind", "layout", "inputs", "targets", "product_input", "layers", "threshold", "tolerance"}
_LAYER = {"W", "b", "activation", "alpha", "step_at_zero"}
_MAX_CASES = 64
_MAX_SIZE = 16
_DEFAULT_TOL = 1e-9
_CHOSEN = re.compile(r"^[Wb]\d+$")


def build(data: Mapping[str, Any]) -> Problem:
    path = "problem"
    reject_unknown(data, path, _TOP)
    layout = read_choice(data, "layout", path, ("row", "column"), default="row")
    row = layout == "row"
    X = read_array(data, "inputs", path, ndim=(1, 2))
    X = X.reshape(-1, 1) if X.ndim == 1 else X
    m, n = X.shape
    if not 1 <= m <= _MAX_CASES:
        raise DataError(f"{path}.inputs", f"needs 1 to {_MAX_CASES} cases (one row per case), got {m}")
    if not 1 <= n <= _MAX_SIZE:
        raise DataError(f"{path}.inputs", f"each case needs 1 to {_MAX_SIZE} inputs, got {n}")
    product = read_bool(data, "product_input", path, default=False)
    if product and n < 2:
        raise DataError(f"{path}.product_input", "needs at least two inputs x₁, x₂ to multiply")
    n_net = n + 1 if product else n

    layers = data.get("layers")
    if not isinstance(layers, list) or not layers:
        raise DataError(f"{path}.layers", "missing: at least one [[problem.layers]] table is required")
    spec = []  # (W in row layout n_in×units, bias or None, activation)
    n_in = n_net
    for i, layer in enumerate(layers, start=1):
        lpath = f"{path}.layers[{i}]"
        if not isinstance(layer, Mapping):
            raise DataError(lpath, "must be a table")
        reject_unknown(layer, lpath, _LAYER)
        W = _weights(read_array(layer, "W", lpath, ndim=(0, 1, 2)), n_in, row, f"{lpath}.W")
        units = W.shape[1]
        bias = read_array(layer, "b", lpath, ndim=(0, 1), required=False)
        if bias is not None:
            bias = bias.reshape(-1)
            if bias.size != units:
                raise DataError(f"{lpath}.b", f"has {bias.size} values but the layer has {units} units")
        act = read_choice(layer, "activation", lpath, tuple(ACTIVATIONS))
        spec.append((W, bias, read_activation(layer, lpath, act, slope=LEAKY_SLOPE, temperature=1.0,
                                              owner="activation = {0}")))
        n_in = units
    n_out = n_in

    Y = read_array(data, "targets", path, ndim=(0, 1, 2))
    if n_out == 1:
        fits = Y.size == m and (Y.ndim < 2 or Y.shape == (m, 1))
    else:
        fits = Y.shape == (m, n_out)
    if not fits:
        how = "a list with one target per case" if n_out == 1 else f"{m} rows of {n_out} numbers"
        raise DataError(f"{path}.targets", f"has shape {'×'.join(map(str, Y.shape)) or 'a number'} but the "
                                           f"net has {m} cases and {n_out} output(s): give {how}")
    Y = Y.reshape(m, n_out)

    threshold = read_number(data, "threshold", path) if "threshold" in data else None
    classes = threshold is not None or spec[-1][2].name == "step"
    if classes and not np.all((Y == 0) | (Y == 1)):
        why = "with a threshold" if threshold is not None else "with a step output"
        raise DataError(f"{path}.targets", f"{why} every target is a class, 0 or 1")
    if "tolerance" in data and threshold is not None:
        raise DataError(f"{path}.tolerance", "only used when outputs are compared as numbers (no threshold)")
    tol = read_number(data, "tolerance", path, positive=True) if "tolerance" in data else _DEFAULT_TOL

    g = _Graph("design")
    g.given("X", X, "X", "the inputs, one case per row", "входы, по одному случаю в строке")
    net_in = "X"
    if product:
        g.derived(f"x{n + 1}", lambda x: x[:, 0] * x[:, 1], ["X"], (m,), f"x{_s(n + 1)}",
                  f"the extra input x{_s(n + 1)} = x₁·x₂ of every case",
                  f"дополнительный вход x{_s(n + 1)} = x₁·x₂ для каждого случая",
                  "forward", f"x{_s(n + 1)} = x₁·x₂")
        g.derived("X.aug", lambda x, p: np.column_stack([x, p]), ["X", f"x{n + 1}"], (m, n + 1),
                  f"[X | x{_s(n + 1)}]", "the inputs with the extra column", "входы с дополнительным столбцом",
                  "forward", f"[X | x{_s(n + 1)}]")
        net_in = "X.aug"
    g.given("y", Y, "y", "the targets, one case per row", "целевые значения, по одному случаю в строке")
    if threshold is not None:
        g.given("threshold", threshold, "θ", "the decision threshold", "порог решения")

    L = len(spec)
    prev, prev_sym = net_in, g.symbols[net_in]
    for i, (W, bias, act) in enumerate(spec, start=1):
        units = W.shape[1]
        shown_W = W if row else W.T
        g.given(f"W{i}", shown_W, f"W{_s(i)}",
                f"the weights of layer {i} (you choose them)", f"веса слоя {i} (их выбираете вы)")
        if bias is not None:
            g.given(f"b{i}", bias, f"b{_s(i)}",
                    f"the biases of layer {i} (you choose them)", f"смещения слоя {i} (их выбираете вы)")
        deps = [prev, f"W{i}"] + ([f"b{i}"] if bias is not None else [])
        lin = f"{prev_sym}·W{_s(i)}" if row else f"{prev_sym}·W{_s(i)}ᵀ"
        g.derived(f"z{i}", _layer(row), deps, (m, units), f"z{_s(i)}",
                  f"the pre-activation of layer {i} for every case (before {act.names['en']})",
                  f"предактивация слоя {i} для каждого случая (до функции «{act.names['ru']}»)",
                  "forward", f"z{_s(i)} = {lin}" + (f" + b{_s(i)}" if bias is not None else ""))
        out = "y_hat" if i == L else f"a{i}"
        out_sym = "ŷ" if i == L else f"a{_s(i)}"
        g.derived(out, act.f, [f"z{i}"], (m, units), out_sym,
                  "the output ŷ of the net for every case" if i == L
                  else f"the activation of layer {i} for every case",
                  "выход сети ŷ для каждого случая" if i == L else f"активация слоя {i} для каждого случая",
                  "forward", f"{out_sym} = {act.symbol}(z{_s(i)})")
        prev, prev_sym = out, out_sym

    if threshold is not None:
        g.derived("pred", lambda yh, th: (yh >= th).astype(np.float64), ["y_hat", "threshold"], (m, n_out),
                  "[ŷ ≥ θ]", "the predicted class of every case (1 when ŷ ≥ θ)",
                  "предсказанный класс каждого случая (1, если ŷ ≥ θ)", "forward", "class = [ŷ ≥ θ]")
        g.derived("failed", lambda p, y: np.any(p != y, axis=1).astype(np.float64), ["pred", "y"], (m,),
                  "failed", "1 for every case whose class differs from its target",
                  "1 для каждого случая, класс которого не совпадает с целевым", "value", "[class ≠ y]")
    else:
        g.derived("failed", lambda yh, y, tol=tol: np.any(~(np.abs(yh - y) <= tol), axis=1).astype(np.float64),
                  ["y_hat", "y"], (m,), "failed", "1 for every case whose output differs from its target",
                  "1 для каждого случая, выход которого не совпадает с целевым", "value", f"[|ŷ − y| > {tol:g}]")
    g.derived("failures", np.sum, ["failed"], (), "failures", "the number of cases the design gets wrong",
              "число случаев, на которых конструкция ошибается", "value", "Σ failed")
    g.derived("failed_cases", lambda f: np.flatnonzero(f) + 1.0, ["failed"], None, "failed cases",
              "the numbers (from 1) of the cases the design gets wrong; empty when it works",
              "номера (с 1) случаев, на которых конструкция ошибается; пусто, если всё верно",
              "value", "{i : failedᵢ = 1}")
    _conventions(g, row, spec, threshold, tol, product, n)

    problem = g.build()
    ok, failed = judge(problem)
    if not ok:
        cases = ", ".join(map(str, failed))
        raise DataError(f"{path}.layers", f"the reference weights fail on case(s) {cases}: the weights in the "
                                          f"lesson must be a working design (they are the answer key's example)")
    return problem


def judge(problem: Problem, overrides: Mapping[str, Any] | None = None) -> tuple[bool, tuple[int, ...]]:
    """Run a design problem with ``overrides`` (e.g. the student's W1, b1); chosen values not
    overridden keep the reference design.  Returns (every case right, failing case numbers from 1)."""
    if problem.kind != "design":
        raise ValueError(f"judge() is for design problems, not {problem.kind!r}")
    chosen = chosen_keys(problem)
    failed = problem.quantities[chosen[0]].judge.failed_cases(problem, overrides or {})
    return (not failed, failed)


def chosen_keys(problem: Problem) -> tuple[str, ...]:
    """The student-chosen quantities of a design problem (W1, b1, W2, …) in graph order."""
    if problem.kind != "design":
        return ()
    return tuple(k for k, q in problem.quantities.items() if q.is_given and _CHOSEN.match(k))


def _weights(arr: np.ndarray, n_in: int, row: bool, field: str) -> np.ndarray:
    """W as n_in×units (row layout) from the lesson's W in its layout; a list is one unit."""
    if arr.ndim == 0:
        if n_in != 1:
            raise DataError(field, f"is a single number but the layer has {n_in} inputs: give one weight per input")
        return arr.reshape(1, 1)
    if arr.ndim == 1:
        if arr.size != n_in:
            raise DataError(field, f"is a list of {arr.size} weights (one unit) but the layer has {n_in} inputs")
        return arr.reshape(n_in, 1)
    rows, cols = arr.shape
    fan_in, units = (rows, cols) if row else (cols, rows)
    if fan_in != n_in:
        want = f"{n_in} rows (row layout)" if row else f"{n_in} columns (column layout)"
        raise DataError(field, f"has shape {rows}×{cols} but the layer has {n_in} inputs: it needs {want}")
    if units > _MAX_SIZE:
        raise DataError(field, f"at most {_MAX_SIZE} units per layer, got {units}")
    return arr if row else arr.T


def _layer(row: bool):
    def f(a, W, b=None):
        z = a @ W if row else a @ W.T
        return z if b is None else z + b
    return f


def _conventions(g, row, spec, threshold, tol, product, n) -> None:
    g.convention("design", "you choose the weights: any weights that reproduce every case are right; "
                           "the answer key shows one working example; cases are numbered from 1 in table order",
                 "веса выбираете вы: верны любые веса, воспроизводящие все случаи; "
                 "в ответах показан один работающий пример; случаи нумеруются с 1 в порядке таблицы")
    g.convention("layout", "one case per row; z = a·W, W has one column per unit" if row
                 else "one case per row; z = W·a for each case, W has one row per unit",
                 "по одному случаю в строке; z = a·W, у W по столбцу на нейрон" if row
                 else "по одному случаю в строке; z = W·a для каждого случая, у W по строке на нейрон")
    steps = {act.step_at_zero for _, _, act in spec if act.name == "step"}
    if steps == {0.0}:
        g.convention("step", "step(t) = 1 if t > 0, else 0 (so step(0) = 0; chosen in this lesson)",
                     "step(t) = 1 при t > 0, иначе 0 (то есть step(0) = 0; так выбрано в этом уроке)")
    elif steps == {0.0, 1.0}:
        layers = ", ".join(str(i) for i, (_, _, act) in enumerate(spec, start=1) if act.step_at_zero == 0)
        g.convention("step", f"step(t) = 1 if t ≥ 0, else 0 (so step(0) = 1), except in layers {layers}: "
                             "there step(0) = 0",
                     f"step(t) = 1 при t ≥ 0, иначе 0 (то есть step(0) = 1), кроме слоёв {layers}: там step(0) = 0")
    elif steps:
        g.convention("step", "step(t) = 1 if t ≥ 0, else 0 (so step(0) = 1)",
                     "step(t) = 1 при t ≥ 0, иначе 0 (то есть step(0) = 1)")
    no_bias = ", ".join(str(i) for i, (_, b, _) in enumerate(spec, start=1) if b is None)
    if no_bias:
        g.convention("bias", f"layers without a bias: {no_bias}", f"слои без смещения: {no_bias}")
    if product:
        g.convention("product", f"the net also receives the input x{_s(n + 1)} = x₁·x₂",
                     f"сеть также получает вход x{_s(n + 1)} = x₁·x₂")
    if threshold is not None:
        g.convention("decision", f"the class is 1 when ŷ ≥ {threshold:g}, else 0",
                     f"класс равен 1, если ŷ ≥ {threshold:g}, иначе 0")
    elif spec[-1][2].name == "step":
        g.convention("decision", "every output (0 or 1) must equal its target",
                     "каждый выход (0 или 1) должен совпасть с целевым значением")
    else:
        g.convention("decision", f"every output must equal its target (to within {tol:g})",
                     f"каждый выход должен совпасть с целевым значением (с точностью {tol:g})")


# -- the graph -------------------------------------------------------------------------

def _s(i) -> str:
    return subscript(str(i))


def _shown(shape: Sequence[int]) -> tuple[int, ...]:
    return tuple(d for d in shape if d != 1)


class _Graph:
    """A ProblemBuilder that computes in full shapes and shows values with sizes of 1 dropped."""

    def __init__(self, kind: str) -> None:
        self.b = ProblemBuilder(kind)
        self.shapes: dict[str, tuple[int, ...] | None] = {}
        self.symbols: dict[str, str] = {}

    def given(self, key: str, value, symbol: str, en: str, ru: str) -> None:
        value = np.asarray(value, dtype=np.float64)
        self.shapes[key] = value.shape
        self.symbols[key] = symbol
        self.b.given(key, value.reshape(_shown(value.shape)), symbol, {"en": en, "ru": ru})

    def derived(self, key: str, fn: Callable[..., Any], deps: Sequence[str], shape: Sequence[int] | None,
                symbol: str, en: str, ru: str, role: str, formula: str) -> None:
        """``shape`` None: the value's length varies (shown as computed)."""
        self.shapes[key] = None if shape is None else tuple(shape)
        self.symbols[key] = symbol
        self.b.derived(key, _reshaped(fn, [self.shapes[d] for d in deps], self.shapes[key]), list(deps),
                       symbol, {"en": en, "ru": ru}, role, formula)

    def convention(self, name: str, en: str, ru: str) -> None:
        self.b.convention(name, {"en": en, "ru": ru})

    def build(self) -> Problem:
        chosen = tuple(k for k in self.shapes if _CHOSEN.match(k))
        by_design = ByDesign(chosen, "failed_cases")
        for key in chosen:
            self.b.judge(key, by_design)
        return self.b.build()


def _reshaped(fn, in_shapes, out_shape):
    def run(*values):
        args = [np.asarray(v, dtype=np.float64) if s is None else np.reshape(np.asarray(v, dtype=np.float64), s)
                for v, s in zip(values, in_shapes)]
        with np.errstate(all="ignore"):  # a student's huge weights may overflow: such a case just fails
            out = np.asarray(fn(*args), dtype=np.float64)
        return out if out_shape is None else np.reshape(out, _shown(out_shape))
    return run


KIND = Kind(
    name="design",
    summary="Weight design: the student chooses the weights of a small net (perceptrons with a step, "
            "ReLU or linear units) so that it reproduces a truth table or a set of labelled points; "
            "any working design passes. The lesson's weights are a reference design.",
    fields=(
        FieldDoc("layout", False, '"row" (z = a·W, W has one column per unit; default) or "column" '
                                  '(z = W·a, W has one row per unit)'),
        FieldDoc("inputs", True, "the cases, one row of inputs per case (a list of numbers for one input)"),
        FieldDoc("targets", True, "the target of every case (a list; rows of numbers for several outputs)"),
        FieldDoc("product_input", False, "true to add the input x₁·x₂ after the given ones (XOR in one perceptron)"),
        FieldDoc("layers", True, "[[problem.layers]] in order, each with a reference W (a list means one unit), "
                                 "optional b (omit for no bias) and activation: " + ", ".join(ACTIVATIONS) +
                                 "; the reference must reproduce every case"),
        FieldDoc("layers.step_at_zero", False, ACT_OPTION_DOCS["step_at_zero"]),
        FieldDoc("layers.alpha", False, ACT_OPTION_DOCS["alpha"]),
        FieldDoc("threshold", False, "θ: a case's class is [ŷ ≥ θ] (targets 0 or 1); without it outputs must "
                                     "equal the targets"),
        FieldDoc("tolerance", False, "without a threshold: how close an output must be to its target "
                                     "(default 1e-9, i.e. exact)"),
    ),
    build=build,
    names=(
        NameDoc("X, y, threshold", "givens: the inputs (one case per row), the targets, θ"),
        NameDoc("x{n+1}, X.aug", "with product_input: the extra input x₁·x₂ and the inputs with it"),
        NameDoc("W{l}, b{l}", "student-chosen: the weights and biases of layer l (the lesson's values are "
                              "the reference design); judge with core.kinds.design.judge"),
        NameDoc("z{l}, a{l}, y_hat", "pre-activations, hidden activations and outputs for every case, "
                                     "computed from the (student's) weights"),
        NameDoc("pred", "with a threshold: the class [ŷ ≥ θ] of every case"),
        NameDoc("failed, failures, failed_cases", "1 per wrong case, their number, and the wrong case "
                                                  "numbers counted from 1 (variable length: not for a step)"),
    ),
)
