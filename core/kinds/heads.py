"""Output heads: for given logits, each task's output layer and its loss.

Each head h (numbered 1, 2, … in its symbols) has logits z_h, a target y_h, an output activation
and a loss, from the operations of :mod:`nntutor.core.ops`:

    ŷ_h = g(z_h)  (or s·σ(z_h), a bounded rating),   L_h = loss(ŷ_h, y_h)

and, for heads trained together (a bounding box and its class), L = Σ λ_h·L_h over the heads
``total`` lists. The heads: identity (any real number), sigmoid (one probability, or one per
label), softmax (K classes), exp (a positive rate for counts); losses squared, log,
cross_entropy, poisson, each with the activation it needs.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ..graph import Problem, texts
from ..notation import subscript
from ..ops import activation, make_activation
from ..ops import loss as loss_op
from ..ops.loss import LOSSES
from ..ops.record import mistake
from ..writer import Writer
from . import DataError, FieldDoc, Kind, NameDoc, read_array, read_bool, read_choice, read_number, reject_unknown

_TOP = {"kind", "heads", "total"}
_HEAD = {"id", "z", "y", "activation", "scale", "loss", "half", "weight"}
_ACTIVATIONS = ("identity", "sigmoid", "softmax", "exp")
#: The output activation each loss other than the squared one needs.
_NEEDS = {"log": "sigmoid", "cross_entropy": "softmax", "poisson": "exp"}
_MAX_HEADS = 8


def build(data: Mapping[str, Any]) -> Problem:
    path = "problem"
    reject_unknown(data, path, _TOP)
    raw = data.get("heads")
    if not isinstance(raw, list) or not raw:
        raise DataError(f"{path}.heads", "missing: at least one [[problem.heads]] table is required")
    if len(raw) > _MAX_HEADS:
        raise DataError(f"{path}.heads", f"too many heads ({len(raw)}; at most {_MAX_HEADS})")
    w = Writer("heads")
    ids: dict[str, int] = {}
    weights: dict[str, float] = {}
    words = []
    for n, head in enumerate(raw, start=1):
        hpath = f"{path}.heads[{n}]"
        if not isinstance(head, Mapping):
            raise DataError(hpath, "must be a table")
        h, weight, text = _head(w, head, hpath, n)
        if h in ids:
            raise DataError(f"{hpath}.id", f"{h!r} is already the id of head {ids[h]}")
        ids[h], weights[h] = n, weight
        words.append(text)
    words = [t for t in words if t is not None]
    if words:  # only what the formulas leave open: which head is which is the exercise
        w.convention("heads", {"en": "; ".join(en for en, _ in words), "ru": "; ".join(ru for _, ru in words)})
    if "total" in data:
        _total(w, data["total"], f"{path}.total", ids, weights)
    return w.build()


def _head(w: Writer, head: Mapping[str, Any], hpath: str, n: int) -> tuple[str, float, tuple[str, str]]:
    """Head n's givens, output and loss; its id, its weight in the total and its convention in words."""
    reject_unknown(head, hpath, _HEAD)
    h = head.get("id")
    if not isinstance(h, str) or not h.isidentifier() or not h.isascii():
        raise DataError(f"{hpath}.id", "must be a short name of letters, digits and _ (e.g. \"binary\")")
    act_name = read_choice(head, "activation", hpath, _ACTIVATIONS)
    loss = read_choice(head, "loss", hpath, LOSSES)
    scale = read_number(head, "scale", hpath, positive=True) if "scale" in head else None
    if scale is not None and act_name != "sigmoid":
        raise DataError(f"{hpath}.scale", 'only with activation = "sigmoid": ŷ = s·σ(z)')
    if loss in _NEEDS and (act_name != _NEEDS[loss] or scale is not None):
        raise DataError(f"{hpath}.activation", f"the {loss} loss needs the activation {_NEEDS[loss]!r} "
                                               f"(without scale), got {act_name!r}")
    half = False
    if loss == "squared":
        if "half" not in head:
            raise DataError(f"{hpath}.half", "missing: say whether the squared loss carries ½ (true or false)")
        half = read_bool(head, "half", hpath, default=False)
    elif "half" in head:
        raise DataError(f"{hpath}.half", "only for the squared loss")
    z = read_array(head, "z", hpath, ndim=(0, 1)).reshape(-1)
    y = read_array(head, "y", hpath, ndim=(0, 1)).reshape(-1)
    if loss == "cross_entropy" and y.size == 1 and z.size > 1:  # a class number 1 … K
        k = y[0]
        if k != round(k) or not 1 <= k <= z.size:
            raise DataError(f"{hpath}.y", f"a class number must be a whole number from 1 to {z.size}")
        y = np.eye(z.size)[int(k) - 1]
    if y.size != z.size:
        raise DataError(f"{hpath}.y", f"has {y.size} values but the head has {z.size} logits")
    if loss == "log" and np.any((y < 0) | (y > 1)):
        raise DataError(f"{hpath}.y", "log-loss targets are 0 or 1")
    if loss == "poisson" and np.any(y < 0):
        raise DataError(f"{hpath}.y", "Poisson targets are counts: they must be ≥ 0")
    if loss == "cross_entropy" and (np.any(y < 0) or not np.isclose(y.sum(), 1.0)):
        raise DataError(f"{hpath}.y", "a one-hot vector or a class number 1 … K")
    weight = read_number(head, "weight", hpath, default=1.0, positive=True)
    sn = subscript(str(n))
    w.given(f"z.{h}", z, "z" + sn, texts(f"the logits of head {n} ({h})", f"логиты выхода {n} ({h})"))
    w.given(f"y.{h}", y, "y" + sn, texts(f"the target of head {n} ({h})", f"целевое значение выхода {n} ({h})"))
    meaning = texts(f"the output of head {n} ({h})", f"выход {n} ({h})")
    if scale is not None:
        w.apply(loss_op.scaled_sigmoid(scale), f"y_hat.{h}", "ŷ" + sn, meaning, "forward", z=f"z.{h}")
    else:
        w.apply(activation.forward(make_activation(act_name)), f"y_hat.{h}", "ŷ" + sn, meaning, "forward",
                z=f"z.{h}")
    w.apply(loss_op.loss(loss, 1, False, half=half), f"L.{h}", "L" + sn,
            texts(f"the loss of head {n} ({h})", f"потери выхода {n} ({h})"), "loss", y_hat=f"y_hat.{h}", y=f"y.{h}")
    return h, weight, _words(n, loss, half)


