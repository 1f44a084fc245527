"""Charts: each answers one question, from the engine's values, and only once what it shows has
been found (nntutor.core.pictures.charts); the misleading charts of issue 13 are gone."""

from __future__ import annotations

import numpy as np

from nntutor.core.catalog import load_catalog
from nntutor.core.curves import MARKERS, activation_chart
from nntutor.core.ops import ACTIVATIONS
from nntutor.core.session import LessonRun


def _run(lesson_id: str) -> LessonRun:
    return LessonRun(load_catalog().find(lesson_id).lesson)


def _answer(run: LessonRun, n: int | None = None) -> None:
    """Type the engine's value for the next ``n`` steps (all when None)."""
    while run.current is not None and (n is None or n > 0):
        value = np.squeeze(np.asarray(run.expected(run.current), dtype=np.float64))
        text = ("; ".join(" ".join(repr(float(v)) for v in row) for row in value) if value.ndim == 2
                else " ".join(repr(float(v)) for v in np.atleast_1d(value)))
        assert run.submit(text).ok, (run.current.quantity, text)
        n = None if n is None else n - 1


def _charts(run: LessonRun) -> dict:
    return {p.name: p for p in run.pictures() if p.kind == "chart"}


def test_the_loss_chart_is_the_engines_losses_step_by_step_as_they_are_found():
    run = _run("gradient-descent")
    assert "chart.loss" not in _charts(run)  # no loss found yet
    _answer(run)
    loss = _charts(run)["chart.loss"]
    values = run.values()
    line = loss.chart.series[0]
    keys = [f"L{t}" for t in range(len(line.x))]
    assert line.x.tolist() == list(range(len(keys))) == list(loss.chart.xticks)
    np.testing.assert_allclose(line.y, [float(values[k]) for k in keys])
    assert line.y[-1] < line.y[0]  # gradient descent brings the loss down
    assert "chart.path" in _charts(run)  # and w walks towards w*


def test_losses_of_different_observations_are_never_joined_as_a_curve():
    for lesson_id in ("sgd-from-zero", "softmax-logloss"):
        run = _run(lesson_id)
        _answer(run)
        assert "chart.loss" not in _charts(run), lesson_id


def test_softmax_temperature_shows_the_probabilities_found_not_a_hidden_cross_entropy():
    run = _run("softmax-temperature")
    assert not _charts(run)
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
    _answer(run, 1)  # σ(0) found, σ′(0) not yet: the curve would show its peak ¼
    assert "chart.sigmoid" not in _charts(run)
    _answer(run, 1)
    chart = _charts(run)["chart.sigmoid"].chart
    assert chart.xlabel["en"] == "t" and "σ(t)" in chart.title["en"] and "z" not in chart.title["en"]


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
        assert name not in _charts(run), lesson_id
        _answer(run)
        assert name in _charts(run), lesson_id
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
