"""The quantity graph's own guarantees, whatever kind builds it."""

import numpy as np
import pytest

from nntutor.core.graph import Mistake, ProblemBuilder


def test_a_formula_is_a_template_filled_with_the_symbols_of_its_place_when_read():
    b = ProblemBuilder("test")
    b.given("x", 3.0, "x", {"en": "the input", "ru": "вход"})
    b.derived("y", lambda x: 2 * x, ["x"], "y", {"en": "twice x", "ru": "удвоенный x"}, "forward",
              "{out} = 2·{a}", [Mistake("halved", ("x",), lambda x: x, {"en": "You forgot the 2 in {out}.",
                                                                       "ru": "Вы забыли 2 в {out}."},
                                        names={"out": "y"})], names={"out": "y", "a": "x"})
    p = b.build()
    q = p.quantities["y"]
    assert q.written == "{out} = 2·{a}" and q.formula == "y = 2·x"
    (mistake, value), = p.mistake_values("y", p.evaluate())
    assert mistake.message["en"] == "You forgot the 2 in y." and float(value) == 3.0


def test_a_mistake_on_an_unknown_quantity_is_refused():
    b = ProblemBuilder("test")
    b.given("x", 1.0, "x", {"en": "x", "ru": "x"})
    with pytest.raises(ValueError, match="depends on unknown"):
        b.derived("y", np.negative, ["x"], "y", {"en": "y", "ru": "y"}, "forward", "y = −x",
                  [Mistake("v", ("nope",), np.abs, {"en": "", "ru": ""})])


def test_a_students_value_that_breaks_a_formula_gives_nan_never_an_exception():
    # 1/s in Python raises for s = 0; a student's accepted 0 (within the absolute floor of a tiny s)
    # or a design's huge weights must still get a verdict: the values that cannot be computed are NaN
    b = ProblemBuilder("test")
    b.given("x", 2.0, "x", {"en": "x", "ru": "x"})
    b.derived("s", lambda x: x / 2, ["x"], "s", {"en": "s", "ru": "s"}, "forward")
    b.derived("inv", lambda s: 1.0 / float(s), ["s"], "1/s", {"en": "1/s", "ru": "1/s"}, "forward")
    b.derived("sq", lambda inv: np.float64(inv) ** 2, ["inv"], "sq", {"en": "sq", "ru": "sq"}, "forward")
    p = b.build()
    assert float(p.evaluate()["inv"]) == 1.0
    values = p.evaluate({"s": np.array(0.0)})
    assert np.isnan(values["inv"]) and np.isnan(values["sq"]) and float(values["x"]) == 2.0
    with np.errstate(all="raise"):  # an overflow downstream of a student's value is inf, quietly
        assert np.isinf(p.evaluate({"inv": np.array(1e300)})["sq"])
