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
- ``coordinate``:  exact minimisation of a quadratic along coordinate i = ((t − 1) mod n) + 1:
  w_t[i] = w_{t−1}[i] − g_t[i]/H[i, i], other coordinates unchanged. For
  f(w) = ½wᵀAw − bᵀw this is w[i] = (b[i] − Σ_{j≠i} A[i, j]·w[j]) / A[i, i].

Gradient clipping by norm is a separate transform: :func:`clip_by_norm` (its factor:
:func:`clip_factor`).

Each stage also lists its common wrong ways (:class:`StageVariant`): the step added
instead of subtracted, η forgotten, the other momentum form, Adam without bias
correction, ε on the other side of the root, … so that a problem kind can name them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType
from typing import Any, Callable, Mapping

import numpy as np

Array = np.ndarray
State = Mapping[str, Array]


# -- the hyper-parameters each method takes ------------------------------------------

#: The default of a hyper-parameter that has none: the caller must give it.
REQUIRED = object()
_REQUIRED = REQUIRED

#: Per method: hyper-parameter name -> default (``REQUIRED`` when it has none).
HYPER: Mapping[str, Mapping[str, Any]] = MappingProxyType({k: MappingProxyType(v) for k, v in {
    "gd": {"lr": _REQUIRED},
    "gd_decay": {"lr": _REQUIRED},
    "momentum": {"lr": _REQUIRED, "alpha": _REQUIRED, "form": _REQUIRED},
    "nesterov": {"lr": _REQUIRED, "alpha": _REQUIRED, "form": _REQUIRED},
    "adagrad": {"lr": _REQUIRED, "eps": 1e-10, "eps_placement": "outside"},
    "rmsprop": {"lr": _REQUIRED, "alpha": _REQUIRED, "eps": 1e-8, "eps_placement": "outside"},
    "adam": {"lr": _REQUIRED, "beta1": _REQUIRED, "beta2": _REQUIRED, "eps": 1e-8,
             "form": "pytorch", "eps_placement": "outside", "bias_correction": True},
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
    """A common wrong way to compute a stage: ``fn(*deps)`` is the value the mistake gives.

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
    """One named value computed in a step: ``key = fn(*deps)``.

    ``deps`` name ``w_prev`` (w_{t−1}), ``g`` (the gradient g_t), ``H`` (the Hessian),
    ``<s>_prev`` (state s after step t − 1) or a key computed earlier in the same step.
    ``formula`` is a template: ``{name}`` stands for the symbol of key or dep ``name``,
    ``{lr}`` for the learning rate's symbol, ``{t}`` for the step number. ``symbol`` is
    the base display symbol (``{lr}`` again for the learning rate's; the caller appends
    the step index). ``meaning`` (per language) may hold ``{t}`` for the step number.
    ``mistakes`` are the common wrong ways to compute it.
    """

    key: str
    deps: tuple[str, ...]
    fn: Callable[..., Array]
    formula: str
    symbol: str
    meaning: Mapping[str, str]
    #: The mistakes, or a function listing them: they are only worded when a diagnosis needs them.
    declared: tuple[StageVariant, ...] | Callable[[], tuple[StageVariant, ...]] = ()

    @cached_property
    def mistakes(self) -> tuple[StageVariant, ...]:
        return tuple(self.declared() if callable(self.declared) else self.declared)


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
        else:
            out[name] = default
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
    if name not in ("lr", "alpha", "beta1", "beta2", "eps"):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
        return f"must be a finite number, got {value!r}"
    if name == "lr" and value <= 0:
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
    return _PLANS[h["method"]](h, t, n)


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
        env[st.key] = _arr(st.fn(*(env[d] for d in st.deps)))
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
        env[st.key] = _arr(st.fn(*(env[d] for d in st.deps)))
    new_state = {"t": float(t), **{name: env[key] for name, key in pl.carry.items()}}
    return _frozen(env["w"]), _freeze(new_state)


def clip_by_norm(g, c: float) -> Array:
    """ĝ = g · min(1, c/‖g‖) with the Euclidean norm over all entries; g = 0 stays 0."""
    g = _arr(g)
    return _frozen(g * clip_factor(np.sqrt(np.sum(g * g)), c))


def clip_factor(norm, c: float) -> float:
    """min(1, c/‖g‖): what clipping by norm multiplies a gradient of norm ``norm`` by (1 when ‖g‖ ≤ c).

    Several arrays clipped together (all of a net's parameters) share one factor, from
    the norm of all their entries as one vector.
    """
    norm = float(norm)
    return 1.0 if norm <= c else c / norm


# -- common mistakes, declared once per stage ------------------------------------------------


def _v(name: str, deps, fn, en: str, ru: str, convention: bool = False) -> StageVariant:
    return StageVariant(name, tuple(deps), fn, MappingProxyType({"en": en, "ru": ru}), convention)


def _added(formula: str) -> StageVariant:
    """w_{t−1} + step instead of w_{t−1} − step, whatever the step: 2·w_{t−1} − w_t."""
    return _v("step_added", ("w_prev", "w"), lambda wp, w: 2.0 * wp - w,
              "You added the step instead of subtracting it: " + formula + ".",
              "Вы прибавили шаг, а его нужно вычесть: " + formula + ".")


def _no_lr(deps, fn, formula: str) -> StageVariant:
    return _v("no_lr", deps, fn,
              "You left out the learning rate {lr}: " + formula + ".",
              "Вы забыли умножить на шаг обучения {lr}: " + formula + ".")


def _no_square(acc: str, deps, keep: float | None, formula: str) -> tuple[StageVariant, ...]:
    """acc_{t−1}-weighted sum of |g| or g instead of g² (``keep`` the weight on the old value)."""
    en = "You used |{g}| (or {g}) instead of {g}²: " + formula + "."
    ru = "Вы взяли |{g}| (или {g}) вместо {g}²: " + formula + "."
    k = 1.0 if keep is None else keep
    c = 1.0 if keep is None else 1.0 - keep
    return (_v(f"{acc}_no_square_abs", deps, lambda ap, g: k * ap + c * np.abs(g), en, ru),
            _v(f"{acc}_no_square", deps, lambda ap, g: k * ap + c * g, en, ru))


def _eps_mistakes(lr, eps, inside, num: str, acc: str, formula: str) -> tuple[StageVariant, ...]:
    """For w = w − η·num/(√acc + ε): ε on the other side of the root (a convention), the root
    forgotten, η forgotten."""
    deps = ("w_prev", num, acc)
    out_, in_ = "/(√{" + acc + "} + ε)", "/√({" + acc + "} + ε)"
    if inside:
        en = f"You put ε outside the root, {out_}, as PyTorch does; this lesson puts it inside, {in_}: "
        ru = f"Вы поставили ε вне корня, {out_}, как в PyTorch; в этом уроке ε под корнем, {in_}: "
    else:
        en = f"You put ε inside the root, {in_}; this lesson, like PyTorch, puts it outside, {out_}: "
        ru = f"Вы поставили ε под корень, {in_}; в этом уроке, как в PyTorch, ε вне корня, {out_}: "
    other = _v("eps_placement", deps, lambda w, g, a: w - lr * _scaled(g, a, eps, not inside),
               en + formula + ".", ru + formula + ".", convention=True)
    no_root = _v("no_root", deps, lambda w, g, a: w - lr * g / (a + eps),
                 "You forgot the square root of {" + acc + "}: " + formula + ".",
                 "Вы забыли извлечь квадратный корень из {" + acc + "}: " + formula + ".")
    no_lr = _no_lr(deps, lambda w, g, a: w - _scaled(g, a, eps, inside), formula)
    return other, no_root, no_lr


def _momentum_h(lr, a, formula: str) -> tuple[StageVariant, ...]:
    """Textbook velocity h asked for: PyTorch's buffer b = h/η (the other form), or η forgotten."""
    return (
        _v("momentum_form", ("h",), lambda hh: hh / lr,
           "That is PyTorch's buffer b = h/{lr} (b ← αb + g, w ← w − {lr}·b); this lesson uses the textbook "
           "form h ← αh + {lr}·g, w ← w − h: " + formula + ".",
           "Это буфер PyTorch b = h/{lr} (b ← αb + g, w ← w − {lr}·b); в этом уроке учебная форма "
           "h ← αh + {lr}·g, w ← w − h: " + formula + ".", convention=True),
        _no_lr(("h_prev", "g"), lambda hp, g: a * hp + g, formula),
        *_momentum_slips(lambda g: lr * g, formula, "h_prev"),
    )


def _momentum_slips(step, formula: str, prev: str) -> tuple[StageVariant, ...]:
    """The velocity's own slips: α left out (the old velocity kept whole), or the old velocity
    left out (only the new step). ``step(g)`` is the new step's part: η·g, or g for the buffer."""
    return (
        _v("no_alpha", (prev, "g"), lambda hp, g: hp + step(g),
           "You left out α: the old velocity is damped to α·{" + prev + "} before the new step is added: "
           + formula + ".",
           "Вы забыли α: прежняя скорость сначала умножается на α, потом к ней добавляется новый шаг: "
           + formula + "."),
        _v("no_momentum", ("g",), step,
           "That is only the new step: the velocity also carries α·{" + prev + "} from the steps before: "
           + formula + ".",
           "Это только новый шаг: скорость ещё несёт α·{" + prev + "} от прошлых шагов: " + formula + "."),
    )


def _momentum_buf(lr, formula: str) -> tuple[StageVariant, ...]:
    """PyTorch's buffer b asked for: the textbook velocity h = η·b (the other form)."""
    return (
        _v("momentum_form", ("buf",), lambda b: lr * b,
           "That is the textbook velocity h = {lr}·b (h ← αh + {lr}·g, w ← w − h); this lesson uses PyTorch's "
           "buffer b ← αb + g, w ← w − {lr}·b: " + formula + ".",
           "Это скорость из учебной формы h = {lr}·b (h ← αh + {lr}·g, w ← w − h); в этом уроке буфер "
           "PyTorch b ← αb + g, w ← w − {lr}·b: " + formula + ".", convention=True),
        *_momentum_slips(lambda g: g * 1.0, formula, "buf_prev"),
    )


# -- the methods ---------------------------------------------------------------------


def _gd(h, t, n):
    lr = h["lr"]
    fw = "{w} = {w_prev} − {lr}·{g}"
    return Plan((), (
        Stage("w", ("w_prev", "g"), lambda w, g: w - lr * g, fw, "w", _W_MEANING,
              lambda: (_added(fw), _no_lr(("w_prev", "g"), lambda w, g: w - g, fw))),
    ), {})


def _gd_decay(h, t, n):
    lr = h["lr"]
    fe, fw = "{eta} = {lr}/{t}", "{w} = {w_prev} − {eta}·{g}"
    off = {"en": f"You divided {{lr}} by {t + 1}, not by the step number {t}: ",
           "ru": f"Вы разделили {{lr}} на {t + 1}, а не на номер шага {t}: "}
    return Plan((), (
        Stage("eta", (), lambda: np.asarray(lr / t), fe, "{lr}",
              {"en": "the decayed step size η/t", "ru": "уменьшающийся шаг η/t"},
              lambda: (_v("decay_off_by_one", (), lambda: np.asarray(lr / (t + 1)),
                  off["en"] + fe + ".", off["ru"] + fe + "."),)),
        Stage("w", ("w_prev", "eta", "g"), lambda w, e, g: w - e * g, fw, "w", _W_MEANING,
              lambda: (_added(fw),
               _no_lr(("w_prev", "g"), lambda w, g: w - g, fw),
               _v("decay_off_by_one", ("w_prev", "g"), lambda w, g: w - lr / (t + 1) * g,
                  off["en"] + fe + ", " + fw + ".", off["ru"] + fe + ", " + fw + "."))),
    ), {})


def _momentum(h, t, n):
    lr, a = h["lr"], h["alpha"]
    if h["form"] == "textbook":
        fh, fw = "{h} = α·{h_prev} + {lr}·{g}", "{w} = {w_prev} − {h}"
        return Plan((), (
            Stage("h", ("h_prev", "g"), lambda hp, g: a * hp + lr * g, fh, "h", _H_MEANING,
                  lambda: _momentum_h(lr, a, fh)),
            Stage("w", ("w_prev", "h"), lambda w, hh: w - hh, fw, "w", _W_MEANING, lambda: (_added(fw),)),
        ), {"h": "h"})
    fb, fw = "{buf} = α·{buf_prev} + {g}", "{w} = {w_prev} − {lr}·{buf}"
    return Plan((), (
        Stage("buf", ("buf_prev", "g"), lambda bp, g: a * bp + g, fb, "b", _BUF_MEANING, lambda: _momentum_buf(lr, fb)),
        Stage("w", ("w_prev", "buf"), lambda w, b: w - lr * b, fw, "w", _W_MEANING,
              lambda: (_added(fw), _no_lr(("w_prev", "buf"), lambda w, b: w - b, fw))),
    ), {"buf": "buf"})


def _nesterov(h, t, n):
    lr, a = h["lr"], h["alpha"]
    if h["form"] == "textbook":
        fh, fw = "{h} = α·{h_prev} + {lr}·{g}", "{w} = {w_prev} − {h}"
        return Plan((
            Stage("look", ("w_prev", "h_prev"), lambda w, hp: w - a * hp,
                  "{look} = {w_prev} − α·{h_prev}", "w̃",
                  {"en": "the look-ahead point where Nesterov takes the gradient",
                   "ru": "точка «заглядывания вперёд», в которой метод Нестерова берёт градиент"}),
        ), (
            Stage("h", ("h_prev", "g"), lambda hp, g: a * hp + lr * g, fh, "h", _H_MEANING,
                  lambda: _momentum_h(lr, a, fh)),
            Stage("w", ("w_prev", "h"), lambda w, hh: w - hh, fw, "w", _W_MEANING, lambda: (
                _added(fw),
                _v("nesterov_form", ("w_prev", "g", "h"), lambda w, g, hh: w - lr * g - a * hh,
                   "You stepped by {lr}·{g} + α·{h}, PyTorch's Nesterov form (d = g + αb); the textbook form "
                   "used here steps by {h}: " + fw + ".",
                   "Вы сделали шаг {lr}·{g} + α·{h}, как в форме Нестерова из PyTorch (d = g + αb); в учебной "
                   "форме этого урока шаг равен {h}: " + fw + ".", convention=True))),
        ), {"h": "h"})
    fb, fd, fw = "{buf} = α·{buf_prev} + {g}", "{dir} = {g} + α·{buf}", "{w} = {w_prev} − {lr}·{dir}"
    return Plan((), (
        Stage("buf", ("buf_prev", "g"), lambda bp, g: a * bp + g, fb, "b", _BUF_MEANING, lambda: _momentum_buf(lr, fb)),
        Stage("dir", ("g", "buf"), lambda g, b: g + a * b, fd, "d",
              {"en": "the Nesterov step direction (PyTorch form): the gradient plus α times the buffer",
               "ru": "направление шага Нестерова (форма PyTorch): градиент плюс α, умноженное на буфер"}),
        Stage("w", ("w_prev", "dir"), lambda w, d: w - lr * d, fw, "w", _W_MEANING, lambda: (
            _added(fw),
            _no_lr(("w_prev", "dir"), lambda w, d: w - d, fw),
            _v("nesterov_form", ("w_prev", "buf"), lambda w, b: w - lr * b,
               "You stepped by {lr}·{buf}, as plain momentum or the textbook form's w − h does; PyTorch's "
               "Nesterov form used here steps along {dir} = {g} + α·{buf}: " + fw + ".",
               "Вы сделали шаг {lr}·{buf}, как в обычном методе инерции или в учебной форме (w − h); в форме "
               "Нестерова из PyTorch, принятой здесь, шаг идёт вдоль {dir} = {g} + α·{buf}: " + fw + ".",
               convention=True))),
    ), {"buf": "buf"})


def _scaled(g, acc, eps, inside):
    """g/(√acc + ε) or g/√(acc + ε); a zero denominator gives inf/nan, caught by the caller."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return g / (np.sqrt(acc + eps) if inside else np.sqrt(acc) + eps)


def _eps_formula(num: str, acc: str, inside: bool) -> str:
    return f"{num}/√({acc} + ε)" if inside else f"{num}/(√{acc} + ε)"


def _adagrad(h, t, n):
    lr, eps, inside = h["lr"], h["eps"], h["eps_placement"] == "inside"
    fG = "{G} = {G_prev} + {g}²"
    fw = "{w} = {w_prev} − {lr}·" + _eps_formula("{g}", "{G}", inside)
    return Plan((), (
        Stage("G", ("G_prev", "g"), lambda Gp, g: Gp + g * g, fG, "G",
              {"en": "the running sum of squared gradients (AdaGrad)",
               "ru": "накопленная сумма квадратов градиентов (AdaGrad)"},
              lambda: _no_square("G", ("G_prev", "g"), None, fG)),
        Stage("w", ("w_prev", "g", "G"), lambda w, g, G: w - lr * _scaled(g, G, eps, inside), fw, "w", _W_MEANING,
              lambda: (_added(fw), *_eps_mistakes(lr, eps, inside, "g", "G", fw))),
    ), {"G": "G"})


def _rmsprop(h, t, n):
    lr, a, eps, inside = h["lr"], h["alpha"], h["eps"], h["eps_placement"] == "inside"
    fv = "{v} = α·{v_prev} + (1 − α)·{g}²"
    fw = "{w} = {w_prev} − {lr}·" + _eps_formula("{g}", "{v}", inside)
    return Plan((), (
        Stage("v", ("v_prev", "g"), lambda vp, g: a * vp + (1.0 - a) * g * g, fv, "v",
              {"en": "the moving average of squared gradients (RMSprop)",
               "ru": "скользящее среднее квадратов градиентов (RMSprop)"},
              lambda: _no_square("v", ("v_prev", "g"), a, fv)),
        Stage("w", ("w_prev", "g", "v"), lambda w, g, v: w - lr * _scaled(g, v, eps, inside), fw, "w", _W_MEANING,
              lambda: (_added(fw), *_eps_mistakes(lr, eps, inside, "g", "v", fw))),
    ), {"v": "v"})


def _adam(h, t, n):
    lr, b1, b2, eps = h["lr"], h["beta1"], h["beta2"], h["eps"]
    inside = h["eps_placement"] == "inside"
    corrected = h["bias_correction"]
    c1, c2 = (1.0 - b1 ** t, 1.0 - b2 ** t) if corrected else (1.0, 1.0)
    fed_back = h["form"] == "fed_back"
    prev_note = {"en": " (the previous step's bias-corrected value is fed back)" if fed_back else "",
                 "ru": " (в формулу подставляется исправленное значение прошлого шага)" if fed_back else ""}
    if corrected:
        fmh, fvh = "{m_hat} = {m}/(1 − β₁^{t})", "{v_hat} = {v}/(1 − β₂^{t})"
    else:
        fmh, fvh = "{m_hat} = {m} (no bias correction)", "{v_hat} = {v} (no bias correction)"
    fm, fv = "{m} = β₁·{m_prev} + (1 − β₁)·{g}", "{v} = β₂·{v_prev} + (1 − β₂)·{g}²"
    fw = "{w} = {w_prev} − {lr}·" + _eps_formula("{m_hat}", "{v_hat}", inside)

    def form_mistake(key: str, b: float, formula: str) -> tuple[StageVariant, ...]:
        """The other Adam form: the moment carried from step t − 1 corrected or not (from step 2 on)."""
        if t < 2:
            return ()
        power = 2 if key == "v" else 1

        def fn(prev, g):
            return b * prev + (1.0 - b) * g ** power

        if fed_back:
            return (_v(f"{key}_adam_form", (f"{key}_last", "g"), fn,
                       f"You carried the uncorrected {key} of the last step, as PyTorch does; this lesson feeds "
                       f"back the bias-corrected {key}̂: " + formula + ".",
                       f"Вы взяли неисправленное {key} прошлого шага, как в PyTorch; в этом уроке подставляется "
                       f"исправленное {key}̂: " + formula + ".", convention=True),)
        return (_v(f"{key}_adam_form", (f"{key}_hat_last", "g"), fn,
                   f"You fed back the bias-corrected {key}̂ of the last step; this lesson carries the uncorrected "
                   f"{key}, as PyTorch and Kingma & Ba do: " + formula + ".",
                   f"Вы подставили исправленное {key}̂ прошлого шага; в этом уроке, как в PyTorch и у Kingma & Ba, "
                   f"переносится неисправленное {key}: " + formula + ".", convention=True),)

    def uncorrected(key: str, formula: str) -> tuple[StageVariant, ...]:
        if not corrected:
            return ()
        return (_v("no_bias_correction", (key,), lambda x: x * 1.0,
                   "You left out the bias correction: " + formula + ".",
                   "Вы забыли поправку на смещение: " + formula + "."),)

    def w_mistakes() -> tuple[StageVariant, ...]:
        out = [_added(fw), *_eps_mistakes(lr, eps, inside, "m_hat", "v_hat", fw)]
        if corrected:
            out.append(_v("no_bias_correction", ("w_prev", "m", "v"),
                          lambda w, m, v: w - lr * _scaled(m, v, eps, inside),
                          "You left out the bias correction (m and v in place of m̂ and v̂): " + fw + ".",
                          "Вы забыли поправку на смещение (m и v вместо m̂ и v̂): " + fw + "."))
        return tuple(out)

    stages = (
        Stage("m", ("m_prev", "g"), lambda mp, g: b1 * mp + (1.0 - b1) * g, fm, "m",
              {"en": "Adam's first moment: the moving average of gradients" + prev_note["en"],
               "ru": "первый момент Adam: скользящее среднее градиентов" + prev_note["ru"]},
              lambda: form_mistake("m", b1, fm)),
        Stage("v", ("v_prev", "g"), lambda vp, g: b2 * vp + (1.0 - b2) * g * g, fv, "v",
              {"en": "Adam's second moment: the moving average of squared gradients" + prev_note["en"],
               "ru": "второй момент Adam: скользящее среднее квадратов градиентов" + prev_note["ru"]},
              lambda: form_mistake("v", b2, fv) + _no_square("v", ("v_prev", "g"), b2, fv)),
        Stage("m_hat", ("m",), lambda m: m / c1, fmh, "m̂",
              {"en": "the bias-corrected first moment", "ru": "первый момент с поправкой на смещение"},
              lambda: uncorrected("m", fmh)),
        Stage("v_hat", ("v",), lambda v: v / c2, fvh, "v̂",
              {"en": "the bias-corrected second moment", "ru": "второй момент с поправкой на смещение"},
              lambda: uncorrected("v", fvh)),
        Stage("w", ("w_prev", "m_hat", "v_hat"), lambda w, m, v: w - lr * _scaled(m, v, eps, inside), fw, "w",
              _W_MEANING, w_mistakes),
    )
    carry = {"m": "m_hat", "v": "v_hat"} if fed_back else {"m": "m", "v": "v"}
    return Plan((), stages, carry)


def _newton(h, t, n):
    lr = h["lr"]
    lr_text = "" if lr == 1.0 else "{lr}·"
    fw = "{w} = {w_prev} − " + lr_text + "{H}⁻¹·{g}"
    return Plan((), (
        Stage("w", ("w_prev", "g", "H"), lambda w, g, H: w - lr * _solve(H, g), fw, "w", _W_MEANING, lambda: (
            _added(fw),
            _no_lr(("w_prev", "g", "H"), lambda w, g, H: w - _solve(H, g), fw),
            _v("hessian_not_inverted", ("w_prev", "g", "H"), lambda w, g, H: w - lr * _times(H, g),
               "You multiplied by {H} instead of its inverse {H}⁻¹: " + fw + ".",
               "Вы умножили на {H}, а нужно на обратную к ней {H}⁻¹: " + fw + "."))),
    ), {}, needs_hessian=True)


def _coordinate(h, t, n):
    def along(w, g, H, times: bool):
        w, g, H = np.asarray(w), np.asarray(g), np.asarray(H)
        if w.ndim == 0:
            return w - (H * g if times else _solve(H, g))
        i = (t - 1) % w.size
        out = np.array(w, dtype=np.float64)  # a fresh copy; the recorded w is untouched
        with np.errstate(divide="ignore", invalid="ignore"):
            out[i] = w[i] - (g[i] * H[i, i] if times else g[i] / H[i, i])
        return out

    fw = _coordinate_formula(t, n)
    return Plan((), (
        Stage("w", ("w_prev", "g", "H"), lambda w, g, H: along(w, g, H, False), fw, "w",
              {"en": "the parameters after step {t}: exact minimisation along one coordinate",
               "ru": "параметры после шага {t}: точная минимизация вдоль одной координаты"}, lambda: (
                  _added(fw),
                  _v("hessian_not_inverted", ("w_prev", "g", "H"), lambda w, g, H: along(w, g, H, True),
                     "You multiplied by the second derivative instead of dividing by it: " + fw + ".",
                     "Вы умножили на вторую производную, а на неё нужно делить: " + fw + "."))),
    ), {}, needs_hessian=True)


def _coordinate_formula(t: int, n: int | None) -> str:
    if n == 1:
        return "{w} = {w_prev} − {g}/{H}"
    if n is None:
        return ("{w}[i] = {w_prev}[i] − {g}[i]/{H}[i, i], i = (({t} − 1) mod n) + 1; "
                "{w}[j] = {w_prev}[j], j ≠ i")
    i = (t - 1) % n + 1
    rest = [f"{{w}}[{j}] = {{w_prev}}[{j}]" for j in range(1, n + 1) if j != i]
    return "; ".join([f"{{w}}[{i}] = {{w_prev}}[{i}] − {{g}}[{i}]/{{H}}[{i}, {i}]"] + rest)


def _times(H, g) -> Array:
    """H·g (a number times a number for one parameter)."""
    H, g = np.asarray(H, dtype=np.float64), np.asarray(g, dtype=np.float64)
    return H * g if H.ndim == 0 else H @ g


def _solve(H, g) -> Array:
    """H⁻¹·g; nan when H is singular (shown to the caller as a non-finite value)."""
    H, g = np.asarray(H, dtype=np.float64), np.asarray(g, dtype=np.float64)
    if H.ndim == 0:
        with np.errstate(divide="ignore", invalid="ignore"):
            return g / H
    try:
        return np.linalg.solve(H, g)
    except np.linalg.LinAlgError:
        return np.full_like(g, np.nan)


_W_MEANING = {"en": "the parameters after step {t}", "ru": "параметры после шага {t}"}
_H_MEANING = {"en": "the momentum (velocity) h: the step actually taken, textbook form",
              "ru": "инерция (скорость) h: сделанный шаг, учебная форма"}
_BUF_MEANING = {"en": "the momentum buffer b (PyTorch form): a running sum of gradients",
                "ru": "буфер инерции b (форма PyTorch): накопленная сумма градиентов"}

_PLANS: Mapping[str, Callable[[Mapping[str, Any], int], Plan]] = MappingProxyType({
    "gd": _gd, "gd_decay": _gd_decay, "momentum": _momentum, "nesterov": _nesterov,
    "adagrad": _adagrad, "rmsprop": _rmsprop, "adam": _adam, "newton": _newton,
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
