"""Optimizer race: T steps of one method on a small model, every intermediate a quantity.

The model -- regression, logistic regression or a quadratic (:mod:`.optimize_model`) -- gives
the loss, the gradient and the Hessian. Step t = 1..T uses batch B_t (all observations, or
the stated order / batches, cycling), takes g_t at w_{t−1} (at the look-ahead point for
textbook Nesterov), clips it by norm when asked, and goes to w_t by the stages of
:mod:`nntutor.core.optim`: each an operation of :mod:`nntutor.core.ops.optimizer`, placed with
its formula and its slips. L_t = L(w_t) is the loss over all observations.

Slips besides the operations' own: for the loss, gradient and Hessian the other reduction
(sum/mean) and the other ½ convention; with sgd or minibatch batching the other order of the
observations (ŷ, z, p, g at the same point on the other batch; w_t as the whole run in the
other order); Nesterov's gradient at the other form's point.
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np

from .. import optim
from ..graph import Mistake, Problem
from ..notation import ru_plural, subscript
from ..ops import optimizer as ops
from ..ops import sigmoid
from ..ops.record import mistake
from ..template import fill
from ..writer import Writer
from . import (DataError, FieldDoc, Kind, NameDoc, check_finite, read_bool, read_choice, read_int, read_number,
               reject_unknown)
from .hyper import FORM_NAMES, HYPER_DOCS, HYPER_FIELDS, HYPER_SYMBOLS, METHOD_NAMES, hyper_meaning, read_hyper
from .optimize_extra import compare_run, taylor_model
from .optimize_model import MODELS, Run, batch_message, order_message, read_batches, read_model, read_w0, scale_mistakes

_DATA_FIELDS = {"x", "y", "bias", "reduction", "half", "batching", "order", "batches", "A", "b"}
_MODEL_FIELDS = {
    "regression": {"x", "y", "bias", "reduction", "half", "batching", "order", "batches"},
    "logistic": {"x", "y", "bias", "reduction", "batching", "order", "batches"},
    "quadratic": {"A", "b"},
}
_TOP = ({"kind", "model", "w0", "method", "iterations", "clip", "lr_symbol", "compare_lr", "taylor"}
        | _DATA_FIELDS | set(HYPER_FIELDS))
_MAX_ITERATIONS = 100


def build(data: Mapping[str, Any]) -> Problem:
    path = "problem"
    reject_unknown(data, path, _TOP)
    model = read_choice(data, "model", path, MODELS)
    for key in data:
        if key in _DATA_FIELDS and key not in _MODEL_FIELDS[model]:
            raise DataError(f"{path}.{key}", f"is not used by the {model} model")
    method = read_choice(data, "method", path, optim.METHODS)
    hyper = read_hyper(data, path, method)
    iterations = read_int(data, "iterations", path, 1, _MAX_ITERATIONS)
    lr_sym = {"eta": "η", "gamma": "γ"}[read_choice(data, "lr_symbol", path, ("eta", "gamma"), default="eta")]
    if "lr_symbol" in data and "lr" not in hyper:
        raise DataError(f"{path}.lr_symbol", f"is not used by method {method} (it has no learning rate)")
    clip = None
    if "clip" in data:
        if method in ("newton", "coordinate"):
            raise DataError(f"{path}.clip", f"gradient clipping is not offered with method {method}")
        clip = read_number(data, "clip", path, positive=True)

    compare = read_number(data, "compare_lr", path, positive=True) if "compare_lr" in data else None
    m = read_model(data, path, model)
    batches = read_batches(data, path, model, m["n_obs"])
    if method == "coordinate":
        if model == "logistic":
            raise DataError(f"{path}.method", "coordinate descent minimises exactly along a coordinate, "
                                              "which needs a quadratic loss: use the regression or quadratic model")
        if len(batches) != 1:
            raise DataError(f"{path}.batching", "coordinate descent here uses all observations (batching = \"full\")")
    w0 = read_w0(data, path, model, m)

    taylor = read_bool(data, "taylor", path, default=False)
    if taylor and (len(batches) != 1 or optim.plan(hyper, 1).lookahead):
        raise DataError(f"{path}.taylor", "the first-order model of L at wₜ₋₁ needs the gradient of the whole loss "
                                          "there: a full batch, and not textbook Nesterov's look-ahead point")
    run = Run(model, MappingProxyType(m), hyper, clip, lr_sym, batches, w0.shape)
    problem = _graph(run, w0, iterations, compare, taylor)
    check_finite(problem, path, "the run diverges (try fewer iterations or a smaller learning_rate) or divides by "
                                "zero (a singular Hessian, or eps = 0 with a zero gradient)")
    return problem


def _graph(run: Run, w0: np.ndarray, iterations: int, compare: float | None = None, taylor: bool = False) -> Problem:
    """The run as a quantity graph: the givens, the minimiser, each step, then the comparison run."""
    w = Writer("optimize")
    _givens(w, run, w0)
    _optimum(w, run)
    every = run.batch_text(run.everyone())
    _loss(w, run, 0, {"en": "the loss at the start w₀" + every["en"],
                      "ru": "потери в начальной точке w₀" + every["ru"]})
    others = _other_orders(run, w0, iterations)
    for t in range(1, iterations + 1):
        _step(w, run, t, others)
        if taylor:
            taylor_model(w, t, run.hyper["method"] == "gd")
    if compare is not None:
        compare_run(w, run, iterations, compare)
    _conventions(w, run, iterations, compare)
    return w.build()


def _step(w: Writer, run: Run, t: int, others: list[tuple[Run, tuple[np.ndarray, ...]]]) -> None:
    """Step t: the look-ahead point, the gradient there on the step's batch (clipped), the stages, L_t."""
    pl = optim.plan(run.hyper, t, run.m["p"])
    # the step's quantities under the names the stages' slots use
    at = {"w_prev": f"w{t - 1}"}
    for name, carried in pl.carry.items():  # Adam's fed_back form carries m̂, v̂ as its state
        at[f"{name}_prev"] = f"{name}0" if t == 1 else f"{carried}{t - 1}"
    if t > 1:
        at.update({f"{st.key}_last": f"{st.key}{t - 1}" for st in pl.stages})
    for st in pl.lookahead:
        _place(w, run, st, t, at)
    point = at[pl.lookahead[-1].key] if pl.lookahead else at["w_prev"]
    at.update(_gradient(w, run, t, point, pl.needs_hessian, _other_points(w, run, t, at), others))
    if run.clip is not None:
        g_sym = w.symbol(at["g"])
        w.apply(ops.euclidean_norm(), out=f"grad_norm{t}", symbol=f"‖{g_sym}‖",
                meaning={"en": f"the norm of the gradient at step {t}", "ru": f"норма градиента на шаге {t}"},
                role="backward", g=at["g"])
        at["g"] = w.apply(ops.clip(), out=f"grad_clip{t}", symbol=f"clip({g_sym})",
                          meaning={"en": f"the gradient after clipping by norm, step {t}",
                                   "ru": f"градиент после обрезки по норме, шаг {t}"},
                          role="backward", g=at["g"], norm=f"grad_norm{t}", c="clip")
    order = [mistake("order", (), lambda v=ws[t - 1]: v, *order_message(run, o)) for o, ws in others]
    for st in pl.stages:
        _place(w, run, st, t, at, order if st.key == "w" else ())
    every, wt = run.batch_text(run.everyone()), _sym("w", t)
    _loss(w, run, t, {"en": f"the loss after step {t}, at {wt}" + every["en"],
                      "ru": f"потери после шага {t}, в точке {wt}" + every["ru"]})


