"""`nntutor check` on new numbers: numbers left in the text, unknown placeholders, the variants' report."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from nntutor.core.checker import check_paths

LESSON = """format_version = 1
id = "demo"
unit = "demo"
title.en = "Demo"
title.ru = "Демо"

[text]
en = "{text}"
ru = "Пусть x = {{x}}."

[variants]
vary = [{{ given = "x", values = [1, 2, 3] }}]
{extra}

[problem]
kind = "dense"
x = [1, 2]
y = 0
loss = "squared"
half = false
learning_rate = 0.5

[[problem.layers]]
W = [0.5, 3]
activation = "identity"

[[steps]]
quantity = "y_hat"
prompt.en = "{prompt}"
prompt.ru = "ŷ?"
"""


def _check(tmp_path: Path, text="Let x = {x}.", prompt="ŷ?", extra="", variants=3, reports=None):
    path = tmp_path / "demo.toml"
    path.write_text(LESSON.format(text=text, prompt=prompt, extra=extra), encoding="utf-8")
    return check_paths([path], variants, reports)


def test_a_text_that_uses_placeholders_and_keeps_constants_passes(tmp_path):
    reports = []
    assert _check(tmp_path, text="Let x = {x} and W = {W1}: a 2×1 column. Type `2 7`.", reports=reports) == []
    (report,) = reports
    assert report.built == 3 and 0 <= report.rate <= 1


def test_a_number_that_new_numbers_change_must_be_a_placeholder(tmp_path):
    (issue,) = _check(tmp_path, text="Let x = (1, 2).")
    assert issue.field == "text.en" and "the number 2 is x[1]" in issue.message and "{x[1]}" in issue.message
    (issue,) = _check(tmp_path, prompt="ŷ = 0.5·1 + 3·2 = ?")  # 6.5 is ŷ; 2 is x[1]; 3 stays (W)
    assert issue.field == "steps[1].prompt.en" and "x[1]" in issue.message


def test_a_number_a_fixed_value_explains_or_the_lesson_lists_is_fine(tmp_path):
    assert _check(tmp_path, prompt="W₂ is 3 and γ = 0.5.") == []  # W and γ do not vary
    assert _check(tmp_path, prompt="The 2 of the square stays.", extra="literal = [2]") == []


def test_a_placeholder_that_names_no_quantity_is_an_issue(tmp_path):
    (issue,) = _check(tmp_path, text="Let x = {x} and z = {zz}.")
    assert issue.field == "text.en" and "{zz} names no quantity" in issue.message


def test_check_deep_reports_the_rate_per_lesson(tmp_path):
    path = tmp_path / "demo.toml"
    path.write_text(LESSON.format(text="Let x = {x}.", prompt="ŷ?", extra=""), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "nntutor.tui.cli", "check", "--deep", str(path)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "variants: demo: " in out.stdout and "variant(s) built" in out.stdout and "distinguishable" in out.stdout
