"""Dropout: one layer with a given mask (forward, backward), and counting on a whole net.

p is stated as data: the probability to drop a neuron (q = 1 − p keeps it) or to keep it
(q = p). The keep probability q is what the formulas use.

One layer, x and the 0/1 mask m of the same shape (vector or matrix), with inverted scaling
(y = x∘m/q at train time, x at test time) or scaling at test time (y = x∘m, then q·x): the
pieces, their formulas and their slips are :mod:`nntutor.core.ops.dropout`.

Net with layer sizes n₀ (inputs), n₁ … n_H (hidden), n_out; each hidden neuron is kept
independently with probability q; inputs and outputs are never dropped. A dropped neuron
takes with it its incoming weights, its outgoing weights and its bias, so a weight counts
when both of its neurons are kept and a bias when its neuron is kept. With K_l ~ Bin(n_l, q)
the kept neurons of hidden layer l (K₀ = n₀, K_{H+1} = n_out fixed), the parameter count is

    P = Σ_{l=1}^{H+1} (K_{l−1}·K_l + [bias]·K_l),   E[P] = the same with K_l → n_l·q

(independent layers, so E[K_{l−1}K_l] = E K_{l−1}·E K_l), a quadratic in q solved in closed
form for E[P] = (1 − θ)·P_full. Var[P] = E[P²] − E[P]² is computed exactly in rational
arithmetic from E[K] = nq and E[K²] = nq(1 − q) + (nq)². A hidden layer is entirely off with
probability (1 − q)^{n_l}; K_l has mean n_l·q and variance n_l·q(1 − q).

Each counting value declares p taken for q (keep vs drop) itself.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Mapping

import numpy as np

from ..graph import Problem, texts
from ..notation import grad_key, subscript
from ..ops import dropout as do
from ..ops import probe
from ..ops.record import mistake
from ..writer import Writer
from . import (DataError, FieldDoc, Kind, NameDoc, read_array, read_bool, read_choice, read_number, reject_unknown,
               shape_text)

_TOP = {"kind", "p", "p_is", "layer", "net"}
_LAYER = {"x", "mask", "scaling", "upstream", "c"}
_NET = {"sizes", "bias", "thin"}


def build(data: Mapping[str, Any]) -> Problem:
    path = "problem"
    reject_unknown(data, path, _TOP)
    p = read_number(data, "p", path)
    if not 0 < p < 1:
        raise DataError(f"{path}.p", f"must be strictly between 0 and 1, got {p}")
    if "p_is" not in data:
        raise DataError(f"{path}.p_is", 'missing: say whether p is the probability to "drop" a neuron '
                                        'or to "keep" it')
    drop = read_choice(data, "p_is", path, ("drop", "keep")) == "drop"
    if "layer" not in data and "net" not in data:
        raise DataError(f"{path}.layer", "missing: give [problem.layer] (a mask on one layer), "
                                         "[problem.net] (counting on a net), or both")

    w = Writer("dropout")
    w.given("p", p, "p", texts("the probability to drop a neuron", "вероятность выключить нейрон") if drop
            else texts("the probability to keep a neuron", "вероятность оставить нейрон"))
    w.apply(do.keep(drop), "keep", "q", texts("the probability q that a neuron is kept",
                                              "вероятность q, что нейрон остаётся"), "value", p="p")
    w.convention("p", texts(
        f"p = {p:g} is the probability to {'drop' if drop else 'keep'} each neuron, independently",
        f"p = {p:g} — вероятность {'выключить' if drop else 'оставить'} каждый нейрон, независимо от других"))
    if "layer" in data:
        _layer(w, data["layer"], f"{path}.layer", drop)
    if "net" in data:
        _net(w, data["net"], f"{path}.net", drop)
    return w.build()


# -- one layer with a given mask ------------------------------------------------------

def _layer(w: Writer, layer, path: str, drop: bool) -> None:
    if not isinstance(layer, Mapping):
        raise DataError(path, "must be a table ([problem.layer])")
    reject_unknown(layer, path, _LAYER)
    x = read_array(layer, "x", path, ndim=(0, 1, 2))
    mask = read_array(layer, "mask", path, ndim=(0, 1, 2))
    if mask.shape != x.shape:
        raise DataError(f"{path}.mask", f"is {shape_text(mask.shape)} but x is {shape_text(x.shape)}")
    if not np.all((mask == 0) | (mask == 1)):
        raise DataError(f"{path}.mask", "must hold only 0 (dropped) and 1 (kept)")
    if "scaling" not in layer:
        raise DataError(f"{path}.scaling", 'missing: "inverted" (divide by q at train time) '
                                           'or "at_test" (multiply by q at test time)')
    inverted = read_choice(layer, "scaling", path, ("inverted", "at_test")) == "inverted"
    if "upstream" in layer and "c" in layer:
        raise DataError(f"{path}.c", "give either upstream (∂L/∂y) or c (L = Σ c∘y), not both")
    back = {}
    for key in ("upstream", "c"):
        if key in layer:
            arr = read_array(layer, key, path, ndim=(0, 1, 2))
            if arr.shape != x.shape:
                raise DataError(f"{path}.{key}", f"is {shape_text(arr.shape)} but x is {shape_text(x.shape)}")
            back[key] = arr

    w.given("x", x, "x", texts("the input of the dropout layer", "вход слоя дропаута"))
    w.given("mask", mask, "m", texts("the mask: 1 keeps a neuron, 0 drops it",
                                     "маска: 1 — нейрон остаётся, 0 — выключен"))
    w.apply(do.scale(inverted, drop), "scale", "1/q" if inverted else "1",
            texts("the factor applied to kept values at train time", "множитель для оставшихся значений при обучении")
            if inverted else
            texts("the factor applied to kept values at train time (none: scaling happens at test time)",
                  "множитель для оставшихся значений при обучении (его нет: масштаб — на этапе применения модели)"),
            "forward", q="keep")
    w.apply(do.forward(inverted, drop), "y", "y", texts("the output of the dropout layer at train time",
                                                        "выход слоя дропаута при обучении"),
            "forward", x="x", m="mask", s="scale", q="keep")
    w.apply(do.at_test_time(inverted, drop), "y_test", "y_test", texts(
        "the output of the layer for the same x at test time (no neuron dropped)",
        "выход слоя для того же x на этапе применения модели (все нейроны включены)"), "value", x="x", q="keep", m="mask")
    w.convention("scaling", texts(
        "inverted dropout: kept values are divided by q at train time; at test time the layer passes x" if inverted
        else "no scaling at train time; at test time the layer multiplies x by q",
        "инвертированный (inverted) дропаут: при обучении оставшиеся значения делятся на q; на этапе применения модели слой "
        "пропускает x без изменений" if inverted
        else "при обучении без масштабирования; на этапе применения модели слой умножает x на q"))
    gy = grad_key("y")
    if "c" in back:
        w.given("c", back["c"], "c", texts("the weights c of the loss L = Σ c∘y", "веса c в функции потерь L = Σ c∘y"))
        w.apply(probe.LOSS, "L", "L", texts("the loss", "значение функции потерь"), "loss", y="y", c="c")
        w.apply(probe.GRADIENT, gy, "∂L/∂y", texts("the upstream gradient ∂L/∂y", "градиент ∂L/∂y, пришедший сверху"),
                "backward", c="c")
    elif "upstream" in back:
        w.given(gy, back["upstream"], "∂L/∂y", texts("the upstream gradient ∂L/∂y (given)",
                                                     "градиент ∂L/∂y, пришедший сверху (дан)"))
    if back:
        w.apply(do.backward(inverted, drop), grad_key("x"), "∂L/∂x", texts(
            "the gradient with respect to the input x (zero where the neuron was dropped)",
            "производная по входу x (ноль там, где нейрон выключен)"), "backward", g=gy, m="mask", s="scale", q="keep")


# -- counting on a net -------------------------------------------------------------------

def _net(w: Writer, net, path: str, drop: bool) -> None:
    if not isinstance(net, Mapping):
        raise DataError(path, "must be a table ([problem.net])")
    reject_unknown(net, path, _NET)
    sizes = _read_sizes(net, "sizes", path)
    if "bias" not in net:
        raise DataError(f"{path}.bias", "missing: say whether every neuron has a bias (true or false)")
    bias = read_bool(net, "bias", path, default=True)
    thin = read_number(net, "thin", path, default=0.25)
    if not 0 < thin < 1:
        raise DataError(f"{path}.thin", f"must be strictly between 0 and 1, got {thin}")
    counts = _ints(sizes)
    a0, a1, a2 = expected_poly(param_terms(counts, bias), counts)
    full = a0 + a1 + a2
    if (1 - Fraction(thin)) * full <= a0:
        raise DataError(f"{path}.thin", f"cannot be reached: with every hidden neuron dropped {a0} parameters "
                                        f"(the output biases) remain, more than {1 - thin:g} of {full}")
    hidden = range(1, len(sizes) - 1)
    pq = do.p_vs_q_words(drop)

    def count(key: str, fn, symbol: str, meaning, formula: str, flips: bool = True) -> None:
        """A count or probability from the sizes and q; ``flips``: p taken for q changes it (fn at 1 − q)."""
        slips = [mistake("p_vs_q", ["sizes", "keep"], lambda n, q: fn(n, 1.0 - q), *pq)] if flips else []
        w.derived(key, fn, ["sizes", "keep"], symbol, meaning, "value", formula, slips)

    w.given("sizes", sizes, "n", texts("the layer sizes, inputs first", "размеры слоёв, начиная со входа"))
    w.given("thin", thin, "θ", texts("the share θ by which the net should be thinned",
                                     "доля θ, на которую нужно проредить сеть"))
    w.derived("params", lambda n: float(_count(n, bias, 1)), ["sizes"], "P",
              texts("the number of parameters of the whole net (no dropout)",
                    "число параметров всей сети (без дропаута)"),
              "value", "P = Σₗ (nₗ₋₁·nₗ + nₗ)" if bias else "P = Σₗ nₗ₋₁·nₗ")
    for l in hidden:
        s = subscript(str(l))
        count(f"off{l}", lambda n, q, l=l: (1.0 - q) ** n[l], f"P(off{s})",
              texts(f"the probability that all of hidden layer {l} is dropped",
                    f"вероятность, что весь скрытый слой {l} выключен"), f"(1 − q)^n{s}")
    count("off.any", _any_off, "P(any off)",
          texts("the probability that at least one hidden layer is dropped entirely (the net cannot learn)",
                "вероятность, что хотя бы один скрытый слой выключен целиком (сеть не может учиться)"),
          "1 − Πₗ (1 − (1 − q)^nₗ)")
    for l in hidden:
        s = subscript(str(l))
        count(f"active{l}.mean", lambda n, q, l=l: n[l] * q, f"E N{s}",
              texts(f"the expected number of kept neurons in hidden layer {l}",
                    f"математическое ожидание числа включённых нейронов в скрытом слое {l}"), f"E N{s} = n{s}·q")
        count(f"active{l}.var", lambda n, q, l=l: n[l] * q * (1.0 - q), f"Var N{s}",
              texts(f"the variance of the number of kept neurons in hidden layer {l}",
                    f"дисперсия числа включённых нейронов в скрытом слое {l}"), f"Var N{s} = n{s}·q·(1 − q)",
              flips=False)  # q(1 − q) is the same at 1 − q
    count("active.mean", lambda n, q: np.sum(n[1:-1]) * q, "E N",
          texts("the expected number of kept hidden neurons in the whole net",
                "математическое ожидание числа включённых скрытых нейронов во всей сети"), "E N = (Σ hidden nₗ)·q")
    count("active.var", lambda n, q: np.sum(n[1:-1]) * q * (1.0 - q), "Var N",
          texts("the variance of the number of kept hidden neurons in the whole net",
                "дисперсия числа включённых скрытых нейронов во всей сети"), "Var N = (Σ hidden nₗ)·q·(1 − q)",
          flips=False)
    count("params.mean", lambda n, q: float(_count(n, bias, q)), "E P",
          texts("the expected number of parameters left under dropout",
                "математическое ожидание числа оставшихся параметров при дропауте"),
          ("E P = Σₗ (nₗ₋₁q·nₗq + nₗq)" if bias else "E P = Σₗ nₗ₋₁q·nₗq") + " (q = 1 at l = 0 and l = L)")
    count("params.var", lambda n, q: float(_count(n, bias, q, variance=True)), "Var P",
          texts("the variance of the number of parameters left under dropout",
                "дисперсия числа оставшихся параметров при дропауте"), "Var P = E P² − (E P)²")
    thin_words = (("That is the keep probability q; the question asks for p, the probability to drop: p = 1 − q.",
                   "Это вероятность оставить нейрон q; спрашивается p — вероятность выключить: p = 1 − q.") if drop else
                  ("That is the drop probability 1 − q; here p is the probability to keep a neuron: p = q.",
                   "Это вероятность выключить нейрон 1 − q; здесь p — вероятность его оставить: p = q."))
    w.derived("p_thin.neurons", (lambda t: t * 1.0) if drop else (lambda t: 1.0 - t), ["thin"], "p_N",
              texts("the p for which the expected number of kept hidden neurons is (1 − θ) of them all",
                    "p, при котором ожидаемое число включённых скрытых нейронов — (1 − θ) от всех"),
              "value", "E N = (1 − θ)·N ⇒ " + ("p = θ" if drop else "p = 1 − θ"),
              [mistake("p_vs_q", ["p_thin.neurons"], lambda p_: 1.0 - p_, *thin_words)])
    w.derived("p_thin.params", lambda n, t: _solve_thin(_ints(n), bias, t, drop), ["sizes", "thin"], "p_P",
              texts("the p for which the expected number of parameters is (1 − θ) of the full net's",
                    "p, при котором ожидаемое число параметров — (1 − θ) от числа параметров полной сети"),
              # the value goes last: "… = 0.1375" must read as p, not as D
              "value", "a₂q² + a₁q + a₀ = (1 − θ)·P with D = (1 − θ)·P − a₀: q = 2D/(a₁ + √(a₁² + 4a₂D)), "
                       + ("p = 1 − q" if drop else "p = q"),
              [mistake("p_vs_q", ["p_thin.params"], lambda p_: 1.0 - p_, *thin_words)])
    w.convention("counting", texts(
        "only hidden neurons are dropped; a dropped neuron removes its incoming weights, its outgoing weights"
        + (" and its bias" if bias else "") + "; a weight counts when both of its neurons are kept",
        "выключаются только скрытые нейроны; выключенный нейрон убирает входящие и исходящие веса"
        + (" и своё смещение" if bias else "") + "; вес учитывается, если оба его нейрона включены"))


def param_terms(sizes, bias: bool) -> dict[tuple[int, ...], int]:
    """P as a polynomial in the kept counts K₁ … K_H of the hidden layers: {exponents: coefficient}.

    P = Σ_{l=1}^{H+1} (K_{l−1}·K_l + [bias]·K_l), with K₀ = n₀ and K_{H+1} = n_out constants.
    """
    h = len(sizes) - 2
    terms: dict[tuple[int, ...], int] = {}

    def add(layers, coeff: int) -> None:
        exps = [0] * h
        for j in layers:
            if j in (0, h + 1):
                coeff *= sizes[j]
            else:
                exps[j - 1] += 1
        key = tuple(exps)
        terms[key] = terms.get(key, 0) + coeff

    for l in range(1, h + 2):
        add((l - 1, l), 1)
        if bias:
            add((l,), 1)
    return terms


def _moment_poly(n: int, e: int) -> list[int]:
    """E[K^e] for K ~ Bin(n, q) as integer coefficients of 1, q, q² (e ≤ 2):
    E K = nq, E K² = nq(1 − q) + (nq)² = nq + n(n − 1)q²."""
    if e == 0:
        return [1]
    if e == 1:
        return [0, n]
    if e == 2:
        return [0, n, n * (n - 1)]
    raise ValueError(f"moment of order {e} is not needed here")


def _poly_mul(a: list[int], b: list[int]) -> list[int]:
    out = [0] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            out[i + j] += x * y
    return out


def _expect_poly(terms, sizes) -> list[int]:
    """E of Σ coeff·Π K_j^e as integer coefficients of a polynomial in q (exact, and quick: no
    fractions until the one evaluation at q)."""
    total: list[int] = [0]
    for exps, coeff in terms.items():
        value = [coeff]
        for j, e in enumerate(exps, start=1):
            if e:
                value = _poly_mul(value, _moment_poly(sizes[j], e))
        total = [x + y for x, y in zip(total + [0] * (len(value) - len(total)),
                                      value + [0] * (len(total) - len(value)))]
    return total


def _at(poly: list[int], q: Fraction) -> Fraction:
    out = Fraction(0)
    for c in reversed(poly):  # Horner
        out = out * q + c
    return out


def _expect(terms, sizes, q: Fraction) -> Fraction:
    return _at(_expect_poly(terms, sizes), q)


def expected_params(terms, sizes, q: Fraction) -> Fraction:
    """E[P] exactly, for keep probability q (q = 1: the full count)."""
    return _expect(terms, sizes, q)


def params_variance(terms, sizes, q: Fraction) -> Fraction:
    """Var[P] = E[P²] − E[P]², exactly; P² has each K_l to at most the second power."""
    square: dict[tuple[int, ...], int] = {}
    for e1, c1 in terms.items():
        for e2, c2 in terms.items():
            key = tuple(a + b_ for a, b_ in zip(e1, e2))
            square[key] = square.get(key, 0) + c1 * c2
    return _expect(square, sizes, q) - _expect(terms, sizes, q) ** 2


def expected_poly(terms, sizes) -> tuple[int, int, int]:
    """(a₀, a₁, a₂) with E[P] = a₀ + a₁q + a₂q²: a term of degree k carries Π n_j and q^k."""
    a = [0, 0, 0]
    for exps, coeff in terms.items():
        value = coeff
        for j, e in enumerate(exps, start=1):
            value *= sizes[j] ** e
        a[sum(exps)] += value
    return a[0], a[1], a[2]


def _count(n, bias: bool, q, variance: bool = False) -> Fraction:
    """E[P] (or Var[P]) for layer sizes n and keep probability q, in exact rational arithmetic."""
    sizes = _ints(n)
    terms = param_terms(sizes, bias)
    # the decimal the float stands for (0.8 → 4/5, not 3602879701896397/2⁵²): the same number to
    # the last bit, and small denominators keep the exact arithmetic quick
    q = Fraction(repr(float(q)))
    return params_variance(terms, sizes, q) if variance else expected_params(terms, sizes, q)


def _solve_thin(sizes, bias: bool, thin, drop: bool) -> float:
    """The p with E[P] = (1 − θ)·P_full; the root in q ∈ (0, 1] of a₂q² + a₁q − D = 0 written to avoid
    cancellation (a₁, a₂ ≥ 0, D > 0), which also covers a₂ = 0."""
    a0, a1, a2 = expected_poly(param_terms(sizes, bias), sizes)
    full = a0 + a1 + a2
    d = float((1 - Fraction(float(thin))) * full - a0)
    q = 2.0 * d / (a1 + math.sqrt(a1 * a1 + 4.0 * a2 * d))
    return 1.0 - q if drop else q


def _any_off(n, q):
    # 1 − Π(1 − oₗ) via log1p/expm1: the oₗ are tiny and 1 − (1 − o) would lose them
    offs = [(1.0 - float(q)) ** float(k) for k in n[1:-1]]
    return -math.expm1(sum(math.log1p(-o) for o in offs))


def _ints(n) -> list[int]:
    return [int(round(float(v))) for v in np.reshape(n, -1)]


def _read_sizes(data, key: str, path: str) -> np.ndarray:
    field = f"{path}.{key}"
    value = data.get(key)
    if not isinstance(value, list) or len(value) < 3:
        raise DataError(field, "missing or too short: a list of layer sizes, inputs first and outputs last, "
                               "with at least one hidden layer (e.g. [12, 300, 200, 100, 1])")
    for i, v in enumerate(value, start=1):
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 100_000:
            raise DataError(field, f"entry {i} must be a whole number of neurons from 1 to 100000, got {v!r}")
    return np.array(value, dtype=np.float64)


KIND = Kind(
    name="dropout",
    summary="Dropout: one layer with a given mask (train-time output, test-time output, ∂L/∂x), and the "
            "counting and probability questions for a whole net (parameters left, layers off, "
            "kept neurons, the p that thins the net by a share θ).",
    fields=(
        FieldDoc("p", True, "the dropout probability, strictly between 0 and 1"),
        FieldDoc("p_is", True, '"drop": p is the probability to drop a neuron (q = 1 − p keeps it); '
                               '"keep": p is the probability to keep it (q = p)'),
        FieldDoc("layer", False, "[problem.layer]: one dropout layer with a given mask"),
        FieldDoc("layer.x", True, "the layer's input: a number, a list or a matrix"),
        FieldDoc("layer.mask", True, "0/1 of the same shape: 1 keeps the neuron, 0 drops it"),
        FieldDoc("layer.scaling", True, '"inverted": y = x∘m/q at train time, x at test time; '
                                        '"at_test": y = x∘m at train time, q·x at test time'),
        FieldDoc("layer.upstream", False, "∂L/∂y, shaped like x: turns on ∂L/∂x"),
        FieldDoc("layer.c", False, "instead of upstream: L = Σ c∘y, so ∂L/∂y = c and L is a quantity"),
        FieldDoc("net", False, "[problem.net]: counting on a dense net; p applies to every hidden neuron"),
        FieldDoc("net.sizes", True, "layer sizes, inputs first, at least one hidden layer, e.g. [12, 300, 200, 100, 1]"),
        FieldDoc("net.bias", True, "true when every neuron (hidden and output) has a bias"),
        FieldDoc("net.thin", False, "θ, the share to thin the net by (default 0.25): p_thin.* solve for it"),
    ),
    build=build,
    names=(
        NameDoc("p, keep", "the given p and the keep probability q"),
        NameDoc("x, mask, scale", "with layer: the input, the mask, the train-time factor (1/q or 1)"),
        NameDoc("y, y_test", "the output at train time with the mask, and at test time"),
        NameDoc("c, L", "with layer.c: the loss weights and L = Σ c∘y"),
        NameDoc("grad.y, grad.x", "∂L/∂y (given or = c) and ∂L/∂x"),
        NameDoc("sizes, thin", "with net: the layer sizes and θ"),
        NameDoc("params", "the number of parameters of the full net"),
        NameDoc("params.mean, params.var", "mean and variance of the number of parameters left under dropout"),
        NameDoc("off{l}", "the probability that all of hidden layer l is dropped, (1 − q)^n_l"),
        NameDoc("off.any", "the probability that at least one hidden layer is dropped entirely"),
        NameDoc("active{l}.mean, active{l}.var", "mean n_l·q and variance n_l·q(1 − q) of the kept neurons in layer l"),
        NameDoc("active.mean, active.var", "the same for all hidden neurons together"),
        NameDoc("p_thin.neurons", "the p (in the lesson's meaning) that keeps 1 − θ of the hidden neurons on average"),
        NameDoc("p_thin.params", "the p (in the lesson's meaning) that keeps 1 − θ of the parameters on average"),
    ),
)