def _loss(w: Writer, run: Run, t: int, meaning: Mapping[str, str]) -> None:
    """L_t = L(w_t) over all observations, with the loss's slips."""
    wt = _sym("w", t)
    formula = run.loss_formula(wt)
    w.derived(f"L{t}", run.loss, [f"w{t}"], f"L({wt})", meaning, "loss", formula,
              scale_mistakes(run, f"L{t}", run.everyone(), "loss", formula))


def _place(w: Writer, run: Run, st: optim.Stage, t: int, at: dict[str, str], mistakes=()) -> None:
    """Stage ``st`` of step t, computed from the step's quantities ``at`` (which it joins)."""
    at[st.key] = w.apply(st.op, out=f"{st.key}{t}", symbol=_sym(st.symbol.format(lr=run.lr_sym), t),
                         meaning=_step_meaning(st.meaning, t), role="update", mistakes=mistakes,
                         names={"lr": run.lr_sym, "t": str(t)}, **at)


def _gradient(w: Writer, run: Run, t: int, point: str, hessian: bool, elsewhere: list, others) -> dict[str, str]:
    """The model at ``point`` on step t's batch (ŷ, or z and p), then g_t from it (so an accepted, rounded ŷ
    or p carries on), and the Hessian H_t when the method needs it: ``{"g": key, "H": key}``.

    Their slips besides the loss's conventions: the value at the other Nesterov form's point
    (``elsewhere``), or on the batch another order of the observations (``others``) uses at step t.
    """
    batch, pt = run.batch(t), w.symbol(point)
    on = run.batch_text(batch)
    moves = [(bt, batch_message(run, t, bt, batch)) for bt in (o.batch(t) for o, _ in others) if bt != batch]

    def moved(key: str, fn_at, same_size: bool = True) -> list[Mistake]:
        out = [mistake("nesterov_form", deps, lambda *d, f=f: fn_at(f(*d), batch), en, ru, convention=True)
               for deps, f, en, ru in elsewhere]
        out += [mistake("order", (point,), lambda v, B=bt: fn_at(v, B), *msg)
                for bt, msg in moves if not same_size or len(bt) == len(batch)]
        return out

    def on_batch(v, B):
        return run.bshape(run.lin(v, B), B)

    if run.model == "quadratic":
        out, out_sym = point, pt
    elif run.model == "regression":
        out, out_sym = f"y_hat{t}", "ŷ"
        w.derived(out, lambda v: on_batch(v, batch), [point], f"ŷ({pt})",
                  {"en": f"the predictions ŷᵢ = w·xᵢ at {pt}, step {t}{on['en']}",
                   "ru": f"прогнозы ŷᵢ = w·xᵢ в точке {pt}, шаг {t}{on['ru']}"},
                  "forward", run.each(f"ŷᵢ = {pt}·{run.xt()}", batch), moved(out, on_batch))
    else:
        w.derived(f"z{t}", lambda v: on_batch(v, batch), [point], f"z({pt})",
                  {"en": f"the logits zᵢ = w·xᵢ at {pt}, step {t}{on['en']}",
                   "ru": f"логиты zᵢ = w·xᵢ в точке {pt}, шаг {t}{on['ru']}"},
                  "forward", run.each(f"zᵢ = {pt}·{run.xt()}", batch), moved(f"z{t}", on_batch))
        out, out_sym = f"p{t}", "p"
        w.derived(out, sigmoid, [f"z{t}"], f"p({pt})",
                  {"en": f"the probabilities pᵢ = σ(zᵢ) at {pt}, step {t}{on['en']}",
                   "ru": f"вероятности pᵢ = σ(zᵢ) в точке {pt}, шаг {t}{on['ru']}"},
                  "forward", run.each("pᵢ = σ(zᵢ) = 1/(1 + e^(−zᵢ))", batch),
                  moved(out, lambda v, B: sigmoid(on_batch(v, B))))

    g_sym = _sym("g", t)
    grad = (lambda v: run.grad_at(v, batch)) if run.model == "quadratic" else (lambda o: run.grad_from_out(o, batch))
    formula = run.grad_formula(g_sym, out_sym, batch)
    keys = {"g": w.derived(
        f"grad{t}", grad, [out], g_sym,
        {"en": f"the gradient {g_sym} = ∇L at {pt}, used at step {t}{on['en']}",
         "ru": f"градиент {g_sym} = ∇L в точке {pt}, используется на шаге {t}{on['ru']}"},
        "backward", formula,
        [*scale_mistakes(run, f"grad{t}", batch, "gradient", formula), *moved(f"grad{t}", run.grad_at, False)])}
    if hessian:
        H_sym, logistic = _sym("H", t), run.model == "logistic"
        formula = run.hess_formula(H_sym, out_sym, batch)
        keys["H"] = w.derived(
            f"hess{t}", (lambda pr: run.hess(pr, batch)) if logistic else (lambda: run.hess_at(None, batch)),
            [out] if logistic else [], H_sym,
            {"en": f"the Hessian (second derivative) of the loss at {pt}, step {t}{on['en']}",
             "ru": f"гессиан (вторая производная) функции потерь в точке {pt}, шаг {t}{on['ru']}"},
            "backward", formula, [*scale_mistakes(run, f"hess{t}", batch, "hessian", formula),
                                  *_hessian_mistakes(run, out, batch, formula)])
    return keys


