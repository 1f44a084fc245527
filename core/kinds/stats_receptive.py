"""The stats kind's receptive field: a stack of square convolutions and poolings on an n×n input.

One side is computed (rows and columns alike): the jump jₗ = jₗ₋₁·sₗ, the receptive field
rₗ = rₗ₋₁ + dₗ(kₗ − 1)·jₗ₋₁ (r₀ = j₀ = 1) and, with the input side n₀, the output side
nₗ = ⌊(nₗ₋₁ + 2pₗ − dₗ(kₗ − 1) − 1)/sₗ⌋ + 1.

The output side is convolution's output-size operation (:func:`nntutor.core.ops.conv.positions`),
read from the side below. Each mistake is declared only where it can differ from the right value
(a stride of 1 cannot be left out), and a mistake in rₗ is declared twice: made at this layer after the right rₗ₋₁, and
made at every layer up to l, for a student who skipped the earlier steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from ..graph import Mistake
from ..notation import subscript
from ..ops.conv import positions
from ..ops.record import same
from ..writer import Writer
from . import DataError, read_choice, read_int, reject_unknown

FIELDS = {"size", "layers"}
_LAYER = {"type", "kernel", "stride", "padding", "dilation"}
_LAYER_TYPES = ("conv", "maxpool", "avgpool")
_MAX_LAYERS = 30
_MAX_FIELD = 2 ** 53  # beyond this float64 no longer holds every whole number
_MOST = 1_000_000  # the largest size, kernel, stride, padding or dilation a lesson may give
_LAYER_NAMES = {"conv": ("convolution", "свёртка"), "maxpool": ("max pooling", "макс-пулинг"),
                "avgpool": ("average pooling", "усредняющий пулинг")}


@dataclass(frozen=True)
class _Layer:
    """One layer of the stack, per side: kernel k, stride s, padding p, dilation d."""

    type: str
    k: int
    s: int
    p: int
    d: int
    same: bool = False  # the padding is "same": the one that keeps the side, a quantity to work out

    @property
    def span(self) -> int:
        """The input width of one window: d(k − 1) + 1 (k without dilation)."""
        return self.d * (self.k - 1) + 1

    @property
    def pool(self) -> bool:
        return self.type != "conv"


def _read_layers(t: Mapping[str, Any], path: str) -> list[_Layer]:
    field = f"{path}.layers"
    raw = t.get("layers")
    if not isinstance(raw, list) or not raw:
        raise DataError(field, 'missing or empty: a list of layers in order, such as '
                               '[{ type = "conv", kernel = 3 }, { type = "maxpool", kernel = 2 }]')
    if len(raw) > _MAX_LAYERS:
        raise DataError(field, f"too many layers ({len(raw)}; at most {_MAX_LAYERS})")
    layers = []
    for i, item in enumerate(raw, start=1):
        lpath = f"{field}[{i}]"
        if not isinstance(item, Mapping):
            raise DataError(lpath, 'must be an inline table such as { type = "conv", kernel = 3 }')
        reject_unknown(item, lpath, _LAYER)
        kind = read_choice(item, "type", lpath, _LAYER_TYPES)
        k = read_int(item, "kernel", lpath, 1, _MOST)
        # a pooling window moves by its own size unless told otherwise (as in PyTorch)
        s = read_int(item, "stride", lpath, 1, _MOST, default=1 if kind == "conv" else k)
        if "dilation" in item and kind != "conv":
            raise DataError(f"{lpath}.dilation", "only a convolution takes a dilation here")
        d = read_int(item, "dilation", lpath, 1, _MOST, default=1)
        if item.get("padding") == "same":
            _check_same(kind, k, s, d, lpath)
            layers.append(_Layer(kind, k, s, d * (k - 1) // 2, d, True))
            continue
        p = read_int(item, "padding", lpath, 0, _MOST, default=0)
        if kind != "conv" and p > k // 2:  # as PyTorch: else a window could see padding only
            raise DataError(f"{lpath}.padding", f"a pooling's padding can be at most half its window, "
                                                f"⌊{k}/2⌋ = {k // 2}; got {p}")
        layers.append(_Layer(kind, k, s, p, d))
    return layers


def _check_same(kind: str, k: int, s: int, d: int, lpath: str) -> None:
    """"same" padding keeps the side: a convolution with stride 1 whose span d(k − 1) + 1 is odd."""
    if kind != "conv":
        raise DataError(f"{lpath}.padding", '"same" is for a convolution here; give a pooling its padding in pixels')
    if s != 1:
        raise DataError(f"{lpath}.padding", f'"same" keeps the side only with stride 1, got stride {s}')
    if d * (k - 1) % 2:
        raise DataError(f"{lpath}.padding", f'"same" needs an odd span d(k − 1) + 1 (an odd kernel), so that '
                                            f"p = d(k − 1)/2 is whole; got k = {k}, d = {d}")


def receptive(w: Writer, t: Mapping[str, Any], path: str) -> None:
    """Per layer l (1-based): jₗ = jₗ₋₁·sₗ, rₗ = rₗ₋₁ + dₗ(kₗ − 1)·jₗ₋₁ (r₀ = j₀ = 1) and, with
    the input side n₀, nₗ = ⌊(nₗ₋₁ + 2pₗ − dₗ(kₗ − 1) − 1)/sₗ⌋ + 1. One side of a square stack."""
    reject_unknown(t, path, FIELDS)
    size = read_int(t, "size", path, 1, _MOST) if "size" in t else None
    layers = _read_layers(t, path)
    # exact integers first, so that bad data is named before anything is built
    r, j, n = 1, 1, size
    for l, ly in enumerate(layers, start=1):
        r, j = r + (ly.span - 1) * j, j * ly.s
        if r > _MAX_FIELD or j > _MAX_FIELD:
            raise DataError(f"{path}.layers", f"the receptive field or jump passes 2⁵³ pixels at layer {l}; "
                                              "use fewer layers or smaller strides")
        if n is not None:
            out = (n + 2 * ly.p - ly.span) // ly.s + 1
            if out < 1:
                window = f"{ly.span}" + (f" (d(k − 1) + 1 with d = {ly.d})" if ly.d != 1 else "")
                raise DataError(f"{path}.layers[{l}]",
                                f"the window does not fit: layer {l} gets {n} pixels per side plus {ly.p} of "
                                f"padding on each side, but its window spans {window}; "
                                f"⌊({n} + 2·{ly.p} − {ly.span})/{ly.s}⌋ + 1 = {out}")
            n = out
    dilated = any(ly.d != 1 for ly in layers)

    w.given("receptive.kernel", [ly.k for ly in layers], "k",
            {"en": "the kernel (window) size k of each layer, in order (k×k)",
             "ru": "размер ядра (окна) k каждого слоя по порядку (k×k)"})
    w.given("receptive.stride", [ly.s for ly in layers], "s",
            {"en": "the stride s of each layer", "ru": "шаг s каждого слоя"})
    if dilated:
        w.given("receptive.dilation", [ly.d for ly in layers], "d",
                {"en": "the dilation d of each layer (1: an ordinary kernel)",
                 "ru": "расширение (dilation) d каждого слоя (1 — обычное ядро)"})
    if size is not None:
        w.given("receptive.padding", [ly.p for ly in layers], "p",
                {"en": "the zero padding p of each layer, on each side",
                 "ru": "дополнение нулями p каждого слоя, с каждой стороны"})
        w.given("receptive.n0", size, "n₀", {"en": "the side of the input (n₀×n₀ pixels)",
                                              "ru": "сторона входа (n₀×n₀ пикселей)"})
    for l in range(1, len(layers) + 1):
        _receptive_layer(w, layers, l, dilated, size is not None)
    last = len(layers)
    w.derived("receptive.r", same, [f"receptive.r{last}"], "r",
              {"en": "the receptive field of a unit of the last layer: it sees r×r input pixels",
               "ru": "рецептивное поле (поле обзора) нейрона последнего слоя: он видит r×r пикселей входа"},
              "value", f"r = r{subscript(str(last))}",
              _r_mistakes(layers, last, dilated))
    w.convention("receptive", _receptive_convention(dilated, size is not None))
    if size is not None and any(ly.same for ly in layers):
        w.convention("same_padding", {
            "en": "\"same\" padding (stride 1, an odd span d(k − 1) + 1): p = d(k − 1)/2 zeros on each side, so "
                  "the output side equals the input side",
            "ru": "дополнение «same» (шаг 1, нечётный охват d(k − 1) + 1): p = d(k − 1)/2 нулей с каждой стороны, "
                  "поэтому сторона выхода равна стороне входа",
        })


def _describe(ly: _Layer) -> dict[str, str]:
    """'max pooling 2×2, stride 2' in both languages."""
    en, ru = _LAYER_NAMES[ly.type]
    extra_en = f", dilation {ly.d}" if ly.d != 1 else ""
    extra_ru = f", расширение {ly.d}" if ly.d != 1 else ""
    return {"en": f"{en} {ly.k}×{ly.k}, stride {ly.s}{extra_en}",
            "ru": f"{ru} {ly.k}×{ly.k}, шаг {ly.s}{extra_ru}"}


def _receptive_layer(w: Writer, layers: list[_Layer], l: int, dilated: bool, sized: bool) -> None:
    """jₗ, rₗ and (with the input size) nₗ of layer l; the layer's numbers are fixed by the data."""
    ly = layers[l - 1]
    sl, sp = subscript(str(l)), subscript(str(l - 1))
    what = _describe(ly)
    prev_j = [f"receptive.j{l - 1}"] if l > 1 else []  # j₀ = r₀ = 1 are not quantities
    prev_r = [f"receptive.r{l - 1}"] if l > 1 else []
    if l == 1:
        j_fn = lambda s=ly.s: float(s)  # noqa: E731
        r_fn = lambda span=ly.span: float(span)  # noqa: E731
    else:
        j_fn = lambda jp, s=ly.s: jp * s  # noqa: E731
        r_fn = lambda rp, jp, span=ly.span: rp + (span - 1) * jp  # noqa: E731
    w.derived(f"receptive.j{l}", j_fn, prev_j, f"j{sl}",
              {"en": f"the jump of layer {l} ({what['en']}): how many input pixels apart its neighbouring units are",
               "ru": f"суммарный шаг слоя {l} ({what['ru']}): на сколько пикселей входа отстоят друг от друга "
                     f"соседние нейроны этого слоя"},
              "value", f"j{sl} = j{sp}·s{sl}", _j_mistakes(layers, l))
    kd = f"d{sl}(k{sl} − 1)" if dilated else f"(k{sl} − 1)"
    w.derived(f"receptive.r{l}", r_fn, [*prev_r, *prev_j], f"r{sl}",
              {"en": f"the receptive field of a unit of layer {l} ({what['en']}): the width of the input window "
                     f"it sees, in pixels",
               "ru": f"рецептивное поле (поле обзора) нейрона слоя {l} ({what['ru']}): ширина окна входа, "
                     f"которое он видит, в пикселях"},
              "value", f"r{sl} = r{sp} + {kd}·j{sp}", _r_mistakes(layers, l, dilated))
    if sized and ly.same:
        _same_padding(w, ly, l, what)
    if sized:
        ks = f"d{sl}(k{sl} − 1) − 1" if dilated else f"k{sl}"
        w.apply(positions(None, ly.k, ly.s, ly.p, ly.d, ly.pool), f"receptive.n{l}", f"n{sl}",
                {"en": f"the side of the output of layer {l} ({what['en']}, padding {ly.p})",
                 "ru": f"сторона выхода слоя {l} ({what['ru']}, дополнение {ly.p})"},
                "value", names={"p": f"p{sl}", "k": ks, "s": f"s{sl}"}, n=f"receptive.n{l - 1}")


