"""Declared mistakes of the dense kind: a wrong value a declared mistake produces gets that mistake's message.

Each lesson is walked step by step through ``LessonRun.submit``, as a student would: at every step
each declared mistake that differs from the right value is typed in (rounded to 4 significant
figures as ``format_value`` shows it, and at full precision), then the right value is typed and
accepted. ``diagnose`` tries the author's wrong answers first, then the mistakes in declaration
order, so a typed value that an earlier one also matches gets that one's message; everything else
must get its own.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nntutor.core.answers import format_value, read_answer
from nntutor.core.feedback import diagnose
from nntutor.core.feedback import _go_on
from nntutor.core.feedback import text as feedback_text
from nntutor.core.kinds import build_problem
from nntutor.core.lesson import load_lesson, lesson_from_data
from nntutor.core.session import LessonRun
from nntutor.core.tolerance import compare

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "lessons" / "4-backprop" / "layer-by-layer.toml"
KIND_LESSON = ROOT / "tests" / "lessons" / "kinds" / "dense.toml"


def exact(value) -> str:
    return format_value(value, 17)


def rounded(value) -> str:
    return format_value(value)


def lesson_for(problem_data, keys=None):
    """A lesson over ``problem_data`` asking for every derived quantity in order (or just ``keys``)."""
    problem = build_problem(problem_data)
    keys = keys or [k for k, q in problem.quantities.items() if not q.is_given]
    data = {"format_version": 1, "id": "mistakes", "unit": "tests", "title": {"en": "t", "ru": "т"},
            "text": {"en": "t", "ru": "т"}, "problem": dict(problem_data),
            "steps": [{"quantity": k, "prompt": {"en": k, "ru": k}} for k in keys]}
    return lesson_from_data(data, Path("mistakes.toml"))


def walk(lesson, lang: str, typed=rounded):
    """Type every mistake of every step, then the right value; return what fired and what coincided.

    fired: (quantity, mistake name) whose own message came back; coinciding: those equal to the
    right value (never typed: the right value must simply be accepted).
    """
    problem = lesson.problem
    run = LessonRun(lesson, lang=lang)
    fired: set[tuple[str, str]] = set()
    coinciding: set[tuple[str, str]] = set()
    for step in lesson.steps:
        assert run.current is step
        values = run.values()
        right = np.asarray(values[step.quantity])
        shape, tol = right.shape, run.tolerance(step)
        authored = [(read_answer(m.answer, shape).value, m.message[lang]) for m in step.mistakes]
        candidates = problem.mistake_values(step.quantity, values)
        live = [(v, val.reshape(shape)) for v, val in candidates
                if val.size == right.size and not np.allclose(val.reshape(-1), right.reshape(-1))]
        for mistake, value in candidates:
            if all(mistake is not v for v, _ in live):
                coinciding.add((step.quantity, mistake.name))
                check_never_fires(run, step, mistake, values, lang)
        for mistake, value in live:
            text = typed(value)
            reading = read_answer(text, shape)
            if compare(reading, right, tol).ok:  # within tolerance of the right value: it is right
                coinciding.add((step.quantity, mistake.name))
                continue
            verdict = run.submit(text)
            assert verdict.status == "wrong", (step.quantity, mistake.name, text)
            mine = authored_first = [msg for val, msg in authored if compare(reading, val, tol).ok]
            if not authored_first:  # every declared slip giving this value is named: the first two
                mine = []
                for v, val in live:
                    if compare(reading, val, tol).ok and v.message[lang] not in mine:
                        mine.append(v.message[lang])
            want = mine[0] if len(mine) == 1 or authored_first else feedback_text("or_else", lang, mine[0], _go_on(mine[1]))
            assert verdict.diagnosis == want, (step.quantity, mistake.name, text)
            if mine[0] == mistake.message[lang]:
                fired.add((step.quantity, mistake.name))
        verdict = run.submit(exact(right))
        assert verdict.status == "correct" and verdict.diagnosis is None, (step.quantity, verdict)
    assert run.complete
    return fired, coinciding


def check_never_fires(run, step, mistake, values, lang):
    """A mistake equal to the right value is skipped even when diagnose is asked about that value."""
    right = np.asarray(values[step.quantity])
    reading = read_answer(exact(right), right.shape)
    tol = run.tolerance(step)
    got = diagnose(reading, compare(reading, right, tol), step.quantity, run.lesson.problem, values, tol, lang)
    others = {v.message[lang] for v, val in run.lesson.problem.mistake_values(step.quantity, values)
              if not np.allclose(val.reshape(-1), right.reshape(-1))
              and compare(reading, val.reshape(right.shape), tol).ok}
    assert got is None or got != mistake.message[lang] or got in others, (step.quantity, mistake.name)


# -- the bundled lesson and the kind's test lesson ---------------------------------------------


LAYER_BY_LAYER_FIRES = {
    # x = (1, 2), W1 = [[1, −1], [0.5, 0]], W2 = (0.5, 1)ᵀ, y = 0, L = (ŷ − y)², γ = 1
    ("z1", "transposed_W"),                 # x·W1ᵀ = (1 − 2, 0.5 + 0) = (−1, 0.5)
    ("a1", "no_activation"),                # z1 = (2, −1)
    ("a1", "relu_abs"),                     # |z1| = (2, 1)
    ("L", "half_added"),                    # ½·1 = 0.5
    ("grad.y_hat", "no_two"),               # ŷ − y = 1
    ("grad.W2", "preactivation_input"),     # z1ᵀ·2 = (4, −2)
    ("grad.W2", "no_input"),                # 1ᵀ·2 = (2, 2)
    ("grad.z1", "no_derivative"),           # ∂L/∂a1 = (1, 2)
    ("grad.z1", "function_not_derivative"),  # (1, 2) ∘ ReLU(z1) = (2, 0)
    ("grad.z1", "flipped_mask"),            # (1, 2) ∘ [z1 ≤ 0] = (0, 2)
    ("grad.W1", "transposed"),              # [[1, 2], [0, 0]]
    ("grad.W1", "output_not_input"),        # a1ᵀ·(1, 0) = [[2, 0], [0, 0]]
    ("grad.W1", "no_input"),                # 1ᵀ·(1, 0) = [[1, 0], [1, 0]]
    ("W1.next", "step_added"),              # W1 + ∂L/∂W1 = [[2, −1], [2.5, 0]]
    ("W1.next", "step_only"),               # −∂L/∂W1 = [[−1, 0], [−2, 0]]
    ("W2.next", "step_added"),              # (0.5 + 4, 1 + 0) = (4.5, 1)
    ("W2.next", "step_only"),               # (−4, 0)
}


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("typed", [rounded, exact])
def test_layer_by_layer_lesson(lang, typed):
    lesson = load_lesson(BUNDLED)
    fired, coinciding = walk(lesson, lang, typed)
    asked = {s.quantity for s in lesson.steps}
    assert fired == {f for f in LAYER_BY_LAYER_FIRES if f[0] in asked}
    # γ = 1: leaving out the learning rate changes nothing, so it never fires
    assert ("W1.next", "no_lr") in coinciding


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_layer_by_layer_every_quantity(lang):
    lesson = load_lesson(BUNDLED)
    fired, _ = walk(lesson_for(lesson.problem_data), lang)
    assert fired == LAYER_BY_LAYER_FIRES


KIND_LESSON_FIRES = {
    # zero weights, observations (1, 1 | 1) and (5, 2 | 0), order 2 then 1, L = ½(ŷ − y)², η = 1
    ("a1@1", "no_activation"),               # z1 = (0, 0)
    ("grad.y_hat@1", "other_order"),         # observation 1 first: ŷ − y = 0 − 1 = −1
    ("y_hat@2", "other_order"),              # W3 = (0.5, 0.5)ᵀ after obs 1, then obs 2: 0.25 + 0.25
    ("L@2", "no_half"),                      # (0 − 1)² = 1
    ("L@2", "other_order"),                  # ½·0.5² = 0.125
    ("grad.y_hat@2", "two_kept"),            # 2·(0 − 1) = −2
    ("grad.y_hat@2", "other_order"),         # 0.5 − 0
    ("grad.W3@2", "preactivation_input"),    # z2 = (0, 0)
    ("grad.W3@2", "no_input"),               # 1ᵀ·(−1) = (−1, −1) instead of a2 = (0.5, 0.5) times it
    ("grad.W3@2", "other_order"),            # (0.5, 0.5)·0.5
    ("grad.a2@2", "other_order"),            # 0.5·(0.5, 0.5)
    ("W3.next@2", "step_added"),             # 0 + (−0.5) each
    ("W3.next@2", "other_order"),            # 0.5 − 0.25 each
}


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("typed", [rounded, exact])
def test_kind_test_lesson(lang, typed):
    fired, _ = walk(load_lesson(KIND_LESSON), lang, typed)
    assert fired == KIND_LESSON_FIRES


def test_other_order_message_names_both_orders():
    lesson = load_lesson(KIND_LESSON)
    run = LessonRun(lesson, lang="en")
    assert run.submit("0.5 0.5").ok and run.submit("0").ok
    verdict = run.submit("-1")  # ∂L/∂ŷ⁽¹⁾ with observation 1 taken first
    assert verdict.diagnosis == ("That is the value you get taking observation 1 first; this lesson takes "
                                 "observation 2 first (order 2, 1).")
    run = LessonRun(lesson, lang="ru")
    assert run.submit("0.5 0.5").ok and run.submit("0").ok
    assert "наблюдения 1" in run.submit("-1").diagnosis


# -- nets built here -----------------------------------------------------------------------------


def sigmoid_net(layout="row", loss_from="output"):
    W1 = [[0.3, -0.8], [0.6, 0.2]]
    W2 = [[0.5, -0.4], [0.9, 0.7]]
    if layout == "column":
        W1, W2 = np.array(W1).T.tolist(), np.array(W2).T.tolist()
    return {"kind": "dense", "layout": layout, "x": [0.5, -1.2], "y": 1, "loss": "log", "loss_from": loss_from,
            "learning_rate": 0.5,
            "layers": [{"W": W1, "b": [0.1, -0.2], "activation": "sigmoid"},
                       {"W": W2, "b": [0.3, 0.1], "activation": "tanh"},
                       {"W": [0.7, -1.1], "b": [0.05], "activation": "sigmoid"}]}


def softmax_batch(layout="row", loss_from="output", temperature=2.0, reduction="mean"):
    X = np.array([[1.0, -0.5], [0.2, 0.8], [-1.0, 0.4]])
    W1 = np.array([[0.4, -0.6], [0.7, 0.3]])
    W2 = np.array([[0.5, -0.2, 0.1], [-0.3, 0.8, 0.6]])
    if layout == "column":
        X, W1, W2 = X.T, W1.T, W2.T
    return {"kind": "dense", "layout": layout, "X": X.tolist(), "Y": [1, 3, 2], "reduction": reduction,
            "loss": "cross_entropy", "loss_from": loss_from, "learning_rate": 0.1,
            "layers": [{"W": W1.tolist(), "b": [0.1, -0.1], "activation": "relu"},
                       {"W": W2.tolist(), "b": [0.0, 0.2, -0.1], "activation": "softmax",
                        "temperature": temperature}]}


def half_squared(**extra):
    data = {"kind": "dense", "x": [1.5, -0.5], "y": [0.2, -0.4], "loss": "squared", "half": True,
            "learning_rate": 0.1,
            "layers": [{"W": [[0.8, -0.3], [0.4, 0.9]], "b": [0.1, -0.6], "activation": "relu"},
                       {"W": [[0.5, -0.6], [-0.7, 0.6]], "b": [0.2, 0.1], "activation": "leaky_relu", "slope": 0.1},
                       {"W": [[0.3, -0.2], [0.6, 0.4]], "activation": "identity"}]}
    data.update(extra)
    return data


def squared_batch_sum():
    return {"kind": "dense", "X": [[1, 2], [0.5, -1], [2, 0.5]], "Y": [1, 0, 2], "reduction": "sum",
            "loss": "squared", "half": False, "learning_rate": 0.05,
            "layers": [{"W": [[0.2, -0.5, 0.3], [0.4, 0.1, -0.2]], "activation": "tanh"},
                       {"W": [0.6, -0.4, 0.9], "b": [0.1], "activation": "identity"}]}


def sgd(order):
    return {"kind": "dense", "X": [[1, 2], [-1, 0.5], [0.5, -1.5]], "Y": [0.5, -0.2, 1.0], "order": order,
            "loss": "squared", "half": True, "learning_rate": 0.3, "init": {"seed": 3, "scale": 0.5},
            "biases": True,
            "layers": [{"units": 2, "activation": "sigmoid"}, {"units": 1, "activation": "identity"}]}


def dropout_net(layout="column", scaling="inverted", p_is="drop", loss_from="output", batch=False, **extra):
    """A 2–3–1 sigmoid net with biases, a dropout mask after layer 1 and a weighted log-loss."""
    W1 = np.array([[1.0, -1.0], [0.5, 0.2], [0.3, 0.1]])
    W2 = np.array([[0.5, 1.0, -1.0]])
    mask = np.array([1.0, 0.0, 1.0])
    if layout == "row":
        W1, W2 = W1.T, W2.T
    data = {"kind": "dense", "layout": layout, "loss": "log", "loss_from": loss_from, "learning_rate": 0.5,
            "pos_weight": 3, "loss_weights": [2],
            "dropout": {"p": 0.4, "p_is": p_is, "scaling": scaling},
            "layers": [{"W": W1.tolist(), "b": [0.1, 0.0, -0.2], "activation": "sigmoid", "mask": mask.tolist()},
                       {"W": W2.tolist(), "b": [0.3], "activation": "sigmoid"}]}
    if batch:
        X = np.array([[1.0, 2.0], [-1.0, 0.5]])
        M = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
        if layout == "column":
            X, M = X.T, M.T
        data.update(X=X.tolist(), Y=[1, 0], reduction="mean")
        data["layers"][0]["mask"] = M.tolist()
    else:
        data.update(x=[1, 2], y=1)
    data.update(extra)
    return data


NETS = {
    "dropout-inverted-weighted": dropout_net(),
    "dropout-at-test-row-batch-logits": dropout_net("row", "at_test", "keep", "logits", batch=True),
    "weighted-squared-square": {"kind": "dense", "x": [1.5, -0.5], "y": [0.2, -0.4], "loss": "squared",
                                "half": False, "learning_rate": 0.1, "loss_weights": [2, 0.5],
                                "layers": [{"W": [[0.8, -0.3], [0.4, 0.9]], "b": [0.1, -0.6], "activation": "tanh"},
                                           {"W": [[0.5, -0.6], [-0.7, 0.6]], "b": [0.2, 0.1],
                                            "activation": "identity"}]},
    "sigmoid": sigmoid_net(),
    "sigmoid-column-logits": sigmoid_net("column", "logits"),
    "softmax-ce-batch": softmax_batch(),
    "softmax-ce-batch-logits-column": softmax_batch("column", "logits"),
    "softmax-ce-single": {"kind": "dense", "x": [0.3, -0.7, 1.1], "y": 3, "loss": "cross_entropy",
                          "learning_rate": 0.2,
                          "layers": [{"W": [[0.2, -0.4, 0.6], [0.5, 0.1, -0.3], [0.9, 0.4, 0.2]],
                                      "activation": "softmax"}]},
    "half-squared": half_squared(),
    "half-squared-2-iterations": half_squared(iterations=2),
    "squared-batch-sum": squared_batch_sum(),
    "sgd-2-3-1": sgd([2, 3, 1]),
    "sgd-1-3-2": sgd([1, 3, 2]),
}

#: Every mistake the dense kind declares (one_unit_j counted once).
ALL_MISTAKES = {
    "no_bias", "transposed_W", "no_activation", "relu_abs", "leaky_as_relu", "sigmoid_sign", "no_temperature",
    "not_normalized", "sum_not_mean", "mean_not_sum", "no_half", "half_added", "no_minus", "log10",
    "largest_class", "no_mean", "mean_twice", "two_kept", "no_two", "no_derivative", "derivative_at_output",
    "function_not_derivative", "no_slope", "diagonal_jacobian", "transposed", "output_not_input",
    "preactivation_input", "no_input", "W_not_transposed", "one_unit", "step_added", "no_lr", "step_only",
    "other_order", "no_square", "flipped_mask", "upstream_sign",
    # bias gradients, dropout in the net, weighted losses
    "activation_for_delta", "input_for_delta", "one_observation", "undropped_input", "no_loss_weights",
    "no_pos_weight", "pos_weight_on_negative", "pos_weight_everywhere", "mask_at_test", "no_mask", "no_q",
    "no_scale", "p_vs_q", "scaled_at_train", "scaling", "times_q",
}


def _base(name: str) -> str:
    return "one_unit" if name.startswith("one_unit_") else name


@pytest.fixture(scope="module")
def walked():
    """Each built net walked in both languages; its fired mistakes (the same in both, checked)."""
    out = {}
    for name, data in NETS.items():
        lesson = lesson_for(data)
        en, en_same = walk(lesson, "en")
        ru, ru_same = walk(lesson, "ru")
        assert (en, en_same) == (ru, ru_same), name
        out[name] = en
    return out


def test_every_declared_mistake_fires_somewhere(walked):
    fired = {_base(v) for f in walked.values() for _, v in f}
    assert fired == ALL_MISTAKES


@pytest.mark.parametrize("name", sorted(NETS))
def test_exact_values_fire_too(name):
    walk(lesson_for(NETS[name]), "en", exact)


def test_sigmoid_net_mistakes(walked):
    fired = walked["sigmoid"]
    for want in [("z1", "no_bias"), ("z1", "transposed_W"), ("a1", "sigmoid_sign"), ("a2", "no_activation"),
                 ("L", "no_minus"), ("L", "log10"), ("grad.z3", "derivative_at_output"),
                 ("grad.z3", "function_not_derivative"), ("grad.z2", "derivative_at_output"),
                 ("grad.z1", "no_derivative"), ("grad.W2", "transposed"), ("grad.W2", "preactivation_input"),
                 ("grad.a1", "W_not_transposed"), ("grad.a1", "one_unit_1"), ("grad.a1", "one_unit_2"),
                 ("W1.next", "no_lr"), ("b3.next", "step_added")]:
        assert want in fired, want


def test_softmax_batch_mistakes(walked):
    fired = walked["softmax-ce-batch"]
    for want in [("Y_hat", "no_temperature"), ("Y_hat", "not_normalized"), ("L", "sum_not_mean"),
                 ("L", "largest_class"), ("grad.Y_hat", "no_mean"), ("grad.Z2", "no_temperature"),
                 ("grad.Z2", "diagonal_jacobian"), ("grad.Z2", "mean_twice"), ("grad.W1", "no_mean"),
                 ("grad.b2", "mean_twice"), ("grad.A1", "one_unit_3")]:
        assert want in fired, want
    logits = walked["softmax-ce-batch-logits-column"]
    assert {("grad.Z2", "no_temperature"), ("grad.Z2", "no_mean"), ("grad.Z1", "mean_twice")} <= logits


def test_half_squared_mistakes(walked):
    fired = walked["half-squared"]
    for want in [("L", "no_half"), ("grad.y_hat", "two_kept"), ("a2", "leaky_as_relu"), ("grad.z2", "no_slope"),
                 ("a1", "relu_abs"), ("grad.W3", "output_not_input")]:
        assert want in fired, want
    assert ("L@2", "no_half") in walked["half-squared-2-iterations"]


def test_sgd_other_order_in_every_step(walked):
    fired = walked["sgd-2-3-1"]
    for k in (1, 2, 3):
        assert (f"L@{k}", "other_order") in fired
        assert (f"W1.next@{k}", "other_order") in fired
    lesson = lesson_for(NETS["sgd-1-3-2"])
    v = lesson.problem.evaluate()
    (msg,) = [var.message for var, _ in lesson.problem.mistake_values("z1@1", v) if var.name == "other_order"]
    assert msg["en"] == ("That is the value you get visiting the observations in the order 1, 2, 3; this "
                         "lesson's order is 1, 3, 2.")


def test_natural_order_declares_no_other_order():
    problem = build_problem(sgd([1, 2, 3]))
    names = {v.name for q in problem.quantities.values() for v in q.mistakes}
    assert "other_order" not in names and "step_added" in names


def test_other_order_value_is_the_other_trajectory():
    """The mistake's value is what the same net gives with the observations in the order 1, 2, 3."""
    lesson = lesson_for(NETS["sgd-2-3-1"])
    other = build_problem(sgd([1, 2, 3])).evaluate()
    v = lesson.problem.evaluate()
    for key in ("y_hat@2", "grad.W1@3", "W2.next@3"):
        (value,) = [val for var, val in lesson.problem.mistake_values(key, v) if var.name == "other_order"]
        np.testing.assert_allclose(value, other[key])
        assert not np.allclose(value, v[key])


