"""No lesson data can crash the engine: every value is computed when a lesson loads.

A lesson whose numbers cannot be computed, overflow, or are too large for hand work is refused
with a LessonError naming the field to blame; `nntutor check` says so in one line, without a
traceback. A mutation fuzz over every bundled and test lesson holds the loader to that, and a
student's own values (any finite number) never make an evaluation or a diagnosis raise.
"""

from __future__ import annotations

import copy
import math
import random
import tomllib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import settings

from nntutor.core.checker import check_lesson, check_paths
from nntutor.core.lesson import LessonError, lesson_from_data, load_lesson
from nntutor.core.validate import value_issues
from nntutor.tui.cli import main

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted((ROOT / "lessons").glob("*/*.toml")) + sorted((ROOT / "tests" / "lessons" / "kinds").glob("*.toml"))
IDS = [f"{p.parent.name}/{p.stem}" for p in LESSONS]

#: mutations tried per lesson in the everyday run; the `deep` Hypothesis profile tries them all.
#: 200 × ~80 lesson files keeps the everyday run near 16 000 mutations as the course grows
#: (it was 450 × 51 for 41 lessons); each lesson's sample is fixed by its name, so a run is repeatable.
SAMPLE = 200


def _deep() -> bool:
    return settings.default.max_examples >= 10_000


