"""Plain mode: a whole lesson through a pipe, as a script or a screen reader would use it."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np

from nntutor.core.answers import format_value
from nntutor.core.catalog import load_catalog
from nntutor.core.key import answer_key


def typed(value) -> str:
    """An engine value written the way a student types it: `2 -1`, `1 0; 2 0`."""
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 2 and min(arr.shape) > 1:
        return "; ".join(" ".join(format_value(v) for v in row) for row in arr)
    return " ".join(format_value(v) for v in arr.reshape(-1))


def plain(stdin: str, tmp_path, *extra) -> subprocess.CompletedProcess:
    env = dict(os.environ, NNTUTOR_DATA_DIR=str(tmp_path / "data"), NNTUTOR_LANG="en")
    return subprocess.run([sys.executable, "-m", "nntutor.tui", "--plain", "layer-by-layer", *extra],
                          input=stdin, capture_output=True, text=True, env=env, timeout=60)


def test_whole_lesson_through_a_pipe_with_mistakes_and_hints(tmp_path):
    lesson = load_catalog().find("layer-by-layer").lesson
    key = answer_key(lesson)
    lines = []
    for step in key["steps"]:
        if step["quantity"] == "a1":
            lines.append("2 -1")  # z₁ again: a classic slip
            lines.append("?")
        if step["quantity"] == "grad.W1":
            lines.append("1 0 2 0")  # right numbers, wrong shape: a format message, no attempt
        lines.append(typed(step["value"]))
    out = plain("\n".join(lines) + "\n", tmp_path)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert text.count("Correct.") == len(key["steps"])
    assert "Not quite." in text and "That is z₁" in text
    assert "Hint 1/2:" in text
    assert "2×2 matrix" in text
    assert "Lesson complete!" in text
    assert f"{len(key['steps'])} of {len(key['steps'])} steps done; wrong answers: 1; hints: 1." in text


def test_end_of_input_stops_cleanly_and_progress_resumes(tmp_path):
    first = plain("2 -1\n", tmp_path)
    assert first.returncode == 0
    assert "Stopped at step 2 of 11" in first.stdout
    second = plain("", tmp_path)
    assert "[2/11] a₁" in second.stdout  # resumes at the first unanswered step
    assert "[1/11]" not in second.stdout


def test_russian_plain_mode(tmp_path):
    out = plain("0,5 7\n", tmp_path, "--lang", "ru")
    assert "Пока неверно." in out.stdout
    assert "Остановились на шаге 1 из 11" in out.stdout
