"""The optimizer race's optional extras: the first-order Taylor model of each step (``taylor``) and a
plain gradient-descent run alongside for comparison (``compare_lr``)."""

from __future__ import annotations

import numpy as np

from ..notation import subscript
from ..ops import optimizer as ops
from ..ops.record import mistake
from ..writer import Writer
from .optimize_model import Run


def _sym(base: str, t: int) -> str:
    """``w``, 1 → ``w₁``."""
    return base + subscript(str(t))


def taylor_model(w: Writer, t: int, plain: bool) -> None:
    """The first-order Taylor model of L at w_{t−1} against L itself: the decrease it predicts for
    the step, ΔL̃_t = −g_tᵀ(w_t − w_{t−1}) (η·‖g_t‖² for gradient descent), its value L̃_t, and the
    actual decrease ΔL_t = L(w_{t−1}) − L(w_t)."""
    wp, wt, g, Lp, Lt = (w.symbol(k) for k in (f"w{t - 1}", f"w{t}", f"grad{t}", f"L{t - 1}", f"L{t}"))
    keys = [f"grad{t}", f"w{t - 1}", f"w{t}"]

    def change(g_, a, b):
        return np.asarray(np.sum(np.asarray(g_) * (np.asarray(b) - np.asarray(a))))

    pred = _sym("ΔL̃", t)
    slips = [mistake("taylor_sign", keys, change,
                     f"That is the change gᵀ(w − w₀) itself, negative for a step down; the decrease is its "
                     f"opposite, −{g}ᵀ({wt} − {wp}).",
                     f"Это само изменение gᵀ(w − w₀), отрицательное для шага вниз; уменьшение — противоположное "
                     f"число, −{g}ᵀ({wt} − {wp}).")]
    if plain:  # gradient descent: the step is −η·g, the decrease η·‖g‖²
        slips.append(mistake("taylor_no_lr", [f"grad{t}"], lambda g_: np.asarray(np.sum(np.square(g_))),
                             f"That is ‖{g}‖², the decrease for a step of −{g}; the step is −η·{g}, so the "
                             "decrease is η·‖g‖².",
                             f"Это ‖{g}‖² — уменьшение для шага −{g}; шаг равен −η·{g}, поэтому уменьшение "
                             "равно η·‖g‖²."))
    w.derived(f"taylor_gain{t}", lambda g_, a, b: -change(g_, a, b), keys, pred,
              {"en": f"the decrease of L the first-order model at {wp} predicts for step {t}",
               "ru": f"уменьшение L, которое предсказывает модель первого порядка в точке {wp} для шага {t}"},
              "value", f"{pred} = −{g}ᵀ({wt} − {wp})", slips)
    w.derived(f"taylor{t}", lambda L0, d: L0 - d, [f"L{t - 1}", f"taylor_gain{t}"], _sym("L̃", t),
              {"en": f"the first-order Taylor model of L at {wp}, evaluated at {wt}",
               "ru": f"модель L первого порядка (ряд Тейлора) в точке {wp}, вычисленная в точке {wt}"},
              "value", f"{_sym('L̃', t)} = {Lp} + {g}ᵀ({wt} − {wp})",
              [mistake("taylor_sign", [f"L{t - 1}", f"taylor_gain{t}"], lambda L0, d: L0 + d,
                       f"You added the decrease; the model's value is {Lp} − {pred}.",
                       f"Вы прибавили уменьшение; значение модели равно {Lp} − {pred}.")])
    gain = _sym("ΔL", t)
    w.derived(f"gain{t}", lambda a, b: a - b, [f"L{t - 1}", f"L{t}"], gain,
              {"en": f"the actual decrease of L at step {t}", "ru": f"фактическое уменьшение L на шаге {t}"},
              "value", f"{gain} = {Lp} − {Lt}",
              [mistake("gain_sign", [f"L{t - 1}", f"L{t}"], lambda a, b: b - a,
                       f"That is {Lt} − {Lp}; the decrease is {Lp} − {Lt}, positive when L went down.",
                       f"Это {Lt} − {Lp}; уменьшение равно {Lp} − {Lt} и положительно, когда L уменьшилась.")])


def compare_run(w: Writer, run: Run, iterations: int, lr: float) -> None:
    """Plain gradient descent with step η′ from w₀ on the same batches (and the same L2 penalty),
    for comparison: u_t = u_{t−1} − η′·∇L(u_{t−1}), u₀ = w₀ (with weight decay the gradient is
    g̃ = ∇L + λ·u, the L2 penalty's; for SGD a decoupled decay is the same step)."""
    hyper = run.hyper
    # Newton's η is another step's: the comparison's is always η′ there
    same = "lr" in hyper and lr == hyper["lr"] and hyper["method"] != "newton"
    lr_sym = run.lr_sym if same else run.lr_sym + "′"
    # a given even when it equals η: new numbers must keep the same quantities
    w.given("compare_lr", lr, lr_sym, {"en": "the step of the plain gradient descent run for comparison",
                                       "ru": "шаг обычного градиентного спуска для сравнения"})
    lam = hyper.get("weight_decay")
    half = hyper.get("l2_half", True) or hyper["method"] == "adamw"
    prev, step = "w0", ops.descent(lr)
    for t in range(1, iterations + 1):
        batch, u_prev = run.batch(t), (_sym("u", t - 1) if t > 1 else "w₀")
        on = run.batch_text(batch)
        g = w.derived(f"gd_grad{t}", lambda v, B=batch: run.grad_at(v, B), [prev], f"g({u_prev})",
                      {"en": f"plain gradient descent (for comparison): the loss's gradient at {u_prev}{on['en']}",
                       "ru": f"обычный градиентный спуск (для сравнения): градиент функции потерь в точке "
                             f"{u_prev}{on['ru']}"},
                      "backward", f"g({u_prev}) = ∇L({u_prev})")
        if lam is not None:
            g = w.apply(ops.l2_gradient(lam, half), out=f"gd_grad_l2{t}", symbol=f"g̃({u_prev})",
                        meaning={"en": f"plain gradient descent (for comparison): the gradient at {u_prev} with "
                                       "the L2 penalty's gradient added",
                                 "ru": f"обычный градиентный спуск (для сравнения): градиент в точке {u_prev} "
                                       "с добавленным градиентом L2-штрафа"},
                        role="backward", g=g, w_prev=prev)
        ut, raw = _sym("u", t), f"gd_grad{t}"
        skipped = [] if lam is None else [mistake(
            "decay_skipped", (prev, raw), lambda u, gr: u - lr * gr,
            f"You used g({u_prev}), the loss's gradient alone; the step uses the penalised gradient g̃({u_prev}).",
            f"Вы взяли g({u_prev}) — градиент одной функции потерь; шаг использует градиент со штрафом g̃({u_prev}).")]
        prev = w.apply(step, out=f"gd_w{t}", symbol=ut, mistakes=skipped,
                       meaning={"en": f"plain gradient descent with step {lr_sym} from w₀ (for comparison): "
                                      f"its point after step {t}",
                                "ru": f"обычный градиентный спуск с шагом {lr_sym} из w₀ (для сравнения): "
                                      f"его точка после шага {t}"},
                       role="update", names={"lr": lr_sym}, w_prev=prev, g=g)
        w.derived(f"gd_L{t}", run.loss, [prev], f"L({ut})",
                  {"en": f"the loss of plain gradient descent after step {t}, at {ut}",
                   "ru": f"потери обычного градиентного спуска после шага {t}, в точке {ut}"},
                  "loss", run.loss_formula(ut))
