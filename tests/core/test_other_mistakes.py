"""Declared mistakes of the optimize, batchnorm, dropout and rnn kinds: a wrong value names its mistake.

Each lesson below asks for every derived quantity in order. At every step, each declared
mistake that differs from the right value is typed into ``LessonRun.submit``: it must be
judged wrong and diagnosed with that mistake's own message (or, if an earlier-declared
mistake gives the same number, that one's). The right value is then typed and accepted
without a diagnosis; a mistake equal to the right value is never named. Every mistake
a kind declares must fire with its own message in at least one lesson here. Hand-worked
examples check that the mistakes compute the mistakes they name.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest

from nntutor.core.answers import format_value
from nntutor.core.lesson import Lesson, load_lesson
from nntutor.core.session import LessonRun
from tests.support import every_step_lesson, walk_mistakes

KIND_LESSONS = Path(__file__).resolve().parents[1] / "lessons" / "kinds"
DIGITS = 10  # typed mistake values: far finer than the tolerance, so a match is never by accident

S3 = {"kind": "optimize", "model": "regression", "x": [1, 2], "y": [2, 3], "reduction": "sum",
      "half": True, "w0": 0}
QUAD = {"kind": "optimize", "model": "quadratic", "A": [[2, 1], [1, 3]], "b": [1, 1], "w0": [0, 0]}
LOGI = {"kind": "optimize", "model": "logistic", "x": [1, 2, -1], "y": [1, 0, 0], "w0": 0.5}

PROBLEMS = {
    # -- optimize
    "opt-momentum-textbook": {**S3, "method": "momentum", "form": "textbook", "alpha": 0.9,
                              "learning_rate": 0.1, "iterations": 3},
    "opt-momentum-pytorch-minibatch": {
        "kind": "optimize", "model": "regression", "x": [1, 2, -1], "y": [2, 3, 0], "bias": True,
        "reduction": "mean", "half": False, "w0": [0, 0], "method": "momentum", "form": "pytorch",
        "alpha": 0.5, "learning_rate": 0.05, "batching": "minibatch", "batches": [[1, 3], [2]], "iterations": 3},
    "opt-nesterov-textbook-sgd": {
        "kind": "optimize", "model": "regression", "x": [1, 2, -1], "y": [2, 3, 1], "reduction": "sum",
        "half": True, "w0": 0, "method": "nesterov", "form": "textbook", "alpha": 0.5, "learning_rate": 0.05,
        "batching": "sgd", "order": [2, 3, 1], "iterations": 3},
    "opt-nesterov-pytorch-quadratic": {**QUAD, "method": "nesterov", "form": "pytorch", "alpha": 0.9,
                                       "learning_rate": 0.1, "iterations": 3},
    "opt-adam": {**S3, "method": "adam", "learning_rate": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 0.1,
                 "iterations": 3},
    "opt-adam-fed-back-clip": {**QUAD, "method": "adam", "form": "fed_back", "learning_rate": 0.1,
                               "beta1": 0.8, "beta2": 0.9, "eps": 0.01, "iterations": 3, "clip": 1.0},
    "opt-rmsprop-inside": {**S3, "reduction": "mean", "method": "rmsprop", "learning_rate": 0.1, "alpha": 0.9,
                           "eps": 0.5, "eps_placement": "inside", "iterations": 2},
    "opt-rmsprop-outside": {**LOGI, "reduction": "mean", "method": "rmsprop", "learning_rate": 0.1,
                            "alpha": 0.5, "eps": 0.3, "iterations": 2},
    "opt-adagrad-logistic": {**LOGI, "reduction": "mean", "method": "adagrad", "learning_rate": 0.5, "eps": 0.1,
                             "batching": "minibatch", "batches": [[1, 3], [2]], "iterations": 3},
    "opt-gd-decay-clip": {**S3, "half": False, "method": "gd_decay", "learning_rate": 0.05, "iterations": 3,
                          "clip": 3.0},
    "opt-newton": {"kind": "optimize", "model": "regression", "x": [1, 2, 3], "y": [1, 3, 2], "bias": True,
                   "reduction": "sum", "half": True, "w0": [0, 0], "method": "newton", "learning_rate": 0.5,
                   "iterations": 2},
    "opt-coordinate": {**QUAD, "method": "coordinate", "iterations": 3},
    "opt-gd-logistic-sgd": {**LOGI, "reduction": "sum", "method": "gd", "learning_rate": 0.5,
                            "batching": "sgd", "order": [3, 1, 2], "iterations": 4},
    # -- batchnorm
    "bn-keras-biased": {
        "kind": "batchnorm", "x": [[1, 2], [3, 0], [8, 4]], "gamma": [1.5, -1], "beta": [0, 1], "eps": 0.5,
        "c": [[1, 2], [0, -1], [3, 1]],
        "running": {"mean": [1, 1], "var": [2, 2], "momentum": 0.9, "momentum_on": "old", "variance": "biased"}},
    "bn-one-feature": {"kind": "batchnorm", "x": [1, 2, 4, 9], "gamma": 2, "beta": 0, "eps": 0.1,
                       "upstream": [1, -1, 2, 0]},
    # -- dropout
    "do-drop-inverted": {
        "kind": "dropout", "p": 0.3, "p_is": "drop",
        "layer": {"x": [[2, -1], [4, 3]], "mask": [[1, 0], [1, 1]], "scaling": "inverted", "c": [[1, 2], [3, -1]]},
        "net": {"sizes": [4, 10, 6, 1], "bias": True, "thin": 0.25}},
    "do-keep-at-test": {
        "kind": "dropout", "p": 0.8, "p_is": "keep",
        "layer": {"x": [2, -1, 4, 3], "mask": [1, 0, 1, 1], "scaling": "at_test", "upstream": [1, 2, 3, 4]},
        "net": {"sizes": [3, 5, 2], "bias": False, "thin": 0.4}},
    # -- rnn
    "rnn-vector-softmax": {
        "kind": "rnn", "x": [[1, 0], [0, 1], [1, 1]], "U": [[1, 0.5], [-0.5, 1]], "W": [[0.5, -0.3], [0.2, 0.4]],
        "b": [0.1, -0.1], "activation": "tanh", "output": "softmax", "V": [[1, -1], [0.5, 0.5], [-1, 1]],
        "c": [0, 0.1, -0.1], "loss": "cross_entropy", "labels": [1, 3, 2], "clip": 0.5},
    "rnn-linear-squared": {
        "kind": "rnn", "x": [1, -1, 2], "U": [1, -1], "W": [[0.2, 0.5], [-0.4, 0.1]], "s0": [0.1, -0.2],
        "activation": "sigmoid", "output": "linear", "V": [[1, 2]], "loss": "squared", "y": 0.5, "half": True,
        "clip": 0.1},
    "rnn-scalar-relu": {"kind": "rnn", "x": [1, 2, 3], "U": 0.5, "W": 0.8, "s0": 1, "activation": "relu",
                        "loss": "none"},
    # a ReLU state that is 0 at step 2 (z₂ = (0, −0.25)): the mask, its sign and ReLU′(0) all matter
    "rnn-relu-mask": {"kind": "rnn", "x": [[1], [-0.75], [1]], "U": [[1], [1]], "W": [[0.5, 0], [0, 0.5]],
                      "s0": [1, 0], "activation": "relu", "loss": "none"},
}
TOML = {f"toml-{kind}": KIND_LESSONS / f"{kind}.toml" for kind in ("optimize", "batchnorm", "dropout", "rnn")}
CASES = sorted(PROBLEMS) + sorted(TOML)


@functools.lru_cache(maxsize=None)
def lesson_of(case: str) -> Lesson:
    return load_lesson(TOML[case]) if case in TOML else every_step_lesson(case, PROBLEMS[case])


def kind_of(case: str) -> str:
    return lesson_of(case).problem.kind


@functools.lru_cache(maxsize=None)
def walk(case: str, lang: str) -> frozenset[str]:
    """Go through the lesson typing every mistake, then the right value; the names that fired as themselves."""
    fired = walk_mistakes(lesson_of(case), lang, DIGITS)
    return frozenset(name for _q, name in fired)


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("case", CASES)
def test_each_mistake_names_its_own_mistake(case, lang):
    walk(case, lang)


@pytest.mark.parametrize("kind", ["optimize", "batchnorm", "dropout", "rnn"])
def test_every_declared_mistake_fires_in_some_lesson(kind):
    cases = [c for c in CASES if kind_of(c) == kind]
    declared = {v.name for c in cases for q in lesson_of(c).problem.quantities.values() for v in q.mistakes}
    fired = set().union(*(walk(c, "en") for c in cases))
    assert declared - fired == set()
    assert len(declared) >= 5


def test_conventions_are_flagged_and_messages_are_bilingual():
    conventions = {"momentum_form", "nesterov_form", "eps_placement", "m_adam_form", "v_adam_form",
                   "momentum_on", "running_variance", "scaling", "relu_zero"}
    for case in CASES:
        for q in lesson_of(case).problem.quantities.values():
            for v in q.mistakes:
                assert set(v.message) == {"en", "ru"} and all(v.message.values())
                assert v.convention == (v.name in conventions), (case, q.key, v.name)


# -- hand-worked: the mistakes compute the mistakes they name ----------------------------------------


def diagnosis(case_or_lesson, answers: list[str], wrong: str, lang: str = "en") -> str | None:
    """Accept ``answers`` for the first steps, then type ``wrong`` for the next one."""
    lesson = lesson_of(case_or_lesson) if isinstance(case_or_lesson, str) else case_or_lesson
    run = LessonRun(lesson, lang=lang)
    for typed in answers:
        assert run.submit(typed).ok, typed
    verdict = run.submit(wrong)
    assert verdict.status == "wrong"
    return verdict.diagnosis


def message(lesson: Lesson, key: str, name: str, lang: str = "en") -> str:
    return next(v for v in lesson.problem.quantities[key].mistakes if v.name == name).message[lang]


def test_momentum_by_hand():
    # the toml lesson: w* = 1.6, g₁ = −8, h₁ = −0.8, w₁ = 0.8, g₂ = −4, h₂ = 0.9·(−0.8) + 0.1·(−4) = −1.12
    lesson = lesson_of("toml-optimize")
    done = ["1.6", "-8", "-0.8", "0.8", "-4"]
    # PyTorch's buffer b₂ = h₂/η = −11.2; η forgotten: 0.9·(−0.8) + (−4) = −4.72
    assert diagnosis(lesson, done, "-11.2") == message(lesson, "h2", "momentum_form")
    assert "PyTorch" in message(lesson, "h2", "momentum_form") and "textbook" in message(lesson, "h2", "momentum_form")
    assert diagnosis(lesson, done, "-4.72") == message(lesson, "h2", "no_lr")
    # w₂ = w₁ − h₂ = 1.92; the step added: 0.8 + (−1.12) = −0.32
    assert diagnosis(lesson, done + ["-1.12"], "-0.32", "ru") == message(lesson, "w2", "step_added", "ru")
    # g₁ without the ½: 2·(−8) = −16; of the mean: −8/2 = −4
    assert diagnosis(lesson, ["1.6"], "-16") == message(lesson, "grad1", "two_kept")
    assert diagnosis(lesson, ["1.6"], "-4") == message(lesson, "grad1", "mean_not_sum")


def test_adam_rmsprop_and_order_by_hand():
    # Adam, g₁ = −8, β₁ = 0.9, β₂ = 0.999, ε = 0, η = 0.1: m₁ = −0.8, v₁ = 0.064, m̂₁ = −8, v̂₁ = 64,
    # w₁ = 0 − 0.1·(−8)/8 = 0.1; without the correction 0 − 0.1·(−0.8)/√0.064 = 0.1·√10 = 0.316228
    adam = every_step_lesson("adam-hand", {**S3, "method": "adam", "learning_rate": 0.1, "beta1": 0.9,
                                           "beta2": 0.999, "eps": 0, "iterations": 1})
    steps = [s.quantity for s in adam.steps]
    assert steps[:10] == ["w_star", "L_star", "L0", "y_hat1", "grad1", "m1", "v1", "m_hat1", "v_hat1", "w1"]
    done = ["1.6", "0.1", "6.5", "0 0", "-8", "-0.8", "0.064", "-8", "64"]
    assert diagnosis(adam, done, "0.316228") == message(adam, "w1", "no_bias_correction")
    assert diagnosis(adam, done[:7], "-0.8") == message(adam, "m_hat1", "no_bias_correction")
    # RMSprop, α = 0.9, ε = 0.5 outside: v₁ = 0.1·64 = 6.4, w₁ = 0.8/(√6.4 + 0.5) = 0.264041;
    # ε inside: 0.8/√6.9 = 0.304554; |g| for g²: v₁ = 0.1·8 = 0.8
    rms = every_step_lesson("rms-hand", {**S3, "method": "rmsprop", "learning_rate": 0.1, "alpha": 0.9, "eps": 0.5,
                                         "iterations": 1})
    assert [s.quantity for s in rms.steps][5:7] == ["v1", "w1"]
    start = ["1.6", "0.1", "6.5", "0 0", "-8"]
    assert diagnosis(rms, start + ["6.4"], "0.304554") == message(rms, "w1", "eps_placement")
    assert diagnosis(rms, start, "0.8") == message(rms, "v1", "v_no_square_abs")
    # SGD in the order (2, 1) from w₀ = 0, η = 0.1: g₁ = (0 − 3)·2 = −6, w₁ = 0.6; g₂ = (0.6 − 2)·1 = −1.4,
    # w₂ = 0.74. The order (1, 2): g₁ = −2, w₁ = 0.2, w₂ = 0.72.
    sgd = every_step_lesson("sgd-hand", {**S3, "method": "gd", "learning_rate": 0.1, "iterations": 2,
                                         "batching": "sgd", "order": [2, 1]})
    assert [s.quantity for s in sgd.steps] == ["w_star", "L_star", "L0", "y_hat1", "grad1", "w1", "L1",
                                               "y_hat2", "grad2", "w2", "L2"]
    start = ["1.6", "0.1", "6.5", "0"]
    assert diagnosis(sgd, start, "-2") == message(sgd, "grad1", "order")
    assert "2, 1" in message(sgd, "grad1", "order")
    assert diagnosis(sgd, start + ["-6"], "0.2") == message(sgd, "w1", "order")
    assert diagnosis(sgd, start + ["-6", "0.6", "2.6", "0.6", "-1.4"], "0.72") == message(sgd, "w2", "order")


def test_newton_and_decay_by_hand():
    # L = ½Σ(wx − y)² on S3: g₁ = −8, H = Σx² = 5; Newton with η = 1: w₁ = 0 − (−8)/5 = 1.6;
    # H for H⁻¹: 0 − 5·(−8) = 40
    newton = every_step_lesson("newton-hand", {**S3, "method": "newton", "iterations": 1})
    keys = [s.quantity for s in newton.steps]
    assert keys == ["w_star", "L_star", "L0", "y_hat1", "grad1", "hess1", "w1", "L1"]
    assert diagnosis(newton, ["1.6", "0.1", "6.5", "0 0", "-8", "5"], "40") == message(newton, "w1",
                                                                                        "hessian_not_inverted")
    # η/t with η = 0.1: η₂ = 0.05; off by one: 0.1/3 = 0.0333
    decay = every_step_lesson("decay-hand", {**S3, "method": "gd_decay", "learning_rate": 0.1, "iterations": 2})
    assert [s.quantity for s in decay.steps][:9] == ["w_star", "L_star", "L0", "y_hat1", "grad1", "eta1", "w1",
                                                     "L1", "y_hat2"]
    # g₁ = −8, w₁ = 0.8, L₁ = 1.7, ŷ = (0.8, 1.6), g₂ = −4
    assert diagnosis(decay, ["1.6", "0.1", "6.5", "0 0", "-8", "0.1", "0.8", "1.7", "0.8 1.6", "-4"],
                     "0.03333") == message(decay, "eta2", "decay_off_by_one")


def test_batchnorm_by_hand():
    # toml lesson: x columns (1, 5, 5, 9) and (5, 1, 1, 1): μ = (5, 2), Σ(x − μ)² = (32, 12), σ² = (8, 3);
    # dividing by m − 1 = 3: (10.667, 4); √(σ² + ε) = (3, 2), without ε: (√8, √3) = (2.8284, 1.7321)
    lesson = lesson_of("toml-batchnorm")
    assert diagnosis(lesson, ["5 2"], "10.667 4") == message(lesson, "var", "unbiased")
    assert diagnosis(lesson, ["5 2", "8 3"], "2.8284 1.7321") == message(lesson, "std", "no_eps")
    assert diagnosis(lesson, ["5 2", "8 3"], "9 4") == message(lesson, "std", "variance_not_std")
    # ∂L/∂x with the direct path only: ∂L/∂x̂/√(σ² + ε) = (γ·∂L/∂y)/(3, 2) → [[2/3, 0], [0, 0], [0, 0], [0, 1/2]]
    steps = [s.quantity for s in lesson.steps]
    run = LessonRun(lesson)
    for step in lesson.steps[:steps.index("grad.x")]:
        assert run.submit(format_value(run.expected(step), 12)).ok
    verdict = run.submit("2/3 0; 0 0; 0 0; 0 1/2")
    assert verdict.diagnosis == message(lesson, "grad.x", "no_stat_paths")
    # running mean with α on the old value (Keras): 0.1·0 + 0.9·(5, 2) = (4.5, 1.8)
    for _ in ("grad.x", "var_unbiased"):
        assert run.submit(format_value(run.expected(run.current), 12)).ok
    assert run.current.quantity == "running_mean.next"
    verdict = run.submit("4.5 1.8")
    assert verdict.diagnosis == message(lesson, "running_mean.next", "momentum_on")
    assert "Keras" in verdict.diagnosis and "PyTorch" in verdict.diagnosis


def test_dropout_by_hand():
    # p = 0.3 to drop, so q = 0.7; x = (2, −1, 4, 3), m = (1, 0, 1, 0), inverted: y = (2/0.7, 0, 4/0.7, 0);
    # no scaling: (2, 0, 4, 0); p taken for q: (2/0.3, 0, 4/0.3, 0) = (6.6667, 0, 13.333, 0)
    lesson = every_step_lesson("dropout-hand", {
        "kind": "dropout", "p": 0.3, "p_is": "drop",
        "layer": {"x": [2, -1, 4, 3], "mask": [1, 0, 1, 0], "scaling": "inverted", "upstream": [1, 2, 3, 4]}})
    assert [s.quantity for s in lesson.steps] == ["keep", "scale", "y", "y_test", "grad.x"]
    assert diagnosis(lesson, [], "0.3") == message(lesson, "keep", "p_vs_q")
    assert diagnosis(lesson, ["0.7", "1/0.7"], "2 0 4 0") == message(lesson, "y", "scaling")
    assert diagnosis(lesson, ["0.7", "1/0.7"], "6.6667 0 13.333 0") == message(lesson, "y", "p_vs_q")
    # test time: x itself; q·x = (1.4, −0.7, 2.8, 2.1) is the other convention
    done = ["0.7", "1/0.7", "20/7 0 40/7 0"]
    assert diagnosis(lesson, done, "1.4 -0.7 2.8 2.1") == message(lesson, "y_test", "scaling")
    # ∂L/∂x = (1, 2, 3, 4)∘m/q = (1/0.7, 0, 3/0.7, 0); no mask: (1, 2, 3, 4)/0.7; no scale: (1, 0, 3, 0)
    done.append("2 -1 4 3")
    assert diagnosis(lesson, done, "1/0.7 2/0.7 3/0.7 4/0.7") == message(lesson, "grad.x", "no_mask")
    assert diagnosis(lesson, done, "1 0 3 0") == message(lesson, "grad.x", "no_scale")


def test_rnn_by_hand():
    # scalar identity RNN, s₀ = 2, U = 1, W = 0.5, x = (1, 1), L = s₂:
    # z₁ = 1 + 1 = 2 = s₁, z₂ = 1 + 1 = 2 = s₂; ∂L/∂z₂ = 1, ∂L/∂z₁ = W·1 = 0.5;
    # ∂L/∂W = 0.5·s₀ + 1·s₁ = 3, the last step only: 1·s₁ = 2; ∂L/∂U = 0.5 + 1 = 1.5, last only 1
    lesson = every_step_lesson("rnn-hand", {"kind": "rnn", "x": [1, 1], "s0": 2, "U": 1, "W": 0.5,
                                            "activation": "identity", "loss": "none"})
    keys = [s.quantity for s in lesson.steps]
    assert keys[:10] == ["z1", "s1", "z2", "s2", "L", "grad.s2", "grad.z2", "grad.s1", "grad.z1", "grad.s0"]
    done = ["2", "2", "2", "2", "2", "1", "1", "0.5", "0.5", "0.25"]
    assert keys[10:12] == ["grad.W", "grad.U"]
    assert diagnosis(lesson, done, "2") == message(lesson, "grad.W", "last_step_only")
    assert diagnosis(lesson, done + ["3"], "1") == message(lesson, "grad.U", "last_step_only")
    # vector state, W = [[0, 1], [0, 0]], U = (1, 1)ᵀ, x = (1, 0), identity, L = Σ s₂:
    # s₁ = (1, 1), s₂ = W·s₁ = (1, 0); ∂L/∂z₂ = (1, 1); ∂L/∂s₁ = Wᵀ·(1, 1) = (0, 1); W·(1, 1) = (1, 0)
    vec = every_step_lesson("rnn-vector-hand", {"kind": "rnn", "x": [1, 0], "U": [1, 1], "W": [[0, 1], [0, 0]],
                                                "activation": "identity", "loss": "none"})
    assert [s.quantity for s in vec.steps][:8] == ["z1", "s1", "z2", "s2", "L", "grad.s2", "grad.z2", "grad.s1"]
    assert diagnosis(vec, ["1 1", "1 1", "1 0", "1 0", "1", "1 1", "1 1"], "1 0") == message(vec, "grad.s1",
                                                                                           "not_transposed")
    # tanh lesson: ∂L/∂z₃ without tanh′ is ∂L/∂s₃ itself, and tanh′ without its square is named too
    # (both declared by the activation's backward, as in every kind that uses it)
    toml = lesson_of("toml-rnn")
    run = LessonRun(toml)
    while run.current.quantity != "grad.z3":
        assert run.submit(format_value(run.expected(run.current), 12)).ok
    values = run.values()
    verdict = run.submit(format_value(values["grad.s3"], 12))
    assert verdict.diagnosis == message(toml, "grad.z3", "no_derivative")
    assert verdict.diagnosis.startswith("That is ∂L/∂s₃ itself")
    no_square = np.asarray(values["grad.s3"]) * (1 - np.asarray(values["s3"]))  # 1 − s₃ for 1 − s₃²
    verdict = run.submit(format_value(no_square, 12))
    assert verdict.diagnosis.startswith("You forgot the square: tanh′(z₃) = 1 − s₃²")
