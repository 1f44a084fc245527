"""What a lesson can plot: the loss across its steps and its activations, from the engine."""

from __future__ import annotations

import numpy as np

from nntutor.core.catalog import load_catalog
from nntutor.core.curves import activation_chart, charts
from nntutor.core.ops import ACTIVATIONS


def _lesson(lesson_id: str):
    return load_catalog().find(lesson_id).lesson


def test_the_loss_chart_is_the_engines_losses_step_by_step():
    problem = _lesson("gradient-descent").problem
    values = problem.evaluate()
    (loss,) = [c for c in charts(problem) if c.title["en"].startswith("The loss")]
    line = loss.series[0]
    keys = [f"L{t}" for t in range(len(line.x))]
    assert line.x.tolist() == list(range(len(keys))) and list(loss.xticks) == list(range(len(keys)))
    np.testing.assert_allclose(line.y, [float(values[k]) for k in keys])
    assert line.y[-1] < line.y[0]  # gradient descent brings the loss down


def test_a_loss_the_student_has_not_found_is_not_plotted():
    problem = _lesson("gradient-descent").problem
    assert not [c for c in charts(problem, known=set()) if c.title["en"].startswith("The loss")]
    (loss,) = charts(problem, known={"L0", "L3"})
    assert loss.series[0].x.tolist() == [0, 3]


def test_activation_charts_follow_the_activations_the_lesson_applies():
    titles = [c.title["en"] for c in charts(_lesson("activations").problem)]
    assert any("σ" in t for t in titles) and any("tanh" in t for t in titles)
    assert charts(_lesson("sliding-kernel").problem) == ()  # a convolution applies neither
    chart = activation_chart("sigmoid")
    z = chart.series[0].x
    np.testing.assert_allclose(chart.series[0].y, ACTIVATIONS["sigmoid"].forward(z))
    np.testing.assert_allclose(chart.series[1].y, chart.series[0].y * (1 - chart.series[0].y))
    assert abs(chart.series[1].y.max() - 0.25) < 1e-3  # σ′ is largest at 0: ¼


def test_a_lesson_run_shows_a_loss_only_once_the_student_has_found_it():
    from nntutor.core.session import LessonRun

    run = LessonRun(_lesson("gradient-descent"))
    now, later = run.charts()
    assert now == () and later  # nothing found yet; the loss curve comes with the answers
    while run.current is not None:
        assert run.submit(repr(float(np.asarray(run.expected(run.current)).reshape(-1)[0]))).ok
    (done,), more = run.charts()  # done: every loss of the run, including those no step asked for
    losses = [k for k in run.lesson.problem.quantities if k.startswith("L") and k[1:].isdigit()]
    assert not more and len(done.series[0].x) == len(losses) > 2
