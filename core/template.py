"""Texts with placeholders: ``{name}`` filled from a mapping when the text is shown.

One mechanism for every text that depends on where or with what numbers it is used:

- an operation's formula and mistake messages are written once over the operation's *slots*
  (``"{out} = {g} ∘ σ′({z})"``); placing the operation (:mod:`nntutor.core.writer`) records
  which symbol stands in each slot, and the text is filled when a student reads it;
- a lesson's text names givens and computed quantities by key (``{x}``, ``{W1}``), filled with
  their values in the lesson's notation, so the words follow new numbers.

A placeholder is a name in braces: letters, digits, ``_`` and ``.``, starting with a letter or
``_`` (``{z}``, ``{W1}``, ``{grad.W1}``). Braces around anything else (``{0, 1}``, ``{{``) are
text, and a placeholder with no entry in the mapping is left as it is, so a set written in
braces never turns into something else.
"""

from __future__ import annotations

import re
from typing import Mapping

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)\}")


def fill(template: str, names: Mapping[str, str]) -> str:
    """``template`` with each ``{name}`` that ``names`` holds replaced by its entry."""
    if "{" not in template:
        return template
    return _PLACEHOLDER.sub(lambda m: names.get(m[1], m[0]), template)


def placeholders(template: str) -> list[str]:
    """The names ``template`` uses, in order of first use."""
    return list(dict.fromkeys(_PLACEHOLDER.findall(template)))
