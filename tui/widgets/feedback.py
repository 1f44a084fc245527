"""The feedback pane under the answer box: verdicts, diagnoses, hints."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

STYLES = {"correct": "bold green", "noted": "bold cyan", "wrong": "bold red", "format": "bold yellow", "hint": "cyan", "info": ""}


class Feedback(Static):
    """Shows a few (kind, text) lines; the screen decides what they are."""

    DEFAULT_CSS = """
    Feedback {
        /* a fixed height: a verdict then never reflows the whole screen */
        height: 4;
        padding: 0 1;
    }
    """

    def show(self, *lines: tuple[str, str]) -> None:
        out = Text()
        for n, (kind, message) in enumerate(line for line in lines if line[1]):
            if n:
                out.append("\n")
            out.append(message, style=STYLES.get(kind, ""))
        self.update(out)
