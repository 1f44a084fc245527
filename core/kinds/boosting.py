"""One step of gradient boosting for regression: the residuals as the loss's antigradient, a weak
learner's predictions on them, the shifted ensemble and its loss.

Squared loss L(F) = c·Σᵢ (Fᵢ − yᵢ)², c = ½ or 1, over the current predictions Fᵢ = F(xᵢ):

    g = ∂L/∂F = 2c·(F − y);  r = −g;  h = a weak learner fitted to r;  F′ = F + ν·h;  L(F′)

The weak learner is given by its predictions h, or is a stump on x with a split s, fitted to r
(each leaf predicts the mean residual of its observations). Each value is an operation of
:mod:`nntutor.core.ops.loss` or :mod:`nntutor.core.ops.boosting`, with its slips.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ..graph import Problem, texts
from ..ops import boosting as bo
from ..ops import loss as loss_op
from ..writer import Writer
from . import DataError, FieldDoc, Kind, NameDoc, read_array, read_bool, read_number, reject_unknown

_TOP = {"kind", "x", "y", "F", "half", "h", "split", "learning_rate"}
_MAX_OBS = 50


def build(data: Mapping[str, Any]) -> Problem:
    path = "problem"
    reject_unknown(data, path, _TOP)
    y = read_array(data, "y", path, ndim=(1,))
    n = y.size
    if not 2 <= n <= _MAX_OBS:
        raise DataError(f"{path}.y", f"must have 2 to {_MAX_OBS} observations, got {n}")
    F = read_array(data, "F", path, ndim=(0, 1))
    if F.ndim == 0:
        F = np.full(n, float(F))  # one number: a constant start (the mean of y, say)
    if F.size != n:
        raise DataError(f"{path}.F", f"has {F.size} values but y has {n}")
    if "half" not in data:
        raise DataError(f"{path}.half", "missing: say whether the squared loss carries ½ (true or false)")
    half = read_bool(data, "half", path, default=True)
    nu = read_number(data, "learning_rate", path, positive=True)
    if ("h" in data) == ("split" in data):
        raise DataError(f"{path}.h", "give the weak learner either by its predictions h or as a stump: x and split")
    x = read_array(data, "x", path, ndim=(1,), required="split" in data)
    if x is not None and x.size != n:
        raise DataError(f"{path}.x", f"has {x.size} values but y has {n}")

    w = Writer("boosting")
    if x is not None:
        w.given("x", x, "x", texts("the inputs xᵢ", "входы xᵢ"))
    w.given("y", y, "y", texts("the targets yᵢ", "целевые значения yᵢ"))
    w.given("F", F, "F", texts("the ensemble's current predictions F(xᵢ)", "текущие прогнозы композиции F(xᵢ)"))
    w.given("nu", nu, "ν", texts("the learning rate ν (shrinkage)", "скорость обучения ν"))
    c = "½·" if half else ""
    w.apply(loss_op.loss("squared", n, False, half=half), out="L0", symbol="L(F)",
            meaning=texts("the loss of the current predictions", "потери текущих прогнозов"), role="loss",
            y_hat="F", y="y")
    w.apply(loss_op.output_gradient("squared", n, False, half=half), out="grad", symbol="∂L/∂F",
            meaning=texts("the gradient of the loss with respect to each prediction Fᵢ",
                          "градиент функции потерь по каждому прогнозу Fᵢ"), role="backward", y_hat="F", y="y")
    w.apply(bo.antigradient(), out="r", symbol="r",
            meaning=texts("the residuals: the antigradient −∂L/∂Fᵢ the next learner is fitted to",
                          "остатки: антиградиент −∂L/∂Fᵢ, на который обучают следующий алгоритм"),
            role="backward", g="grad")
    if "split" in data:
        s = read_number(data, "split", path)
        left = x < s
        if left.all() or not left.any():
            raise DataError(f"{path}.split", f"must leave observations on both sides (x < {s:g} and x ≥ {s:g})")
        w.given("split", s, "s", texts("the stump's split: the left leaf takes x < s",
                                       "порог пня: в левый лист попадают x < s"))
        w.apply(bo.stump_fit(left), out="h", symbol="h",
                meaning=texts(f"the stump fitted to the residuals: the mean residual of each leaf (x < {s:g}, "
                              f"x ≥ {s:g})",
                              f"пень, обученный на остатках: среднее остатков в каждом листе (x < {s:g}, x ≥ {s:g})"),
                role="forward", r="r")
    else:
        h = read_array(data, "h", path, ndim=(1,))
        if h.size != n:
            raise DataError(f"{path}.h", f"has {h.size} values but y has {n}")
        w.given("h", h, "h", texts("the weak learner's predictions h(xᵢ), fitted to the residuals",
                                   "прогнозы слабого алгоритма h(xᵢ), обученного на остатках"))
    w.apply(bo.shift(nu), out="F1", symbol="F′",
            meaning=texts("the new predictions F + ν·h", "новые прогнозы F + ν·h"), role="update",
            names={"nu": "ν"}, F="F", h="h")
    w.apply(loss_op.loss("squared", n, False, half=half), out="L1", symbol="L(F′)",
            meaning=texts("the loss of the new predictions", "потери новых прогнозов"), role="loss",
            y_hat="F1", y="y")
    two = "" if half else "2·"
    w.convention("loss", texts(f"L(F) = {c}Σᵢ (Fᵢ − yᵢ)², so −∂L/∂Fᵢ = {two}(yᵢ − Fᵢ)",
                               f"L(F) = {c}Σᵢ (Fᵢ − yᵢ)², поэтому −∂L/∂Fᵢ = {two}(yᵢ − Fᵢ)"))
    learner = ("a stump on x, fitted to r: each leaf predicts the mean residual of its observations"
               if "split" in data else "the weak learner's predictions h are given")
    learner_ru = ("пень по x, обученный на r: каждый лист предсказывает среднее остатков своих наблюдений"
                  if "split" in data else "прогнозы слабого алгоритма h даны")
    w.convention("step", texts(f"rᵢ = −∂L/∂Fᵢ; {learner}; F′ = F + ν·h, ν = {nu:g}",
                               f"rᵢ = −∂L/∂Fᵢ; {learner_ru}; F′ = F + ν·h, ν = {nu:g}"))
    return w.build()


KIND = Kind(
    name="boosting",
    summary="One step of gradient boosting for regression: the loss, its gradient with respect to the predictions, "
            "the residuals as its antigradient, a weak learner (given, or a stump fitted to the residuals), the "
            "shifted predictions F + ν·h and their loss.",
    fields=(
        FieldDoc("y", True, "the targets, one per observation (2 to 50)"),
        FieldDoc("F", True, "the ensemble's current predictions, one per observation, or one number for a constant "
                            "start (the mean of y, say)"),
        FieldDoc("half", True, "true for L = ½·Σ(F − y)² (the residual is y − F), false for Σ(F − y)² (2·(y − F))"),
        FieldDoc("learning_rate", True, "ν > 0, the shrinkage of the new learner: F′ = F + ν·h"),
        FieldDoc("h", False, "the weak learner's predictions on the observations (give h, or x and split)"),
        FieldDoc("x", False, "the inputs, one per observation; required with split"),
        FieldDoc("split", False, "a stump on x fitted to the residuals: the left leaf takes x < split, each leaf "
                                 "predicts the mean residual of its observations"),
    ),
    build=build,
    names=(
        NameDoc("x, y, F, nu, split", "givens: the inputs (with a stump), targets, current predictions, ν, the split"),
        NameDoc("h", "the weak learner's predictions: a given, or the stump fitted to r"),
        NameDoc("L0", "the loss of F"),
        NameDoc("grad", "∂L/∂Fᵢ for each observation"),
        NameDoc("r", "the residuals −∂L/∂Fᵢ (the antigradient)"),
        NameDoc("F1", "the new predictions F + ν·h"),
        NameDoc("L1", "the loss of the new predictions"),
    ),
)
