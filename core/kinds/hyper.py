"""Optimizer hyper-parameters as lesson data: the fields, their names and meanings, reading them.

Shared by every kind that trains with :mod:`nntutor.core.optim` (the 1-D optimizer race and a
dense net's optimizer), so a field reads, is checked and is documented the same way in both.
"""

from __future__ import annotations

from typing import Any, Mapping

from .. import optim
from . import DataError, FieldDoc, read_bool, read_choice, read_number

#: data field -> optim hyper-parameter name
HYPER_FIELDS = {"learning_rate": "lr", "alpha": "alpha", "beta1": "beta1", "beta2": "beta2",
                 "eps": "eps", "form": "form", "eps_placement": "eps_placement",
                 "bias_correction": "bias_correction", "weight_decay": "weight_decay", "l2_half": "l2_half"}

METHOD_NAMES = {
    "gd": ("gradient descent", "градиентный спуск"),
    "gd_decay": ("gradient descent with a decaying step η/t", "градиентный спуск с уменьшающимся шагом η/t"),
    "momentum": ("momentum", "метод инерции (momentum)"),
    "nesterov": ("Nesterov momentum", "инерция с поправкой Нестерова"),
    "adagrad": ("AdaGrad", "AdaGrad"),
    "rmsprop": ("RMSprop", "RMSprop"),
    "adam": ("Adam", "Adam"),
    "adamw": ("AdamW (Adam with decoupled weight decay)", "AdamW (Adam с отделённым затуханием весов)"),
    "newton": ("Newton's method", "метод Ньютона"),
    "coordinate": ("coordinate descent", "покоординатный спуск"),
}
FORM_NAMES = {
    "textbook": ("textbook", "учебная форма"),
    "pytorch": ("PyTorch", "форма PyTorch"),
    "fed_back": ("bias-corrected moments fed back", "исправленные моменты подставляются на следующем шаге"),
}
HYPER_SYMBOLS = {"alpha": "α", "beta1": "β₁", "beta2": "β₂", "eps": "ε", "weight_decay": "λ"}
HYPER_MEANINGS = {
    "alpha": ({"en": "the momentum coefficient α", "ru": "коэффициент инерции α"},
              {"en": "the decay α of the squared-gradient average", "ru": "коэффициент затухания α среднего квадратов"}),
    "beta1": {"en": "the decay β₁ of the first moment", "ru": "коэффициент затухания β₁ первого момента"},
    "beta2": {"en": "the decay β₂ of the second moment", "ru": "коэффициент затухания β₂ второго момента"},
    "eps": {"en": "the small constant ε in the denominator", "ru": "малая константа ε в знаменателе"},
    "weight_decay": {"en": "the weight decay λ", "ru": "коэффициент затухания весов λ"},
}


def hyper_meaning(name: str, method: str) -> Mapping[str, str]:
    """What the hyper-parameter ``name`` is for ``method`` (α: momentum's coefficient, or RMSprop's decay)."""
    meaning = HYPER_MEANINGS[name]
    if name == "alpha":
        return meaning[1] if method == "rmsprop" else meaning[0]
    return meaning


def read_hyper(data, path, method) -> Mapping[str, Any]:
    spec = optim.HYPER[method]
    hyper: dict[str, Any] = {"method": method}
    for field, name in HYPER_FIELDS.items():
        fpath = f"{path}.{field}"
        if name not in spec:
            if field in data:
                raise DataError(fpath, f"is not used by method {method}")
            continue
        if field not in data:
            if spec[name] is optim.REQUIRED:
                what = {"form": " (" + " or ".join(f'"{f}"' for f in optim.FORMS.get(method, ())) + ")"}.get(name, "")
                raise DataError(fpath, f"missing: method {method} needs it{what}")
            continue
        if name == "form":
            hyper[name] = read_choice(data, field, path, optim.FORMS[method])
        elif name == "eps_placement":
            hyper[name] = read_choice(data, field, path, optim.EPS_PLACEMENTS)
        elif name in ("bias_correction", "l2_half"):
            hyper[name] = read_bool(data, field, path, default=True)
        else:
            value = read_number(data, field, path)
            problem = optim.check_value(name, value)
            if problem:
                raise DataError(fpath, problem)
            hyper[name] = value
    try:
        return optim.resolve(hyper)
    except ValueError as exc:
        raise DataError(path, str(exc)) from None


#: Hyper-parameter fields any kind that trains with core.optim documents the same way.
HYPER_DOCS = (
    FieldDoc("alpha", False, "momentum/nesterov: the momentum coefficient α; rmsprop: the decay α of the "
                             "squared-gradient average; in [0, 1)"),
    FieldDoc("beta1", False, "adam: β₁ in [0, 1)"),
    FieldDoc("beta2", False, "adam: β₂ in [0, 1)"),
    FieldDoc("eps", False, "adagrad/rmsprop/adam: ε ≥ 0 (defaults as in PyTorch: 1e-10 adagrad, 1e-8 otherwise)"),
    FieldDoc("eps_placement", False, 'adagrad/rmsprop/adam: "outside" g/(√v + ε) (default, PyTorch) or '
                                     '"inside" g/√(v + ε)'),
    FieldDoc("weight_decay", False, "λ > 0: adamw (required there): the decoupled decay, w − η·(m̂/(√v̂ + ε) + λ·w); "
                                    "any other first-order method: an L2 penalty, the method uses g̃ = g + λ·w "
                                    "(omit for none; not with newton or coordinate)"),
    FieldDoc("l2_half", False, "with weight_decay as an L2 penalty: true (default) for the penalty ½λ‖w‖², "
                               "gradient λ·w (PyTorch's weight_decay); false for λ‖w‖², gradient 2λ·w"),
)
