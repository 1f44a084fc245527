"""An operation's mistakes as data: :class:`Slip` and :class:`Op`.

A slip is declared once, by its operation, with message templates over the operation's
*slots* -- ``{g}`` the upstream gradient, ``{z}`` an activation's input, ``{a}`` its output,
``{out}`` the quantity computed, ``{f}`` its right formula, or whatever names the operation
gives its inputs. Placing the operation at keys (:meth:`Op.slips_at`, which
:meth:`nntutor.core.writer.Writer.apply` calls) fills the templates with
the symbols found there (∂L/∂a₂, z₂, …) and gives the graph's :class:`~nntutor.core.graph.Mistake`
objects, so the same slip reads naturally in a dense net, a single layer or an RNN.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Callable, Mapping

import numpy as np

from ..graph import Mistake
from ..template import fill

@dataclass(frozen=True)
class Slip:
    """A common wrong way to compute an operation: ``fn(*values of uses)`` is what it gives.

    ``en``/``ru`` are templates over the operation's slots. ``convention`` marks another common
    convention rather than an error (ReLU′(0) = 1).
    """

    name: str
    uses: tuple[str, ...]
    fn: Callable[..., np.ndarray]
    en: str
    ru: str
    convention: bool = False

    def at(self, keys: Mapping[str, str], symbols: Mapping[str, str]) -> Mistake:
        """This slip where the operation's slots are the quantities ``keys``, read as ``symbols``."""
        return Mistake(self.name, tuple(keys[u] for u in self.uses), self.fn, {"en": self.en, "ru": self.ru},
                       self.convention, MappingProxyType(dict(symbols)))


@dataclass(frozen=True)
class Op:
    """One operation: its slots (inputs, in the order ``fn`` takes them), ``fn``, its formula as a
    template (``"{out} = {g} ∘ σ′({z})"``) and its slips."""

    name: str
    slots: tuple[str, ...]
    fn: Callable[..., np.ndarray]
    formula: str
    slips: tuple[Slip, ...] = ()

    def formula_at(self, symbols: Mapping[str, str]) -> str:
        return fill(self.formula, symbols)

    def slips_at(self, keys: Mapping[str, str], symbols: Mapping[str, str]) -> list[Mistake]:
        """Every slip whose inputs are all placed (a place may leave out a slot a slip needs)."""
        symbols = {**symbols, "f": self.formula_at(symbols)} if "f" not in symbols else symbols
        return [s.at(keys, symbols) for s in self.slips if all(u in keys for u in s.uses)]


def slip(name: str, uses, fn, en: str, ru: str, convention: bool = False) -> Slip:
    return Slip(name, tuple(uses), fn, en, ru, convention)


def same(v):
    """The value passed through unchanged (the step a student left out)."""
    return v * 1.0


def mistake(name: str, deps, fn, en: str, ru: str, convention: bool = False) -> Mistake:
    """A kind's own mistake for one quantity, already in words (no slots to fill)."""
    return Mistake(name, tuple(deps), fn, {"en": en, "ru": ru}, convention)
