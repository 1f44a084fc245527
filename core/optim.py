"""Optimizer steps as pure functions: ``step(params, grads, state, hyper) -> (params, state)``.

``params`` and ``grads`` are float64 arrays of one shape (a number is a 0-d array);
``state`` maps names (``"t"``, ``"h"``, ``"m"``, ...) to arrays; ``hyper`` is plain data:
``{"method": "momentum", "lr": 0.1, "alpha": 0.9, "form": "textbook"}``. Nothing is
mutated: every call returns new read-only arrays.

Each method is written once, as an ordered list of named :class:`Stage` s (``h``, ``m``,
``m_hat``, ..., finally ``w``) so that a problem kind can show every intermediate as its
own quantity; :func:`step` simply runs the stages. Step t (1-based) takes
w_{t−1} and the gradient g_t to w_t; all states start at zero.

Methods (η = ``lr``; element-wise operations on vectors):

- ``gd``:          w_t = w_{t−1} − η·g_t
- ``gd_decay``:    η_t = η/t;  w_t = w_{t−1} − η_t·g_t
- ``momentum``, form ``textbook``:  h_t = α·h_{t−1} + η·g_t;  w_t = w_{t−1} − h_t
                 form ``pytorch``:   b_t = α·b_{t−1} + g_t;   w_t = w_{t−1} − η·b_t
  (PyTorch ``SGD(momentum=α)``, dampening 0: its b_1 = g_1 equals α·0 + g_1.)
- ``nesterov``, form ``textbook``:  g_t is taken at the look-ahead point
  w̃_t = w_{t−1} − α·h_{t−1};  h_t = α·h_{t−1} + η·g_t;  w_t = w_{t−1} − h_t
                 form ``pytorch``:   g_t at w_{t−1};  b_t = α·b_{t−1} + g_t;
  d_t = g_t + α·b_t;  w_t = w_{t−1} − η·d_t   (PyTorch ``SGD(momentum=α, nesterov=True)``)
- ``adagrad``:     G_t = G_{t−1} + g_t²;  w_t = w_{t−1} − η·g_t/(√G_t + ε)  (ε ``outside``,
  PyTorch ``Adagrad``) or η·g_t/√(G_t + ε) (ε ``inside``)
- ``rmsprop``:     v_t = α·v_{t−1} + (1 − α)·g_t²;  w_t = w_{t−1} − η·g_t/(√v_t + ε)
  (ε ``outside``, PyTorch ``RMSprop``) or η·g_t/√(v_t + ε) (ε ``inside``)
- ``adam``:        m_t = β₁·m_{t−1} + (1 − β₁)·g_t;  v_t = β₂·v_{t−1} + (1 − β₂)·g_t²;
  m̂_t = m_t/(1 − β₁ᵗ);  v̂_t = v_t/(1 − β₂ᵗ);  w_t = w_{t−1} − η·m̂_t/(√v̂_t + ε).
  Form ``pytorch`` (Kingma & Ba, PyTorch ``Adam``) carries m_t, v_t to the next step;
  form ``fed_back`` carries m̂_t, v̂_t instead. ``bias_correction = False`` sets m̂ = m, v̂ = v.
- ``newton``:      w_t = w_{t−1} − η·H_t⁻¹·g_t  (η defaults to 1; H_t the Hessian)
- ``adamw``:       Adam's m, v, m̂, v̂, then w_t = w_{t−1} − η·(m̂_t/(√v̂_t + ε) + λ·w_{t−1}): the weight
  decay λ decoupled from the gradient (PyTorch ``AdamW``, which takes m_t, v_t to the next step).
- ``coordinate``:  exact minimisation of a quadratic along coordinate i = ((t − 1) mod n) + 1:
  w_t[i] = w_{t−1}[i] − g_t[i]/H[i, i], other coordinates unchanged. For
  f(w) = ½wᵀAw − bᵀw this is w[i] = (b[i] − Σ_{j≠i} A[i, j]·w[j]) / A[i, i].

Weight decay as an L2 penalty (``weight_decay`` λ, every first-order method but adamw): the
gradient the method uses is g̃_t = g_t + λ·w_{t−1} (the gradient of L + ½λ‖w‖², as PyTorch's
``weight_decay``), or g_t + 2λ·w_{t−1} with ``l2_half = False`` (L + λ‖w‖²); textbook Nesterov
takes it at the look-ahead point. It is the stage ``grad_l2``, and the method's stages read it
where they read g.

Gradient clipping by norm is a separate transform: :func:`clip_by_norm` (its factor:
:func:`clip_factor`).

Each stage is an operation of :mod:`nntutor.core.ops.optimizer` -- its function, its formula
and its common wrong ways (the step added instead of subtracted, η forgotten, the other
momentum form, Adam without bias correction, ε on the other side of the root, …), declared
there once -- placed under the key a step gives it, with its symbol and meaning.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any, Callable, Mapping

import numpy as np

from .ops import optimizer as ops
from .ops.optimizer import clip_by_norm, clip_factor
from .ops.record import Op

Array = np.ndarray
State = Mapping[str, Array]

__all__ = ["EPS_PLACEMENTS", "FORMS", "HYPER", "METHODS", "OPTIONAL", "REQUIRED", "Plan", "Stage", "StageVariant", "check_value",
           "clip_by_norm", "clip_factor", "init_state", "lookahead", "plan", "resolve", "step"]


# -- the hyper-parameters each method takes ------------------------------------------

#: The default of a hyper-parameter that has none: the caller must give it.
REQUIRED = object()
_REQUIRED = REQUIRED
#: The default of a hyper-parameter that is absent unless given (the L2 penalty's λ).
OPTIONAL = object()
_L2 = {"weight_decay": OPTIONAL, "l2_half": OPTIONAL}

#: Per method: hyper-parameter name -> default (``REQUIRED`` when it has none).
HYPER: Mapping[str, Mapping[str, Any]] = MappingProxyType({k: MappingProxyType(v) for k, v in {
    "gd": {"lr": _REQUIRED, **_L2},
    "gd_decay": {"lr": _REQUIRED, **_L2},
    "momentum": {"lr": _REQUIRED, "alpha": _REQUIRED, "form": _REQUIRED, **_L2},
    "nesterov": {"lr": _REQUIRED, "alpha": _REQUIRED, "form": _REQUIRED, **_L2},
    "adagrad": {"lr": _REQUIRED, "eps": 1e-10, "eps_placement": "outside", **_L2},
    "rmsprop": {"lr": _REQUIRED, "alpha": _REQUIRED, "eps": 1e-8, "eps_placement": "outside", **_L2},
    "adam": {"lr": _REQUIRED, "beta1": _REQUIRED, "beta2": _REQUIRED, "eps": 1e-8,
             "form": "pytorch", "eps_placement": "outside", "bias_correction": True, **_L2},
    "adamw": {"lr": _REQUIRED, "beta1": _REQUIRED, "beta2": _REQUIRED, "weight_decay": _REQUIRED, "eps": 1e-8,
              "eps_placement": "outside", "bias_correction": True},
    "newton": {"lr": 1.0},
    "coordinate": {},
}.items()})

#: The string-valued conventions and their choices.
FORMS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "momentum": ("textbook", "pytorch"),
    "nesterov": ("textbook", "pytorch"),
    "adam": ("pytorch", "fed_back"),
})
EPS_PLACEMENTS = ("outside", "inside")

METHODS = tuple(HYPER)


@dataclass(frozen=True)
class StageVariant:
    """A stage's slip as the deps of a step name them: ``fn(*deps)`` is the value the mistake gives.

    ``deps`` are named as for :class:`Stage`, plus the stage's own key (its right value)
    and ``<key>_last``: stage ``key`` of step t − 1 (only offered from step 2 on).
    ``message`` (per language) is a template like ``Stage.formula``. ``convention`` marks
    another common convention rather than an error.
    """

    name: str
    deps: tuple[str, ...]
    fn: Callable[..., Array]
    message: Mapping[str, str]
    convention: bool = False


@dataclass(frozen=True)
class Stage:
    """One named value computed in a step: the operation ``op`` placed under ``key``.

    The operation's slots name ``w_prev`` (w_{t−1}), ``g`` (the gradient g_t), ``H`` (the
    Hessian), ``<s>_prev`` (state s after step t − 1) or a key computed earlier in the same
    step, so a step places it with its quantities as they are (``Writer.apply(st.op,
    out=…, names={"lr": …, "t": …}, **step)``). ``symbol`` is the base display symbol
    (``{lr}`` for the learning rate's; the caller appends the step index); ``meaning``
    (per language) may hold ``{t}`` for the step number.

    ``deps``, ``fn``, ``formula`` and ``mistakes`` read the operation with its output named
    ``key`` (``{h} = α·{h_prev} + {lr}·{g}``), for a caller that fills templates itself.
    """

    key: str
    op: Op
    symbol: str
    meaning: Mapping[str, str]

    @property
    def deps(self) -> tuple[str, ...]:
        return self.op.slots

    @property
    def fn(self) -> Callable[..., Array]:
        return self.op.fn

    @property
    def formula(self) -> str:
        """The formula template, its output written ``{<key>}``."""
        return self.op.formula.replace("{out}", "{" + self.key + "}")

    @property
    def mistakes(self) -> tuple[StageVariant, ...]:
        """The operation's slips, ``out`` read as this stage's key and ``{f}`` as its formula."""
        own, f = "{" + self.key + "}", self.formula
        return tuple(
            StageVariant(s.name, tuple(self.key if u == "out" else u for u in s.uses), s.fn,
                         MappingProxyType({lang: text.replace("{f}", f).replace("{out}", own)
                                           for lang, text in (("en", s.en), ("ru", s.ru))}), s.convention)
            for s in self.op.slips)


@dataclass(frozen=True)
class Plan:
    """What step t of a method computes.

    ``lookahead`` stages run before the gradient (the last gives the point where g_t is
    taken; empty: g_t is taken at w_{t−1}); ``stages`` run after it, the last giving ``w``.
    ``carry`` maps each state name to the stage key whose value becomes that state.
    """

    lookahead: tuple[Stage, ...]
    stages: tuple[Stage, ...]
    carry: Mapping[str, str]
    needs_hessian: bool = False


class _Resolved(Mapping[str, Any]):
    """Hyper-parameters :func:`resolve` has completed and checked (read-only)."""

    __slots__ = ("_data",)

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self):
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._data!r})"


# -- public API --------------------------------------------------------------------


def resolve(hyper: Mapping[str, Any]) -> Mapping[str, Any]:
    """``hyper`` completed with the method's defaults; ValueError on anything wrong."""
    if isinstance(hyper, _Resolved):
        return hyper  # resolved once, read by every step's plan
    method = hyper.get("method")
    if method not in HYPER:
        raise ValueError(f"unknown method {method!r} (known: {', '.join(METHODS)})")
    spec = HYPER[method]
    unknown = set(hyper) - set(spec) - {"method"}
    if unknown:
        raise ValueError(f"{method} takes no {', '.join(sorted(unknown))}")
    out: dict[str, Any] = {"method": method}
    for name, default in spec.items():
        if name in hyper:
            out[name] = hyper[name]
        elif default is _REQUIRED:
            raise ValueError(f"{method} needs {name}")
        elif default is not OPTIONAL:
            out[name] = default
    if "l2_half" in out and "weight_decay" not in out:
        raise ValueError("l2_half needs weight_decay")
    if "form" in out and out["form"] not in FORMS[method]:
        raise ValueError(f"{method} form must be one of {', '.join(FORMS[method])}")
    if "eps_placement" in out and out["eps_placement"] not in EPS_PLACEMENTS:
        raise ValueError(f"eps_placement must be one of {', '.join(EPS_PLACEMENTS)}")
    if method == "adam" and not out["bias_correction"] and out["form"] != "pytorch":
        raise ValueError("bias_correction = False only makes sense with the pytorch form")
    for name, value in out.items():
        problem = check_value(name, value)
        if problem:
            raise ValueError(f"{name} {problem}")
    return _Resolved(out)


def check_value(name: str, value: Any) -> str | None:
    """Why a numeric hyper-parameter value is out of range (None when it is fine)."""
    if name == "l2_half":
        return None if isinstance(value, bool) else f"must be true or false, got {value!r}"
    if name not in ("lr", "alpha", "beta1", "beta2", "eps", "weight_decay"):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
        return f"must be a finite number, got {value!r}"
    if name in ("lr", "weight_decay") and value <= 0:
        return f"must be positive, got {value}"
    if name == "eps" and value < 0:
        return f"must be zero or positive, got {value}"
    if name in ("alpha", "beta1", "beta2") and not 0 <= value < 1:
        return f"must be in [0, 1), got {value}"
    return None


def plan(hyper: Mapping[str, Any], t: int, n: int | None = None) -> Plan:
    """The stages of step ``t`` (1-based) of ``hyper["method"]``.

    ``n``, the number of parameters, only makes formulas more specific (the coordinate
    that coordinate descent updates).
    """
    if t < 1:
        raise ValueError(f"steps are numbered from 1, got {t}")
    h = resolve(hyper)
    pl = _PLANS[h["method"]](h, t, n)
    return _with_l2(pl, h, t) if "weight_decay" in h and h["method"] != "adamw" else pl


def init_state(params, hyper: Mapping[str, Any]) -> State:
    """Zero state shaped like ``params``, with the step counter ``t = 0``."""
    p = _arr(params)
    carry = plan(hyper, 1).carry
    return _freeze({"t": 0.0, **{name: np.zeros_like(p) for name in carry}})


def lookahead(params, state: State, hyper: Mapping[str, Any]) -> Array:
    """The point where the next step's gradient must be taken (``params`` for most methods)."""
    pl = plan(hyper, int(state["t"]) + 1)
    if not pl.lookahead:
        return _arr(params)
    env = _env(params, None, state, None, pl)
    for st in pl.lookahead:
        env[st.key] = _arr(st.op.fn(*(env[slot] for slot in st.op.slots)))
    return _frozen(env[pl.lookahead[-1].key])


def step(params, grads, state: State, hyper: Mapping[str, Any], *, hessian=None) -> tuple[Array, State]:
    """One step: new ``(params, state)``; ``grads`` taken at :func:`lookahead`.

    ``hessian`` (∇²L at the same point, shape (n, n), or a number for one parameter) is
    needed by ``newton`` and ``coordinate`` only.
    """
    t = int(state["t"]) + 1
    pl = plan(hyper, t)
    if pl.needs_hessian and hessian is None:
        raise ValueError(f"{hyper['method']} needs the Hessian")
    g = _arr(grads)
    if g.shape != _arr(params).shape:
        raise ValueError(f"grads have shape {g.shape}, params {_arr(params).shape}")
    env = _env(params, g, state, hessian, pl)
    for st in pl.lookahead + pl.stages:
        env[st.key] = _arr(st.op.fn(*(env[slot] for slot in st.op.slots)))
    new_state = {"t": float(t), **{name: env[key] for name, key in pl.carry.items()}}
    return _frozen(env["w"]), _freeze(new_state)


# -- the methods: each a few stages of core.ops.optimizer ---------------------------


def _gd(h, t, n):
    return Plan((), (Stage("w", ops.descent(h["lr"]), "w", _W_MEANING),), {})


def _gd_decay(h, t, n):
    lr = h["lr"]
    return Plan((), (
        Stage("eta", ops.decayed_rate(lr, t), "{lr}",
              {"en": "the decayed step size η/t", "ru": "уменьшающийся шаг η/t"}),
        Stage("w", ops.decayed_descent(lr, t), "w", _W_MEANING),
    ), {})


def _momentum(h, t, n):
    lr, a = h["lr"], h["alpha"]
    if h["form"] == "textbook":
        return Plan((), (Stage("h", ops.velocity(lr, a), "h", _H_MEANING),
                         Stage("w", ops.velocity_step(lr, a), "w", _W_MEANING)), {"h": "h"})
    return Plan((), (Stage("buf", ops.buffer(lr, a), "b", _BUF_MEANING),
                     Stage("w", ops.buffer_step(lr), "w", _W_MEANING)), {"buf": "buf"})


def _nesterov(h, t, n):
    lr, a = h["lr"], h["alpha"]
    if h["form"] == "textbook":
        look = Stage("look", ops.look_ahead(a), "w̃",
                     {"en": "the look-ahead point where Nesterov takes the gradient",
                      "ru": "точка «заглядывания вперёд», в которой метод Нестерова берёт градиент"})
        return Plan((look,), (Stage("h", ops.velocity(lr, a), "h", _H_MEANING),
                              Stage("w", ops.velocity_step(lr, a, nesterov=True), "w", _W_MEANING)), {"h": "h"})
    return Plan((), (
        Stage("buf", ops.buffer(lr, a), "b", _BUF_MEANING),
        Stage("dir", ops.nesterov_direction(a), "d",
              {"en": "the Nesterov step direction (PyTorch form): the gradient plus α times the buffer",
               "ru": "направление шага Нестерова (форма PyTorch): градиент плюс α, умноженное на буфер"}),
        Stage("w", ops.nesterov_step(lr), "w", _W_MEANING),
    ), {"buf": "buf"})


def _adagrad(h, t, n):
    return Plan((), (
        Stage("G", ops.sum_of_squares(), "G", {"en": "the running sum of squared gradients (AdaGrad)",
                                               "ru": "накопленная сумма квадратов градиентов (AdaGrad)"}),
        Stage("w", ops.adaptive_step(h["lr"], h["eps"], h["eps_placement"] == "inside", "g", "G"), "w", _W_MEANING),
    ), {"G": "G"})


def _rmsprop(h, t, n):
    return Plan((), (
        Stage("v", ops.moving_average(h["alpha"], "α", "v", squared=True), "v",
              {"en": "the moving average of squared gradients (RMSprop)",
               "ru": "скользящее среднее квадратов градиентов (RMSprop)"}),
        Stage("w", ops.adaptive_step(h["lr"], h["eps"], h["eps_placement"] == "inside", "g", "v"), "w", _W_MEANING),
    ), {"v": "v"})


def _adam(h, t, n):
    lr, b1, b2, eps = h["lr"], h["beta1"], h["beta2"], h["eps"]
    inside, corrected, fed_back = h["eps_placement"] == "inside", h["bias_correction"], h["form"] == "fed_back"
    note = {"en": " (the previous step's bias-corrected value is fed back)" if fed_back else "",
            "ru": " (в формулу подставляется исправленное значение прошлого шага)" if fed_back else ""}

    def form(b, state):  # the other form's carried moment: only from step 2 on, both start at zero
        return (ops.adam_form(b, state, fed_back),) if t >= 2 else ()

    return Plan((), (
        Stage("m", ops.moving_average(b1, "β₁", "m", squared=False, also=form(b1, "m")), "m",
              {"en": "Adam's first moment: the moving average of gradients" + note["en"],
               "ru": "первый момент Adam: скользящее среднее градиентов" + note["ru"]}),
        Stage("v", ops.moving_average(b2, "β₂", "v", squared=True, also=form(b2, "v")), "v",
              {"en": "Adam's second moment: the moving average of squared gradients" + note["en"],
               "ru": "второй момент Adam: скользящее среднее квадратов градиентов" + note["ru"]}),
        Stage("m_hat", ops.bias_correction("β₁", "m", t, b1, corrected), "m̂",
              {"en": "the bias-corrected first moment", "ru": "первый момент с поправкой на смещение"}),
        Stage("v_hat", ops.bias_correction("β₂", "v", t, b2, corrected), "v̂",
              {"en": "the bias-corrected second moment", "ru": "второй момент с поправкой на смещение"}),
        Stage("w", ops.adaptive_step(lr, eps, inside, "m_hat", "v_hat",
                                     also=(ops.adam_uncorrected(lr, eps, inside),) if corrected else ()),
              "w", _W_MEANING),
    ), {"m": "m_hat", "v": "v_hat"} if fed_back else {"m": "m", "v": "v"})


def _adamw(h, t, n):
    """Adam's moments, then the step with the decay decoupled (PyTorch's AdamW)."""
    lr, b1, b2, eps, lam = h["lr"], h["beta1"], h["beta2"], h["eps"], h["weight_decay"]
    inside, corrected = h["eps_placement"] == "inside", h["bias_correction"]
    adam = _adam({**h, "form": "pytorch"}, t, n)
    coupled = {"m": ops.decoupled_moment(b1, "m", lam), "v": ops.decoupled_moment(b2, "v", lam)}
    stages = []
    for st in adam.stages:
        if st.key in coupled:
            st = replace(st, op=replace(st.op, slips=(coupled[st.key], *st.op.slips)))
        elif st.key == "w":
            st = Stage("w", ops.decoupled_step(lr, lam, eps, inside, t, b1, b2, corrected), "w", _W_MEANING)
        stages.append(st)
    return replace(adam, stages=tuple(stages))


def _with_l2(pl: Plan, h, t) -> Plan:
    """The plan fed the penalised gradient g̃ = g + λ·w (first stage ``grad_l2``) wherever it read g."""
    lam, half = h["weight_decay"], h.get("l2_half", True)
    penalty = ops.l2_gradient(lam, half)
    if pl.lookahead:  # textbook Nesterov: the penalty's gradient at the look-ahead point too
        penalty = ops.renamed(penalty, "w_prev", pl.lookahead[-1].key)
    skipped = ("You used {g}, the loss's gradient alone; the step uses the penalised gradient {grad_l2}: {f}.",
               "Вы взяли {g} — градиент одной функции потерь; шаг использует градиент со штрафом {grad_l2}: {f}.")
    stages = [Stage("grad_l2", penalty, "g̃",
                    {"en": "the gradient with the L2 penalty's gradient added",
                     "ru": "градиент с добавленным градиентом L2-штрафа"})]
    for st in pl.stages:
        op = ops.renamed(st.op, "g", "grad_l2", skipped) if "g" in st.op.slots else st.op
        if st.key == "w" and h["method"] == "adam" and half:  # AdamW's step, named where Adam takes L2
            op = replace(op, slips=(*op.slips, ops.coupled_adam_step(
                h["lr"], lam, h["eps"], h["eps_placement"] == "inside", t, h["beta1"], h["beta2"],
                h["bias_correction"])))
        stages.append(replace(st, op=op))
    return replace(pl, stages=tuple(stages))


def _newton(h, t, n):
    return Plan((), (Stage("w", ops.newton_step(h["lr"], n), "w", _W_MEANING),), {}, needs_hessian=True)


def _coordinate(h, t, n):
    return Plan((), (Stage("w", ops.coordinate_step(t, n), "w",
                           {"en": "the parameters after step {t}: exact minimisation along one coordinate",
                            "ru": "параметры после шага {t}: точная минимизация вдоль одной координаты"}),),
                {}, needs_hessian=True)


_W_MEANING = {"en": "the parameters after step {t}", "ru": "параметры после шага {t}"}
_H_MEANING = {"en": "the momentum (velocity) h: the step actually taken, textbook form",
              "ru": "инерция (скорость) h: сделанный шаг, учебная форма"}
_BUF_MEANING = {"en": "the momentum buffer b (PyTorch form): a running sum of gradients",
                "ru": "буфер инерции b (форма PyTorch): накопленная сумма градиентов"}

_PLANS: Mapping[str, Callable[[Mapping[str, Any], int, int | None], Plan]] = MappingProxyType({
    "gd": _gd, "gd_decay": _gd_decay, "momentum": _momentum, "nesterov": _nesterov,
    "adagrad": _adagrad, "rmsprop": _rmsprop, "adam": _adam, "adamw": _adamw, "newton": _newton,
    "coordinate": _coordinate,
})


# -- helpers ---------------------------------------------------------------------------


def _env(params, g, state, hessian, pl: Plan) -> dict[str, Array]:
    env: dict[str, Array] = {"w_prev": _arr(params)}
    if g is not None:
        env["g"] = g
    if hessian is not None:
        env["H"] = _arr(hessian)
    for name in pl.carry:
        if name not in state:
            raise ValueError(f"state has no {name!r} (start from init_state)")
        env[f"{name}_prev"] = _arr(state[name])
    return env


def _arr(x) -> Array:
    return np.asarray(x, dtype=np.float64)


def _frozen(x) -> Array:
    out = np.array(x, dtype=np.float64)  # always a copy: callers may hold read-only inputs
    out.setflags(write=False)
    return out


def _freeze(state: Mapping[str, Any]) -> State:
    return MappingProxyType({k: _frozen(v) for k, v in state.items()})
