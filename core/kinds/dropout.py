"""Dropout: one layer with a given mask (forward, backward), and counting on a whole net.

p is stated as data: the probability to drop a neuron (q = 1 − p keeps it) or to keep it
(q = p). The keep probability q is what the formulas use.

Layer, x and the 0/1 mask m of the same shape (vector or matrix):
    inverted scaling (train time):  y = x∘m/q,  ∂L/∂x = ∂L/∂y∘m/q,  at test time y = x
    scaling at test time:           y = x∘m,    ∂L/∂x = ∂L/∂y∘m,    at test time y = q·x

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

Declared mistakes: p taken for q (keep vs drop, in every q-dependent value); the train-time
factor left out, multiplied instead of divided, or applied at the other time (a convention);
the mask applied at test time; ∂L/∂x without the mask or without the factor.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Mapping

import numpy as np

from ..graph import Problem, ProblemBuilder, Mistake
from ..notation import grad_key, subscript
from . import DataError, FieldDoc, Kind, NameDoc, read_array, read_bool, read_choice, read_number, reject_unknown

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

    b = ProblemBuilder("dropout")
    b.given("p", p, "p", {"en": "the probability to drop a neuron" if drop else "the probability to keep a neuron",
                          "ru": "вероятность выключить нейрон" if drop else "вероятность оставить нейрон"})
    b.derived("keep", (lambda p_: 1.0 - p_) if drop else (lambda p_: p_ * 1.0), ["p"], "q",
              {"en": "the probability q that a neuron is kept", "ru": "вероятность q, что нейрон остаётся"},
              "value", "q = 1 − p" if drop else "q = p",
              [Mistake("p_vs_q", ("keep",), lambda q: 1.0 - q, _p_vs_q(drop))])
    b.convention("p", {
        "en": f"p = {p:g} is the probability to {'drop' if drop else 'keep'} each neuron, independently",
        "ru": f"p = {p:g} — вероятность {'выключить' if drop else 'оставить'} каждый нейрон, независимо от других",
    })
    if "layer" in data:
        _layer(b, data["layer"], f"{path}.layer", drop)
    if "net" in data:
        _net(b, data["net"], f"{path}.net", drop)
    return b.build()


# -- one layer with a given mask ------------------------------------------------------

def _layer(b: ProblemBuilder, layer, path: str, drop: bool) -> None:
    if not isinstance(layer, Mapping):
        raise DataError(path, "must be a table ([problem.layer])")
    reject_unknown(layer, path, _LAYER)
    x = read_array(layer, "x", path, ndim=(0, 1, 2))
    mask = read_array(layer, "mask", path, ndim=(0, 1, 2))
    if mask.shape != x.shape:
        raise DataError(f"{path}.mask", f"has shape {_shape(mask.shape)} but x has shape {_shape(x.shape)}")
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
                raise DataError(f"{path}.{key}", f"has shape {_shape(arr.shape)} but x has shape {_shape(x.shape)}")
            back[key] = arr

    b.given("x", x, "x", {"en": "the input of the dropout layer", "ru": "вход слоя дропаута"})
    b.given("mask", mask, "m", {"en": "the mask: 1 keeps a neuron, 0 drops it",
                                "ru": "маска: 1 — нейрон остаётся, 0 — выключен"})
    pq = _p_vs_q(drop)
    # the train-time factor s in y = x∘m·s: wrong ones as (name, s(q), message, convention)
    if inverted:
        factors = [("scaling", lambda q: np.ones_like(q), _NO_INVERTED, True),
                   ("times_q", lambda q: q * 1.0, _TIMES_Q, False),
                   ("p_vs_q", lambda q: 1.0 / (1.0 - q), pq, False)]
        b.derived("scale", lambda q: 1.0 / q, ["keep"], "1/q",
                  {"en": "the factor applied to kept values at train time",
                   "ru": "множитель для оставшихся значений при обучении"}, "forward", "1/q",
                  [Mistake(name, ("keep",), f, msg, conv) for name, f, msg, conv in factors])
    else:
        factors = [("scaling", lambda q: 1.0 / q, _INVERTED_AT_TRAIN, True),
                   ("scaled_at_train", lambda q: q * 1.0, _Q_AT_TRAIN, False)]
        b.derived("scale", lambda q: np.ones_like(q), ["keep"], "1",
                  {"en": "the factor applied to kept values at train time (none: scaling happens at test time)",
                   "ru": "множитель для оставшихся значений при обучении (его нет: масштаб — при применении)"},
                  "forward", "1", [Mistake(name, ("keep",), f, msg, conv) for name, f, msg, conv in factors])
    # "+ 0.0": a dropped negative input would show as −0
    b.derived("y", lambda x_, m, s: x_ * m * s + 0.0, ["x", "mask", "scale"], "y",
              {"en": "the output of the dropout layer at train time", "ru": "выход слоя дропаута при обучении"},
              "forward", "y = x∘m/q" if inverted else "y = x∘m",
              [Mistake(name, ("x", "mask", "keep"), lambda x_, m, q, f=f: x_ * m * f(q) + 0.0, msg, conv)
               for name, f, msg, conv in factors])
    if inverted:
        test_mistakes = [Mistake("scaling", ("x", "keep"), lambda x_, q: q * x_, _Q_AT_TEST, convention=True),
                         Mistake("mask_at_test", ("x", "mask"), lambda x_, m: x_ * m + 0.0, _MASK_AT_TEST)]
    else:
        test_mistakes = [Mistake("scaling", ("x",), lambda x_: x_ * 1.0, _NO_TEST_SCALING, convention=True),
                         Mistake("p_vs_q", ("x", "keep"), lambda x_, q: (1.0 - q) * x_, pq),
                         Mistake("mask_at_test", ("x", "mask", "keep"), lambda x_, m, q: q * x_ * m + 0.0,
                                 _MASK_AT_TEST)]
    b.derived("y_test", (lambda x_, q: x_ * 1.0) if inverted else (lambda x_, q: q * x_), ["x", "keep"], "y_test",
              {"en": "the output of the layer for the same x at test time (no neuron dropped)",
               "ru": "выход слоя для того же x при применении (все нейроны включены)"},
              "value", "y_test = x" if inverted else "y_test = q·x", test_mistakes)
    b.convention("scaling", {
        "en": "inverted dropout: kept values are divided by q at train time; at test time the layer passes x"
              if inverted else "no scaling at train time; at test time the layer multiplies x by q",
        "ru": "обратный (inverted) дропаут: при обучении оставшиеся значения делятся на q; при применении слой "
              "пропускает x без изменений"
              if inverted else "при обучении без масштабирования; при применении слой умножает x на q",
    })
    if "c" in back:
        b.given("c", back["c"], "c", {"en": "the weights c of the loss L = Σ c∘y",
                                      "ru": "веса c в функции потерь L = Σ c∘y"})
        b.derived("L", lambda y, c: np.sum(y * c), ["y", "c"], "L",
                  {"en": "the loss", "ru": "значение функции потерь"}, "loss", "L = Σ c∘y")
        b.derived(grad_key("y"), lambda c: c * 1.0, ["c"], "∂L/∂y",
                  {"en": "the upstream gradient ∂L/∂y", "ru": "градиент ∂L/∂y, пришедший сверху"},
                  "backward", "∂L/∂y = c")
    elif "upstream" in back:
        b.given(grad_key("y"), back["upstream"], "∂L/∂y",
                {"en": "the upstream gradient ∂L/∂y (given)", "ru": "градиент ∂L/∂y, пришедший сверху (дан)"})
    if back:
        back_mistakes = [
            Mistake("no_mask", (grad_key("y"), "scale"), lambda g, s: g * s + 0.0, {
                "en": "You forgot the mask: a dropped neuron passes no gradient back, ∂L/∂x = 0 where m = 0.",
                "ru": "Вы забыли маску: через выключенный нейрон градиент не проходит, ∂L/∂x = 0 там, где m = 0."})]
        if inverted:
            back_mistakes.append(Mistake("no_scale", (grad_key("y"), "mask"), lambda g, m: g * m + 0.0, {
                "en": "You forgot the factor 1/q: the forward pass divided the kept values by q, so the gradient "
                      "is divided by q too, ∂L/∂x = ∂L/∂y∘m/q.",
                "ru": "Вы забыли множитель 1/q: при прямом проходе оставшиеся значения делились на q, поэтому и "
                      "градиент делится на q, ∂L/∂x = ∂L/∂y∘m/q."}))
            back_mistakes.append(Mistake("p_vs_q", (grad_key("y"), "mask", "keep"),
                                         lambda g, m, q: g * m / (1.0 - q) + 0.0, pq))
        else:
            back_mistakes.append(Mistake("scaling", (grad_key("y"), "mask", "keep"), lambda g, m, q: g * m / q + 0.0, {
                "en": "You divided by q as inverted dropout does; in this lesson the train-time pass has no factor, "
                      "so ∂L/∂x = ∂L/∂y∘m.",
                "ru": "Вы разделили на q, как в обратном дропауте; в этом уроке при обучении множителя нет, поэтому "
                      "∂L/∂x = ∂L/∂y∘m."}, convention=True))
        b.derived(grad_key("x"), lambda g, m, s: g * m * s + 0.0, [grad_key("y"), "mask", "scale"], "∂L/∂x",
                  {"en": "the gradient with respect to the input x (zero where the neuron was dropped)",
                   "ru": "производная по входу x (ноль там, где нейрон выключен)"},
                  "backward", "∂L/∂x = ∂L/∂y∘m/q" if inverted else "∂L/∂x = ∂L/∂y∘m", back_mistakes)


# -- counting on a net -------------------------------------------------------------------

def _net(b: ProblemBuilder, net, path: str, drop: bool) -> None:
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
    pq = _p_vs_q(drop)

    def flipped(fn) -> list[Mistake]:
        """``fn(n, q)`` with 1 − q for q: p taken for the keep probability (or the other way round)."""
        return [Mistake("p_vs_q", ("sizes", "keep"), lambda n, q: fn(n, 1.0 - q), pq)]

    b.given("sizes", sizes, "n", {"en": "the layer sizes, inputs first", "ru": "размеры слоёв, начиная со входа"})
    b.given("thin", thin, "θ", {"en": "the share θ by which the net should be thinned",
                                "ru": "доля θ, на которую нужно проредить сеть"})
    b.derived("params", lambda n: float(_count(n, bias, 1)), ["sizes"], "P",
              {"en": "the number of parameters of the whole net (no dropout)",
               "ru": "число параметров всей сети (без дропаута)"},
              "value", "P = Σₗ (nₗ₋₁·nₗ + nₗ)" if bias else "P = Σₗ nₗ₋₁·nₗ")
    for l in hidden:
        s = subscript(str(l))
        off = lambda n, q, l=l: (1.0 - q) ** n[l]
        b.derived(f"off{l}", off, ["sizes", "keep"], f"P(off{s})",
                  {"en": f"the probability that all of hidden layer {l} is dropped",
                   "ru": f"вероятность, что весь скрытый слой {l} выключен"},
                  "value", f"(1 − q)^n{s}", flipped(off))
    b.derived("off.any", _any_off, ["sizes", "keep"], "P(any off)",
              {"en": "the probability that at least one hidden layer is dropped entirely (the net cannot learn)",
               "ru": "вероятность, что хотя бы один скрытый слой выключен целиком (сеть не может учиться)"},
              "value", "1 − Πₗ (1 − (1 − q)^nₗ)", flipped(_any_off))
    for l in hidden:
        s = subscript(str(l))
        mean_l = lambda n, q, l=l: n[l] * q
        b.derived(f"active{l}.mean", mean_l, ["sizes", "keep"], f"E N{s}",
                  {"en": f"the expected number of kept neurons in hidden layer {l}",
                   "ru": f"математическое ожидание числа включённых нейронов в скрытом слое {l}"},
                  "value", f"E N{s} = n{s}·q", flipped(mean_l))
        b.derived(f"active{l}.var", lambda n, q, l=l: n[l] * q * (1.0 - q), ["sizes", "keep"], f"Var N{s}",
                  {"en": f"the variance of the number of kept neurons in hidden layer {l}",
                   "ru": f"дисперсия числа включённых нейронов в скрытом слое {l}"},
                  "value", f"Var N{s} = n{s}·q·(1 − q)")
    mean_all = lambda n, q: np.sum(n[1:-1]) * q
    b.derived("active.mean", mean_all, ["sizes", "keep"], "E N",
              {"en": "the expected number of kept hidden neurons in the whole net",
               "ru": "математическое ожидание числа включённых скрытых нейронов во всей сети"},
              "value", "E N = (Σ hidden nₗ)·q", flipped(mean_all))
    b.derived("active.var", lambda n, q: np.sum(n[1:-1]) * q * (1.0 - q), ["sizes", "keep"], "Var N",
              {"en": "the variance of the number of kept hidden neurons in the whole net",
               "ru": "дисперсия числа включённых скрытых нейронов во всей сети"},
              "value", "Var N = (Σ hidden nₗ)·q·(1 − q)")
    params_mean = lambda n, q: float(_count(n, bias, q))
    params_var = lambda n, q: float(_count(n, bias, q, variance=True))
    b.derived("params.mean", params_mean,
              ["sizes", "keep"], "E P",
              {"en": "the expected number of parameters left under dropout",
               "ru": "математическое ожидание числа оставшихся параметров при дропауте"},
              "value", ("E P = Σₗ (nₗ₋₁q·nₗq + nₗq)" if bias else "E P = Σₗ nₗ₋₁q·nₗq")
              + " (q = 1 at l = 0 and l = L)", flipped(params_mean))
    b.derived("params.var", params_var,
              ["sizes", "keep"], "Var P",
              {"en": "the variance of the number of parameters left under dropout",
               "ru": "дисперсия числа оставшихся параметров при дропауте"},
              "value", "Var P = E P² − (E P)²", flipped(params_var))
    b.derived("p_thin.neurons", (lambda t: t * 1.0) if drop else (lambda t: 1.0 - t), ["thin"], "p_N",
              {"en": "the p for which the expected number of kept hidden neurons is (1 − θ) of them all",
               "ru": "p, при котором ожидаемое число включённых скрытых нейронов — (1 − θ) от всех"},
              "value", "E N = (1 − θ)·N ⇒ " + ("p = θ" if drop else "p = 1 − θ"),
              [Mistake("p_vs_q", ("p_thin.neurons",), lambda p_: 1.0 - p_, _p_thin_message(drop))])
    b.derived("p_thin.params", lambda n, t: _solve_thin(_ints(n), bias, t, drop), ["sizes", "thin"], "p_P",
              {"en": "the p for which the expected number of parameters is (1 − θ) of the full net's",
               "ru": "p, при котором ожидаемое число параметров — (1 − θ) от числа параметров полной сети"},
              # the value goes last: "… = 0.1375" must read as p, not as D
              "value", "a₂q² + a₁q + a₀ = (1 − θ)·P with D = (1 − θ)·P − a₀: q = 2D/(a₁ + √(a₁² + 4a₂D)), "
                       + ("p = 1 − q" if drop else "p = q"),
              [Mistake("p_vs_q", ("p_thin.params",), lambda p_: 1.0 - p_, _p_thin_message(drop))])
    b.convention("counting", {
        "en": "only hidden neurons are dropped; a dropped neuron removes its incoming weights, its outgoing "
              "weights" + (" and its bias" if bias else "") + "; a weight counts when both of its neurons are kept",
        "ru": "выключаются только скрытые нейроны; выключенный нейрон убирает входящие и исходящие веса"
              + (" и своё смещение" if bias else "") + "; вес учитывается, если оба его нейрона включены",
    })


# -- the common mistakes' messages ------------------------------------------------------------

def _p_vs_q(drop: bool) -> dict[str, str]:
    if drop:
        return {"en": "You used p as the probability to keep a neuron; here p is the probability to drop it, "
                      "so a neuron is kept with q = 1 − p.",
                "ru": "Вы взяли p как вероятность оставить нейрон; здесь p — вероятность его выключить, "
                      "поэтому нейрон остаётся с вероятностью q = 1 − p."}
    return {"en": "You used 1 − p as the probability to keep a neuron; here p itself is the probability to keep it, "
                  "q = p.",
            "ru": "Вы взяли 1 − p как вероятность оставить нейрон; здесь p и есть вероятность его оставить, q = p."}


def _p_thin_message(drop: bool) -> dict[str, str]:
    if drop:
        return {"en": "That is the keep probability q; the question asks for p, the probability to drop: p = 1 − q.",
                "ru": "Это вероятность оставить нейрон q; спрашивается p — вероятность выключить: p = 1 − q."}
    return {"en": "That is the drop probability 1 − q; here p is the probability to keep a neuron: p = q.",
            "ru": "Это вероятность выключить нейрон 1 − q; здесь p — вероятность его оставить: p = q."}


_NO_INVERTED = {
    "en": "You left out the 1/q: with inverted dropout, used here, kept values are divided by q at train time "
          "(scaling by q at test time instead is the other convention).",
    "ru": "Вы забыли множитель 1/q: в обратном дропауте, принятом здесь, оставшиеся значения делятся на q при "
          "обучении (умножать на q при применении — другое соглашение)."}
_TIMES_Q = {
    "en": "You multiplied by q; inverted dropout divides the kept values by q: y = x∘m/q.",
    "ru": "Вы умножили на q, а обратный дропаут делит оставшиеся значения на q: y = x∘m/q."}
_INVERTED_AT_TRAIN = {
    "en": "You divided by q at train time, as inverted dropout does; this lesson scales at test time instead, "
          "so at train time y = x∘m.",
    "ru": "Вы разделили на q при обучении, как в обратном дропауте; в этом уроке масштабируют при применении, "
          "поэтому при обучении y = x∘m."}
_Q_AT_TRAIN = {
    "en": "You multiplied by q at train time; in this lesson q is applied at test time only, so at train time y = x∘m.",
    "ru": "Вы умножили на q при обучении; в этом уроке на q умножают только при применении, поэтому при обучении "
          "y = x∘m."}
_Q_AT_TEST = {
    "en": "You multiplied by q at test time, as dropout without inverted scaling does; this lesson uses inverted "
          "dropout, so at test time the layer passes x unchanged.",
    "ru": "Вы умножили на q при применении, как в дропауте без обратного масштабирования; в этом уроке обратный "
          "дропаут, поэтому при применении слой пропускает x без изменений."}
_NO_TEST_SCALING = {
    "en": "You passed x unchanged, as inverted dropout does; this lesson does not scale at train time, so at test "
          "time the layer multiplies by q: y_test = q·x.",
    "ru": "Вы пропустили x без изменений, как в обратном дропауте; в этом уроке при обучении масштаба нет, поэтому "
          "при применении слой умножает на q: y_test = q·x."}
_MASK_AT_TEST = {
    "en": "At test time no neuron is dropped: do not apply the mask.",
    "ru": "При применении нейроны не выключаются: маску применять не нужно."}


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


def _shape(shape) -> str:
    return "×".join(map(str, shape)) or "a number"


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
