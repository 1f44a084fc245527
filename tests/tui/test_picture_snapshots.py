"""Each kind of picture as an SVG snapshot, at 80×24 and at 120×40 (tests/tui/__snapshots__/).

A lesson is opened, its first steps answered with the engine's values (a design with its reference
weights), then F3 pressed until the picture is shown. Deterministic: a fresh progress file,
English, no cursor blink. After an intended change of the look:
``pytest tests/tui/test_picture_snapshots.py --snapshot-update``, then look at the new SVGs."""

from __future__ import annotations

import numpy as np
import pytest

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
]
SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


def _typed(value) -> str:
    value = np.squeeze(np.asarray(value, dtype=np.float64))
    if value.ndim == 2:
        return "; ".join(" ".join(repr(float(v)) for v in row) for row in value)
    return " ".join(repr(float(v)) for v in np.atleast_1d(value))


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name, lesson_id, answered, presses", CASES, ids=[c[0] for c in CASES])
def test_picture(snap_compare, store_path, name, lesson_id, answered, presses, size):
    lesson = load_catalog().find(lesson_id).lesson
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

    assert snap_compare(app, terminal_size=SIZES[size], run_before=before)
