"""An operation's mistakes as data: :class:`Slip` and :class:`Op`.

A slip is declared once, by its operation, with message templates over the operation's
*slots* -- ``{g}`` the upstream gradient, ``{z}`` an activation's input, ``{a}`` its output,
``{out}`` the quantity computed, ``{f}`` its right formula, or whatever names the operation
gives its inputs. Placing the operation at keys (:meth:`Op.slips_at`) fills the templates with
the symbols found there (∂L/∂a₂, z₂, …) and gives the graph's :class:`~nntutor.core.graph.Variant`
objects, so the same slip reads naturally in a dense net, a single layer or an RNN.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np

from ..graph import Variant

_SLOT = re.compile(r"\{([a-z_]+)\}")


def fill(template: str, symbols: Mapping[str, str]) -> str:
    """``template`` with each ``{slot}`` replaced by its symbol (other braces are left alone)."""
    return _SLOT.sub(lambda m: symbols.get(m[1], m[0]), template)


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

    def at(self, keys: Mapping[str, str], symbols: Mapping[str, str]) -> Variant:
        """This slip where the operation's slots are the quantities ``keys``, read as ``symbols``."""
        return Variant(self.name, tuple(keys[u] for u in self.uses), self.fn,
                       {"en": fill(self.en, symbols), "ru": fill(self.ru, symbols)}, self.convention)


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

    def slips_at(self, keys: Mapping[str, str], symbols: Mapping[str, str]) -> list[Variant]:
        """Every slip whose inputs are all placed (a place may leave out a slot a slip needs)."""
        symbols = {**symbols, "f": self.formula_at(symbols)} if "f" not in symbols else symbols
        return [s.at(keys, symbols) for s in self.slips if all(u in keys for u in s.uses)]


def slip(name: str, uses, fn, en: str, ru: str, convention: bool = False) -> Slip:
    return Slip(name, tuple(uses), fn, en, ru, convention)


def same(v):
    """The value passed through unchanged (the step a student left out)."""
    return v * 1.0


def variant(name: str, deps, fn, en: str, ru: str, convention: bool = False) -> Variant:
    """A kind's own mistake for one quantity, already in words (no slots to fill)."""
    return Variant(name, tuple(deps), fn, {"en": en, "ru": ru}, convention)
