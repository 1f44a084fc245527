"""Each kind of picture as an SVG snapshot at 80×24 (tests/tui/__snapshots__/); at 120×40 too in
the deep profile (``--hypothesis-profile=deep``, tests/tui/wide/), which the everyday
run leaves out to stay short.

A lesson is opened, its first steps answered with the engine's values (a design with its reference
weights), then F3 pressed until the picture is shown. Deterministic: a fresh progress file,
a stopped clock, English, no cursor blink. After an intended change of the look:
``pytest tests/tui/test_picture_snapshots.py --snapshot-update``, then look at the new SVGs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import settings

from nntutor.core.catalog import load_catalog
from nntutor.core.progress import ProgressStore
from nntutor.tui.app import NNTutorApp

#: (picture, lesson, steps answered first, F3 presses)
CASES = [
    ("net", "layer-by-layer", 2, 1),
    ("net-backward", "layer-by-layer", 6, 2),
    ("design-cases", "xor-relu", 6, 2),
    ("architecture", "count-params", 2, 1),
    ("graph", "computational-graph", 6, 1),
    ("conv", "sliding-kernel", 2, 1),
    ("pool", "max-pooling", 3, 2),
    ("rnn", "bptt", 5, 1),
    ("givens", "batchnorm", 4, 1),
    ("chart", "gradient-descent", 4, 2),
    ("chart-points", "sigmoid-at-zero", 1, 2),  # the curve waits for σ′(0); the point σ(0) is there
    ("chart-compare", "momentum", 10, 4),
    ("points", "two-lines", 7, 3),
    ("bptt-paths", "bptt", 8, 2),
    ("blocks", "single-layer", 3, 1),
]
SIZES = {"80x24": (80, 24), "120x40": (120, 40)}
#: the deep profile (its fuzz counts are the full ones) also takes the big screen
DEEP = settings.default.max_examples >= 10_000
CATALOG = load_catalog()
IDS = [c[0] for c in CASES]


def _typed(value) -> str:
    value = np.squeeze(np.asarray(value, dtype=np.float64))
    if value.ndim == 2:
        return "; ".join(" ".join(repr(float(v)) for v in row) for row in value)
    return " ".join(repr(float(v)) for v in np.atleast_1d(value))


@pytest.mark.parametrize("size", ["80x24"])
@pytest.mark.parametrize("name, lesson_id, answered, presses", CASES, ids=IDS)
def test_picture(snap_compare, store_path, monkeypatch, name, lesson_id, answered, presses, size):
    assert shown(snap_compare, store_path, monkeypatch, lesson_id, answered, presses, SIZES[size])


def shown(snap_compare, store_path, monkeypatch, lesson_id, answered, presses, size) -> bool:
    """The lesson with its first ``answered`` steps answered and F3 pressed ``presses`` times, at ``size``,
    compared with its snapshot."""
    # a stopped clock: a lesson done here says it took 0 s, however long the machine took
    monkeypatch.setattr("nntutor.core.progress._now", lambda: "2026-01-01T00:00:00.000+00:00")
    lesson = CATALOG.find(lesson_id).lesson
    app = NNTutorApp(lang="en", lesson=lesson, store=ProgressStore(store_path))

    async def before(pilot):
        await pilot.pause()
        for _ in range(answered):
            run = pilot.app.screen.run
            pilot.app.screen.query_one("#answer").value = _typed(run.expected(run.current))
            await pilot.press("enter")
            await pilot.pause()
        for _ in range(presses):
            await pilot.press("f3")
            await pilot.pause()
        await pilot.pause(0.3)

    return snap_compare(app, terminal_size=size, run_before=before)
