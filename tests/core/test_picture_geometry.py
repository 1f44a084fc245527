"""The geometry of the diagrams, computed in core without a screen: what goes where, what is
elided, what fills in as the student answers."""

from __future__ import annotations

import numpy as np

from nntutor.core.catalog import load_catalog
from nntutor.core.kinds import build_problem
from nntutor.core.pictures import View, fmt, pictures
from nntutor.core.pictures.canvas import DOWN, LEFT, RIGHT, UP, Canvas, width
from nntutor.core.pictures.layers import _slots
from nntutor.core.pictures.net import read_net
from nntutor.core.session import LessonRun


CATALOG = load_catalog()  # read once: a catalog takes most of a second to load


def _run(lesson_id: str, answered: int = 0) -> LessonRun:
    run = LessonRun(CATALOG.find(lesson_id).lesson)
    for _ in range(answered):
        value = np.asarray(run.expected(run.current), dtype=np.float64)
        text = ("; ".join(" ".join(repr(float(v)) for v in row) for row in value) if value.ndim == 2
                else " ".join(repr(float(v)) for v in np.atleast_1d(value)))
        assert run.submit(text).ok
    return run


def _picture(run: LessonRun, name: str):
    return next(p for p in run.pictures() if p.name == name)


def _line(text: str, start: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(start))


def test_lines_meet_as_box_characters_and_marks_stay_with_their_letter():
    c = Canvas()
    c.hline(0, 4, 1)
    c.vline(2, 0, 2)
    c.mark(4, 1, UP)
    assert c.drawing().text.splitlines() == ["  │", "──┼─┘", "  │"]
    assert width("m̂₁") == 2 and UP | DOWN | LEFT | RIGHT == 15


def test_a_dense_net_is_read_from_its_quantity_graph():
    net = read_net(CATALOG.find("activations").lesson.problem)
    assert [(l.units, l.act) for l in net.layers] == [(1, "σ"), (1, "tanh"), (1, "leaky ReLU")]
    net = read_net(CATALOG.find("formula-to-network").lesson.problem)
    assert [l.row for l in net.layers] == [False, False]  # z = W·x: W has a row per unit
    assert [l.b for l in net.layers] == ["b1", "b2"]
    net = read_net(CATALOG.find("minibatch-matrix").lesson.problem)
    assert (net.inputs, net.m, [l.units for l in net.layers]) == (3, 2, [2, 1])


def test_the_net_shows_each_units_weights_and_fills_in_as_answered():
    text = _picture(_run("layer-by-layer"), "net").draw(46, "en").text
    assert _line(text, "W₁").split() == ["W₁", "1,", "0.5", "-1,", "0"]  # into unit 1 from x₁, x₂; into unit 2
    assert _line(text, "z₁").split() == ["z₁", "?", "?"] and "ReLU" in _line(text, "a₁")
    text = _picture(_run("layer-by-layer", 2), "net").draw(46, "en").text
    assert _line(text, "z₁").split() == ["z₁", "2", "-1"] and _line(text, "a₁").split()[:3] == ["a₁", "2", "0"]
    back = _picture(_run("layer-by-layer", 6), "net.backward").draw(46, "en").text
    assert _line(back, "∂L/∂W₂").split() == ["∂L/∂W₂", "4,", "0"] and _line(back, "∂L/∂W₁").split()[1:] == ["?", "?"]


def test_a_big_layer_is_elided_to_its_first_units_and_its_last_with_counts():
    assert _slots(3, 6) == [0, 1, 2] and _slots(300, 6) == [0, 1, 2, 3, None, 299]
    pic = _picture(_run("count-params"), "architecture")
    text = pic.draw(46, "en").text
    assert pic.title["en"] == "The net 12-300-200-100-1"
    assert "300 units" in text and "⋯" in _line(text, "h₁") and "P₁ = ?" in text
    assert max(width(line) for line in text.splitlines() if "○" in line) <= 46
    assert "h₁ 300" in text.splitlines()[-1]  # the note says what was left out


def test_the_computational_graph_has_a_node_per_operation_and_the_edge_derivatives():
    run = _run("computational-graph")
    text = _picture(run, "graph").draw(78, "en").text
    for node in ("v₃ = v₁^2", "v₄ = v₁·v₂", "v₅ = v₃ + v₄", "v₆ = v₁ + v₂", "v₇ = v₆^2", "v₈ = v₅ + v₇"):
        assert node in text
    assert text.count("▶") == 10  # one arrow per edge
    assert "∂f/∂x = ?" in text and "∂f/∂v₅" not in text  # adjoints where the lesson asks for them
    run = _run("computational-graph", 6)  # forward done and ∂v₃/∂v₁ = −2 found
    assert " -2 ▶v₃ = v₁^2" in _picture(run, "graph").draw(78, "en").text


