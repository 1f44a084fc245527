"""Charts: each answers one question, from the engine's values; each is there from the first step
with what is given, a point joining as each value is found, a curve once every value it shows is
found (nntutor.core.pictures.charts); the misleading charts of issue 13 are gone."""

from __future__ import annotations

import numpy as np
import pytest

from nntutor.core.catalog import load_catalog
from nntutor.core.curves import MARKERS, activation_chart
from nntutor.core.ops import ACTIVATIONS
from nntutor.core.session import LessonRun


CATALOG = load_catalog()  # read once: a catalog takes most of a second to load


def _run(lesson_id: str) -> LessonRun:
    return LessonRun(CATALOG.find(lesson_id).lesson)


def _answer(run: LessonRun, n: int | None = None) -> None:
    """Type the engine's value for the next ``n`` steps (all when None)."""
    while run.current is not None and (n is None or n > 0):
        value = np.squeeze(np.asarray(run.expected(run.current), dtype=np.float64))
        text = ("; ".join(" ".join(repr(float(v)) for v in row) for row in value) if value.ndim == 2
                else " ".join(repr(float(v)) for v in np.atleast_1d(value)))
        if run.is_formula(run.current):
            text = run.lesson.problem.formulas[run.current.quantity].expected.text
        assert run.submit(text).ok, (run.current.quantity, text)
        n = None if n is None else n - 1


def _charts(run: LessonRun) -> dict:
    return {p.name: p for p in run.pictures() if p.kind == "chart"}


def test_the_loss_chart_is_the_engines_losses_step_by_step_as_they_are_found():
    run = _run("gradient-descent")
    loss = _charts(run)["chart.loss"].chart  # from the first step: the steps 0…3, no loss found yet
    assert loss.empty and loss.xticks == (0, 1, 2, 3) and loss.xlim == (0, 3) and loss.note
    path = _charts(run)["chart.path"]  # w₀ is given: the path's first point
    assert path.chart.series[0].x.tolist() == [0] and path.shows == {"w0"}
    _answer(run, 4)  # L(w*)… L(w₀) found: one point
    assert _charts(run)["chart.loss"].shows == {"L0"} and _charts(run)["chart.loss"].chart.series[0].y.size == 1
    _answer(run)
    loss = _charts(run)["chart.loss"]
    values = run.values()
    line = loss.chart.series[0]
    keys = [f"L{t}" for t in range(len(line.x))]
    assert line.x.tolist() == list(range(len(keys))) == list(loss.chart.xticks)
    np.testing.assert_allclose(line.y, [float(values[k]) for k in keys])
    assert line.y[-1] < line.y[0]  # gradient descent brings the loss down
    assert _charts(run)["chart.path"].chart.series[0].y.size == 4  # and w walks towards w*
    assert loss.chart.note is None  # nothing more to come


def test_losses_of_different_observations_are_never_joined_as_a_curve():
    for lesson_id in ("sgd-from-zero", "softmax-logloss"):
        run = _run(lesson_id)
        _answer(run)
        assert "chart.loss" not in _charts(run), lesson_id


def test_softmax_temperature_shows_the_probabilities_found_not_a_hidden_cross_entropy():
    run = _run("softmax-temperature")
    (empty,) = _charts(run).values()  # its frame from the first step: outputs 1…n, probabilities in [0, 1]
    assert empty.chart.empty and empty.chart.ylim == (0, 1) and not empty.shows
    _answer(run, 2)  # z₁⁽¹⁾ and ŷ⁽¹⁾
    (chart,) = _charts(run).values()
    assert chart.name == "chart.softmax" and chart.shows == {"y_hat@1"}
    np.testing.assert_allclose(chart.chart.series[0].y, run.values()["y_hat@1"])
    _answer(run)
    chart = _charts(run)["chart.softmax"]
    assert len(chart.chart.series) == 3 and len({s.marker for s in chart.chart.series}) == 3
    assert not any("L" in p.name for p in _charts(run).values())