def _hessian_mistakes(run: Run, out: str, batch, formula: str) -> list[Mistake]:
    """Logistic regression with one weight: Σ pᵢ(1 − pᵢ) with xᵢ² left out, or with xᵢ once."""
    if run.model != "logistic" or run.m["bias"]:
        return []
    x = run.m["x"][list(batch)]

    def h(p, power):
        p = np.reshape(p, -1)
        return run.pshape(run._reduce(p * (1.0 - p) * x ** power, batch))

    return [mistake("hess_no_x2", (out,), lambda p: h(p, 0),
                    f"You left out xᵢ²: each observation's second derivative is pᵢ(1 − pᵢ)·xᵢ², since z = w·xᵢ "
                    f"brings xᵢ once for each derivative: {formula}.",
                    f"Вы забыли xᵢ²: вторая производная по каждому наблюдению равна pᵢ(1 − pᵢ)·xᵢ², ведь z = w·xᵢ "
                    f"даёт множитель xᵢ при каждом дифференцировании: {formula}."),
            mistake("hess_x_once", (out,), lambda p: h(p, 1),
                    f"You multiplied by xᵢ once; the second derivative takes it twice, xᵢ²: {formula}.",
                    f"Вы умножили на xᵢ один раз, а во второй производной он входит дважды, xᵢ²: {formula}.")]