def test_no_square_no_transpose_mistakes():
    """Shapes decide: a non-square W declares no transposed mistakes."""
    problem = build_problem(squared_batch_sum())
    names = {(k, v.name) for k, q in problem.quantities.items() for v in q.mistakes}
    assert not {n for n in names if n[1] in ("transposed_W", "transposed", "W_not_transposed")}
    assert ("grad.A1", "one_unit_1") not in names  # one output unit: nothing to sum over


def test_two_slips_giving_the_same_number_are_both_named():
    """With ½ in the loss and a mean over m = 2, dropping the ½ and dropping 1/m both give Ŷ − Y."""
    from nntutor.core.session import LessonRun
    from tests.support import every_step_lesson

    problem = {"kind": "dense", "layout": "row", "X": [[1, 2], [0, 1]], "Y": [1, 0], "loss": "squared",
               "half": True, "reduction": "mean", "learning_rate": 0.1,
               "layers": [{"W": [[0.5], [-1]], "activation": "identity"}]}
    lesson = every_step_lesson("two-slips", problem)
    run = LessonRun(lesson, lang="en")
    values = lesson.problem.evaluate()
    while run.current.quantity != "grad.Y_hat":
        assert run.submit(" ".join(repr(float(v)) for v in run.expected(run.current).reshape(-1))).ok
    slip = (values["Y_hat"] - values["Y"]).reshape(-1)
    verdict = run.submit(" ".join(repr(float(v)) for v in slip))
    names = {v.name: v.message["en"] for v in lesson.problem.quantities["grad.Y_hat"].mistakes}
    fired = [m for m in names.values() if m in (verdict.diagnosis or "") or _go_on(m) in (verdict.diagnosis or "")]
    assert verdict.status == "wrong" and len(fired) == 2, verdict.diagnosis
    assert "Another slip gives the same value:" in verdict.diagnosis
