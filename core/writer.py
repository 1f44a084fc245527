"""The graph writer: a kind writes its problem as givens and operations placed at keys.

A kind reads like a worked solution::

    w = Writer("layer")
    w.given("x", x, "x", texts("the input", "вход"))
    w.given("W", W, "W", texts("the weights", "веса"))
    w.apply(linear_op, out="z", symbol="z", meaning=..., role="forward", a="x", W="W")
    w.apply(activation.forward(relu), out="a", symbol="a", meaning=..., role="forward", z="z")
    problem = w.build()

:meth:`Writer.apply` puts an :class:`~nntutor.core.ops.record.Op` at keys: the operation's
slots (``a``, ``W``, ``z``, ``g`` …) name the quantities it reads, its function computes the
new quantity from them, and its formula template and every slip it declares are recorded
with the symbols found there -- filled when a student reads them. A slip whose inputs are not
all placed is left out (a place may omit a slot only some slips need). A quantity that is no
operation's (a one-off of one kind) is written with :meth:`Writer.derived`.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Callable, Iterable, Mapping

from .graph import Array, Mistake, Problem, ProblemBuilder
from .ops.record import Op
from .template import fill


class Writer:
    """Collects a problem's quantities in order; :meth:`build` freezes them."""

    def __init__(self, kind: str) -> None:
        self._b = ProblemBuilder(kind)
        self._symbols: dict[str, str] = {}

    def symbol(self, key: str) -> str:
        """How the quantity ``key`` (already written) reads."""
        return self._symbols[key]

    def __contains__(self, key: str) -> bool:
        return key in self._symbols

    def given(self, key: str, value, symbol: str, meaning: Mapping[str, str]) -> str:
        self._symbols[key] = symbol
        return self._b.given(key, value, symbol, meaning)

    def apply(self, op: Op, out: str, symbol: str, meaning: Mapping[str, str], role: str, *,
              mistakes: Iterable[Mistake] = (), names: Mapping[str, str] | None = None, **at: str) -> str:
        """``out = op(at[slot] for slot in op.slots)``, with the operation's formula and slips.

        ``at`` maps each of ``op.slots`` (and any slot a slip reads besides) to a quantity's key;
        ``names`` adds or overrides what fills the templates (``{text}``, a symbol written
        differently here); ``mistakes`` adds this place's own (a kind's one-off slips).
        """
        missing = [s for s in op.slots if s not in at]
        if missing:
            raise ValueError(f"{op.name} at {out}: slots {missing} are not placed")
        keys = {**at, "out": out}
        filled = {slot: self._symbols[k] for slot, k in at.items()}
        filled["out"] = symbol
        if names:
            filled.update(names)
        if "f" not in filled:
            filled["f"] = fill(op.formula, filled)
        placed = op.slips_at(keys, filled)
        filled = MappingProxyType(filled)
        self._symbols[out] = symbol
        return self._b.derived(out, op.fn, [at[s] for s in op.slots], symbol, meaning, role, op.formula,
                               (*placed, *mistakes), filled, op=op.name)

    def derived(self, key: str, fn: Callable[..., Array], deps: Iterable[str], symbol: str,
                meaning: Mapping[str, str], role: str, formula: str = "", mistakes: Iterable[Mistake] = (),
                names: Mapping[str, str] | None = None) -> str:
        """A quantity no operation computes: ``fn(*deps)``, with its formula (a template over
        ``names``, or plain text) and its own mistakes."""
        self._symbols[key] = symbol
        return self._b.derived(key, fn, deps, symbol, meaning, role, formula, tuple(mistakes),
                               names if names is not None else MappingProxyType({}))

    def convention(self, name: str, text: Mapping[str, str]) -> None:
        self._b.convention(name, text)

    def build(self) -> Problem:
        return self._b.build()