def test_the_convolution_shows_the_window_the_kernel_and_hides_the_size_it_asks_for():
    run = _run("sliding-kernel")
    text = _picture(run, "conv").draw(46, "en").text
    assert text.splitlines()[1].startswith("[2  2  2]")  # the 3×3 window of Y[1,1]
    assert "? × ?" in text  # rows(Y) and cols(Y) are asked: no grid gives them away
    run = _run("sliding-kernel", 2)
    assert "? × ?" not in _picture(run, "conv").draw(46, "en").text


def test_max_pooling_marks_each_windows_maximum_once_P_is_found():
    run = _run("max-pooling", 2)  # Y and rows(P)
    assert "*" not in _picture(run, "pool").draw(46, "en").text
    run = _run("max-pooling", 3)
    text = _picture(run, "pool").draw(46, "en").text
    assert text.count("*") == 4 + 1  # four windows, and the legend


def test_a_maximum_in_the_last_column_of_the_window_is_not_hidden_under_its_bracket():
    """Y = x here: the first window's maximum, 9, is in its right-hand column, where "]" is drawn."""
    data = {"kind": "conv", "x": [[[1, 9, 0, 2], [2, 4, 1, 1], [0, 1, 5, 2], [2, 2, 3, 0]]], "W": [[[1]]],
            "pool": {"type": "max", "size": 2}}
    problem = build_problem(data)
    view = View(problem, problem.evaluate(), complete=True)
    pool = next(p for p in pictures(view) if p.name == "pool")
    lines = pool.draw(46, "en").text.splitlines()
    assert lines[1].startswith("[1   9*]") and lines[2].startswith("[2   4 ]")
    assert sum(line.count("*") for line in lines[1:5]) == 4


def test_the_rnn_is_unrolled_along_W_with_the_local_derivatives_under_the_arrows():
    text = _picture(_run("bptt", 5), "rnn").draw(78, "en").text
    s_line = _line(text, "sₜ")
    assert s_line.count("W") == 3 and s_line.count("▶") == 3
    assert "∂sₜ/∂sₜ₋₁" in text and "U = 1  W = 0.5" in text


def test_every_kind_has_a_picture_and_a_design_ticks_its_cases():
    for entry in CATALOG.entries():
        problem = entry.lesson.problem
        view = View(problem, problem.evaluate(), asked=frozenset(s.quantity for s in entry.lesson.steps))
        assert any(p.kind == "diagram" for p in pictures(view)), entry.id
    run = _run("xor-relu", 6)
    text = _picture(run, "cases").draw(46, "en").text
    assert text.count("✓") == 4


def test_a_design_with_two_inputs_draws_its_cases_as_points_and_your_region_once_the_outputs_are_found():
    run = _run("two-lines", 6)  # the weights, z₁ and a₁: ŷ still to find
    text = _picture(run, "points").draw(46, "en").text
    plane = "\n".join(text.splitlines()[:-2])  # the legend says what is to come
    assert "░" not in plane and "✓" not in plane and "✗" not in plane
    assert _line(text, " 1 ┤").split()[2:] == ["○4", "●1", "○5"]  # (−1, 1) → 0, (1, 1) → 1, (3, 1) → 0
    assert _line(text, "-1 ┤").split()[2:] == ["○6"]
    run = _run("two-lines", 7)
    text = _picture(run, "points").draw(46, "en").text
    assert text.count("✓") == 6 and "░" in _line(text, " 3 ┤") and "░" not in _line(text, "-1 ┤")


def test_the_points_tick_the_cases_your_weights_get_right_and_cross_the_others():
    problem = CATALOG.find("two-lines").lesson.problem
    values = problem.evaluate({"W1": np.array([[1.0, 1.0], [1.0, 1.0]])})  # both units the same line
    view = View(problem, values, complete=True)
    text = next(p for p in pictures(view) if p.name == "points").draw(78, "en").text
    failed = int(values["failures"])
    assert failed and text.count("✗") == failed and text.count("✓") == 6 - failed