def test_the_sigmoid_chart_speaks_the_lessons_variable_and_waits_for_sigma_at_zero():
    run = _run("sigmoid-at-zero")
    assert _charts(run)["chart.sigmoid"].chart.empty  # the frame, t from −6 to 6, σ in [0, 1]
    _answer(run, 1)  # σ(0) found, σ′(0) not yet: the curve would show its peak ¼
    chart = _charts(run)["chart.sigmoid"].chart
    assert [(s.x.tolist(), s.y.tolist(), s.points) for s in chart.series] == [([0.0], [0.5], True)]  # yours
    _answer(run, 1)
    chart = _charts(run)["chart.sigmoid"].chart
    assert chart.xlabel["en"] == "t" and "σ(t)" in chart.title["en"] and "z" not in chart.title["en"]
    assert [s.label["en"] for s in chart.series] == ["σ(t)", "σ′(t)", "yours"]
    assert chart.series[2].marker == MARKERS[2]  # the point keeps its marker as the curves join


def test_your_points_join_the_activation_chart_as_you_find_them():
    run = _run("activations")
    charts = _charts(run)
    assert {"chart.sigmoid", "chart.tanh", "chart.family", "chart.family.slopes"} <= set(charts)
    assert all(charts[name].chart.empty for name in ("chart.sigmoid", "chart.tanh", "chart.family"))
    _answer(run, 2)  # z₁ and a₁ = σ(z₁)
    sigmoid = _charts(run)["chart.sigmoid"]
    values = run.values()
    assert sigmoid.shows == {"z1", "a1"} and len(sigmoid.chart.series) == 1
    np.testing.assert_allclose(sigmoid.chart.series[0].x, values["z1"].reshape(-1))
    np.testing.assert_allclose(sigmoid.chart.series[0].y, values["a1"].reshape(-1))
    assert _charts(run)["chart.tanh"].chart.empty


def test_activation_chart_values_and_markers():
    chart = activation_chart("sigmoid")
    z = chart.series[0].x
    np.testing.assert_allclose(chart.series[0].y, ACTIVATIONS["sigmoid"].forward(z))
    np.testing.assert_allclose(chart.series[1].y, chart.series[0].y * (1 - chart.series[0].y))
    assert abs(chart.series[1].y.max() - 0.25) < 1e-3  # σ′ is largest at 0: ¼
    assert [s.marker for s in chart.series] == list(MARKERS[:2])  # told apart without colour


def test_ridge_dropout_and_initialisation_charts_come_once_their_values_are_found():
    for lesson_id, name in (("ridge-loo", "chart.ridge"), ("dropout", "chart.dropout"),
                            ("initialisation", "chart.initialisation")):
        run = _run(lesson_id)
        before = _charts(run)[name].chart
        assert all(len(s.x) == 0 or "LeCun" in s.label["en"] for s in before.series), lesson_id  # given only
        _answer(run)
        assert len(_charts(run)[name].chart.series) > len(before.series) or before.empty, lesson_id
    ridge = _charts(_done("ridge-loo"))["chart.ridge"].chart.series[0]
    values = _done("ridge-loo").values()
    np.testing.assert_allclose(ridge.x, values["ridge.lambdas"])
    np.testing.assert_allclose(ridge.y, values["ridge.cv"])
    kept = _charts(_done("dropout"))["chart.dropout"].chart.series[0]
    assert abs(kept.x[np.argmax(kept.y)] - float(_done("dropout").values()["active.mean"])) <= 1  # peak at E N
    assert abs(kept.y.sum() - 1) < 1e-3


def _done(lesson_id: str) -> LessonRun:
    run = _run(lesson_id)
    _answer(run)
    return run



@pytest.mark.parametrize("lesson_id, own", [("gradient-descent", "GD"), ("momentum", "momentum"),
                                             ("nesterov", "Nesterov"), ("rmsprop", "RMSprop"), ("adam", "Adam")])