def _other_points(w: Writer, run: Run, t: int, at: Mapping[str, str]) -> list:
    """Where the other form of Nesterov takes g_t: (deps, point(*deps), en, ru)."""
    hyper = run.hyper
    if hyper["method"] != "nesterov":
        return []
    a, s = hyper["alpha"], {**{name: w.symbol(key) for name, key in at.items()}, "lr": run.lr_sym}
    if hyper["form"] == "textbook":
        return [((at["w_prev"],), lambda v: v,
                 fill("You took the gradient at {w_prev}, as PyTorch's Nesterov form does; the textbook form used "
                      "here takes it at the look-ahead point {look} = {w_prev} − α·{h_prev}.", s),
                 fill("Вы взяли градиент в точке {w_prev}, как в форме Нестерова из PyTorch; в учебной форме этого "
                      "урока он берётся в точке {look} = {w_prev} − α·{h_prev}.", s))]
    if t < 2:
        return []  # b₀ = 0: the look-ahead point is w₀ itself
    lr = hyper["lr"]
    return [((at["w_prev"], at["buf_prev"]), lambda v, bp: v - a * lr * bp,
             fill("You took the gradient at the look-ahead point {w_prev} − α·{lr}·{buf_prev}, as the textbook "
                  "form does; PyTorch's Nesterov form used here takes it at {w_prev}.", s),
             fill("Вы взяли градиент в точке {w_prev} − α·{lr}·{buf_prev}, как в учебной форме; в форме Нестерова "
                  "из PyTorch, принятой здесь, он берётся в точке {w_prev}.", s))]


def _other_orders(run: Run, w0: np.ndarray, iterations: int) -> list[tuple[Run, tuple[np.ndarray, ...]]]:
    """The run with the observations reversed and in their natural order (when either differs), each
    with its iterates w₁ … w_T."""
    if len(run.batches) < 2:
        return []
    candidates = [tuple(reversed(run.batches))]
    if all(len(bt) == 1 for bt in run.batches):
        candidates.append(tuple(sorted(run.batches)))
    out, seen = [], {run.batches}
    for alt in candidates:
        if alt not in seen:
            seen.add(alt)
            other = replace(run, batches=alt)
            out.append((other, other.run(w0, iterations)))
    return out


def _sym(base: str, t: int) -> str:
    """``w``, 1 → ``w₁``."""
    return base + subscript(str(t))


def _step_meaning(meaning, t: int) -> dict[str, str]:
    """A stage's meaning for step t: its ``{t}`` filled in, or the step appended."""
    tail = {"en": f" (step {t})", "ru": f" (шаг {t})"}
    return {lang: text.format(t=t) if "{t}" in text else text + tail[lang] for lang, text in meaning.items()}


def _stage(pl: optim.Plan, key: str) -> optim.Stage:
    return next(st for st in pl.lookahead + pl.stages if st.key == key)


# -- the givens ------------------------------------------------------------------------------