def test_bptt_draws_each_path_of_ds3_dW_and_highlights_it_once_its_factors_are_found():
    run = _run("bptt", 3)  # s₁…s₃
    assert [p.name for p in run.pictures()][:2] == ["rnn", "bptt"]
    while run.current.quantity != "ds3.ds2":
        _answer(run)
    pic = _picture(run, "bptt")
    drawing = pic.draw(78, "en")
    rows = drawing.text.splitlines()
    assert [r.split()[:3] for r in rows[:3]] == [["k", "=", "3"], ["k", "=", "2"], ["k", "=", "1"]]
    assert rows[0].count("▶") == 1 and rows[1].count("▶") == 2 and rows[2].count("▶") == 3
    assert all(r.rstrip().endswith("?") for r in rows[:3])  # each path still lacks ∂s₃/∂s₂
    assert "mark" not in {s.tag for s in drawing.lines[0] + drawing.lines[1] + drawing.lines[2]}
    _answer(run, 2)  # ∂s₃/∂s₂ and ∂s₃/∂W*: every path found
    values = run.values()
    rows = _picture(run, "bptt").draw(78, "en").text.splitlines()
    f = {k: float(values[k]) for k in ("ds1.dW.direct", "ds2.dW.direct", "ds3.dW.direct", "ds2.ds1", "ds3.ds2")}
    products = [f["ds3.dW.direct"], f["ds3.ds2"] * f["ds2.dW.direct"], f["ds3.ds2"] * f["ds2.ds1"] * f["ds1.dW.direct"]]
    assert [r.split()[-2:] for r in rows[:3]] == [[fmt(v), "✓"] for v in products]
    assert abs(sum(products) - float(values["ds3.dW"])) < 1e-9  # the sum is ∂s₃/∂W
    assert "∂s₃/∂W = ?" in rows[4]  # which the student has still to type


def _answer(run: LessonRun, n: int = 1) -> None:
    for _ in range(n):
        value = np.asarray(run.expected(run.current), dtype=np.float64)
        assert run.submit(" ".join(repr(float(v)) for v in np.atleast_1d(value).reshape(-1))).ok


def test_single_layer_draws_linear_relu_linear_as_blocks_that_fill_in():
    run = _run("single-layer")
    assert [p.name for p in run.pictures() if p.kind == "diagram"] == ["blocks"]
    text = _picture(run, "blocks").draw(46, "en").text
    heads = [line for line in text.splitlines() if line.startswith("┌")]
    assert [h.split("─ ")[1].split(" ─")[0] for h in heads] == ["lin1 · linear", "relu · ReLU", "lin2 · linear"]
    assert "W₁ = [1, -1; 0.5, 0]" in text and "z₁ = ?" in text and "∂L/∂z₁ = -1, 0" in text  # givens and a blank
    assert text.count("▼") == 2 + 1  # between the blocks, and in the note
    text = _picture(_run("single-layer", 1), "blocks").draw(46, "en").text
    assert "z₁ = 2, -1" in text.split("└")[0]  # lin1's output, found


def test_pictures_tolerate_a_step_that_asks_for_no_quantity():
    """A question with options (a choice step) has no quantity: its None among what is asked, typed
    and in focus is no quantity to draw, in every kind of picture."""
    for lesson_id in ("layer-by-layer", "sgd-from-zero", "two-lines", "computational-graph", "max-pooling", "bptt",
                      "single-layer", "batchnorm", "gradient-descent", "count-params"):
        run = _run(lesson_id, 2)
        asked = frozenset(run.asked) | {None}
        known = frozenset(s.quantity for s in run.steps if run.is_accepted(s)) | {None}
        view = View(run.lesson.problem, run.values(), known, asked, False, None, {None: "b"})
        found = pictures(view)
        assert [p.name for p in found] == [p.name for p in run.pictures()], lesson_id
        for pic in found:
            assert None not in pic.shows and pic.title["ru"]
            if pic.draw:
                assert pic.draw(46, "en").text and pic.draw(78, "ru").width <= 78, (lesson_id, pic.name)


def test_a_kind_no_picture_knows_gets_the_givens_sheet():
    from nntutor.core.graph import ProblemBuilder, texts

    b = ProblemBuilder("a-new-kind")
    b.given("x", np.array([1.0, 2.0, 3.0]), "x", texts("the input", "вход"))
    b.given("T", np.arange(8.0).reshape(2, 2, 2), "T", texts("a tensor", "тензор"))
    b.derived("s", lambda x: np.sum(x), ["x"], "s", texts("the sum", "сумма"), "forward", "s = Σ x")
    problem = b.build()
    view = View(problem, problem.evaluate(), asked=frozenset({"s", None}))
    (sheet,) = pictures(view)
    text = sheet.draw(46, "en").text
    assert sheet.name == "givens" and "x = 1, 2, 3" in text and "s = ?" in text and "T = [" in text
    assert "6" not in text.replace("T = [0, 1, 2, 3; 4, 5, 6, 7]", "")  # the sum is still to be found
