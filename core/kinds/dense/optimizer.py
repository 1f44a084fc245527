"""A dense net's optimizer: core.optim's stages for every weight matrix and bias vector, each with
its own state, after the gradients are clipped (when the lesson asks). Weight decay (an L2
penalty's stage ``grad_l2.p``, or AdamW's decoupled step) applies to the biases too, as PyTorch's does.

A stage s of parameter p in step k is the quantity ``s.p@k`` (``h.W1``, ``m_hat.b2``), its start
``s.p@0`` (zero), its last stage ``p.next``; textbook Nesterov first computes the look-ahead
``look.p`` that step k's pass runs at. The stage's formula and mistakes are optim's, filled with
that step's symbols when shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

import numpy as np

from ... import optim
from ...graph import Mistake, texts
from ...notation import base_symbol, next_key
from ...ops import optimizer as ops
from ...template import fill
from ..hyper import HYPER_MEANINGS, HYPER_SYMBOLS
from .words import sub, sup

if TYPE_CHECKING:
    from .net import Net


def plan(net: "Net", k: int) -> optim.Plan | None:
    """The optimizer's stages of step k; None for the plain step W′ = W − γ·∂L/∂W."""
    return optim.plan(net.spec.opt.hyper, k) if net.spec.opt is not None else None


