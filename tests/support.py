"""Helpers shared by tests."""

from __future__ import annotations

from pathlib import Path

from nntutor.core.kinds import build_problem
from nntutor.core.lesson import Lesson, lesson_from_data


def every_step_lesson(case: str, problem: dict) -> Lesson:
    """A lesson asking for every derived quantity of ``problem``, in the graph's order."""
    keys = [k for k, q in build_problem(problem).quantities.items() if not q.is_given]
    data = {"format_version": 1, "id": case, "unit": "tests", "title": {"en": "t", "ru": "т"},
            "text": {"en": "t", "ru": "т"}, "problem": problem,
            "steps": [{"quantity": k, "prompt": {"en": k, "ru": k}} for k in keys]}
    return lesson_from_data(data, Path(f"{case}.toml"))
