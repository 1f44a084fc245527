"""An activation's options as a lesson writes them next to its name (a dense layer, a single-layer block,
a designed layer): ELU's α and the conventions at zero a lesson may choose.

    alpha = 1.5               ELU: α in α(eᶻ − 1) for z ≤ 0 (default 1)
    derivative_at_zero = 1    ReLU′(0): 0 (default) or 1; leaky ReLU′(0): its slope (default) or 1
    step_at_zero = 0          step(0): 1 (default) or 0

Each is refused, naming the field, where its activation is not the one it belongs to.
"""

from __future__ import annotations

from typing import Any, Mapping

from ..ops import Activation, make_activation
from . import DataError, read_number

#: The fields read here.
OPTIONS = ("alpha", "derivative_at_zero", "step_at_zero")

#: What each option is, for a kind's FieldDoc.
DOCS = {
    "alpha": "elu: α in ELU(z) = α(eᶻ − 1) for z ≤ 0 (default 1; SELU's constants are fixed)",
    "derivative_at_zero": "relu: ReLU′(0), 0 (default, as PyTorch) or 1 (the one-sided derivative from the right); "
                          "leaky_relu: its slope (default) or 1; stated in the lesson's conventions",
    "step_at_zero": "step: step(0), 1 (default: step(z) = [z ≥ 0]) or 0 (step(z) = [z > 0]); stated in the "
                    "lesson's conventions",
}


def read_activation(raw: Mapping[str, Any], path: str, name: str, *, slope: float, temperature: float,
                    owner: str) -> Activation:
    """The activation ``name`` with the options of :data:`OPTIONS` read from ``raw`` (at ``path``); ``slope``
    and ``temperature`` are read by the kind. ``owner`` says where the activation is named, for messages
    (``activation = "relu"``)."""
    def only(key: str, names: tuple[str, ...]) -> None:
        if key in raw and name not in names:
            want = " or ".join(f'"{n}"' for n in names)
            raise DataError(f"{path}.{key}", f"only for {owner.format(want)} (this one is {name!r})")

    only("alpha", ("elu",))
    only("derivative_at_zero", ("relu", "leaky_relu"))
    only("step_at_zero", ("step",))
    alpha = read_number(raw, "alpha", path, default=1.0, positive=True)
    d0 = None
    if "derivative_at_zero" in raw:
        d0 = read_number(raw, "derivative_at_zero", path)
        allowed = (0.0, 1.0) if name == "relu" else (slope, 1.0)
        if d0 not in allowed:
            what = "ReLU′(0) is 0 or 1" if name == "relu" else f"leaky ReLU′(0) is its slope {slope:g} or 1"
            raise DataError(f"{path}.derivative_at_zero", f"{what} (the one-sided derivatives from the left and "
                                                          f"from the right); got {d0:g}")
    step0 = 1.0
    if "step_at_zero" in raw:
        step0 = read_number(raw, "step_at_zero", path)
        if step0 not in (0.0, 1.0):
            raise DataError(f"{path}.step_at_zero", f"step(0) is 0 or 1; got {step0:g}")
    return make_activation(name, slope=slope, temperature=temperature, alpha=alpha, derivative_at_zero=d0,
                           step_at_zero=step0)
