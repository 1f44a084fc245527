"""core/ops/optimizer.py: optimizer stages, norms and clipping as operations with their slips.

A stage reads the same wherever it is placed: through the graph writer (the optimize kind) or
through ``optim.Stage``'s own templates (a caller that fills them itself), and its slips compute
the mistakes their messages name.
"""

from __future__ import annotations

import numpy as np
import pytest

from nntutor.core import optim
from nntutor.core.graph import texts
from nntutor.core.ops import optimizer as ops
from nntutor.core.writer import Writer

MEANING = texts("a value", "значение")

HYPERS = [
    {"method": "gd", "lr": 0.1},
    {"method": "gd_decay", "lr": 0.1},
    {"method": "momentum", "lr": 0.1, "alpha": 0.9, "form": "textbook"},
    {"method": "momentum", "lr": 0.1, "alpha": 0.9, "form": "pytorch"},
    {"method": "nesterov", "lr": 0.1, "alpha": 0.9, "form": "textbook"},
    {"method": "nesterov", "lr": 0.1, "alpha": 0.9, "form": "pytorch"},
    {"method": "adagrad", "lr": 0.1, "eps_placement": "inside"},
    {"method": "rmsprop", "lr": 0.1, "alpha": 0.9},
    {"method": "adam", "lr": 0.1, "beta1": 0.9, "beta2": 0.99},
    {"method": "adam", "lr": 0.1, "beta1": 0.9, "beta2": 0.99, "form": "fed_back"},
    {"method": "newton", "lr": 0.5},
    {"method": "coordinate"},
]


def _placed_step(hyper, t=2):
    """Step t of a method placed with the writer, every input a given: (problem, the stages' keys)."""
    pl = optim.plan(hyper, t, 2)
    w = Writer("test")
    rng = np.random.default_rng(t)
    at = {}
    for name in ("w_prev", "g", *(f"{s}_prev" for s in pl.carry), *(f"{st.key}_last" for st in pl.stages)):
        at[name] = w.given(name, np.abs(rng.normal(size=2)), name.upper(), MEANING)
    at["H"] = w.given("H", np.array([[2.0, 0.5], [0.5, 3.0]]), "H", MEANING)
    for st in pl.lookahead + pl.stages:
        at[st.key] = w.apply(st.op, out=f"{st.key}.new", symbol=st.key.upper() + "′", meaning=MEANING, role="update",
                             names={"lr": "η", "t": str(t)}, **at)
    return w.build(), pl, at


@pytest.mark.parametrize("hyper", HYPERS, ids=lambda h: "-".join(str(v) for v in h.values() if isinstance(v, str)))
def test_a_stage_reads_the_same_placed_by_the_writer_or_filled_from_its_stage(hyper):
    problem, pl, at = _placed_step(hyper)
    symbols = {name: problem.quantities[key].symbol for name, key in at.items()} | {"lr": "η", "t": "2"}
    for st in pl.lookahead + pl.stages:
        q = problem.quantities[at[st.key]]
        assert q.formula == st.formula.format_map(symbols)
        placed = [(m.name, m.deps, m.message["en"], m.message["ru"], m.convention) for m in q.mistakes]
        filled = [(v.name, tuple(at[d] for d in v.deps), v.message["en"].format_map(symbols),
                   v.message["ru"].format_map(symbols), v.convention) for v in st.mistakes]
        assert placed == filled
        assert all("{" not in text for _n, _d, en, ru, _c in placed for text in (en, ru))


def test_the_slips_compute_what_they_name():
    problem, _pl, _at = _placed_step({"method": "adam", "lr": 0.1, "beta1": 0.9, "beta2": 0.99})
    values = problem.evaluate()
    wp, m, v = values["w_prev"], values["m.new"], values["v.new"]
    by_name = {mk.name: value for mk, value in problem.mistake_values("w.new", values)}
    np.testing.assert_allclose(by_name["step_added"], 2 * wp - values["w.new"])
    np.testing.assert_allclose(by_name["no_bias_correction"], wp - 0.1 * m / (np.sqrt(v) + 1e-8))
    np.testing.assert_allclose(by_name["eps_placement"], wp - 0.1 * values["m_hat.new"] / np.sqrt(values["v_hat.new"] + 1e-8))


def test_norm_and_clipping_by_the_norm():
    w = Writer("test")
    w.given("g", np.array([3.0, -4.0]), "g", MEANING)
    w.apply(ops.euclidean_norm(), out="n", symbol="‖g‖", meaning=MEANING, role="backward", g="g")
    w.given("c", 2.5, "c", MEANING)  # the threshold is a given the clip reads
    w.apply(ops.clip(), out="g.clip", symbol="ĝ", meaning=MEANING, role="backward", g="g", norm="n", c="c")
    problem = w.build()
    values = problem.evaluate()
    assert float(values["n"]) == 5.0
    np.testing.assert_allclose(values["g.clip"], [1.5, -2.0])
    assert problem.quantities["g.clip"].formula == "ĝ = g·min(1, c/‖g‖)"
    assert {m.name: float(x) for m, x in problem.mistake_values("n", values)} == {"norm_no_root": 25.0, "norm_l1": 7.0}
    (clipped, value), = problem.mistake_values("g.clip", values)
    assert clipped.name == "clip_components" and list(value) == [2.5, -2.5]
    # under the threshold nothing changes; a zero gradient stays zero
    assert list(ops.clip_by_norm([0.3, 0.4], 1.0)) == [0.3, 0.4]
    assert list(ops.clip_by_norm([0.0, 0.0], 1.0)) == [0.0, 0.0]


def test_gradients_clipped_together_share_the_norm_of_all_of_them():
    w = Writer("test")
    w.given("gW", np.array([[3.0, 0.0], [0.0, 0.0]]), "∂L/∂W", MEANING)
    w.given("gb", np.array([4.0, 0.0]), "∂L/∂b", MEANING)
    w.apply(ops.global_norm(2), out="n", symbol="‖∇L‖", meaning=MEANING, role="backward", g1="gW", g2="gb")
    w.given("c", 1.0, "c", MEANING)
    w.apply(ops.clip(together=True), out="cb", symbol="clip(∂L/∂b)", meaning=MEANING, role="backward",
            g="gb", norm="n", c="c", names={"param": "b"})
    problem = w.build()
    values = problem.evaluate()
    assert problem.quantities["n"].formula == "‖∇L‖ = √(‖∂L/∂W‖² + ‖∂L/∂b‖²)"
    np.testing.assert_allclose(values["cb"], [0.8, 0.0])  # 4·(1/5), not 4·(1/4)
    own = {m.name: (m, v) for m, v in problem.mistake_values("cb", values)}["clip_each_parameter"]
    np.testing.assert_allclose(own[1], [1.0, 0.0])
    assert own[0].convention and "gradient of b by its own norm" in own[0].message["en"]
