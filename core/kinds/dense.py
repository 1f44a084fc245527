"""Dense feed-forward net, one observation: forward, squared loss, backward, one GD step.

Row layout (default):    z_l = a_{l-1} · W_l (+ b_l),  W_l has shape (n_in, n_out).
Column layout:           z_l = W_l · a_{l-1} (+ b_l),  W_l has shape (n_out, n_in).
a_0 = x, a_l = g_l(z_l), ŷ = a_L, L = c · Σ (ŷ − y)² with c = ½ or 1.
Backward: ∂L/∂ŷ = 2c(ŷ − y); ∂L/∂z_l = ∂L/∂a_l ∘ g_l′(z_l);
row: ∂L/∂W_l = a_{l-1}ᵀ ∂L/∂z_l, ∂L/∂a_{l-1} = ∂L/∂z_l W_lᵀ (column: transposed).
Update: W_l′ = W_l − γ ∂L/∂W_l.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ..graph import Problem, ProblemBuilder
from ..notation import base_symbol, subscript, grad_key, grad_symbol, next_key, next_symbol
from ..ops import ACTIVATIONS, squared_loss, squared_loss_grad
from . import DataError, FieldDoc, Kind, NameDoc, read_array, read_bool, read_choice, read_number, reject_unknown

_TOP = {"kind", "layout", "x", "y", "loss", "half", "learning_rate", "layers"}
_LAYER = {"W", "b", "activation"}


def build(data: Mapping[str, Any]) -> Problem:
    path = "problem"
    reject_unknown(data, path, _TOP)
    layout = read_choice(data, "layout", path, ("row", "column"), default="row")
    x = read_array(data, "x", path, ndim=(0, 1)).reshape(-1)
    y = read_array(data, "y", path, ndim=(0, 1)).reshape(-1)
    read_choice(data, "loss", path, ("squared",))
    if "half" not in data:
        raise DataError(f"{path}.half", "missing: say whether the squared loss carries ½ (true or false)")
    half = read_bool(data, "half", path, default=False)
    lr = read_number(data, "learning_rate", path, positive=True)
    layers = data.get("layers")
    if not isinstance(layers, list) or not layers:
        raise DataError(f"{path}.layers", "missing: at least one [[problem.layers]] table is required")

    b = ProblemBuilder("dense")
    b.given("x", x, "x", {"en": "the input", "ru": "вход"})
    b.given("y", y, "y", {"en": "the target", "ru": "целевое значение"})
    b.given("lr", lr, "γ", {"en": "the learning rate", "ru": "шаг обучения"})

    n_in = x.size
    spec = []  # (index, activation, has_bias)
    for i, layer in enumerate(layers, start=1):
        lpath = f"{path}.layers[{i}]"
        if not isinstance(layer, Mapping):
            raise DataError(lpath, "must be a table")
        reject_unknown(layer, lpath, _LAYER)
        W = read_array(layer, "W", lpath, ndim=(1, 2))
        if W.ndim == 1:  # one output unit
            W = W.reshape(-1, 1) if layout == "row" else W.reshape(1, -1)
        rows, cols = W.shape
        fan_in, fan_out = (rows, cols) if layout == "row" else (cols, rows)
        if fan_in != n_in:
            want = f"{n_in} rows" if layout == "row" else f"{n_in} columns"
            raise DataError(f"{lpath}.W", f"has shape {rows}×{cols} but its input has {n_in} values: "
                                          f"it needs {want} ({layout} layout)")
        bias = read_array(layer, "b", lpath, ndim=(0, 1), required=False)
        if bias is not None:
            bias = bias.reshape(-1)
            if bias.size != fan_out:
                raise DataError(f"{lpath}.b", f"has {bias.size} values but the layer has {fan_out} units")
        act = read_choice(layer, "activation", lpath, tuple(ACTIVATIONS))
        b.given(f"W{i}", W, base_symbol(f"W{i}"), {"en": f"the weights of layer {i}", "ru": f"веса слоя {i}"})
        if bias is not None:
            b.given(f"b{i}", bias, base_symbol(f"b{i}"), {"en": f"the biases of layer {i}", "ru": f"смещения слоя {i}"})
        spec.append((i, ACTIVATIONS[act], bias is not None))
        n_in = fan_out
    if y.size != n_in:
        raise DataError(f"{path}.y", f"has {y.size} values but the net outputs {n_in}")

    L = len(spec)
    row = layout == "row"

    def a_key(i: int) -> str:
        return "x" if i == 0 else ("y_hat" if i == L else f"a{i}")

    # forward
    for i, act, has_b in spec:
        deps = [a_key(i - 1), f"W{i}"] + ([f"b{i}"] if has_b else [])
        prev_sym = base_symbol(a_key(i - 1))
        lin = f"{prev_sym}·W{_s(i)}" if row else f"W{_s(i)}·{prev_sym}"
        b.derived(f"z{i}", _linear(row), deps, base_symbol(f"z{i}"),
                  {"en": f"the pre-activation of layer {i} (before {act.names['en']})",
                   "ru": f"пре-активация слоя {i} (до функции {act.names['ru']})"},
                  "forward", f"z{_s(i)} = {lin}" + (f" + b{_s(i)}" if has_b else ""))
        out = a_key(i)
        b.derived(out, act.f, [f"z{i}"], base_symbol(out),
                  {"en": ("the output ŷ of the net" if i == L else f"the activation of layer {i}"),
                   "ru": ("выход сети ŷ" if i == L else f"активация слоя {i}")},
                  "forward", f"{base_symbol(out)} = {act.symbol}(z{_s(i)})")

    c = "½·" if half else ""
    b.derived("L", lambda yh, t: squared_loss(yh, t, half), ["y_hat", "y"], "L",
              {"en": "the loss", "ru": "значение функции потерь"}, "loss", f"L = {c}Σ(ŷ − y)²")
    b.convention("loss", {
        "en": f"squared loss L = {c}Σ(ŷ − y)²" + (" (with ½)" if half else " (no ½)"),
        "ru": f"квадратичная функция потерь L = {c}Σ(ŷ − y)²" + (" (с ½)" if half else " (без ½)"),
    })
    b.convention("layout", {
        "en": "row vectors: z = a·W" if row else "column vectors: z = W·a",
        "ru": "векторы-строки: z = a·W" if row else "векторы-столбцы: z = W·a",
    })

    # backward
    b.derived(grad_key("y_hat"), lambda yh, t: squared_loss_grad(yh, t, half), ["y_hat", "y"],
              grad_symbol("y_hat"), {"en": "the gradient of the loss with respect to the output ŷ",
                                     "ru": "производная функции потерь по выходу ŷ"},
              "backward", f"∂L/∂ŷ = {'' if half else '2·'}(ŷ − y)")
    for i, act, has_b in reversed(spec):
        out = a_key(i)
        b.derived(grad_key(f"z{i}"), lambda g, z, d=act.df: g * d(z), [grad_key(out), f"z{i}"],
                  grad_symbol(f"z{i}"),
                  {"en": f"the gradient with respect to z{_s(i)}, through the {act.names['en']}",
                   "ru": f"производная по z{_s(i)} (через функцию {act.names['ru']})"},
                  "backward", f"∂L/∂z{_s(i)} = ∂L/∂{base_symbol(out)} ∘ {act.symbol}′(z{_s(i)})")
        prev = a_key(i - 1)
        b.derived(grad_key(f"W{i}"), _weight_grad(row), [prev, grad_key(f"z{i}")], grad_symbol(f"W{i}"),
                  {"en": f"the gradient with respect to the weights W{_s(i)}",
                   "ru": f"производная по весам W{_s(i)}"},
                  "backward",
                  f"∂L/∂W{_s(i)} = {base_symbol(prev)}ᵀ·∂L/∂z{_s(i)}" if row
                  else f"∂L/∂W{_s(i)} = ∂L/∂z{_s(i)}·{base_symbol(prev)}ᵀ")
        if has_b:
            b.derived(grad_key(f"b{i}"), lambda g: g * 1.0, [grad_key(f"z{i}")], grad_symbol(f"b{i}"),
                      {"en": f"the gradient with respect to the biases b{_s(i)}",
                       "ru": f"производная по смещениям b{_s(i)}"},
                      "backward", f"∂L/∂b{_s(i)} = ∂L/∂z{_s(i)}")
        if i > 1:
            b.derived(grad_key(prev), _input_grad(row), [grad_key(f"z{i}"), f"W{i}"], grad_symbol(prev),
                      {"en": f"the gradient with respect to the activation a{_s(i - 1)}",
                       "ru": f"производная по активации a{_s(i - 1)}"},
                      "backward",
                      f"∂L/∂a{_s(i - 1)} = ∂L/∂z{_s(i)}·W{_s(i)}ᵀ" if row
                      else f"∂L/∂a{_s(i - 1)} = W{_s(i)}ᵀ·∂L/∂z{_s(i)}")

    # one gradient step
    for i, _act, has_b in spec:
        for p in [f"W{i}"] + ([f"b{i}"] if has_b else []):
            b.derived(next_key(p), lambda w, g, lr_: w - lr_ * g, [p, grad_key(p), "lr"], next_symbol(p),
                      {"en": f"{base_symbol(p)} after one gradient step",
                       "ru": f"{base_symbol(p)} после одного шага градиентного спуска"},
                      "update", f"{next_symbol(p)} = {base_symbol(p)} − γ·∂L/∂{base_symbol(p)}")
    b.convention("step", {"en": "gradient descent: w′ = w − γ·∂L/∂w",
                          "ru": "градиентный спуск: w′ = w − γ·∂L/∂w"})
    return b.build()


def _s(i: int) -> str:
    return subscript(str(i))


def _linear(row: bool):
    def f(a, W, bias=None):
        z = a @ W if row else W @ a
        return z if bias is None else z + bias
    return f


def _weight_grad(row: bool):
    return (lambda a, g: np.outer(a, g)) if row else (lambda a, g: np.outer(g, a))


def _input_grad(row: bool):
    return (lambda g, W: W @ g) if row else (lambda g, W: W.T @ g)


KIND = Kind(
    name="dense",
    summary="A dense feed-forward net on one observation: forward pass, squared loss, "
            "backward pass, one gradient-descent step.",
    fields=(
        FieldDoc("layout", False, '"row" (z = a·W, default) or "column" (z = W·a)'),
        FieldDoc("x", True, "the input: a number or a list"),
        FieldDoc("y", True, "the target: a number or a list, one per output unit"),
        FieldDoc("loss", True, '"squared"'),
        FieldDoc("half", True, "true for L = ½Σ(ŷ − y)², false for L = Σ(ŷ − y)²"),
        FieldDoc("learning_rate", True, "γ in w′ = w − γ·∂L/∂w"),
        FieldDoc("layers", True, "[[problem.layers]] tables in order, each with W (matrix; a list means one "
                                 "output unit), optional b, and activation: " + ", ".join(ACTIVATIONS)),
    ),
    build=build,
    names=(
        NameDoc("x, y, lr", "givens: the input, the target, the learning rate γ"),
        NameDoc("W{l}, b{l}", "givens: weights and biases of layer l (l = 1 … number of layers)"),
        NameDoc("z{l}", "pre-activation of layer l"),
        NameDoc("a{l}", "activation of hidden layer l (the last layer's activation is y_hat)"),
        NameDoc("y_hat", "the net's output ŷ"),
        NameDoc("L", "the loss"),
        NameDoc("grad.y_hat", "∂L/∂ŷ"),
        NameDoc("grad.z{l}, grad.a{l}", "∂L/∂z_l and ∂L/∂a_l (hidden layers)"),
        NameDoc("grad.W{l}, grad.b{l}", "∂L/∂W_l and ∂L/∂b_l"),
        NameDoc("W{l}.next, b{l}.next", "the weights and biases after one gradient step"),
    ),
)
