"""The nntutor command line as a teacher or a script uses it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from nntutor.core import __version__
from nntutor.core.answers import format_value
from nntutor.core.catalog import lessons_dir, load_catalog

KIND_LESSONS = Path(__file__).parents[1] / "lessons" / "kinds"


def nntutor(*args, lang="en"):
    env = dict(os.environ, NNTUTOR_LANG=lang)
    return subprocess.run([sys.executable, "-m", "nntutor.tui", *args], capture_output=True, text=True,
                          env=env, timeout=60)


def test_version():
    out = nntutor("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"nntutor {__version__}"


def test_list_shows_units_and_lesson_ids():
    out = nntutor("list")
    assert out.returncode == 0
    catalog = load_catalog()
    for unit in catalog.units:
        assert unit.title["en"] in out.stdout
        for entry in unit.entries:
            assert entry.id in out.stdout and entry.lesson.title["en"] in out.stdout
    assert "Обратное распространение" in nntutor("list", lang="ru").stdout


def test_key_prints_every_step_value_from_the_engine():
    out = nntutor("key", "layer-by-layer")
    assert out.returncode == 0
    lesson = load_catalog().find("layer-by-layer").lesson
    values = lesson.problem.evaluate()
    lines = out.stdout.splitlines()
    for n, step in enumerate(lesson.steps, start=1):
        symbol = lesson.problem.quantities[step.quantity].symbol
        (line,) = [line for line in lines if line.startswith(f"{n:>3}. ")]
        assert line.split("=")[0].strip().endswith(symbol)
        assert f"= {format_value(values[step.quantity])}" in line
    for key in lesson.problem.keys():
        assert f"  {key} " in out.stdout


def test_the_russian_key_names_the_roles_in_russian():
    out = nntutor("key", "layer-by-layer", "--lang", "ru")
    assert out.returncode == 0
    table = out.stdout.split("Все величины:")[1]
    assert "дано" in table and "обратный" in table
    assert not any(role in table for role in (" given ", " backward ", " forward ", " update "))


def test_key_json_is_stable_and_complete():
    by_id = json.loads(nntutor("key", "layer-by-layer", "--json").stdout)
    by_path = json.loads(nntutor("key", str(lessons_dir() / "4-backprop" / "layer-by-layer.toml"), "--json").stdout)
    assert by_id == by_path
    assert by_id["format"] == 1
    assert set(by_id) == {"format", "lesson", "kind", "conventions", "steps", "quantities"}
    step = by_id["steps"][0]
    assert set(step) == {"n", "id", "quantity", "symbol", "formula", "shape", "value"}
    assert np.asarray(step["value"]).shape == tuple(step["shape"])


def test_unknown_lesson_is_a_clear_error():
    out = nntutor("key", "layer-by-layr")
    assert out.returncode == 2
    assert "no lesson 'layer-by-layr'" in out.stderr and "Did you mean 'layer-by-layer'" in out.stderr
    out = nntutor("layer-by-layr")
    assert out.returncode == 2 and "nntutor list" in out.stderr


def test_broken_lesson_file_is_refused_with_its_issues(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('format_version = 1\nid = "x"\n', encoding="utf-8")
    out = nntutor(str(bad))
    assert out.returncode == 2
    assert "cannot open" in out.stderr and "title" in out.stderr


def test_plain_needs_a_lesson():
    out = nntutor("--plain")
    assert out.returncode == 2 and "--plain needs a lesson" in out.stderr


def test_check_verbose_names_mistakes_these_numbers_cannot_reveal():
    out = nntutor("check", "--verbose")
    assert out.returncode == 0
    # γ = 1 in the bundled lesson: "forgot the learning rate" gives the right W₁′
    assert "steps[10] (W1.next): the mistake 'no_learning_rate'" in out.stdout


def test_check_verbose_runs_on_formula_lessons():
    out = nntutor("check", "--verbose", str(KIND_LESSONS / "formula.toml"))
    assert out.returncode == 0, out.stderr
    assert "all OK" in out.stdout + out.stderr


def test_key_piped_into_a_reader_that_stops_early_exits_quietly():
    proc = subprocess.Popen([sys.executable, "-m", "nntutor.tui", "key", "sgd-from-zero", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.read(10)  # `| head -c 10`
    proc.stdout.close()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert b"Traceback" not in err and b"BrokenPipe" not in err
