"""The quantity graph: named givens and derived values of one exercise.

A problem kind (see ``nntutor.core.kinds``) turns a lesson's data into a
:class:`Problem`: an ordered collection of :class:`Quantity` objects, each either a
given or a function of earlier quantities. Evaluation accepts *overrides* so that a
value the student typed (and that was accepted) replaces the engine's value for
everything downstream -- the student is judged against their own rounding.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING, Callable, Iterable, Mapping

import numpy as np

from .template import fill

if TYPE_CHECKING:
    from .judging import ByDesign, ByFormula
    from .symbolic import FormulaSpec

    Judge = ByFormula | ByDesign

Array = np.ndarray

#: What a quantity's function may raise on numbers it cannot work with (1/0.0 in Python, a
#: singular matrix, math.erfc(nan), a shape a student's value broke): the value is then NaN.
DATA_ERRORS = (ArithmeticError, ValueError, TypeError, IndexError)

#: Roles a quantity can play; they order the answer key and pick the hint wording.
ROLES = ("given", "forward", "loss", "backward", "update", "value")
_DERIVED_ROLES = frozenset(ROLES) - {"given"}


def frozen_array(value) -> Array:
    """A read-only float64 copy of ``value`` (scalars become 0-d arrays)."""
    arr = np.array(value, dtype=np.float64)
    arr.setflags(write=False)
    return arr


def computed_array(value) -> Array:
    """A value a quantity's function just returned, read-only float64 -- copied only when it is
    not already float64 (a function's fresh result is frozen in place; read-only inputs passed
    through are shared, never changed)."""
    arr = np.asarray(value, dtype=np.float64)
    if arr.flags.writeable:
        arr.setflags(write=False)
    return arr


_NO_NAMES: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True)
class Mistake:
    """A common wrong way to compute a quantity, declared once by the operation.

    ``fn(*values of deps)`` gives the value that mistake produces; ``text`` (per language)
    names the mistake, as a template filled with ``names`` when shown
    (:mod:`nntutor.core.template`). ``convention`` marks a mistake that is another common
    convention rather than an error ("momentum with η inside the velocity").
    """

    name: str
    deps: tuple[str, ...]
    fn: Callable[..., Array]
    text: Mapping[str, str]
    convention: bool = False
    names: Mapping[str, str] | None = None

    @property
    def message(self) -> Mapping[str, str]:
        """The message per language, filled with the symbols of the place it was declared at."""
        if not self.names:
            return self.text
        return {lang: fill(t, self.names) for lang, t in self.text.items()}


@dataclass(frozen=True)
class Quantity:
    """One named value of a problem.

    ``key`` is stable and ASCII (``z1``, ``grad.W1``, ``W1.next``); ``symbol`` is what the
    student reads (``z₁``, ``∂L/∂W₁``, ``W₁′``); ``meaning`` says what it is, per language.
    A given has ``fn is None``; a derived quantity is ``fn(*values of deps)``.
    """

    key: str
    symbol: str
    meaning: Mapping[str, str]
    role: str
    deps: tuple[str, ...] = ()
    fn: Callable[..., Array] | None = None
    #: How it is computed, as the student reads it (``z₁ = x·W₁``): a template whose placeholders
    #: ``names`` fills when the formula is shown (slot -> symbol, :mod:`nntutor.core.template`).
    written: str = ""
    #: The common wrong ways to compute it, declared by its operation (and its kind).
    mistakes: tuple[Mistake, ...] = ()
    names: Mapping[str, str] | None = None
    #: How a student's answer for it is judged (:mod:`nntutor.core.judging`); None: by its value.
    judge: "Judge | None" = None
    #: The operation that computes it (``relu_backward``, ``momentum``), when a kind placed one:
    #: the skill a step asking for it practises.
    op: str = ""

    @property
    def is_given(self) -> bool:
        return self.fn is None

    @property
    def formula(self) -> str:
        """How it is computed, in the course notation (empty for a given)."""
        return fill(self.written, self.names) if self.names else self.written


@dataclass(frozen=True)
class Problem:
    """An exercise as a DAG of quantities, in topological (insertion) order."""

    kind: str
    quantities: Mapping[str, Quantity]
    givens: Mapping[str, Array]
    conventions: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for key, q in self.quantities.items():
            if key != q.key:
                raise ValueError(f"quantity stored under {key!r} is named {q.key!r}")
            if not seen.issuperset(q.deps):  # one C call per quantity; the names only on failure
                missing = [d for d in q.deps if d not in seen]
                raise ValueError(f"{key} depends on {missing} defined later or not at all")
            if q.fn is None and key not in self.givens:
                raise ValueError(f"given {key} has no value")
            seen.add(key)

    @cached_property
    def formulas(self) -> Mapping[str, "FormulaSpec"]:
        """The quantities a student answers with a formula: key -> what the formula must equal."""
        return MappingProxyType({k: q.judge.spec for k, q in self.quantities.items()
                                 if getattr(q.judge, "spec", None) is not None})

    def __contains__(self, key: str) -> bool:
        return key in self.quantities

    def keys(self) -> Iterable[str]:
        return self.quantities.keys()

    def mistake_values(self, key: str, values: Mapping[str, Array]) -> list[tuple[Mistake, Array]]:
        """The value each declared mistake of ``key`` would give, from ``values``."""
        out = []
        for v in self.quantities[key].mistakes:
            missing = [d for d in v.deps if d not in self.quantities]
            if missing:  # a kind's bug, not the student's
                raise ValueError(f"mistake {v.name} of {key} depends on unknown {missing}")
            try:
                with np.errstate(all="ignore"):
                    value = np.asarray(v.fn(*(values[d] for d in v.deps)), dtype=np.float64)
            except DATA_ERRORS:
                continue
            if np.all(np.isfinite(value)):
                out.append((v, value))
        return out

    def first_non_finite(self) -> str | None:
        """The first quantity whose value has an inf or nan (a diverging run), or None."""
        with np.errstate(all="ignore"):  # the point is to find inf/nan
            values = self.evaluate()
        if not values or np.isfinite(np.concatenate([v.reshape(-1) for v in values.values()])).all():
            return None  # one test for the usual case; the search below only when something is off
        return next((k for k, v in values.items() if not np.isfinite(v).all()), None)

    def evaluate(self, overrides: Mapping[str, Array] | None = None) -> Mapping[str, Array]:
        """Every quantity's value; an override replaces a value and feeds its dependents.

        The values without overrides are worked out once (a Problem and its values never
        change); with overrides only the quantities downstream of one are computed again.
        A student's values never make this raise: a value that cannot be computed from them
        (1/0, a singular matrix, an overflow) is NaN, which no answer matches.
        """
        if not overrides:
            return self._base
        base = self._base
        values: dict[str, Array] = {}
        moved: set[str] = set()  # overridden, or computed from an overridden value
        with np.errstate(all="ignore"):  # a student's 0 or 1e300 gives inf/nan quietly, never a warning
            for key, q in self.quantities.items():
                if key in overrides:
                    values[key] = frozen_array(overrides[key])
                    moved.add(key)
                elif q.is_given or not any(d in moved for d in q.deps):
                    values[key] = base[key]
                else:
                    try:
                        values[key] = computed_array(q.fn(*(values[d] for d in q.deps)))
                    except DATA_ERRORS:  # Python's 1/0.0, LinAlgError, math.erfc of a NaN …
                        values[key] = frozen_array(np.full(base[key].shape, np.nan))
                    moved.add(key)
        return MappingProxyType(values)

    @cached_property
    def _base(self) -> Mapping[str, Array]:
        # Lesson loading computes these once and refuses non-finite or huge ones
        # (core.validate), naming the field to blame: no warning on the way.
        values: dict[str, Array] = {}
        with np.errstate(all="ignore"):
            for key, q in self.quantities.items():
                if q.fn is None:
                    values[key] = self.givens[key]
                else:
                    values[key] = computed_array(q.fn(*[values[d] for d in q.deps]))
        return MappingProxyType(values)


class ProblemBuilder:
    """Collects quantities in order; ``build()`` freezes them into a :class:`Problem`."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._quantities: dict[str, Quantity] = {}
        self._givens: dict[str, Array] = {}
        self._conventions: dict[str, Mapping[str, str]] = {}

    def given(self, key: str, value, symbol: str, meaning: Mapping[str, str]) -> str:
        self._add(Quantity(key, symbol, _read_only(meaning), "given"))
        self._givens[key] = frozen_array(value)
        return key

    def derived(
        self,
        key: str,
        fn: Callable[..., Array],
        deps: Iterable[str],
        symbol: str,
        meaning: Mapping[str, str],
        role: str,
        formula: str = "",
        mistakes: Iterable[Mistake] = (),
        names: Mapping[str, str] = _NO_NAMES,
        op: str = "",
    ) -> str:
        """A quantity computed from earlier ones: ``fn(*deps)``. ``formula``: how, as the student
        reads it (a template filled with ``names`` when shown); ``mistakes``: its declared
        mistakes (each may depend on any quantity defined before, and on this one); ``op``: the
        operation that computes it (the Writer sets it)."""
        if role not in _DERIVED_ROLES:
            raise ValueError(f"bad role {role!r} for {key}")
        mistakes = tuple(mistakes)
        for v in mistakes:
            missing = [d for d in v.deps if d not in self._quantities and d != key]
            if missing:
                raise ValueError(f"mistake {v.name} of {key} depends on unknown {missing}")
        self._add(Quantity(key, symbol, _read_only(meaning), role, tuple(deps), fn, formula, mistakes,
                           _read_only(names), op=op))
        return key

    def convention(self, name: str, text: Mapping[str, str]) -> None:
        """A convention the problem follows, stated in words for the student."""
        self._conventions[name] = MappingProxyType(dict(text))

    def judge(self, key: str, judge: "Judge") -> None:
        """Judge the quantity ``key`` (already added) other than by its value (a formula, a design)."""
        if key not in self._quantities:
            raise ValueError(f"a judge for unknown quantity {key}")
        self._quantities[key] = replace(self._quantities[key], judge=judge)

    def _add(self, q: Quantity) -> None:
        if q.key in self._quantities:
            raise ValueError(f"quantity {q.key} defined twice")
        self._quantities[q.key] = q

    def build(self) -> Problem:
        return Problem(
            self.kind,
            MappingProxyType(dict(self._quantities)),
            MappingProxyType(dict(self._givens)),
            MappingProxyType(dict(self._conventions)),
        )


def texts(en: str, ru: str) -> Mapping[str, str]:
    """Read-only per-language texts."""
    return MappingProxyType({"en": en, "ru": ru})


def _read_only(given: Mapping[str, str]) -> Mapping[str, str]:
    """A read-only view of per-language texts (a kind hands over a fresh dict, or a constant it
    never changes: no copy)."""
    return given if isinstance(given, MappingProxyType) else MappingProxyType(given)
