"""The quantity graph's own guarantees, whatever kind builds it."""

import numpy as np
import pytest

from nntutor.core.graph import ProblemBuilder, Variant, Wording


class _Counted(Wording):
    """A wording that counts how often each text is written."""

    __slots__ = ("calls",)

    def __init__(self) -> None:
        self.calls = {"formula": 0, "variants": 0}

    def formula(self) -> str:
        self.calls["formula"] += 1
        return "y = 2·x"

    def variants(self):
        self.calls["variants"] += 1
        return [Variant("halved", ("x",), lambda x: x, {"en": "You forgot the 2.", "ru": "Вы забыли 2."})]


def _problem(wording):
    b = ProblemBuilder("test")
    b.given("x", 3.0, "x", {"en": "the input", "ru": "вход"})
    b.derived("y", lambda x: 2 * x, ["x"], "y", {"en": "twice x", "ru": "удвоенный x"}, "forward", wording)
    return b.build()


def test_a_wording_writes_formula_and_mistakes_once_each_and_only_when_read():
    w = _Counted()
    p = _problem(w)
    assert float(p.evaluate()["y"]) == 6.0
    assert w.calls == {"formula": 0, "variants": 0}  # opening a lesson writes no text
    q = p.quantities["y"]
    assert q.formula == "y = 2·x" and q.formula == "y = 2·x"
    assert [v.name for v in q.variants] == ["halved"] and len(q.variants) == 1
    assert w.calls == {"formula": 1, "variants": 1}
    (variant, value), = p.variant_values("y", p.evaluate())
    assert variant.message["en"] == "You forgot the 2." and float(value) == 3.0


def test_a_wording_with_separate_variants_is_refused():
    b = ProblemBuilder("test")
    b.given("x", 1.0, "x", {"en": "x", "ru": "x"})
    with pytest.raises(ValueError, match="Wording writes the variants too"):
        b.derived("y", np.negative, ["x"], "y", {"en": "y", "ru": "y"}, "forward", _Counted(),
                  [Variant("v", ("x",), np.abs, {"en": "", "ru": ""})])
