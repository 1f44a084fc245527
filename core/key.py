"""The worked solution of a lesson, computed by the engine (``nntutor key``)."""

from __future__ import annotations

import unicodedata

import numpy as np

from .answers import format_value
from .i18n import Messages
from .judging import LETTERS
from .lesson import Lesson

#: Version of the JSON form; bump it when a field changes meaning or disappears.
KEY_FORMAT = 1


def answer_key(lesson: Lesson) -> dict:
    """The worked solution as plain data: the stable form behind ``nntutor key --json``.

    ``lesson``: id, unit, title, fingerprint, ``variant`` (0: the lesson's own numbers) and
    ``text`` (per language, rendered with these numbers);
    ``steps``: every step in order (n, id, quantity, symbol, formula, shape, value; a choice step:
    n, id, ``quantity`` null, ``choice`` the right letter, ``options``);
    ``quantities``: every quantity of the problem (key, symbol, role, formula, meaning,
    shape, value). Values are numbers or nested lists of numbers.
    """
    problem = lesson.problem
    values = problem.evaluate()
    return {
        "format": KEY_FORMAT,
        "lesson": {"id": lesson.id, "unit": lesson.unit, "title": dict(lesson.title),
                   "fingerprint": lesson.fingerprint, "variant": lesson.variant, "text": dict(lesson.text)},
        "kind": problem.kind,
        "conventions": {name: dict(text) for name, text in problem.conventions.items()},
        "steps": [_choice(n, s) if s.is_choice else
                  {"n": n, "id": s.id, "quantity": s.quantity, "symbol": problem.quantities[s.quantity].symbol,
                   "formula": problem.quantities[s.quantity].formula, "shape": list(values[s.quantity].shape),
                   "value": values[s.quantity].tolist()}
                  for n, s in enumerate(lesson.steps, start=1)],
        "quantities": [
            {"key": q.key, "symbol": q.symbol, "role": q.role, "formula": q.formula,
             "meaning": dict(q.meaning), "shape": list(values[q.key].shape), "value": values[q.key].tolist()}
            for q in problem.quantities.values()
        ],
    }


def _choice(n: int, step) -> dict:
    """A choice step in the key: no quantity; ``choice`` is the right option's letter, ``options``
    every option with its text and explanation per language."""
    return {"n": n, "id": step.id, "quantity": None, "choice": LETTERS[step.correct],
            "options": [{"letter": LETTERS[i], "correct": o.correct, "text": dict(o.text), "why": dict(o.why)}
                        for i, o in enumerate(step.options)]}


def _cells(text: str) -> int:
    """Terminal cells of a symbol: combining marks (the tilde of w̃) take none."""
    return sum(not unicodedata.combining(ch) for ch in text)


def render_key(data: dict, lang: str) -> str:
    """The answer key as text for a terminal."""
    variant = data["lesson"].get("variant", 0)
    numbers = f", variant {variant}" if variant else ""
    lines = [f"{data['lesson']['title'][lang]}  [{data['lesson']['id']}, kind {data['kind']}{numbers}]"]
    lines += [f"  · {conv.get(lang, conv['en'])}" for conv in data["conventions"].values()]
    lines.append("")
    width = max((_cells(s["symbol"]) for s in data["steps"] if "symbol" in s), default=1)
    for s in data["steps"]:
        if "choice" in s:
            right = next(o for o in s["options"] if o["correct"])
            lines.append(f"{s['n']:>3}. {_K('choice', lang)}: {right['letter']}) {right['text'][lang]}")
            continue
        formula = f"      ({s['formula']})" if s["formula"] else ""
        pad = " " * (width - _cells(s["symbol"]))  # w̃₁ is two characters in one cell
        lines.append(f"{s['n']:>3}. {s['symbol']}{pad} = {format_value(np.asarray(s['value']))}{formula}")
    lines.append("")
    lines.append(_K("all", lang))
    width = max(len(q["key"]) for q in data["quantities"])
    for q in data["quantities"]:
        role = _ROLES(q["role"], lang) if q["role"] in _ROLES else q["role"]
        lines.append(f"  {q['key']:<{width}}  {q['symbol']:<8} {role:<9} {format_value(np.asarray(q['value']))}")
    return "\n".join(lines)


_K = Messages({
    "all": {"en": "All quantities:", "ru": "Все величины:"},
    "choice": {"en": "choice", "ru": "выбор"},
})
#: The roles as the key shows them (the JSON keeps the stable English names).
_ROLES = Messages({
    "given": {"en": "given", "ru": "дано"},
    "forward": {"en": "forward", "ru": "прямой"},
    "loss": {"en": "loss", "ru": "потери"},
    "backward": {"en": "backward", "ru": "обратный"},
    "update": {"en": "update", "ru": "шаг"},
    "value": {"en": "value", "ru": "значение"},
})