def _givens(w: Writer, run: Run, w0: np.ndarray) -> None:
    """The data, the start, the hyper-parameters and the states at the start (zero)."""
    model, m, hyper = run.model, run.m, run.hyper
    if model == "quadratic":
        w.given("A", m["A"], "A", {"en": "the matrix A of the quadratic ½wᵀAw − bᵀw",
                                   "ru": "матрица A квадратичной функции ½wᵀAw − bᵀw"})
        w.given("b", m["b"], "b", {"en": "the vector b of the quadratic ½wᵀAw − bᵀw",
                                   "ru": "вектор b квадратичной функции ½wᵀAw − bᵀw"})
    else:
        w.given("x", m["x"], "x", {"en": "the inputs xᵢ", "ru": "входы xᵢ"})
        regression = model == "regression"
        w.given("y", m["y"], "y", {"en": "the targets yᵢ" if regression else "the labels yᵢ (0 or 1)",
                                   "ru": "целевые значения yᵢ" if regression else "метки классов yᵢ (0 или 1)"})
    what = _param_words(model, m)
    w.given("w0", w0, "w₀", {"en": f"the starting point ({what['en']})", "ru": f"начальная точка ({what['ru']})"})
    if "lr" in hyper:
        w.given("lr", hyper["lr"], run.lr_sym, {"en": "the learning rate", "ru": "шаг обучения (learning rate)"})
    for name in ("alpha", "beta1", "beta2", "eps", "weight_decay"):
        if name in hyper:
            w.given(name, hyper[name], HYPER_SYMBOLS[name], hyper_meaning(name, hyper["method"]))
    if run.clip is not None:
        w.given("clip", run.clip, "c", {"en": "the clipping threshold c for the gradient norm",
                                    "ru": "порог c для нормы градиента при обрезке"})
    first = optim.plan(hyper, 1, m["p"])
    stage_of = {st.key: st for st in first.stages}
    for name in first.carry:
        st = stage_of[name]
        w.given(f"{name}0", np.zeros(w0.shape), st.symbol + "₀",
                {"en": f"{st.meaning['en']}, at the start (zero)", "ru": f"{st.meaning['ru']}, в начале (ноль)"})


def _param_words(model, m) -> dict[str, str]:
    if model == "quadratic":
        return {"en": "the vector w", "ru": "вектор w"}
    if m["bias"]:
        return {"en": "the pair (weight w, bias b)", "ru": "пара (вес w, смещение b)"}
    return {"en": "the weight w", "ru": "вес w"}


def _optimum(w: Writer, run: Run) -> None:
    """The minimiser w* and L(w*), where there is a closed form (and a unique one)."""
    if run.model == "quadratic":
        w_star = np.linalg.solve(run.m["A"], run.m["b"])
        formula = "w* = A⁻¹·b"
    elif run.model == "regression":
        X, y = run.m["X"], run.m["y"]
        XtX = X.T @ X
        if np.linalg.matrix_rank(XtX) < XtX.shape[0]:
            return  # the least-squares solution is not unique: no w*
        w_star = np.linalg.solve(XtX, X.T @ y)
        formula = "w* = Σxᵢyᵢ / Σxᵢ²" if not run.m["bias"] else "w* = (Σx̃ᵢx̃ᵢᵀ)⁻¹·Σx̃ᵢyᵢ, x̃ᵢ = (xᵢ, 1)"
    else:
        return  # logistic regression has no closed form (and no minimiser on separable data)
    w_star = run.pshape(w_star)
    w.derived("w_star", lambda: w_star, [], "w*",
              {"en": "the minimiser w* of the loss", "ru": "точка минимума w* функции потерь"}, "value", formula)
    w.derived("L_star", run.loss, ["w_star"], "L(w*)",
              {"en": "the smallest possible loss L(w*)", "ru": "наименьшее возможное значение потерь L(w*)"},
              "value", run.loss_formula("w*"))


# -- the conventions, in words ----------------------------------------------------------------