def _same_padding(w: Writer, ly: _Layer, l: int, what: Mapping[str, str]) -> None:
    """pₗ = dₗ(kₗ − 1)/2: the zeros on each side that make ⌊n + 2p − d(k − 1) − 1⌋ + 1 = n."""
    sl = subscript(str(l))
    twice, k = float(ly.d * (ly.k - 1)), ly.k
    mistakes = [Mistake("same_both_sides", (), lambda: twice, _SAME_BOTH_SIDES)]
    if ly.d != 1:
        mistakes.append(Mistake("same_no_dilation", (), lambda: (k - 1) / 2, _SAME_NO_DILATION))
    if ly.d == 1 and k > 1:
        mistakes.append(Mistake("same_half_kernel", (), lambda: float((k + 1) // 2), _SAME_HALF))
    formula = f"p{sl} = d{sl}(k{sl} − 1)/2 = {ly.d}·({k} − 1)/2" if ly.d != 1 else f"p{sl} = (k{sl} − 1)/2 = ({k} − 1)/2"
    w.derived(f"receptive.p{l}", lambda: float(ly.p), [], f"p{sl}",
              {"en": f'the "same" padding of layer {l} ({what["en"]}): the zeros on each side that keep the side',
               "ru": f"дополнение «same» слоя {l} ({what['ru']}): сколько нулей добавить с каждой стороны, чтобы "
                     f"размер не изменился"},
              "value", formula, mistakes)


_SAME_BOTH_SIDES = {
    "en": "That is the padding of both sides together: the window loses d(k − 1) pixels in all, half of them on "
          "each side, so p = d(k − 1)/2 per side.",
    "ru": "Это дополнение с обеих сторон вместе: окно «съедает» d(k − 1) пикселей, половину с каждой стороны, "
          "поэтому p = d(k − 1)/2 с каждой стороны.",
}
_SAME_NO_DILATION = {
    "en": "You ignored the dilation: the kernel spans d(k − 1) + 1 pixels, so p = d(k − 1)/2, not (k − 1)/2.",
    "ru": "Вы не учли расширение (dilation): ядро накрывает d(k − 1) + 1 пикселей, поэтому p = d(k − 1)/2, "
          "а не (k − 1)/2.",
}
_SAME_HALF = {
    "en": "Not k/2 rounded up: the window covers its centre pixel itself, so each side needs (k − 1)/2 zeros.",
    "ru": "Не k/2 с округлением вверх: центральный пиксель окно накрывает само, поэтому с каждой стороны нужно "
          "(k − 1)/2 нулей.",
}


def _j_mistakes(layers: list[_Layer], l: int) -> list[Mistake]:
    """jₗ = jₗ₋₁·sₗ with the stride left out, the earlier jump left out, or the strides added (each only
    where it can differ from the right value: sₗ ≠ 1, jₗ₋₁ ≠ 1)."""
    ly = layers[l - 1]
    sl, sp = subscript(str(l)), subscript(str(l - 1))
    right = f"j{sl} = j{sp}·s{sl}"
    deps = (f"receptive.j{l - 1}",) if l > 1 else ()
    j_prev = float(np.prod([x.s for x in layers[:l - 1]]))
    out = []
    if ly.s != 1:
        pool_en, pool_ru = _pool_stride_note(ly)
        out.append(Mistake("no_stride", deps, (lambda jp: jp * 1.0) if l > 1 else (lambda: 1.0), {
            "en": f"You left out the stride of layer {l}, s{sl} = {ly.s}{pool_en}: {right}.",
            "ru": f"Вы не учли шаг слоя {l}, s{sl} = {ly.s}{pool_ru}: {right}."}))
    if j_prev != 1:
        out += [
            Mistake("stride_only", (), lambda s=ly.s: float(s), {
                "en": f"You took only this layer's stride; the strides of all earlier layers multiply into the "
                      f"jump: {right}.",
                "ru": f"Вы взяли только шаг этого слоя, а в суммарный шаг входят шаги всех слоёв ниже "
                      f"(они перемножаются): {right}."}),
            Mistake("strides_added", deps, lambda jp, s=ly.s: jp + s, {
                "en": f"Strides multiply, they do not add: {right}.",
                "ru": f"Шаги перемножаются, а не складываются: {right}."}),
        ]
    return out


def _pool_stride_note(ly: _Layer) -> tuple[str, str]:
    """A reminder that a pooling moves by its size, when it does."""
    if not ly.pool or ly.s != ly.k:
        return "", ""
    return (f" (a {ly.k}×{ly.k} pooling moves by {ly.k} unless another stride is given)",
            f" (пулинг {ly.k}×{ly.k} сдвигается на {ly.k}, если не указан другой шаг)")


# the wrong ways to grow the field, each a step rₗ₋₁, jₗ₋₁ → rₗ for one layer
def _grow(mode: str, ly: _Layer, r: float, j: float) -> float:
    if mode == "no_jump":
        return r + (ly.span - 1)
    if mode == "own_stride":
        return r + (ly.span - 1) * ly.s
    if mode == "own_jump":
        return r + (ly.span - 1) * j * ly.s
    if mode == "plus_k":
        return r + ly.span * j
    if mode == "no_dilation":
        return r + (ly.k - 1) * j
    if mode == "pool_no_growth" and ly.pool:
        return r
    return r + (ly.span - 1) * j  # right


def _chain(layers: list[_Layer], upto: int, mode: str) -> float:
    """r of layer ``upto`` when the step ``mode`` is taken at every layer (r₀ = j₀ = 1)."""
    r, j = 1.0, 1.0
    for ly in layers[:upto]:
        r, j = _grow(mode, ly, r, j), j * ly.s
    return r


def _r_messages(l: int | None, dilated: bool) -> dict[str, dict[str, str]]:
    """The message of each mistake in rₗ; ``l`` None: about the stack as a whole."""
    each = l is None
    if each:
        sl, sp = "ₗ", "ₗ₋₁"
        below, below_ru = "units of the layer below", "нейроны предыдущего слоя"
    else:
        sl, sp = subscript(str(l)), subscript(str(l - 1))
        below, below_ru = (f"units of layer {l - 1}", f"нейроны слоя {l - 1}") if l > 1 else \
            ("input pixels", "пиксели входа")
    kd = f"d{sl}(k{sl} − 1)" if dilated else f"(k{sl} − 1)"
    right = f"r{sl} = r{sp} + {kd}·j{sp}"
    return {
        "no_jump": {
            "en": f"You added k − 1 without the jump{' at each layer' if each else ''}: neighbouring {below} are "
                  f"j{sp} input pixels apart, so {right}.",
            "ru": f"Вы прибавили k − 1, не умножив на суммарный шаг{' ни на одном слое' if each else ''}: "
                  f"соседние {below_ru} отстоят на j{sp} пикселей входа, поэтому {right}."},
        "own_stride": {
            "en": f"You multiplied by {'each' if each else 'this'} layer's own stride s{sl}; its window steps "
                  f"over {below}, which are j{sp} input pixels apart: {right}.",
            "ru": f"Вы умножили на собственный шаг {'каждого слоя' if each else 'слоя'} s{sl}, а окно слоя "
                  f"перебирает {below_ru}, которые отстоят друг от друга на j{sp} пикселей входа: {right}."},
        "own_jump": {
            "en": f"You used the jump after {'each' if each else 'this'} layer, j{sl} = j{sp}·s{sl}; a layer's "
                  f"stride spaces only its own outputs, its window still steps j{sp} pixels: {right}.",
            "ru": f"Вы взяли суммарный шаг после {'каждого' if each else 'этого'} слоя, j{sl} = j{sp}·s{sl}; шаг "
                  f"слоя раздвигает только его выходы, а окно по-прежнему шагает на j{sp} пикселей: {right}."},
        "plus_k": {
            "en": f"You added k·j{sp}; the first of the window's k positions is already counted in r{sp}, "
                  f"each of the other k − 1 adds j{sp} pixels: {right}.",
            "ru": f"Вы прибавили k·j{sp}, но первая из k позиций окна уже учтена в r{sp}, а каждая из "
                  f"остальных k − 1 добавляет j{sp} пикселей: {right}."},
        "no_dilation": {
            "en": f"You ignored the dilation: a kernel with dilation d spans d(k − 1) + 1 positions, so {right}.",
            "ru": f"Вы не учли расширение (dilation): ядро с расширением d накрывает d(k − 1) + 1 позиций, "
                  f"поэтому {right}."},
        "pool_no_growth": {
            "en": f"A pooling window also covers k positions, so it widens the field like a convolution of the "
                  f"same size: {right}.",
            "ru": f"Окно пулинга тоже охватывает k позиций и расширяет поле так же, как свёртка того же "
                  f"размера: {right}."},
    }


_R_MODES = ("no_jump", "own_stride", "own_jump", "plus_k", "no_dilation")


def _r_mistakes(layers: list[_Layer], l: int, dilated: bool) -> list[Mistake]:
    """rₗ with this layer's step taken wrongly (after the right rₗ₋₁, jₗ₋₁), then with the same mistake
    made at every layer up to l, for a student who skipped the earlier steps."""
    ly = layers[l - 1]
    messages = _r_messages(l, dilated)
    deps = (f"receptive.r{l - 1}", f"receptive.j{l - 1}") if l > 1 else ()
    r_prev, j_prev = _chain(layers, l - 1, "right"), float(np.prod([x.s for x in layers[:l - 1]]))
    # left out where they cannot differ from the right value or from each other: with jₗ₋₁ = 1 the jump
    # is never missed and "the jump after it" is "times its own stride"; with stride 1 "times its own
    # stride" is "without the jump"
    modes = [m for m in _R_MODES if (m != "no_dilation" or ly.d != 1) and (m != "no_jump" or j_prev != 1)
             and (m not in ("own_stride", "own_jump") or ly.s != 1) and (m != "own_jump" or j_prev != 1)]
    if ly.pool:
        modes.append("pool_no_growth")
    out = []
    for mode in modes:
        if l > 1:
            fn = lambda r_, j_, mode=mode: _grow(mode, ly, float(r_), float(j_))  # noqa: E731
        else:
            fn = lambda mode=mode: _grow(mode, ly, 1.0, 1.0)  # noqa: E731
        out.append(Mistake(mode, deps, fn, messages[mode]))
    if l == 1:
        return out
    # where the mistake at every layer gives the same number as at this layer alone, it gets the same
    # message (so the student reads it once); otherwise the message speaks of the stack as a whole
    here = {mode: _grow(mode, ly, r_prev, j_prev) for mode in modes}
    for v in _r_chain_mistakes(layers, l, dilated):
        mode = v.name[:-len("_all")]
        alike = mode in here and here[mode] == v.fn()
        out.append(Mistake(v.name, v.deps, v.fn, messages[mode]) if alike else v)
    return out


def _r_chain_mistakes(layers: list[_Layer], l: int, dilated: bool) -> list[Mistake]:
    """The mistakes of rₗ made at every layer up to l, worded for the stack as a whole."""
    messages = _r_messages(None, dilated)
    strided = any(ly.s != 1 for ly in layers[:l])  # else every jump is 1 and these mistakes change nothing
    modes = [m for m in _R_MODES if (m != "no_dilation" or any(ly.d != 1 for ly in layers[:l]))
             and (m not in ("own_stride", "own_jump") or strided)
             and (m != "no_jump" or any(ly.s != 1 for ly in layers[:l - 1]))]
    if any(ly.pool for ly in layers[:l]):
        modes.append("pool_no_growth")
    return [Mistake(f"{mode}_all", (), lambda mode=mode: _chain(layers, l, mode), messages[mode]) for mode in modes]


def _receptive_convention(dilated: bool, sized: bool) -> dict[str, str]:
    en = ("square kernels on a square input treat rows and columns alike, so one side is computed: a unit of "
          "layer l sees rₗ×rₗ input pixels. r₀ = 1 and j₀ = 1 (a pixel sees itself; pixels are 1 apart); "
          "jₗ = jₗ₋₁·sₗ is how many input pixels apart neighbouring units of layer l are; "
          "rₗ = rₗ₋₁ + (kₗ − 1)·jₗ₋₁. A pooling window widens the field exactly like a convolution of the same "
          "size and stride; a pooling moves by its size unless its stride is given, a convolution by 1. "
          "Padding shifts the windows but does not change their width (near the border part of the field lies "
          "on the padding); rₗ is the whole width of the window, with any pixels skipped inside it")
    ru = ("ядра и вход квадратные, строки и столбцы обрабатываются одинаково, поэтому считается "
          "одна сторона: нейрон слоя l видит rₗ×rₗ пикселей входа. r₀ = 1 и j₀ = 1 (пиксель видит сам себя, "
          "соседние пиксели отстоят на 1); jₗ = jₗ₋₁·sₗ — на сколько пикселей входа отстоят соседние нейроны "
          "слоя l; rₗ = rₗ₋₁ + (kₗ − 1)·jₗ₋₁. Окно пулинга расширяет поле так же, как свёртка того же размера "
          "и шага; пулинг сдвигается на свой размер, если шаг не указан, свёртка — на 1. Дополнение нулями "
          "сдвигает окна, но не меняет их ширину (у края часть поля приходится на дополнение); rₗ — полная "
          "ширина окна, включая пропущенные внутри пиксели")
    if dilated:
        en += "; a kernel with dilation d spans d(k − 1) + 1 positions, so rₗ = rₗ₋₁ + dₗ(kₗ − 1)·jₗ₋₁"
        ru += "; ядро с расширением (dilation) d накрывает d(k − 1) + 1 позиций, так что rₗ = rₗ₋₁ + dₗ(kₗ − 1)·jₗ₋₁"
    if sized:
        en += "; the output side nₗ = ⌊(nₗ₋₁ + 2pₗ − kₗ)/sₗ⌋ + 1, rounded down"
        ru += "; сторона выхода nₗ = ⌊(nₗ₋₁ + 2pₗ − kₗ)/sₗ⌋ + 1, с округлением вниз"
        if dilated:
            en += ", with d(k − 1) + 1 in place of k for a dilated kernel"
            ru += ", где для ядра с расширением вместо k стоит d(k − 1) + 1"
    return {"en": en, "ru": ru}
