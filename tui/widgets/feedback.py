"""The feedback pane under the answer box: verdicts, diagnoses, hints."""

from __future__ import annotations

from rich.text import Text

from .settled import SettledStatic

STYLES = {"correct": "bold green", "noted": "bold cyan", "wrong": "bold red", "format": "bold yellow", "hint": "cyan", "info": ""}


class Feedback(SettledStatic):
    """Shows a few (kind, text) lines; the screen decides what they are."""

    DEFAULT_CSS = """
    Feedback {
        /* four lines hold nearly every verdict, so the screen rarely reflows; a long
           diagnosis (two slips named) may take up to seven rather than be cut off */
        height: auto;
        min-height: 4;
        max-height: 7;
        padding: 0 1;
    }
    """

    def show(self, *lines: tuple[str, str]) -> None:
        out = Text()
        for n, (kind, message) in enumerate(line for line in lines if line[1]):
            if n:
                out.append("\n")
            out.append(message, style=STYLES.get(kind, ""))
        self.show_text(out)