def _conventions(w: Writer, run: Run, iterations: int, compare: float | None = None) -> None:
    """The loss, the parameters, the batches, the method's formulas in general form, the clipping, the steps."""
    m, hyper = run.m, run.hyper
    if run.model == "regression":
        c = "½·" if m["half"] else ""
        red = {"en": "mean over" if m["mean"] else "sum over", "ru": "среднее по" if m["mean"] else "сумма по"}
        lin = "w·xᵢ + b" if m["bias"] else "w·xᵢ"
        total = run.agg("(ŷᵢ − yᵢ)²", run.everyone())
        w.convention("loss", {
            "en": f"model ŷᵢ = {lin}; squared loss L = {c}{total} "
                  f"({'with' if m['half'] else 'no'} ½, {red['en']} the observations)",
            "ru": f"модель ŷᵢ = {lin}; квадратичные потери L = {c}{total} "
                  f"({'с' if m['half'] else 'без'} ½, {red['ru']} наблюдениям)"})
    elif run.model == "logistic":
        lin = "w·xᵢ + b" if m["bias"] else "w·xᵢ"
        total = run.agg("−[yᵢ ln pᵢ + (1 − yᵢ) ln(1 − pᵢ)]", run.everyone())
        w.convention("loss", {
            "en": f"model pᵢ = σ({lin}); log-loss L = {total} "
                  f"({'mean' if m['mean'] else 'sum'} over the observations)",
            "ru": f"модель pᵢ = σ({lin}); логистические потери L = {total} "
                  f"({'среднее' if m['mean'] else 'сумма'} по наблюдениям)"})
    else:
        w.convention("loss", {"en": "L(w) = ½·wᵀAw − bᵀw", "ru": "L(w) = ½·wᵀAw − bᵀw"})
    if m.get("bias"):
        w.convention("parameters", {"en": "the parameters are the pair w = (weight, bias)",
                                    "ru": "параметры — пара w = (вес, смещение)"})
    if run.model != "quadratic":
        if len(run.batches) == 1:
            w.convention("batching", {"en": "full batch: every step uses all observations",
                                      "ru": "полный батч: каждый шаг использует все наблюдения"})
        else:
            seq = "; ".join("(" + ", ".join(str(i + 1) for i in bt) + ")" for bt in run.batches)
            w.convention("batching", {
                "en": f"step t uses the batches in this order, then starts again: {seq}; "
                      f"the gradient is the {'mean' if m['mean'] else 'sum'} over the batch",
                "ru": f"шаг t берёт батчи по порядку, затем по кругу: {seq}; "
                      f"градиент — {'среднее' if m['mean'] else 'сумма'} по батчу"})
    # the method's formulas in general form (t a letter)
    pl = optim.plan(hyper, 1, None if hyper["method"] == "coordinate" and run.m["p"] > 1 else run.m["p"])
    syms = {"w_prev": "wₜ₋₁", "lr": run.lr_sym, "t": "t", "g": "gₜ", "H": "Hₜ"}
    for name, carried in pl.carry.items():
        syms[f"{name}_prev"] = _stage(pl, carried).symbol + "ₜ₋₁"
    for st in pl.lookahead + pl.stages:
        syms[st.key] = st.symbol.format(lr=run.lr_sym) + "ₜ"
    lines = [st.op.formula_at({**syms, "out": syms[st.key]}) for st in pl.lookahead + pl.stages]
    lines_ru = list(lines)
    if pl.lookahead:
        at = syms[pl.lookahead[-1].key]
        lines.insert(len(pl.lookahead), f"gₜ is the gradient at {at}")
        lines_ru.insert(len(pl.lookahead), f"gₜ — градиент в точке {at}")
    values = ", ".join(f"{HYPER_SYMBOLS.get(k, run.lr_sym if k == 'lr' else k)} = {v:g}"
                       for k, v in hyper.items() if isinstance(v, float) and not isinstance(v, bool))
    start = ", ".join(f"{_stage(pl, n).symbol}₀ = 0" for n in pl.carry)
    name_en, name_ru = METHOD_NAMES[hyper["method"]]
    form = hyper.get("form")
    form_text = {"en": f" ({FORM_NAMES[form][0]} form)" if form else "",
                 "ru": f" ({FORM_NAMES[form][1]})" if form else ""}
    tail = "; ".join(x for x in (values, start) if x)
    w.convention("method", {
        "en": f"{name_en}{form_text['en']}: " + "; ".join(lines) + (f" ({tail})" if tail else ""),
        "ru": f"{name_ru}{form_text['ru']}: " + "; ".join(lines_ru) + (f" ({tail})" if tail else "")})
    if "weight_decay" in hyper and hyper["method"] != "adamw":
        pen = "½·λ‖w‖²" if hyper.get("l2_half", True) else "λ‖w‖²"
        w.convention("weight_decay", {
            "en": f"an L2 penalty {pen} is added to the loss: the step uses its gradient g̃ₜ = gₜ + "
                  f"{'λ' if hyper.get('l2_half', True) else '2λ'}·wₜ₋₁; Lₜ is the loss without the penalty",
            "ru": f"к функции потерь добавлен L2-штраф {pen}: шаг использует градиент g̃ₜ = gₜ + "
                  f"{'λ' if hyper.get('l2_half', True) else '2λ'}·wₜ₋₁; Lₜ — потери без штрафа"})
    if compare is not None:
        w.convention("compare", {
            "en": f"for comparison, plain gradient descent uₜ = uₜ₋₁ − η′·∇L(uₜ₋₁) from u₀ = w₀, η′ = {compare:g}",
            "ru": f"для сравнения — обычный градиентный спуск uₜ = uₜ₋₁ − η′·∇L(uₜ₋₁) из u₀ = w₀, η′ = {compare:g}"})
    if run.clip is not None:
        rule = f"clip(g) = g·min(1, c/‖g‖), c = {run.clip:g}"
        w.convention("clip", {"en": f"the gradient is clipped by norm first: {rule}",
                              "ru": f"сначала градиент обрезается по норме: {rule}"})
    en_steps = f"{iterations} step" + ("" if iterations == 1 else "s")
    ahead = bool(pl.lookahead)  # textbook Nesterov
    at_en = "the look-ahead point w̃ₜ" if ahead else "wₜ₋₁"
    at_ru = "точке «заглядывания вперёд» w̃ₜ" if ahead else "точке wₜ₋₁"
    data = run.model != "quadratic"  # a quadratic has no observations to speak of
    w.convention("steps", {
        "en": f"{en_steps} from w₀: step t takes gₜ at {at_en} and gives wₜ; Lₜ = L(wₜ)"
              + (" on all observations" if data else ""),
        "ru": f"{iterations} {ru_plural(iterations, 'шаг', 'шага', 'шагов')} из w₀: шаг t берёт градиент gₜ в "
              f"{at_ru} и даёт wₜ; Lₜ = L(wₜ)" + (" по всем наблюдениям" if data else "")})


