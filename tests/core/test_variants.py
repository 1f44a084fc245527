"""New numbers: a lesson's [variants] table, stable draws, requirements, and text that follows."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nntutor.core.catalog import load_catalog
from nntutor.core.key import answer_key
from nntutor.core.lesson import LessonError, lesson_from_data, load_lesson
from nntutor.core.progress import ProgressStore
from nntutor.core.session import LessonRun
from nntutor.core.template import fill
from nntutor.core.variants import VariantError, parse_requirement, pick, read_spec, shown

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "lessons" / "4-backprop" / "layer-by-layer.toml"
VARYING = [e for e in load_catalog(light=True).entries() if e.meta is not None and e.meta.varies]


def test_variant_zero_is_the_lessons_own_numbers_and_words():
    lesson = load_lesson(LAYER)
    assert lesson.variant == 0
    assert "x = (1, 2), W₁ = [[1, −1], [0.5, 0]], W₂ = (0.5, 1)ᵀ" in lesson.text["en"]
    assert lesson.steps[0].hints["en"][1] == "First entry: 1·1 + 2·0.5. Second entry: 1·(−1) + 2·0."
    assert lesson.steps[0].answer == "2 -1"


@pytest.mark.parametrize("entry", VARYING, ids=lambda e: e.id)
def test_variants_1_to_20_build_differ_meet_their_requirements_and_show_their_own_numbers(entry):
    own = entry.load()
    seen = set()
    for n in range(1, 21):
        lesson = entry.load(n)
        assert lesson.variant == n
        assert lesson.problem_data != own.problem_data
        assert lesson.fingerprint != own.fingerprint  # progress is kept apart
        values = lesson.problem.evaluate()
        assert all(np.all(np.isfinite(v)) for v in values.values())
        for req in lesson.variants.require:
            assert req.holds(values), (n, req.text)
        for lang in ("en", "ru"):
            assert "{" not in lesson.text[lang].replace("{{", "")
            for step in lesson.steps:
                assert all("{" not in h for h in step.hints[lang]), (n, step.id, lang)
        key = answer_key(lesson)
        assert key["lesson"]["variant"] == n and len(key["steps"]) == len(lesson.steps)
        seen.add(lesson.fingerprint)
    assert len(seen) >= 15  # twenty draws are mostly different exercises


def test_layer_by_layer_variants_hold_their_numbers_in_the_text():
    for n in (1, 2, 7):
        lesson = load_lesson(LAYER, n)
        values = lesson.problem.evaluate()
        assert f"x = {shown(values['x'])}" in lesson.text["en"]
        assert f"W₁ = {shown(values['W1'])}" in lesson.text["ru"]
        z1 = values["z1"]
        assert z1[0] > 0 > z1[1]  # the lesson's requirement: one unit active, one blocked
        assert lesson.steps[0].answer is None  # the typed key belongs to the own numbers


def test_the_same_variant_number_gives_the_same_numbers_on_any_run():
    a, b = load_lesson(LAYER, 5), load_lesson(LAYER, 5)
    assert a.problem_data == b.problem_data
    code = ("from nntutor.core.lesson import load_lesson; import json, sys; "
            f"print(json.dumps(load_lesson({str(LAYER)!r}, 5).problem_data, sort_keys=True))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    import json
    assert json.loads(out) == json.loads(json.dumps(dict(a.problem_data), sort_keys=True))


def test_a_pick_is_a_sha256_digest_reduced_to_an_index():
    digest = hashlib.sha256("lesson\x1f3\x1f0\x1fx#1".encode()).digest()
    assert pick("lesson", 3, 0, "x#1", 7) == int.from_bytes(digest[:8], "big") % 7


def test_progress_of_two_variants_is_kept_apart(tmp_path):
    store = ProgressStore(tmp_path / "p.sqlite3")
    one = LessonRun(load_lesson(LAYER, 1), store, "en")
    z1 = one.expected(one.current)
    assert one.submit(" ".join(f"{v:g}" for v in z1)).ok
    again = LessonRun(load_lesson(LAYER, 1), store, "en")
    assert again.current.quantity == "a1"
    own = LessonRun(load_lesson(LAYER), store, "en")
    assert own.current.quantity == "z1"


def _data(variants, **problem):
    return {"format_version": 1, "id": "demo", "unit": "demo", "title": {"en": "Demo", "ru": "Демо"},
            "text": {"en": "Take x = {x}.", "ru": "Пусть x = {x}."},
            "problem": {"kind": "dense", "x": [1, 2], "y": 0, "loss": "squared", "half": False, "learning_rate": 1,
                        "layers": [{"W": [0.5, 1], "activation": "identity"}], **problem},
            "steps": [{"quantity": "y_hat", "prompt": {"en": "ŷ?", "ru": "ŷ?"}}],
            "variants": variants}


@pytest.mark.parametrize("variants, field, words", [
    ({"vary": [{"given": "nope", "range": [0, 2]}]}, "variants.vary[1].given", "has no nope"),
    ({"vary": [{"given": "x", "range": [0, 2], "values": [1, 2]}]}, "variants.vary[1]", "either values"),
    ({"vary": [{"given": "x", "values": [1, 2], "step": 1}]}, "variants.vary[1].step", "goes with range"),
    ({"vary": [{"given": "x", "range": [0, 1000], "step": 0.1}]}, "variants.vary[1].range", "at most"),
    ({"vary": [{"given": "loss", "values": [1, 2]}]}, "variants.vary[1].given", "not a number"),
    ({"vary": [{"given": "x", "values": [1]}]}, "variants.vary[1]", "between 2"),
    ({"fixed": "the sheet's numbers", "vary": []}, "variants.fixed", "cannot also vary"),
    ({"vary": [{"given": "x", "range": [0, 2]}], "require": ["__import__('os').system('x') > 0"]},
     "variants.require[1]", "cannot read"),
    ({"vary": [{"given": "x", "range": [0, 2]}], "require": ["open(x) > 0"]}, "variants.require[1]",
     "expected a comparison"),
    ({"vary": [{"given": "x", "range": [0, 2]}], "require": ["z9 > 0"]}, "variants.require[1]", "no quantity 'z9'"),
    ({"vary": [{"given": "x", "range": [0, 2]}], "require": ["y_hat < 0"]}, "variants.require[1]",
     "own numbers do not meet"),
])
def test_a_broken_variants_table_is_refused_naming_the_field(variants, field, words):
    with pytest.raises(LessonError) as err:
        lesson_from_data(_data(variants), Path("demo.toml"))
    issue = err.value.issues[0]
    assert issue.field == field and words in issue.message, issue


def test_requirements_that_no_draw_meets_are_said_not_looped_forever():
    # ŷ = 0.5·x₀ + x₁ with x drawn from {1, 2}²: the own numbers (1, 2) give 2.5
    some = _data({"vary": [{"given": "x", "values": [1, 2]}], "require": ["y_hat < 3"]})
    lesson = lesson_from_data(some, Path("demo.toml"), variant=3)
    assert lesson.problem.evaluate()["y_hat"] < 3 and list(lesson.problem_data["x"]) != [1, 2]
    only_own = _data({"vary": [{"given": "x", "values": [1, 2]}], "require": ["x[0] < 1.5", "x[1] > 1.5"]})
    with pytest.raises(LessonError) as err:
        lesson_from_data(only_own, Path("demo.toml"), variant=3)
    assert err.value.issues[0].field == "variants" and "no draw out of 200" in err.value.issues[0].message


def test_a_fixed_lesson_says_why_its_numbers_do_not_vary():
    data = _data({"fixed": "the numbers of the printed sheet"})
    assert lesson_from_data(data, Path("demo.toml")).variants.fixed["en"] == "the numbers of the printed sheet"
    both = _data({"fixed": {"en": "the sheet's numbers", "ru": "числа из листка"}})
    assert lesson_from_data(both, Path("demo.toml")).variants.fixed["ru"] == "числа из листка"
    with pytest.raises(LessonError) as err:
        lesson_from_data(data, Path("demo.toml"), variant=2)
    assert "the numbers of the printed sheet" in err.value.issues[0].message


def test_requirements_are_parsed_never_evaluated_as_python():
    req = parse_requirement("abs(z1[1] - 2*y) >= 0.5", "r")
    assert req.names == ("z1", "y")
    assert req.holds({"z1": np.array([0.0, 3.0]), "y": np.array(1.0)})
    assert not req.holds({"z1": np.array([0.0, 2.2]), "y": np.array(1.0)})
    assert parse_requirement("distinct(x)", "r").holds({"x": np.array([1.0, 2.0])})
    assert not parse_requirement("distinct(x)", "r").holds({"x": np.array([1.0, 1.0])})
    # a dotted name is a quantity's key (grad.W1), looked up in the values, never an attribute
    assert parse_requirement("x.__class__ > 0", "r").names == ("x.__class__",)
    for bad in ("x ** 2 > 0", "lambda: 1", "x > 0; y", "x[-1] > 0", "x" * 300):
        with pytest.raises(VariantError):
            parse_requirement(bad, "r").holds({"x": np.array([1.0])})


def test_a_placeholder_may_ask_for_its_significant_digits_and_name_a_key_with_an_at():
    from nntutor.core.variants import text_filler

    look = text_filler({"p": np.array([0.047426, 0.73106]), "y_hat@1": np.array(0.25)})
    assert fill("{p[0]:3} and {p[1]} and {y_hat@1}", look) == "0.0474 and 0.7311 and 0.25"


def test_a_placeholder_in_parentheses_wraps_a_negative_filling():
    names = {"a": "−1", "b": "2"}
    assert fill("{(a)}·{(b)} and {a}", names) == "(−1)·2 and −1"
    assert fill("{0, 1} and {(c)}", names) == "{0, 1} and {(c)}"


def test_read_spec_without_a_table_means_no_variants():
    assert not read_spec(None, {}).varies


def test_cli_variant_for_a_fixed_lesson_and_without_a_lesson(tmp_path):
    exe = [sys.executable, "-m", "nntutor.tui.cli"]
    out = subprocess.run([*exe, "key", "logic-gates", "--variant", "2"], capture_output=True, text=True)
    assert out.returncode == 2 and "do not vary" in out.stderr
    out = subprocess.run([*exe, "--variant", "2"], capture_output=True, text=True)
    assert out.returncode == 2 and "--variant needs a lesson" in out.stderr
    out = subprocess.run([*exe, "key", "layer-by-layer", "--variant", "-1"], capture_output=True, text=True)
    assert out.returncode == 2 and "not a variant number" in out.stderr


def test_a_given_may_copy_another_so_rows_that_must_stay_equal_do():
    data = _data({"vary": [{"given": "layers.0.W.0", "range": [-3, 3]},
                           {"given": "layers.0.W.1", "like": "layers.0.W.0"}]})
    data["problem"]["layers"][0]["W"] = [[1, 2], [1, 2]]
    data["problem"]["x"] = [1, 1]
    data["problem"]["layers"][0]["activation"] = "identity"
    data["problem"]["layers"].append({"W": [1, 1], "activation": "identity"})
    for n in (1, 2, 3):
        W = lesson_from_data(data, Path("demo.toml"), variant=n).problem_data["layers"][0]["W"]
        assert W[0] == W[1] and W[0] != [1, 2]
    bad = _data({"vary": [{"given": "x", "like": "y"}]})
    with pytest.raises(LessonError) as err:
        lesson_from_data(bad, Path("demo.toml"))
    assert err.value.issues[0].field == "variants.vary[1].like"
