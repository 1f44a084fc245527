"""Answer → verdict → diagnosis, across problem kinds: what a student sees for what they type.

Each row: a lesson, the step's quantity, what the student types, and what must happen:
"ok" (accepted), "format" (a format message, no attempt), or "wrong" with either a word
the diagnosis must contain or None (wrong, and no specific diagnosis is promised). Earlier
steps are answered with the engine's own values, so every row is judged in context.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nntutor.core.catalog import lessons_dir
from nntutor.core.lesson import load_lesson
from nntutor.core.session import LessonRun

ROOT = Path(__file__).resolve().parents[1]
LBL = lessons_dir() / "4-backprop" / "layer-by-layer.toml"
KINDS = ROOT / "lessons" / "kinds"

OK, FORMAT = "ok", "format"

# (lesson, quantity, typed, outcome, diagnosis must contain)
TABLE = [
    # forward pass: many ways to write a right value
    (LBL, "z1", "2 -1", OK, None),
    (LBL, "z1", "[2, -1]", OK, None),
    (LBL, "z1", "2, -1", OK, None),
    (LBL, "z1", "2; -1", OK, None),
    (LBL, "z1", "2 −1", OK, None),
    (LBL, "z1", "4/2 -1", OK, None),
    (LBL, "z1", "[2 -1]", OK, None),
    (LBL, "z1", "2.0 -1.00", OK, None),
    (LBL, "z1", "1+1 -1", OK, None),
    (LBL, "z1", "2", FORMAT, "vector of 2"),
    (LBL, "z1", "2 -1 0", FORMAT, "vector of 2"),
    (LBL, "z1", "two", FORMAT, None),
    (LBL, "z1", "1,2", FORMAT, "1.2"),
    (LBL, "z1", "2 1", "wrong", "entries are right"),
    (LBL, "z1", "-2 1", "wrong", "sign"),
    (LBL, "a1", "2 0", OK, None),
    (LBL, "a1", "2 -0", OK, None),
    (LBL, "a1", "2 -1", "wrong", "z₁"),
    (LBL, "a1", "2 1", "wrong", "flip the sign"),
    (LBL, "y_hat", "1", OK, None),
    (LBL, "y_hat", "1.0", OK, None),
    (LBL, "y_hat", "2/2", OK, None),
    (LBL, "y_hat", "0", "wrong", "activations a₁"),
    (LBL, "y_hat", "-1", "wrong", "sign"),
    (LBL, "L", "1", OK, None),
    (LBL, "L", "0.5", "wrong", "½"),
    (LBL, "L", "0,5", "wrong", "½"),
    (LBL, "L", "-1", "wrong", "sign"),
    (LBL, "grad.y_hat", "2", OK, None),
    (LBL, "grad.y_hat", "1", "wrong", "2"),
    (LBL, "grad.y_hat", "-2", "wrong", "sign"),
    (LBL, "grad.W2", "4 0", OK, None),
    (LBL, "grad.W2", "4; 0", OK, None),
    (LBL, "grad.W2", "[[4], [0]]", OK, None),
    (LBL, "grad.W2", "-4 0", "wrong", "sign"),
    (LBL, "grad.W2", "2 0", "wrong", "a₁"),
    (LBL, "grad.a1", "1 2", OK, None),
    (LBL, "grad.a1", "-1 -2", "wrong", "sign"),
    (LBL, "grad.a1", "0.5 1", "wrong", "W₂"),
    (LBL, "grad.z1", "1 0", OK, None),
    (LBL, "grad.z1", "1 2", "wrong", "ReLU passes the gradient only where its input is positive"),
    (LBL, "grad.z1", "-1 0", "wrong", "sign"),
    (LBL, "grad.W1", "1 0; 2 0", OK, None),
    (LBL, "grad.W1", "[[1, 0], [2, 0]]", OK, None),
    (LBL, "grad.W1", "1 0\n2 0", OK, None),
    (LBL, "grad.W1", "1 0 2 0", FORMAT, "2×2 matrix"),
    (LBL, "grad.W1", "1 2; 0 0", "wrong", "ᵀ"),
    (LBL, "grad.W1", "-1 0; -2 0", "wrong", "sign"),
    (LBL, "W1.next", "0 -1; -1.5 0", OK, None),
    (LBL, "W1.next", "0 -1; -1,5 0", OK, None),
    (LBL, "W1.next", "0 -1; -3/2 0", OK, None),
    (LBL, "W1.next", "2 -1; 2.5 0", "wrong", "subtract"),
    (LBL, "W2.next", "-3.5 1", OK, None),
    (LBL, "W2.next", "-7/2; 1", OK, None),
    (LBL, "W2.next", "4.5 1", "wrong", "subtract"),
    (LBL, "W2.next", "-4 0", "wrong", None),
    # optimizers (momentum, textbook form, on x = (1, 2), y = (2, 3), η = 0.1, α = 0.9)
    (KINDS / "optimize.toml", "w_star", "1.6", OK, None),
    (KINDS / "optimize.toml", "w_star", "8/5", OK, None),
    (KINDS / "optimize.toml", "w_star", "1,6", OK, None),
    (KINDS / "optimize.toml", "w_star", "2", "wrong", None),
    (KINDS / "optimize.toml", "grad1", "-8", OK, None),
    (KINDS / "optimize.toml", "grad1", "8", "wrong", "sign"),
    (KINDS / "optimize.toml", "h1", "-0.8", OK, None),
    (KINDS / "optimize.toml", "h1", "-8", "wrong", "PyTorch"),
    (KINDS / "optimize.toml", "w1", "0.8", OK, None),
    (KINDS / "optimize.toml", "w1", "-0.8", "wrong", "subtract"),
    (KINDS / "optimize.toml", "h2", "-1.12", OK, None),
    (KINDS / "optimize.toml", "h2", "-1.1", OK, None),  # two significant figures, within half a unit
    (KINDS / "optimize.toml", "h2", "-1.2", "wrong", "left out α"),  # h₁ + η·g₂, not a rounding of −1.12
    (KINDS / "optimize.toml", "h2", "-1.11", "wrong", None),  # a whole unit off −1.12: not a rounding slip
    (KINDS / "optimize.toml", "h2", "-11.2", "wrong", "PyTorch"),
    (KINDS / "optimize.toml", "h2", "-4.72", "wrong", "learning rate"),
    (KINDS / "optimize.toml", "w2", "1.92", OK, None),
    (KINDS / "optimize.toml", "w2", "1,92", OK, None),
    (KINDS / "optimize.toml", "L2", "0.356", OK, None),
    (KINDS / "optimize.toml", "L2", "0.712", "wrong", "½"),
    (KINDS / "optimize.toml", "L2", "0.4", "wrong", "significant"),
    # batch normalisation of a 4×2 batch
    (KINDS / "batchnorm.toml", "mu", "5 2", OK, None),
    (KINDS / "batchnorm.toml", "var", "8 3", OK, None),
    (KINDS / "batchnorm.toml", "var", "32/3 4", "wrong", "m − 1"),
    (KINDS / "batchnorm.toml", "std", "3 2", OK, None),
    (KINDS / "batchnorm.toml", "x_hat", "-4/3 1.5; 0 -0.5; 0 -0.5; 4/3 -0.5", OK, None),
    (KINDS / "batchnorm.toml", "x_hat", "-1.33 1.5; 0 -0.5; 0 -0.5; 1.33 -0.5", OK, None),
    (KINDS / "batchnorm.toml", "x_hat", "-1.3 1.5; 0 -0.5; 0 -0.5; 1.3 -0.5", OK, None),
    (KINDS / "batchnorm.toml", "x_hat", "4/3 1.5; 0 -0.5; 0 -0.5; 4/3 -0.5", "wrong", "row 1, column 1 (counting from 1)"),
    # convolution and max pooling
    (KINDS / "conv.toml", "Y.rows", "4", OK, None),
    (KINDS / "conv.toml", "Y.rows", "2", "wrong", "padding"),
    (KINDS / "conv.toml", "Y.rows", "3", "wrong", "+1"),
    (KINDS / "conv.toml", "Y.rows", "4.0001", "wrong", None),
    (KINDS / "conv.toml", "n_params", "10", OK, None),
    (KINDS / "conv.toml", "n_params", "9", "wrong", "biases"),
    (KINDS / "conv.toml", "P", "16 17; 11 16", OK, None),
    (KINDS / "conv.toml", "P", "10.5 10.5; 9.5 8", "wrong", "averaged"),
    (KINDS / "conv.toml", "grad.Y", "0 0 0 0; 0 1 1 0; 1 0 1 0; 0 0 0 0", OK, None),
    (KINDS / "conv.toml", "grad.Y", "1 1 1 1; 1 1 1 1; 1 1 1 1; 1 1 1 1", "wrong", "every cell"),
    (KINDS / "conv.toml", "grad.Y", "0 0 0 0; 0 1 1 0; 1 0 1 0; 0 1 0 0", "wrong", "tied"),
    (KINDS / "conv.toml", "grad.b", "4", OK, None),
    (KINDS / "conv.toml", "grad.b", "0.25", "wrong", "averaged"),
    # a computational graph: f = x² + xy + (x + y)² at (1, 2)
    (KINDS / "graph_expr.toml", "v3", "1", OK, None),
    (KINDS / "graph_expr.toml", "f", "12", OK, None),
    (KINDS / "graph_expr.toml", "f", "9", "wrong", "v₇"),
    (KINDS / "graph_expr.toml", "d.v3.v1", "2", OK, None),
    (KINDS / "graph_expr.toml", "d.v3.v1", "1", "wrong", "power rule"),
    (KINDS / "graph_expr.toml", "adj.v1", "10", OK, None),
    (KINDS / "graph_expr.toml", "adj.v1", "4", "wrong", "path through v₆"),
    (KINDS / "graph_expr.toml", "adj.v1", "5", "wrong", "adjoint"),
    (KINDS / "graph_expr.toml", "grad.y", "7", OK, None),
    (KINDS / "graph_expr.toml", "grad.y", "1", "wrong", "path through v₆"),
    (KINDS / "graph_expr.toml", "grad.y", "-7", "wrong", "sign"),
]


def run_to(lesson_path: Path, quantity: str) -> LessonRun:
    """A LessonRun whose current step asks for ``quantity``, earlier steps answered exactly."""
    lesson = load_lesson(lesson_path)
    run = LessonRun(lesson, lang="en")
    while run.current is not None and run.current.quantity != quantity:
        assert run.submit(exact(run.expected(run.current))).ok
    assert run.current is not None, f"{lesson_path.name} has no step {quantity}"
    return run


def exact(value: np.ndarray) -> str:
    value = np.asarray(value, dtype=float)
    if value.ndim == 2 and min(value.shape) > 1:
        return "; ".join(" ".join(repr(float(v)) for v in row) for row in value)
    return " ".join(repr(float(v)) for v in value.reshape(-1))


@pytest.mark.parametrize("lesson, quantity, typed, outcome, words", TABLE,
                         ids=[f"{r[0].stem}:{r[1]}:{r[2]!r}" for r in TABLE])
def test_verdict(lesson, quantity, typed, outcome, words):
    run = run_to(lesson, quantity)
    verdict = run.submit(typed)
    if outcome == OK:
        assert verdict.ok and verdict.diagnosis is None, verdict
        return
    assert verdict.status == outcome, verdict
    if outcome == FORMAT:
        assert run.current.quantity == quantity  # no step lost
        if words:
            assert words in verdict.message
        return
    if words:
        assert verdict.diagnosis and words in verdict.diagnosis, verdict.diagnosis


def test_at_least_90_percent_of_wrong_answers_get_a_diagnosis():
    wrong = [row for row in TABLE if row[3] == "wrong"]
    diagnosed = 0
    for lesson, quantity, typed, _outcome, _words in wrong:
        verdict = run_to(lesson, quantity).submit(typed)
        diagnosed += verdict.diagnosis is not None
    assert len(TABLE) >= 60
    assert diagnosed / len(wrong) >= 0.9, f"{diagnosed}/{len(wrong)}"
