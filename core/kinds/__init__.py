"""Problem kinds: builders that turn a lesson's ``[problem]`` table into a quantity graph.

Each kind module defines ``KIND``, a :class:`Kind`; :data:`KINDS` maps names to them.
Builders validate their data and raise :class:`DataError` naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np

from ..graph import Problem


class DataError(ValueError):
    """Bad problem data: ``field`` is a dotted path such as ``problem.layers[1].W``."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class FieldDoc:
    """One field of a kind's data, for the checker's messages and the teacher's guide."""

    name: str
    required: bool
    doc: str


@dataclass(frozen=True)
class NameDoc:
    """A quantity name (or pattern such as ``z{l}``) a kind provides, for the teacher's guide."""

    pattern: str
    doc: str


@dataclass(frozen=True)
class Kind:
    """A problem kind: its name, its data fields, the quantity names it provides, its builder."""

    name: str
    summary: str
    fields: tuple[FieldDoc, ...]
    build: Callable[[Mapping[str, Any]], Problem]
    names: tuple[NameDoc, ...] = ()


# -- readers shared by the builders -------------------------------------------------

_MAX_ELEMENTS = 10_000


def read_array(data: Mapping[str, Any], key: str, path: str, *, ndim: tuple[int, ...] | None = None,
               required: bool = True, default=None) -> np.ndarray | None:
    """A numeric array from ``data[key]``: a number or a (nested) list of numbers."""
    field = f"{path}.{key}"
    if key not in data:
        if required:
            raise DataError(field, "missing (a number or a list of numbers is required)")
        return None if default is None else np.array(default, dtype=np.float64)
    value = data[key]
    if isinstance(value, bool) or not _is_numeric_nest(value):
        raise DataError(field, f"must be a number or a list of numbers, got {_show(value)}")
    try:
        arr = np.array(value, dtype=np.float64)
    except ValueError:
        raise DataError(field, "rows have different lengths") from None
    if arr.size > _MAX_ELEMENTS:
        raise DataError(field, f"too large ({arr.size} numbers; at most {_MAX_ELEMENTS})")
    if not np.isfinite(arr).all():
        raise DataError(field, "must contain only finite numbers")
    if ndim is not None and arr.ndim not in ndim:
        names = {0: "a number", 1: "a list of numbers", 2: "a list of rows (a matrix)"}
        want = " or ".join(names.get(n, f"{n}-d") for n in ndim)
        raise DataError(field, f"must be {want}")
    return arr


def read_choice(data: Mapping[str, Any], key: str, path: str, choices, default: str | None = None) -> str:
    field = f"{path}.{key}"
    if key not in data:
        if default is None:
            raise DataError(field, f"missing (one of: {', '.join(choices)})")
        return default
    value = data[key]
    if value not in choices:
        raise DataError(field, f"must be one of {', '.join(choices)}; got {_show(value)}")
    return value


def read_bool(data: Mapping[str, Any], key: str, path: str, default: bool) -> bool:
    if key not in data:
        return default
    value = data[key]
    if not isinstance(value, bool):
        raise DataError(f"{path}.{key}", f"must be true or false, got {_show(value)}")
    return value


def read_number(data: Mapping[str, Any], key: str, path: str, default: float | None = None,
                positive: bool = False) -> float:
    field = f"{path}.{key}"
    if key not in data:
        if default is None:
            raise DataError(field, "missing (a number is required)")
        return float(default)
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise DataError(field, f"must be a number, got {_show(value)}")
    if not np.isfinite(value):
        raise DataError(field, "must be a finite number")
    if positive and value <= 0:
        raise DataError(field, f"must be positive, got {value}")
    return float(value)


def read_int(data: Mapping[str, Any], key: str, path: str, low: int, high: int,
             default: int | None = None) -> int:
    """A whole number from ``low`` to ``high``; ``default`` when the key is left out (else required)."""
    field = f"{path}.{key}"
    if key not in data:
        if default is None:
            raise DataError(field, "missing (a whole number is required)")
        return default
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise DataError(field, f"must be a whole number, got {_show(value)}")
    if not low <= value <= high:
        raise DataError(field, f"must be between {low} and {high}, got {value}")
    return value


def check_finite(problem: Problem, field: str, why: str) -> None:
    """Refuse data whose values are not all finite: ``why`` says what to change, after the name
    (and formula) of the first quantity that is not."""
    key = problem.first_non_finite()
    if key is not None:
        q = problem.quantities[key]
        what = f"{q.symbol} ({q.formula})" if q.formula else q.symbol
        raise DataError(field, f"{what} is not a finite number: {why}")


