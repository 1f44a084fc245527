"""Keys in the student's language, with public Textual API only.

A binding's ``id`` names its label in ``i18n.STRINGS`` (``Binding("f1", "hint", "Hint",
id="hint_key")``); the key bar and the help screen show ``label(binding, lang)``. Nothing
is rewritten when the language changes: the key bar simply draws itself again.
"""

from __future__ import annotations

from textual.binding import Binding

from .i18n import STRINGS, t

# how keys are written for a student (Textual's own names otherwise, capitalised)
_NAMES = {"ctrl": "Ctrl", "escape": "Esc", "question_mark": "?", "pageup": "PgUp", "pagedown": "PgDn",
          "enter": "Enter", "tab": "Tab", "shift": "Shift"}


def label(binding: Binding, lang: str) -> str:
    """The binding's description in ``lang`` (its ``id`` is a key of ``i18n.STRINGS``)."""
    if binding.id and binding.id in STRINGS:
        return t(binding.id, lang)
    return binding.description


def key_name(key: str, short: bool = False) -> str:
    """"ctrl+k" -> "Ctrl+K" ("^K" when ``short``, as terminals write it), "f1" -> "F1", "escape" -> "Esc"."""
    parts = key.split(",")[0].split("+")
    name = "+".join(_NAMES.get(p, p.upper() if len(p) <= 3 else p.capitalize()) for p in parts)
    return name.replace("Ctrl+", "^") if short else name
