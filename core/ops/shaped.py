"""An operation written for its own full shapes, placed where a kind stores values in other shapes.

The rnn kind computes with column vectors and matrices (x_t of n_in, U of n_h×n_in) but stores
values with sizes of 1 dropped, so a scalar net has scalar quantities; the conv kind computes on
C×H×W images and F×C×k×k kernels but stores what the lesson wrote (an H×W image, one k×k kernel).
:func:`reshaped` bridges the two once per operation: the kind places the result at every step.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable, Sequence

import numpy as np

from .record import Op

Shape = tuple[int, ...]


def reshaped(op: Op, out: Shape, **shapes: Shape) -> Op:
    """``op`` reading the value in each slot reshaped to ``shapes[slot]`` (a slot left out is read
    as it is), its result -- and every slip's -- reshaped to ``out``."""
    return replace(op, fn=_in_shapes(op.fn, [shapes.get(s) for s in op.slots], out),
                   slips=tuple(replace(s, fn=_in_shapes(s.fn, [shapes.get(u) for u in s.uses], out))
                               for s in op.slips))


def dropped(shape: Sequence[int]) -> Shape:
    """``shape`` with its sizes of 1 left out: (3, 1) → (3,), (1, 1) → ()."""
    return tuple(d for d in shape if d != 1)


def _in_shapes(fn: Callable[..., np.ndarray], shapes: list[Shape | None], out: Shape) -> Callable[..., np.ndarray]:
    def run(*values):
        args = [v if s is None else np.reshape(v, s) for v, s in zip(values, shapes)]
        return np.reshape(np.asarray(fn(*args), dtype=np.float64), out)
    return run