def test_a_done_optimizer_lesson_compares_the_path_of_w_under_each_optimizer_of_unit_3(lesson_id, own):
    run = _run(lesson_id)
    _answer(run, len(run.steps) - 1)
    assert "chart.compare" not in _charts(run)  # only once the lesson is done
    _answer(run)
    chart = _charts(run)["chart.compare"].chart
    lines = {s.label["en"]: s for s in chart.series}
    assert list(lines) == ["GD", "momentum", "Nesterov", "RMSprop", "Adam", "yours", "w*"]
    assert len({s.marker for s in chart.series}) == len(chart.series)  # told apart without colour
    values = run.values()
    yours = lines["yours"]
    assert yours.points and yours.x.tolist() == list(range(len(yours.x)))
    np.testing.assert_allclose(yours.y, [float(values[f"w{t}"]) for t in range(len(yours.x))])
    # the lesson's own method, run again on the same L from the same w₀, goes through the student's values
    np.testing.assert_allclose(lines[own].y[:len(yours.y)], yours.y, rtol=1e-6, atol=1e-9)
    assert len(lines["GD"].x) == 11 and lines["w*"].y.tolist() == [float(values["w_star"])] * 2
    assert abs(lines["GD"].y[-1] - float(values["w_star"])) < abs(lines["GD"].y[1] - float(values["w_star"]))


def test_with_several_weights_the_comparison_is_of_the_loss():
    run = _run("separable-logistic")
    _answer(run)
    chart = _charts(run)["chart.compare"].chart
    assert chart.title["en"] == "The loss under each optimizer of unit 3" and "w*" not in chart.ylabel["en"]
    gd = chart.series[0]
    np.testing.assert_allclose(gd.y[:2], [float(run.values()["L0"]), float(run.values()["L1"])], rtol=1e-6)


def test_the_product_of_the_slopes_across_depth_joins_as_the_slopes_are_found_never_ahead_of_an_answer():
    from tests.support import every_step_lesson

    lesson = every_step_lesson("sigmoid-chain", {"kind": "graph_expr", "expression": "sigmoid(sigmoid(sigmoid(x)))",
                                                 "values": {"x": 0.5}})
    run = LessonRun(lesson)
    chart = _charts(run)["chart.depth"].chart  # from the first step: depths 1…3 and the bound ¼ˡ
    bound, product = chart.series
    assert len(product.x) == 0 and bound.y.tolist() == [0.25, 0.0625, 0.015625] and chart.xticks == (1, 2, 3)
    slopes = ["d.v2.v1", "d.v3.v2", "d.v4.v3"]
    while run.current.quantity != "adj.v4":  # the nodes and every slope
        _answer(run, 1)
    values = run.values()
    product = _charts(run)["chart.depth"].chart.series[1]
    expected = np.cumprod([float(values[k]) for k in slopes])
    # the product of all three is ∂f/∂x, which the lesson asks for: its point waits for that answer
    np.testing.assert_allclose(product.y, expected[:2])
    _answer(run)
    np.testing.assert_allclose(_charts(run)["chart.depth"].chart.series[1].y, expected)
    assert np.all(np.diff(expected) < 0) and expected[-1] <= 0.25 ** 3  # it vanishes at least as fast as ¼ˡ


def test_a_net_of_one_unit_layers_shows_the_product_of_its_activations_slopes():
    run = _run("activations")
    assert len(_charts(run)["chart.depth"].chart.series[1].x) == 0  # after the bound ¼ˡ
    _answer(run)
    values = run.values()
    z = [float(values[k].reshape(-1)[0]) for k in ("z1", "z2", "z3")]
    sig = 1 / (1 + np.exp(-z[0]))
    slopes = [sig * (1 - sig), 1 - np.tanh(z[1]) ** 2, 1.0 if z[2] > 0 else 0.1]  # the lesson's leaky slope 0.1
    np.testing.assert_allclose(_charts(run)["chart.depth"].chart.series[1].y, np.cumprod(slopes))