def _words(n: int, loss: str, half: bool) -> tuple[str, str] | None:
    """What head n's loss leaves open: the ½ of a squared loss, the constant of the Poisson loss."""
    sn = subscript(str(n))
    if loss == "squared":
        return ((f"L{sn} = ½·Σ(ŷ{sn} − y{sn})² (with ½)", f"L{sn} = ½·Σ(ŷ{sn} − y{sn})² (с ½)") if half
                else (f"L{sn} = Σ(ŷ{sn} − y{sn})² (no ½)", f"L{sn} = Σ(ŷ{sn} − y{sn})² (без ½)"))
    if loss == "poisson":
        return (f"L{sn} = λ − y{sn}·ln λ with λ = ŷ{sn} (the constant ln y! is left out)",
                f"L{sn} = λ − y{sn}·ln λ, где λ = ŷ{sn} (константа ln y! опущена)")
    return None


def _total(w: Writer, raw, tpath: str, ids: Mapping[str, int], weights: Mapping[str, float]) -> None:
    """L = Σ λ_h·L_h over the listed heads; the mistake: the weights left out."""
    if not isinstance(raw, list) or len(raw) < 2 or not all(isinstance(h, str) for h in raw):
        raise DataError(tpath, 'must list two or more head ids, e.g. ["box", "bird"]')
    for h in raw:
        if h not in ids:
            raise DataError(tpath, f"{h!r} is no head's id (ids: {', '.join(ids)})")
    if len(set(raw)) != len(raw):
        raise DataError(tpath, "lists a head twice")
    lam = np.array([weights[h] for h in raw])
    deps = [f"L.{h}" for h in raw]
    terms = " + ".join((f"{weights[h]:g}·" if weights[h] != 1 else "") + "L" + subscript(str(ids[h])) for h in raw)
    mistakes = []
    if np.any(lam != 1):
        mistakes.append(mistake("no_head_weights", deps, lambda *ls: np.asarray(sum(ls)),
                                f"You added the losses as they are; the heads count with their weights: L = {terms}.",
                                f"Вы сложили потери как есть, а выходы входят со своими весами: L = {terms}."))
    w.derived("L.total", lambda *ls: np.asarray(float(np.dot(lam, ls))), deps, "L",
              texts("the total loss of the heads trained together", "общие потери выходов, обучаемых вместе"),
              "loss", f"L = {terms}", mistakes)


KIND = Kind(
    name="heads",
    summary="Output heads: for given logits, each task's output layer (identity, sigmoid, a bounded s·σ, softmax, "
            "exp) and its loss (squared, log, cross-entropy, Poisson), and the weighted total of heads trained "
            "together.",
    fields=(
        FieldDoc("heads", True, "[[problem.heads]] tables, one per task, numbered 1, 2, … in the symbols"),
        FieldDoc("heads[].id", True, 'the head\'s name in its keys, e.g. "binary" gives y_hat.binary, L.binary'),
        FieldDoc("heads[].z", True, "the logits: a number or a list"),
        FieldDoc("heads[].y", True, "the target, shaped like z; for the cross-entropy also a class number 1 … K"),
        FieldDoc("heads[].activation", True, '"identity", "sigmoid", "softmax" or "exp"'),
        FieldDoc("heads[].scale", False, "sigmoid only: ŷ = s·σ(z), an output between 0 and s (a rating)"),
        FieldDoc("heads[].loss", True, '"squared" (any head), "log" (sigmoid), "cross_entropy" (softmax), '
                                       '"poisson" (exp: L = λ − y·ln λ)'),
        FieldDoc("heads[].half", False, "required for the squared loss: true for ½Σ(ŷ − y)²"),
        FieldDoc("heads[].weight", False, "λ, the head's weight in the total (default 1)"),
        FieldDoc("total", False, 'the ids of heads trained together, e.g. ["box", "bird"]: L.total = Σ λ·L'),
    ),
    build=build,
    names=(
        NameDoc("z.{id}, y.{id}", "givens: head id's logits and target (one-hot for the cross-entropy)"),
        NameDoc("y_hat.{id}", "head id's output"),
        NameDoc("L.{id}", "head id's loss"),
        NameDoc("L.total", "with total: the weighted sum of the listed heads' losses"),
    ),
)