def context(net: "Net", pl: optim.Plan | None, params: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """Per parameter: optim's names for what step k starts from (w_prev, h_prev, …) -> keys."""
    if pl is None:
        return {}
    return {p: {"w_prev": cur, **{f"{n}_prev": key for n, key in net.state[p].items()}} for p, cur in params.items()}


def givens(net: "Net", params: Mapping[str, str]) -> None:
    """The hyper-parameters, the clip threshold, and each parameter's states at the start (zero)."""
    w, opt = net.w, net.spec.opt
    hyper = opt.hyper
    for name in ("alpha", "beta1", "beta2", "eps", "weight_decay"):
        if name in hyper:
            meaning = HYPER_MEANINGS[name]
            if name == "alpha":
                meaning = meaning[1] if hyper["method"] == "rmsprop" else meaning[0]
            w.given(name, hyper[name], HYPER_SYMBOLS[name], meaning)
    if opt.clip is not None:
        w.given("clip", opt.clip, "c", texts("the clipping threshold c for the norm of the gradient",
                                             "порог c для нормы градиента при обрезке"))
    first = optim.plan(hyper, 1)
    stage_of = {st.key: st for st in first.stages}
    start = {f"W{layer.index}": layer.W for layer in net.spec.layers}
    start.update({f"b{layer.index}": layer.b for layer in net.spec.layers if layer.b is not None})
    for p in params:
        net.state[p] = {}
        for name in first.carry:
            st, ps = stage_of[name], base_symbol(p)
            net.state[p][name] = w.given(
                f"{name}.{p}@0", np.zeros_like(start[p]), f"{st.symbol}_{ps}" + sup(0),
                texts(f"{st.meaning['en']}, for {ps}, at the start (zero)",
                      f"{st.meaning['ru']}, для {ps}, в начале (ноль)"))


def look_ahead(net: "Net", k: int, pl: optim.Plan, ctx: dict[str, dict[str, str]]) -> dict[str, str]:
    """Each parameter's look-ahead stages of step k; the keys of the point the pass runs at."""
    for p, keys in ctx.items():
        for st in pl.lookahead:
            _stage(net, st, k, p, keys)
    return {p: keys[pl.lookahead[-1].key] for p, keys in ctx.items()}


def step(net: "Net", k: int, pl: optim.Plan, params: Mapping[str, str], grads: Mapping[str, str],
         ctx: dict[str, dict[str, str]]) -> dict[str, str]:
    """Clipping (when asked), then the optimizer's stages for every parameter; the new parameters' keys."""
    order = list(params)
    used = {p: grads[p] for p in order}
    if net.spec.opt.clip is not None:
        used = _clip(net, k, order, grads)
    net.end_pass(k)
    shared: dict[str, str] = {}  # stages that use no parameter (γ/k): one quantity per step
    for st in pl.stages:
        if all(d in shared for d in st.deps):
            shared[st.key] = _shared_stage(net, st, k)
    updated = {}
    for p in order:
        keys = ctx[p]
        keys["g"] = used[p]
        keys.update(shared)
        for st in pl.stages:
            if st.key not in shared:
                _stage(net, st, k, p, keys)
        updated[p] = keys["w"]
        net.state[p] = {name: keys[stage] for name, stage in pl.carry.items()}
    return updated


# -- clipping by the norm of the whole gradient


def _clip(net: "Net", k: int, order: list[str], grads: Mapping[str, str]) -> dict[str, str]:
    """‖∇L‖ over every weight and bias as one vector; each gradient times min(1, c/‖∇L‖)."""
    norm = net.place(ops.global_norm(len(order)), net.key("grad_norm", k), net.symbol("‖∇L‖", k),
                     net.meaning("the norm of the whole gradient: every weight and bias as one vector",
                                 "норма всего градиента: все веса и смещения как один вектор", k), "backward",
                     **{f"g{i}": grads[p] for i, p in enumerate(order, start=1)})
    op = ops.clip(together=True)
    out = {}
    for p in order:
        ps = base_symbol(p)
        out[p] = net.place(op, net.key(f"grad_clip.{p}", k), net.symbol(f"clip(∂L/∂{ps})", k),
                           net.meaning(f"the gradient with respect to {ps} after clipping by the norm of the whole "
                                       "gradient", f"градиент по {ps} после обрезки по норме всего градиента", k),
                           "backward", names={"param": ps}, g=grads[p], norm=norm, c="clip")
    return out


# -- the stages


def _shared_stage(net: "Net", st: optim.Stage, k: int) -> str:
    """A stage that uses no parameter (the decayed step γ/k): one quantity for the whole step."""
    key = net.key(st.key, k)
    symbol = fill(st.symbol, {"lr": "γ"}) + sub(k)
    names = {st.key: symbol, "lr": "γ", "t": str(k)}
    en, ru = (st.meaning[lang].replace("η", "γ") for lang in ("en", "ru"))
    return net.derived(key, st.fn, [], symbol, net.meaning(en, ru, k), "update", st.formula,
                       _stage_mistakes(net, st, k, "", {}, names), names)


def _stage(net: "Net", st: optim.Stage, k: int, p: str, keys: dict[str, str]) -> None:
    """Stage ``st`` of step k for parameter p: ``keys`` maps optim's names to this step's keys (extended)."""
    ps = base_symbol(p)
    if st.key == "w":
        key = net.key(next_key(p), k)
        symbol = net.symbol(ps + "′", k)
        meaning = (texts(f"{ps} after step {k}", f"{ps} после шага {k}") if net.multi
                   else texts(f"{ps} after the step", f"{ps} после шага"))
    else:
        key = net.key(f"{st.key}.{p}", k)
        # the look-ahead weights as W̃₁; a state as h_W₁
        symbol = net.symbol(ps[0] + "\u0303" + ps[1:] if st.key == "look" else f"{st.symbol}_{ps}", k)
        en, ru = (st.meaning[lang].replace("{t}", str(k)) for lang in ("en", "ru"))
        meaning = net.meaning(f"{en}, for {ps}", f"{ru}, для {ps}", k)
    keys[st.key] = key
    names = {"lr": "γ", "t": str(k), **{name: symbol if q == key else net.w.symbol(q) for name, q in keys.items()}}
    net.derived(key, st.fn, [keys[d] for d in st.deps], symbol, meaning, "update", st.formula,
                _stage_mistakes(net, st, k, p, keys, names), names)


def _stage_mistakes(net: "Net", st: optim.Stage, k: int, p: str, keys: Mapping[str, str],
                    names: Mapping[str, str]) -> list[Mistake]:
    """The stage's declared mistakes, for parameter p in step k; ``<stage>_last`` is that stage of step k − 1."""
    return [Mistake(sv.name, tuple(net.key(f"{d[:-len('_last')]}.{p}", k - 1) if d.endswith("_last") else keys[d]
                                   for d in sv.deps), sv.fn, sv.message, sv.convention, names)
            for sv in st.mistakes]