def _read(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _write(tmp_path: Path, path: Path, data_text: str) -> Path:
    out = tmp_path / path.name
    out.write_text(data_text, encoding="utf-8")
    return out


# -- the probes that found the holes ----------------------------------------------------------

def _lesson_with(path: Path, edit) -> tuple[dict, Path]:
    data = _read(path)
    edit(data["problem"])
    return data, path


def _only_issue(data: dict, path: Path):
    with pytest.raises(LessonError) as caught:
        lesson_from_data(data, path)
    issues = caught.value.issues
    assert len(issues) == 1, issues
    assert "\n" not in str(issues[0])
    return issues[0]


DENSE = ROOT / "lessons" / "4-backprop" / "layer-by-layer.toml"
CLIPPING = ROOT / "lessons" / "7-rnn" / "exploding-clipping.toml"
INIT = ROOT / "lessons" / "5-blocks" / "initialisation.toml"


def test_dense_weights_of_1e308_are_refused_naming_the_layer():
    data, path = _lesson_with(DENSE, lambda p: p["layers"][0].__setitem__("W", [[1e308, 1e308], [1e308, 1e308]]))
    issue = _only_issue(data, path)
    assert issue.field == "problem.layers[1].W"
    assert "too large for work by hand" in issue.message and "1e15" in issue.message


def test_dense_weights_that_overflow_later_are_blamed_for_it():
    # each weight is fine on its own; z₁ = x·W₁ is 3e14 and ŷ = 9e28: the layer is named, with the value
    data, path = _lesson_with(DENSE, lambda p: p["layers"][0].__setitem__("W", [[1e14, 1e14], [1e14, 1e14]]))
    issue = _only_issue(data, path)
    assert issue.field == "problem.layers[1].W"
    assert "the values computed from it are too large for work by hand" in issue.message
    assert "L = " in issue.message or "y_hat = " in issue.message or "z2 = " in issue.message


def test_dense_input_of_1e200_is_refused_naming_x():
    data, path = _lesson_with(DENSE, lambda p: p.__setitem__("x", [1e200, 2]))
    issue = _only_issue(data, path)
    assert issue.field == "problem.x"
    assert "x = 1e+200" in issue.message


def test_dense_overflow_to_inf_names_the_field_and_the_value():
    # 1e300 is finite, but every product of it is inf: never "all OK", never a value no one can type
    data, path = _lesson_with(DENSE, lambda p: p["layers"][1].__setitem__("W", [1e300, 1]))
    issue = _only_issue(data, path)
    assert issue.field == "problem.layers[2].W"


def test_exploding_clipping_with_huge_w_is_refused_not_a_linalg_crash():
    data, path = _lesson_with(CLIPPING, lambda p: p.__setitem__("W", [[1e308, 0], [0, 0.5]]))
    issue = _only_issue(data, path)
    assert issue.field == "problem.W"
    assert "work with by hand" in issue.message


def test_exploding_clipping_whose_state_overflows_blames_w():
    data, path = _lesson_with(CLIPPING, lambda p: p.__setitem__("W", [[1e10, 0], [0, 0.5]]))
    issue = _only_issue(data, path)
    assert issue.field == "problem.W"
    assert "the values computed from it" in issue.message


def test_relu_zero_with_a_tiny_input_gets_the_limit_value_not_a_crash():
    # x = 5e-324 is a number: s = σ_w·|x| underflows, and P(z ≤ 0) is its limit as s → 0⁺ --
    # 1 with b = −2 (z is almost surely −2), ½ with b = 0 (z still symmetric about 0)
    data, path = _lesson_with(INIT, lambda p: p["relu_zero"].__setitem__("x", 5e-324))
    assert float(lesson_from_data(data, path).problem.evaluate()["relu.p_zero"]) == 1.0
    data["problem"]["relu_zero"]["b"] = 0
    assert float(lesson_from_data(data, path).problem.evaluate()["relu.p_zero"]) == 0.5
    data["problem"]["relu_zero"]["x"] = [1e-300, 1e-300]  # squares underflow; the norm must not
    values = lesson_from_data(data, path).problem.evaluate()
    assert float(values["relu.s"]) == pytest.approx(math.sqrt(2) * 1e-300)


def test_relu_zero_judges_a_student_who_types_0_for_a_tiny_s():
    # s = 1e-10 is within the absolute floor of 0, so 0 is accepted; P(z ≤ 0) is still computed
    from nntutor.core.session import LessonRun

    data, path = _lesson_with(INIT, lambda p: p["relu_zero"].update(x=1e-10, b=0))
    lesson = lesson_from_data(data, path)
    run = LessonRun(lesson)
    while run.current is not None and run.current.quantity != "relu.s":
        run.submit(str(float(run.expected(run.current))))
    assert run.submit("0").status == "correct"
    assert run.submit("0.5").status == "correct"


@pytest.mark.parametrize("edit, field", [
    (lambda p: p["layers"][0].__setitem__("W", [[1e308, 1e308], [1e308, 1e308]]), "problem.layers[1].W"),
    (lambda p: p.__setitem__("x", [1e200, 2]), "problem.x"),
], ids=["weights-1e308", "x-1e200"])
def test_nntutor_check_names_the_field_and_exits_1(tmp_path, capsys, edit, field):
    text = DENSE.read_text(encoding="utf-8")
    data = _read(DENSE)
    edit(data["problem"])
    old = DENSE.read_text(encoding="utf-8")
    # write the edited numbers back into the file's own text, so line numbers still point at them
    if field == "problem.x":
        text = old.replace("x = [1, 2]", "x = [1e200, 2]")
    else:
        text = old.replace("W = [[1, -1], [0.5, 0]]", "W = [[1e308, 1e308], [1e308, 1e308]]")
    assert text != old
    path = _write(tmp_path, DENSE, text)
    assert main(["check", str(path)]) == 1
    out, err = capsys.readouterr()
    lines = out.strip().splitlines()
    assert len(lines) == 1 and f": {field}: " in lines[0] and "work with by hand" in lines[0]
    assert "Traceback" not in out + err and "1 with errors" in err


def test_nntutor_check_on_the_clipping_probe_exits_1_without_a_traceback(tmp_path, capsys):
    old = CLIPPING.read_text(encoding="utf-8")
    text = old.replace("W = [[2, 0], [0, 0.5]]", "W = [[1e308, 0], [0, 0.5]]")
    assert text != old
    path = _write(tmp_path, CLIPPING, text)
    assert main(["check", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out.count("\n") == 1 and ": problem.W: " in out and "Traceback" not in out + err


def test_check_lesson_never_calls_a_lesson_with_an_inf_ok():
    # a lesson built without the loader's check still gets its values checked by `nntutor check`
    lesson = load_lesson(DENSE)
    assert value_issues(lesson.problem, lesson.problem_data) == []
    bad = _read(DENSE)
    bad["problem"]["x"] = [1e300, 1e300]
    from nntutor.core.kinds import build_problem

    problem = build_problem(bad["problem"])
    fake = type(lesson)(**{**lesson.__dict__, "problem": problem, "problem_data": bad["problem"]})
    issues = check_lesson(fake)
    assert [i.field for i in issues] == ["problem.x"]


def test_a_value_that_cannot_be_computed_names_the_given_it_comes_from():
    # any exception of a kind (Python's 1/0.0 here, numpy's LinAlgError elsewhere) is a refusal
    from nntutor.core.graph import ProblemBuilder

    b = ProblemBuilder("test")
    b.given("a", 0.0, "a", {"en": "a", "ru": "a"})
    b.given("W1", [[1.0, 2.0]], "W₁", {"en": "W", "ru": "W"})
    b.derived("inv", lambda a, w: 1.0 / float(a) + w, ["a", "W1"], "1/a", {"en": "1/a", "ru": "1/a"}, "forward")
    data = {"kind": "test", "a": 0, "layers": [{"W": [[1, 2]]}]}
    (field, message), = value_issues(b.build(), data)
    assert field == "problem.a"
    assert message.startswith("the values computed from it fail (inv: division by zero)")
    # the same numbers from a kind's own bug, blamed on a field by name and value: W1 is layers[1].W
    b = ProblemBuilder("test")
    b.given("W1", [[1.0, 2.0]], "W₁", {"en": "W", "ru": "W"})
    b.given("b1", [1.0, 2.0], "b₁", {"en": "b", "ru": "b"})
    b.derived("e", lambda w, b_: np.exp(1000 * w) + b_, ["W1", "b1"], "e", {"en": "e", "ru": "e"}, "forward")
    (field, message), = value_issues(b.build(), {"layers": [{"b": [1, 2], "W": [[1, 2]]}]})
    assert field == "problem.layers[1].W" and "the values computed from it overflow (e = inf)" in message


# -- the mutation fuzz -------------------------------------------------------------------------

class _Wrong:
    """A mutation that needs the original value: a negative, a list of the wrong length."""

    def __init__(self, name, fn):
        self.name, self.fn = name, fn

    def __repr__(self) -> str:
        return self.name


def _negative(v):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return -1
    return -v if v else -1


def _wrong_length(v):
    if isinstance(v, list):
        return v[:-1] if len(v) > 1 else v + v + v
    return [v, v]


MUTATIONS = [
    "text", True, {"a": 1}, [1, 2], [[1], [2, 3]], [[[1.0]]], 0, -1, 0.0,
    _Wrong("negative", _negative), 5e-324, 1e-300, -1e-300, 1e308, 1e200, -1e200,
    1e7, -1e14,  # allowed themselves, but what is computed from them may not be
    math.nan, math.inf, -math.inf, [], [math.nan], _Wrong("wrong length", _wrong_length),
]
STEP_FIELDS = ("quantity", "tolerance", "exact", "answer", "hints", "id")


def _places(node, at=()):
    """Every place under ``node``: each table entry, each list entry, recursively (paths of keys)."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield (*at, k)
            yield from _places(v, (*at, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield (*at, i)
            yield from _places(v, (*at, i))


def _set(data, where, mutation):
    node = data
    for k in where[:-1]:
        node = node[k]
    old = node.get(where[-1], 1) if isinstance(node, dict) else node[where[-1]]  # an absent step field: as 1
    node[where[-1]] = mutation.fn(old) if isinstance(mutation, _Wrong) else copy.deepcopy(mutation)


def _extreme(mutation) -> bool:
    """A number far from ordinary ones: the field holding it is the one to blame for what goes
    wrong (a sign flipped or a length changed may go wrong only with the other numbers)."""
    return (isinstance(mutation, float) and mutation == mutation
            and (mutation == 0 or not 1e-6 < abs(mutation) < 1e6))


def _field(data: dict, where: tuple) -> str:
    """The lesson field a place belongs to, as issues name it: ``problem.layers[1].W`` for an entry of
    that matrix (tables in a list counted from 1)."""
    out, node = where[0], data[where[0]]
    for k in where[1:]:
        if isinstance(k, int):
            if not all(isinstance(v, dict) for v in node):
                break  # an entry of a list of numbers belongs to the list's field
            out += f"[{k + 1}]"
        else:
            out += f".{k}"
        node = node[k]
    return out


def _cases(data: dict) -> list[tuple[tuple, object]]:
    places = [("problem", *p) for p in _places(data["problem"])]
    for n, step in enumerate(data["steps"]):
        places += [("steps", n, f) for f in STEP_FIELDS if f in step or f in ("tolerance", "exact")]
    return [(where, m) for where in places for m in MUTATIONS]


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_mutated_lesson_data_is_refused_precisely_or_fully_computable(path):
    original = _read(path)
    cases = _cases(original)
    if not _deep() and len(cases) > SAMPLE:
        cases = random.Random(f"{path.parent.name}/{path.name}").sample(cases, SAMPLE)
    failures = []
    for where, mutation in cases:
        data = copy.deepcopy(original)
        _set(data, where, mutation)
        label = f"{'.'.join(map(str, where))} = {mutation!r}"
        try:
            lesson = lesson_from_data(data, path)
        except LessonError as exc:
            for issue in exc.issues:
                if not issue.field.strip() or not issue.message.strip():
                    failures.append(f"{label}: an issue without a field or message: {issue}")
                if "the engine cannot build" in issue.message:  # the safety net: a kind's own slip
                    failures.append(f"{label}: {issue}")
                if ("work with by hand" in issue.message and _extreme(mutation)
                        and not _field(original, where).startswith(issue.field)):
                    failures.append(f"{label}: blames another field: {issue}")
            continue
        except Exception as exc:  # noqa: BLE001 -- the point of the test
            failures.append(f"{label}: {type(exc).__name__}: {exc}")
            continue
        values = lesson.problem.evaluate()
        bad = [k for k, v in values.items() if not np.isfinite(v).all()]
        if bad:
            failures.append(f"{label}: loaded with non-finite {bad[:3]}")
        try:
            check_lesson(lesson)
        except Exception as exc:  # noqa: BLE001
            failures.append(f"{label}: check_lesson raised {type(exc).__name__}: {exc}")
    assert not failures, "\n".join(failures[:20])


# -- a student's values never make the engine raise ----------------------------------------

STUDENT = [0.0, -1.0, 1e-300, -1e-300, 1e300, -1e300, 5e-324, 1e15]


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_any_finite_student_value_is_evaluated_and_diagnosed_without_raising(path):
    lesson = load_lesson(path)
    problem = lesson.problem
    base = problem.evaluate()
    for step in lesson.steps:
        if step.is_choice or step.quantity in problem.formulas:
            continue
        shape = base[step.quantity].shape
        for typed in STUDENT:
            over = {step.quantity: np.full(shape, typed)}
            values = problem.evaluate(over)  # must not raise
            assert set(values) == set(base)
            for later in lesson.steps:
                if not later.is_choice and later.quantity not in problem.formulas:
                    problem.mistake_values(later.quantity, values)  # what a diagnosis asks; must not raise
