"""Writing a dense net's problem: each step's forward pass, loss, backward pass and update.

Every quantity is an operation of :mod:`nntutor.core.ops` placed at keys with the
:class:`~nntutor.core.writer.Writer`, so its formula and its slips come with it; a step reads
like the worked solution (:meth:`Net.step`). With several steps every per-step key carries
``@k`` and its symbol the superscript ⁽ᵏ⁾.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import partial
from typing import Iterable, Mapping

import numpy as np

from ...graph import Mistake, Problem, texts
from ...notation import base_symbol, grad_key, next_key
from ...ops import activation, linear
from ...ops import dropout as dropout_ops
from ...ops import optimizer as optimizer_ops
from ...ops import loss as loss_op
from ...ops.record import Op, Slip, slip
from ...writer import Writer
from . import optimizer
from .read import Spec
from .words import conventions, meaning, sub, sup, symbol_of


def with_slips(op: Op, slips: Iterable[Slip]) -> Op:
    """``op`` with more slips: those of the place (a batch's 1/m) after its own."""
    slips = tuple(slips)
    return replace(op, slips=op.slips + slips) if slips else op


def _value(values: Mapping[str, np.ndarray], key: str) -> np.ndarray:
    return values.get(key, np.nan)


@dataclass(frozen=True)
class Other:
    """A slip that moves many values at once -- the run with the observations in another order, or
    Nesterov's step at the other form's point: its message, and its value of every quantity by key
    (worked out when the problem is built; NaN, never shown, for a key it has none of).

    ``in_pass``: it changes only the forward and backward pass of steps k ≥ 2.
    """

    name: str
    message: Mapping[str, str]
    convention: bool = False
    in_pass: bool = False
    values: dict[str, np.ndarray] = field(default_factory=dict)

    def mistake(self, key: str) -> Mistake:
        return Mistake(self.name, (), partial(_value, self.values, key), self.message, self.convention)


class Net:
    """Writes one net's problem: :meth:`write` gives it."""

    def __init__(self, spec: Spec, others: Iterable[Other] = ()) -> None:
        self.spec = spec
        self.others = tuple(others)
        self.w = Writer("dense")
        self.multi = spec.obs.n_steps > 1
        self.axis = 0 if (spec.batch and not spec.row) else -1  # the axis of the units
        # with an optimizer: per parameter, state name -> key of its value after the last step
        self.state: dict[str, dict[str, str]] = {}
        # per step k: (parameter keys at its start, the point its pass runs at, the states at its start)
        self.points: dict[int, tuple[dict[str, str], dict[str, str], dict[str, dict[str, str]]]] = {}
        # per step k: the keys of its forward and backward pass (what the point it runs at changes)
        self.pass_keys: dict[int, list[str]] = {}
        self._pass: list[str] | None = None  # the keys of the pass being written
        self._k = 0  # the step being written

    # -- keys, symbols and meanings of step k

    def key(self, base: str, k: int) -> str:
        return f"{base}@{k}" if self.multi else base

    def symbol(self, plain: str, k: int) -> str:
        return plain + sup(k) if self.multi else plain

    def meaning(self, en: str, ru: str, k: int) -> Mapping[str, str]:
        return texts(f"{en} (step {k})", f"{ru} (шаг {k})") if self.multi else texts(en, ru)

    # -- writing quantities

    def put(self, op: Op, base: str, k: int, role: str, meaning: tuple[str, str], *,
            names: Mapping[str, str] | None = None, **at: str | None) -> str:
        """``op`` placed at ``at`` as step k's ``base`` (z1, grad.W1 …), named as the notation says."""
        return self.place(op, self.key(base, k), self.symbol(self.symbol_of(base), k), self.meaning(*meaning, k),
                          role, names=names, **at)

    def symbol_of(self, base: str) -> str:
        """How ``base`` reads: as :func:`.words.symbol_of`, and with notation = "delta" ∂L/∂z_l is δ_l."""
        if self.spec.delta and base[:6] in ("grad.z", "grad.Z"):
            return "δ" + sub(int(base[6:]))
        return symbol_of(base)

    def place(self, op: Op, key: str, symbol: str, meaning: Mapping[str, str], role: str, *,
              names: Mapping[str, str] | None = None, **at: str | None) -> str:
        """``op`` at ``at`` (a slot given as None is not at this place), with the other-run slips."""
        self.w.apply(op, key, symbol, meaning, role, mistakes=self._others(key), names=names,
                     **{slot: k for slot, k in at.items() if k is not None})
        return key

    def derived(self, key: str, fn, deps: list[str], symbol: str, meaning: Mapping[str, str], role: str,
                formula: str, mistakes: Iterable[Mistake] = (), names: Mapping[str, str] | None = None) -> str:
        """A quantity no operation computes (an optimizer stage), with the other-run slips."""
        self.w.derived(key, fn, deps, symbol, meaning, role, formula, [*mistakes, *self._others(key)], names)
        return key

    def _others(self, key: str) -> list[Mistake]:
        if self._pass is not None:
            self._pass.append(key)
        late = self._pass is not None and self._k >= 2
        return [o.mistake(key) for o in self.others if late or not o.in_pass]

    # -- the problem

    def write(self) -> Problem:
        sp, w = self.spec, self.w
        where = "row" if sp.row else "column"
        where_ru = "строке" if sp.row else "столбцу"
        if sp.obs.mode == "batch":
            w.given("X", sp.obs.x, "X", texts(f"the inputs, one {where} per observation",
                                              f"входы, по {where_ru} на наблюдение"))
            w.given("Y", sp.y, "Y", texts(f"the targets, one {where} per observation",
                                          f"целевые значения, по {where_ru} на наблюдение"))
        elif sp.obs.mode == "sgd":
            w.given("X", sp.obs.x, "X", texts(f"the observations' inputs, one {where} per observation",
                                              f"входы наблюдений, по {where_ru} на наблюдение"))
            w.given("Y", sp.y, "Y", texts("the observations' targets", "целевые значения наблюдений"))
        else:
            w.given("x", sp.obs.x, "x", texts("the input", "вход"))
            w.given("y", sp.y, "y", texts("the target", "целевое значение"))
        w.given("lr", sp.lr, "γ", texts("the learning rate", "шаг обучения"))
        params = {}
        for layer in sp.layers:
            i = layer.index
            params[f"W{i}"] = w.given(f"W{i}", layer.W, base_symbol(f"W{i}"),
                                      texts(f"the weights of layer {i}", f"веса слоя {i}"))
            if layer.b is not None:
                params[f"b{i}"] = w.given(f"b{i}", layer.b, base_symbol(f"b{i}"),
                                          texts(f"the biases of layer {i}", f"смещения слоя {i}"))
        if sp.opt is not None:
            optimizer.givens(self, params)
        if sp.loss_w is not None:
            w.given("loss_w", sp.loss_w, "w", texts("the loss weight of each output", "вес каждого выхода в потерях"))
        if sp.pos_weight is not None:
            w.given("beta", sp.pos_weight, "β", texts("the weight of the positive class in the log-loss",
                                                      "вес положительного класса в логистической функции потерь"))
        if sp.dropout is not None:
            self.dropout_givens()
        for k in range(1, sp.obs.n_steps + 1):
            params = self.step(k, params)
        conventions(w, sp)
        return w.build()

    def dropout_givens(self) -> None:
        """p, the keep probability q, the train-time factor s, and each masked layer's mask."""
        w, do = self.w, self.spec.dropout
        w.given("p", do.p, "p", texts("the probability to drop a unit", "вероятность выключить нейрон") if do.drop
                else texts("the probability to keep a unit", "вероятность оставить нейрон"))
        w.apply(dropout_ops.keep(do.drop), "keep", "q", texts("the probability q that a unit is kept",
                                                            "вероятность q, что нейрон остаётся"), "value", p="p")
        factor = dropout_ops.scale(do.inverted, do.drop)  # a factor as the dropout kind writes it: "1/q"
        w.apply(replace(factor, formula="{out} = " + factor.formula), "scale", "s",
                texts("the train-time factor of the kept units", "множитель оставшихся нейронов при обучении"),
                "value", q="keep")
        for layer in self.spec.layers:
            if layer.mask is not None:
                i = layer.index
                w.given(f"m{i}", layer.mask, base_symbol(f"m{i}"),
                        texts(f"the dropout mask after layer {i}: 1 keeps a unit, 0 drops it",
                              f"маска дропаута после слоя {i}: 1 оставляет нейрон, 0 выключает"))

    def test_pass(self, x: str, point: Mapping[str, str]) -> None:
        """The forward pass at test time, every unit kept (z1.test, a1.test, d1.test, …, y_hat.test)."""
        sp, L = self.spec, len(self.spec.layers)
        Z, A, YH = ("Z", "A", "Y_hat") if sp.batch else ("z", "a", "y_hat")
        a_in = x
        for layer in sp.layers:
            i, g = layer.index, layer.act
            en, ru = meaning("z", i, g)
            z = self.place(linear.affine(sp.row, sp.batch, f"b{i}" in point, layer.square), f"{Z}{i}.test",
                           symbol_of(f"{Z}{i}") + "ᵗᵉˢᵗ", texts(en + " at test time", ru + " на этапе применения модели"),
                           "forward", a=a_in, W=point[f"W{i}"], b=point.get(f"b{i}"))
            en, ru = meaning("y_hat" if i == L else "a", i)
            out = f"{YH}.test" if i == L else f"{A}{i}.test"
            a_in = self.place(activation.forward(g, self.axis), out, symbol_of(YH if i == L else f"{A}{i}") + "ᵗᵉˢᵗ",
                              texts(en + " at test time", ru + " на этапе применения модели"), "forward", z=z)
            if layer.mask is not None:
                a_in = self.place(dropout_ops.at_test_time(sp.dropout.inverted, sp.dropout.drop), f"d{i}.test",
                                  base_symbol(f"d{i}") + "ᵗᵉˢᵗ",
                                  texts(f"the output of the dropout after layer {i} at test time (every unit kept)",
                                        f"выход дропаута после слоя {i} на этапе применения модели (все нейроны "
                                        "включены)"), "forward", x=a_in, q="keep", m=f"m{i}")

    def observation(self, k: int) -> tuple[str, str]:
        """The keys of step k's input and target: SGD picks one observation per step."""
        sp = self.spec
        if sp.obs.mode != "sgd":
            return ("X", "Y") if sp.batch else ("x", "y")
        j = sp.obs.order[k - 1]
        pick = (lambda a: a[j]) if sp.row else (lambda a: a[:, j])
        x = self.w.given(self.key("x", k), pick(sp.obs.x), self.symbol("x", k),
                         self.meaning(f"the input: observation {j + 1}", f"вход: наблюдение {j + 1}", k))
        y = self.w.given(self.key("y", k), pick(sp.y), self.symbol("y", k),
                         self.meaning(f"the target of observation {j + 1}", f"целевое значение наблюдения {j + 1}",
                                      k))
        return x, y

    def step(self, k: int, params: dict[str, str]) -> dict[str, str]:
        """Forward, loss, backward and update of step k; the keys of the new parameters."""
        sp, row, batch, L = self.spec, self.spec.row, self.spec.batch, len(self.spec.layers)
        x, y = self.observation(k)
        Z, A, YH = ("Z", "A", "Y_hat") if batch else ("z", "a", "y_hat")
        plan = optimizer.plan(self, k)
        ctx = optimizer.context(self, plan, params)  # per parameter: optim's names -> keys
        # the point the pass runs at: the weights, or (textbook Nesterov) the look-ahead weights
        point = optimizer.look_ahead(self, k, plan, ctx) if plan is not None and plan.lookahead else params
        self.points[k] = (dict(params), dict(point), {p: dict(self.state.get(p, {})) for p in params})
        self._pass, self._k = [], k

        def a(i: int) -> str:  # the activation of layer i ≥ 1 as a base name (a_L = ŷ)
            return YH if i == L else f"{A}{i}"

        def key(base: str) -> str:  # step k's key of ``base``
            return self.key(base, k)

        def a_key(i: int) -> str:  # a_i's key, a_0 = x
            return x if i == 0 else key(a(i))

        def dropped(i: int) -> bool:  # a dropout mask after layer i
            return i >= 1 and sp.layers[i - 1].mask is not None

        def d(i: int) -> str:  # the base name of a_i after dropout
            return f"{'D' if batch else 'd'}{i}"

        def in_key(i: int) -> str:  # the input of layer i + 1: a_i, or d_i after dropout
            return key(d(i)) if dropped(i) else a_key(i)

        # forward: z_l = a_{l−1}·W_l + b_l, a_l = g_l(z_l) (then d_l = a_l∘m_l·s with dropout)
        a_in = x
        for layer in sp.layers:
            i, g = layer.index, layer.act
            z = self.put(linear.affine(row, batch, f"b{i}" in point, layer.square), f"{Z}{i}", k, "forward",
                         meaning("z", i, g), a=a_in, W=point[f"W{i}"], b=point.get(f"b{i}"))
            a_in = self.put(activation.forward(g, self.axis), a(i), k, "forward",
                            meaning("y_hat" if i == L else "a", i), z=z)
            if layer.mask is not None:
                self.dropout_moments(i, a_in)
                a_in = self.put(dropout_ops.forward(sp.dropout.inverted, sp.dropout.drop), d(i), k, "forward",
                                (f"the activation of layer {i} after dropout", f"активация слоя {i} после дропаута"),
                                x=a_in, m=f"m{i}", s="scale", q="keep")
        if sp.dropout is not None:
            self.test_pass(x, point)

        # the loss, and the gradient the backward pass starts from: where a mean's 1/m enters
        y_hat, head, logits = a_in, sp.layers[-1].act, sp.loss_from == "logits"
        weights = {"w": "loss_w" if sp.loss_w is not None else None, "beta": "beta" if sp.pos_weight is not None else None}
        flags = {"weights": sp.loss_w is not None, "pos": sp.pos_weight is not None, "half": sp.half,
                 "logits": logits, "axis": self.axis}
        if sp.weighted:
            self.put(loss_op.weighted_loss(sp.loss, sp.terms, sp.mean, **flags), "L", k, "loss", meaning("L"),
                     y_hat=None if logits else y_hat, y=y, z=key(f"{Z}{L}") if logits else None, **weights)
        else:
            self.put(loss_op.loss(sp.loss, sp.terms, sp.mean, half=sp.half, logits=logits,
                                  temperature=head.temperature, axis=self.axis), "L", k, "loss", meaning("L"),
                     y_hat=y_hat, y=y, z=key(f"{Z}{L}") if logits else None)
        if sp.weighted:
            at = {"z": key(f"{Z}{L}")} if logits else {"y_hat": y_hat}
            origin = self.put(loss_op.weighted_gradient(sp.loss, sp.terms, sp.mean, **flags),
                              grad_key(f"{Z}{L}") if logits else grad_key(YH), k, "backward",
                              meaning("grad.z.logits", L, head) if logits else meaning("grad.y_hat"),
                              y=y, **at, **weights)
        elif logits:
            origin = self.put(loss_op.logit_gradient(sp.terms, sp.mean, head.temperature), grad_key(f"{Z}{L}"), k,
                              "backward", meaning("grad.z.logits", L, head), y_hat=y_hat, y=y)
        else:
            origin = self.put(loss_op.output_gradient(sp.loss, sp.terms, sp.mean, half=sp.half), grad_key(YH), k,
                              "backward", meaning("grad.y_hat"), y_hat=y_hat, y=y)
        # every later gradient carries the 1/m: forgotten or applied twice; a summed loss has none, so a
        # weight's or bias's gradient divided by m is a mean taken for the sum
        m_slips = loss_op.gradient_reduction(sp.terms, sp.mean, at_origin=False) if sp.terms > 1 else ()
        m = 1 if sp.mean else sp.terms
        where = {"where": self.w.symbol(origin)}

        # backward: ∂L/∂z_l = ∂L/∂a_l ∘ g′(z_l); ∂L/∂W_l = a_{l−1}ᵀ·∂L/∂z_l, ∂L/∂b_l; ∂L/∂a_{l−1} = ∂L/∂z_l·W_lᵀ
        grads = {}
        for layer in reversed(sp.layers):
            i, g = layer.index, layer.act
            gz = key(grad_key(f"{Z}{i}"))  # the logits' gradient is already there: origin
            if not (i == L and logits):
                self.put(with_slips(activation.backward(g, self.axis), m_slips), grad_key(f"{Z}{i}"), k, "backward",
                         meaning("grad.z", i, g), names=where, g=key(grad_key(a(i))), z=key(f"{Z}{i}"), a=a_key(i))
            # the input's pre-activation, where the input is g(z) and not z itself
            z_in = key(f"{Z}{i - 1}") if i > 1 and sp.layers[i - 2].act.name != "identity" else None
            grads[f"W{i}"] = self.put(
                with_slips(linear.weight_gradient(row, layer.square, m), (*m_slips, *_undropped(row, dropped(i - 1)))),
                grad_key(f"W{i}"), k, "backward", meaning("grad.W", i), names={"W": base_symbol(f"W{i}"), **where},
                a=in_key(i - 1), g=gz, y=a_key(i), z_in=z_in, a_full=a_key(i - 1) if dropped(i - 1) else None)
            if f"b{i}" in params:
                grads[f"b{i}"] = self.put(
                    with_slips(linear.bias_gradient(row, batch, m), (*m_slips, *_bias_slips(row, batch, layer.square))),
                    grad_key(f"b{i}"), k, "backward", meaning("grad.b.batch" if batch else "grad.b", i), names=where,
                    g=gz, y=a_key(i), a=in_key(i - 1))
            if i > 1:
                n_out = layer.W.shape[1] if row else layer.W.shape[0]
                if dropped(i - 1):
                    gd = self.put(linear.input_gradient(row, batch, layer.square, n_out), grad_key(d(i - 1)), k,
                                  "backward", (f"the gradient with respect to the dropout's output {base_symbol(d(i - 1))}",
                                               f"производная по выходу дропаута {base_symbol(d(i - 1))}"),
                                  g=gz, W=point[f"W{i}"], a=in_key(i - 1))
                    self.put(dropout_ops.backward(sp.dropout.inverted, sp.dropout.drop), grad_key(a(i - 1)), k,
                             "backward", meaning("grad.a", i - 1), g=gd, m=f"m{i - 1}", s="scale", q="keep")
                else:
                    self.put(linear.input_gradient(row, batch, layer.square, n_out), grad_key(a(i - 1)), k,
                             "backward", meaning("grad.a", i - 1), g=gz, W=point[f"W{i}"], a=a_key(i - 1))

        if plan is not None:
            return optimizer.step(self, k, plan, params, grads, ctx)
        self.end_pass(k)
        return {p: self.update(k, p, params[p], grads[p]) for p in params}

    def dropout_moments(self, i: int, a: str) -> None:
        """E[d_i] and Var[d_i] of each unit over the mask, given a_i (mean.d{i}, var.d{i})."""
        do, ds = self.spec.dropout, base_symbol(f"d{i}")
        self.place(dropout_ops.mean(do.inverted, do.drop), f"mean.d{i}", f"E[{ds}]",
                   texts(f"the mean of each unit's output after dropout, over the mask ({ds})",
                         f"среднее выхода каждого нейрона после дропаута по маске ({ds})"), "forward", a=a, q="keep")
        self.place(dropout_ops.variance(do.inverted, do.drop), f"var.d{i}", f"Var[{ds}]",
                   texts(f"the variance of each unit's output after dropout, over the mask ({ds})",
                         f"дисперсия выхода каждого нейрона после дропаута по маске ({ds})"), "forward", a=a, q="keep")

    def end_pass(self, k: int) -> None:
        self.pass_keys[k], self._pass = self._pass, None

    def update(self, k: int, p: str, w: str, g: str) -> str:
        """p′ = p − γ·∂L/∂p: gradient descent, the learning rate read from the given γ."""
        ps = base_symbol(p)
        after = (texts(f"{ps} after step {k}", f"{ps} после шага {k}") if self.multi
                 else texts(f"{ps} after one gradient step", f"{ps} после одного шага градиентного спуска"))
        return self.place(optimizer_ops.descent(), self.key(next_key(p), k), self.symbol(ps + "′", k), after,
                          "update", w_prev=w, g=g, lr="lr")


def _undropped(row: bool, dropped: bool) -> tuple[Slip, ...]:
    """A weight gradient after dropout taken with the activation before the mask (slot ``a_full``)."""
    if not dropped:
        return ()
    return (slip("undropped_input", ["a_full", "g"], linear.weight_grad(row),
                 "You used the activation before dropout, {a_full}; this layer's input is what dropout let through, "
                 "{a}: {f}.",
                 "Вы взяли активацию до дропаута, {a_full}, а вход этого слоя — то, что пропустил дропаут, {a}: "
                 "{f}."),)


def _bias_slips(row: bool, batch: bool, square: bool) -> tuple[Slip, ...]:
    """∂L/∂b taken from the layer's activation (slot ``y``) or input (``a``) instead of ∂L/∂z; a batch's
    first observation alone."""
    grad = linear.bias_grad(row, batch)
    slips = [slip("activation_for_delta", ["y"], grad,
                  "You used the layer's output {y}; a bias enters z directly (∂z/∂b = 1), so its gradient is the "
                  "gradient at z: {f}.",
                  "Вы взяли выход слоя {y}, а смещение входит в z напрямую (∂z/∂b = 1), поэтому его градиент — это "
                  "градиент по z: {f}.")]
    if square:
        slips.append(slip("input_for_delta", ["a"], grad,
                          "You used the layer's input {a}, as a weight's gradient would; a bias multiplies no input "
                          "(∂z/∂b = 1), so {f}.",
                          "Вы взяли вход слоя {a}, как для градиента по весу, а смещение ни на что не умножается "
                          "(∂z/∂b = 1), поэтому {f}."))
    if batch:
        slips.append(slip("one_observation", ["g"], (lambda g: g[0] * 1.0) if row else (lambda g: g[:, 0] * 1.0),
                          "That is the first observation's share alone: the bias is added in every observation, so "
                          "{f} adds them all up.",
                          "Это вклад только первого наблюдения: смещение прибавляется в каждом наблюдении, поэтому {f} "
                          "складывает вклады всех."))
    return tuple(slips)
