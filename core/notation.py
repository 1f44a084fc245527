"""The notation table: how keys are shown to students, written once.

Keys are ASCII and stable (``z1``, ``grad.W1``, ``W1.next``); symbols follow the course
notation (``z₁``, ``∂L/∂W₁``, ``W₁′``).
"""

from __future__ import annotations

import re
from functools import lru_cache

_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")

_BASE = {"y_hat": "ŷ", "L": "L", "x": "x", "y": "y", "lr": "γ"}

_KEY = re.compile(r"^(?P<name>[A-Za-z]+(?:_hat)?)(?P<index>\d*)$")


def subscript(text: str) -> str:
    """Digits as Unicode subscripts: ``"12"`` → ``"₁₂"``."""
    return text.translate(_SUB)


def superscript(text: str) -> str:
    """Digits as Unicode superscripts: ``"12"`` → ``"¹²"``."""
    return text.translate(_SUP)


@lru_cache(maxsize=4096)  # a pure function of short keys, asked for many times per problem built
def base_symbol(key: str) -> str:
    """``W1`` → ``W₁``, ``y_hat`` → ``ŷ``; unknown shapes are returned as they are."""
    if key in _BASE:
        return _BASE[key]
    m = _KEY.match(key)
    if not m:
        return key
    name = _BASE.get(m["name"], m["name"])
    return name + subscript(m["index"])


def grad_symbol(key: str, of: str = "L") -> str:
    """``W1`` → ``∂L/∂W₁``."""
    return f"∂{of}/∂{base_symbol(key)}"


def next_symbol(key: str) -> str:
    """The value after an update step: ``W1`` → ``W₁′``."""
    return base_symbol(key) + "′"


def grad_key(key: str) -> str:
    return f"grad.{key}"


def next_key(key: str) -> str:
    return f"{key}.next"


def ru_plural(n: int, one: str, few: str, many: str) -> str:
    """The Russian noun form after the number ``n``: 1 шаг, 2 шага, 5 шагов, 11 шагов, 21 шаг."""
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many