def shape_text(shape) -> str:
    """A shape as a lesson author reads it: "a number", "a list of 3", "a 2×3 matrix", "2×3×4"."""
    shape = tuple(shape)
    if not shape:
        return "a number"
    if len(shape) == 1:
        return f"a list of {shape[0]}"
    if len(shape) == 2:
        return f"a {shape[0]}×{shape[1]} matrix"
    return "×".join(map(str, shape))


def reject_unknown(data: Mapping[str, Any], path: str, known) -> None:
    for key in data:
        if key not in known:
            raise DataError(f"{path}.{key}", f"unknown field (known: {', '.join(sorted(known))})")


def _is_numeric_nest(value, depth: int = 0) -> bool:
    """A number, or lists of numbers nested at most four deep (booleans are not numbers)."""
    if depth > 4:
        return False
    if isinstance(value, list):
        if depth < 4 and all(type(v) is float or type(v) is int for v in value):
            return True  # the common row of plain numbers, without a call per entry
        return all(_is_numeric_nest(v, depth + 1) for v in value)
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# -- an activation's options, as a lesson writes them next to its name (dense layers, layer blocks, designs) --
#
#     alpha = 1.5               ELU: α in α(eᶻ − 1) for z ≤ 0 (default 1)
#     derivative_at_zero = 1    ReLU′(0): 0 (default) or 1; leaky ReLU′(0): its slope (default) or 1
#     step_at_zero = 0          step(0): 1 (default) or 0
#
# Each is refused, naming the field, where its activation is not the one it belongs to.

#: The fields read here.
ACT_OPTIONS = ("alpha", "derivative_at_zero", "step_at_zero")

#: What each option is, for a kind's FieldDoc.
ACT_OPTION_DOCS = {
    "alpha": "elu: α in ELU(z) = α(eᶻ − 1) for z ≤ 0 (default 1; SELU's constants are fixed)",
    "derivative_at_zero": "relu: ReLU′(0), 0 (default, as PyTorch) or 1 (the one-sided derivative from the right); "
                          "leaky_relu: its slope (default) or 1; stated in the lesson's conventions",
    "step_at_zero": "step: step(0), 1 (default: step(z) = [z ≥ 0]) or 0 (step(z) = [z > 0]); stated in the "
                    "lesson's conventions",
}


def read_activation(raw: Mapping[str, Any], path: str, name: str, *, slope: float, temperature: float,
                    owner: str):
    """The :class:`~nntutor.core.ops.Activation` ``name`` with the options of :data:`ACT_OPTIONS` read from ``raw`` (at ``path``); ``slope``
    and ``temperature`` are read by the kind. ``owner`` says where the activation is named, for messages
    (``activation = "relu"``)."""
    from ..ops import make_activation

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


#: Every problem kind: the module ``core/kinds/<name>.py`` defines ``KIND`` (tests check the list).
NAMES = ("batchnorm", "conv", "dense", "design", "dropout", "formula", "graph_expr", "layer", "optimize", "rnn",
         "stats", "boosting")


class _Kinds(Mapping[str, Kind]):
    """The kinds by name, each module imported when its kind is first used: opening a dense lesson
    loads neither the other kinds nor the formula kind's symbolic machinery."""

    def __getitem__(self, name: str) -> Kind:
        if name not in NAMES:
            raise KeyError(name)
        import importlib

        kind = importlib.import_module(f"{__name__}.{name}").KIND
        if kind.name != name:
            raise RuntimeError(f"kinds/{name}.py defines the kind {kind.name!r}")
        return kind

    def __iter__(self):
        return iter(NAMES)

    def __len__(self) -> int:
        return len(NAMES)


KINDS: Mapping[str, Kind] = _Kinds()


def build_problem(data: Mapping[str, Any]) -> Problem:
    """Build the problem described by a lesson's ``[problem]`` table."""
    if not isinstance(data, Mapping):
        raise DataError("problem", "must be a table")
    kind = data.get("kind")
    if kind is None:
        raise DataError("problem.kind", f"missing (one of: {', '.join(KINDS)})")
    if kind not in KINDS:
        raise DataError("problem.kind", f"unknown kind {_show(kind)} (known: {', '.join(KINDS)})")
    # a builder that works out values (a run checked for divergence) may meet an overflow: the
    # loader checks every value afterwards (core.validate) and names the field, so no warning
    with np.errstate(all="ignore"):
        return KINDS[kind].build(data)
