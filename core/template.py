"""Texts with placeholders: ``{name}`` filled from a mapping when the text is shown.

One mechanism for every text that depends on where or with what numbers it is used:

- an operation's formula and mistake messages are written once over the operation's *slots*
  (``"{out} = {g} ∘ σ′({z})"``); placing the operation (:mod:`nntutor.core.writer`) records
  which symbol stands in each slot, and the text is filled when a student reads it;
- a lesson's text names givens and computed quantities by key (``{x}``, ``{W1}``), filled with
  their values in the lesson's notation, so the words follow new numbers.

A placeholder is a name in braces: letters, digits, ``_`` and ``.``, starting with a letter or
``_`` (``{z}``, ``{W1}``, ``{grad.W1}``, ``{y_hat@1}``), optionally with an index of an entry
(``{x[0]}``, ``{W1[1,0]}``) and a number of significant digits (``{p[0]:3}``, 1 to 9); in parentheses (``{(W1[0,1])}``) it asks for the filling in parentheses when it is
negative, as a factor in a product is written: 1·(−1). Braces around anything else (``{0, 1}``, ``{{``) are text, and a placeholder
that nothing fills is left as it is, so a set written in braces never turns into something
else.
"""

from __future__ import annotations

import re
from typing import Callable, Mapping

_NAME = r"[A-Za-z_][A-Za-z0-9_.@]*(?:\[\d{1,3}(?:, ?\d{1,3}){0,2}\])?(?::\d)?"
_PLACEHOLDER = re.compile(rf"\{{({_NAME}|\({_NAME}\))\}}")


def fill(template: str, names: Mapping[str, str] | Callable[[str], str | None]) -> str:
    """``template`` with each placeholder that ``names`` fills replaced: ``names`` maps a
    placeholder's text (``"z"``, ``"x[0]"``) to its filling, or is a function giving it (None: left
    as it is)."""
    if "{" not in template:
        return template
    look = names.get if isinstance(names, Mapping) else names
    return _PLACEHOLDER.sub(lambda m: _filled(look, m[1], m[0]), template)


def _filled(look, name: str, placeholder: str) -> str:
    if name.startswith("("):
        filled = look(name[1:-1])
        if filled is not None and filled.startswith(("−", "-")):
            filled = f"({filled})"
    else:
        filled = look(name)
    return placeholder if filled is None else filled


def placeholders(template: str) -> list[str]:
    """The names ``template`` uses, in order of first use."""
    return list(dict.fromkeys(name.strip("()") for name in _PLACEHOLDER.findall(template)))