KIND = Kind(
    name="optimize",
    summary="A few steps of an optimizer (GD, SGD, momentum, Nesterov, AdaGrad, RMSprop, Adam, AdamW, η/t decay, "
            "Newton, coordinate descent; an L2 penalty) on 1-D regression, logistic regression or a quadratic; every "
            "gradient, optimizer state, iterate and loss is a quantity.",
    fields=(
        FieldDoc("model", True, '"regression" (ŷ = w·x, squared loss), "logistic" (p = σ(w·x), log-loss) '
                                'or "quadratic" (L = ½wᵀAw − bᵀw)'),
        FieldDoc("x", False, "regression/logistic: the inputs, one number per observation"),
        FieldDoc("y", False, "regression/logistic: the targets (logistic: labels 0 or 1), one per observation"),
        FieldDoc("bias", False, "regression/logistic: true adds a bias, ŷ = w·x + b; then w0 is a pair (w, b) "
                                "and every parameter-shaped quantity is a pair (default false)"),
        FieldDoc("reduction", False, 'regression/logistic, required there: "sum" or "mean" over the observations '
                                     "(and over the batch for the gradient)"),
        FieldDoc("half", False, "regression, required there: true for L = ½·Σ(ŷ − y)², false for Σ(ŷ − y)²"),
        FieldDoc("A", False, "quadratic: a symmetric positive definite matrix (2×2 in the course)"),
        FieldDoc("b", False, "quadratic: the vector b in ½wᵀAw − bᵀw"),
        FieldDoc("w0", True, "the starting point: a number, a pair (w, b) with bias, or a vector for the quadratic"),
        FieldDoc("method", True, "one of: " + ", ".join(optim.METHODS)),
        FieldDoc("iterations", True, f"how many steps to take (1 … {_MAX_ITERATIONS})"),
        FieldDoc("learning_rate", False, "η, positive; required by every method except newton (default 1) "
                                         "and coordinate (not used)"),
        FieldDoc("lr_symbol", False, '"eta" (default) or "gamma": how the learning rate is written'),
        *HYPER_DOCS[:4],
        FieldDoc("form", False, 'momentum/nesterov, required there: "textbook" (h = αh + ηg, w − h) or "pytorch" '
                                '(b = αb + g, w − ηb); adam: "pytorch" (default; m, v carried) or "fed_back" '
                                "(m̂, v̂ carried to the next step)"),
        HYPER_DOCS[4],
        FieldDoc("bias_correction", False, "adam/adamw: false drops the bias correction (m̂ = m, v̂ = v); default true"),
        *HYPER_DOCS[5:],
        FieldDoc("taylor", False, "true adds, per step, the first-order Taylor model of L at w_{t−1} against L itself: "
                                  "taylor_gain{t}, taylor{t}, gain{t} (a full batch; not textbook Nesterov)"),
        FieldDoc("compare_lr", False, "η′ > 0: adds plain gradient descent from w0 with step η′, on the same batches "
                                      "(and L2 penalty: AdamW's λ too), for comparison: gd_grad{t}, gd_grad_l2{t}, gd_w{t}, gd_L{t}"),
        FieldDoc("clip", False, "clip every gradient by norm to at most this value first (not with newton/coordinate)"),
        FieldDoc("batching", False, '"full" (default), "sgd" (one observation per step, in order) or "minibatch" '
                                    "(given batches); steps cycle through the order or batches"),
        FieldDoc("order", False, "sgd: the observation numbers (1-based) in the order the steps use them; "
                                 "a permutation, e.g. [2, 1]"),
        FieldDoc("batches", False, "minibatch: lists of observation numbers (1-based) that split the data, "
                                   "e.g. [[1, 3], [2]]"),
    ),
    build=build,
    names=(
        NameDoc("x, y", "givens (regression/logistic): the inputs and targets"),
        NameDoc("A, b", "givens (quadratic): the matrix and vector of ½wᵀAw − bᵀw"),
        NameDoc("lr, alpha, beta1, beta2, eps, weight_decay, clip", "givens: the hyper-parameters the method uses"),
        NameDoc("w0", "given: the starting point (a number, the pair (w, b), or a vector)"),
        NameDoc("h0, buf0, G0, v0, m0", "givens: the optimizer's states at the start (zero), those the method has"),
        NameDoc("w_star, L_star", "the minimiser w* and L(w*) (regression when unique, quadratic)"),
        NameDoc("L{t}", "the loss over all observations at w_t, t = 0 … iterations (the loss curve)"),
        NameDoc("look{t}", "textbook Nesterov: the look-ahead point w_{t−1} − α·h_{t−1} where g_t is taken"),
        NameDoc("y_hat{t}", "regression: the predictions ŷᵢ at the point of step t, for the batch's observations"),
        NameDoc("z{t}, p{t}", "logistic: the logits and probabilities at the point of step t, for the batch"),
        NameDoc("grad{t}", "g_t: the gradient used at step t (at w_{t−1}, over the batch of step t)"),
        NameDoc("hess{t}", "newton/coordinate: the Hessian at the point of step t"),
        NameDoc("grad_norm{t}, grad_clip{t}", "with clip: ‖g_t‖ and the clipped gradient g_t·min(1, c/‖g_t‖)"),
        NameDoc("grad_l2{t}", "with weight_decay as an L2 penalty: the gradient the step uses, g̃_t = g_t + λ·w_{t−1}"),
        NameDoc("eta{t}", "gd_decay: the step size η/t"),
        NameDoc("h{t}", "momentum/nesterov, textbook form: h_t = α·h_{t−1} + η·g_t"),
        NameDoc("buf{t}", "momentum/nesterov, PyTorch form: the buffer b_t = α·b_{t−1} + g_t"),
        NameDoc("dir{t}", "nesterov, PyTorch form: the direction d_t = g_t + α·b_t"),
        NameDoc("G{t}", "adagrad: the sum of squared gradients"),
        NameDoc("v{t}", "rmsprop: the average of squared gradients; adam/adamw: the second moment"),
        NameDoc("m{t}", "adam/adamw: the first moment"),
        NameDoc("m_hat{t}, v_hat{t}", "adam/adamw: the bias-corrected moments"),
        NameDoc("taylor_gain{t}", "with taylor: the decrease the first-order model predicts, −g_tᵀ(w_t − w_{t−1})"),
        NameDoc("taylor{t}", "with taylor: the model's value L̃_t = L(w_{t−1}) + g_tᵀ(w_t − w_{t−1})"),
        NameDoc("gain{t}", "with taylor: the actual decrease L(w_{t−1}) − L(w_t)"),
        NameDoc("compare_lr", "with compare_lr: the given η′ (written η when it equals the method's η)"),
        NameDoc("gd_grad{t}, gd_w{t}, gd_L{t}", "with compare_lr: plain gradient descent u_t = u_{t−1} − η′·∇L(u_{t−1}) "
                                                "from u₀ = w₀: its gradient, point and loss"),
        NameDoc("gd_grad_l2{t}", "with compare_lr and weight_decay: the comparison's gradient with the L2 penalty's "
                                 "gradient added, g̃ = ∇L(u_{t−1}) + λ·u_{t−1} (AdamW's λ too)"),
        NameDoc("w{t}", "the parameters after step t (t = 1 … iterations)"),
    ),
)
