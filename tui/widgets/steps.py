"""The step list of a lesson: done steps with their values, the active one, the rest."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static


@dataclass(frozen=True)
class StepLine:
    """What the list shows for one step (set by the screen; no logic here)."""

    symbol: str
    #: "done" | "shown" (done after the worked value was revealed) | "noted" (part of a design,
    #: judged later) | "active" | "todo"
    state: str
    label: str  # the accepted value (done), or what to show beside the active step
    #: the active step's earlier answers this run, each "what was typed — why it was wrong",
    #: listed under it when every answer is shown in full (F4)
    history: tuple[str, ...] = ()


class StepList(Static):
    """Renders :class:`StepLine` items, one line each."""

    DEFAULT_CSS = """
    StepList {
        height: auto;
        padding: 0 1;
    }
    """

    #: one line per step: only a different number of steps changes the height
    lines: reactive[tuple[StepLine, ...]] = reactive(())
    #: every answer in full, wrapped (F4), rather than one line per step
    expanded: reactive[bool] = reactive(False, layout=True)

    def watch_lines(self, old: tuple[StepLine, ...], new: tuple[StepLine, ...]) -> None:
        if len(old) != len(new) or self.expanded:
            self.refresh(layout=True)

    def render(self) -> Text:
        out = Text(no_wrap=not self.expanded, overflow="ellipsis" if not self.expanded else "fold")
        room = max(8, self.content_size.width - 6)  # " ✓ " + symbol + " = " take the rest of the line
        for n, line in enumerate(self.lines):
            if not self.expanded and line.label and len(line.symbol) + len(line.label) > room:  # one line per step
                keep = max(1, room - len(line.symbol) - 1)
                line = StepLine(line.symbol, line.state, line.label[:keep] + "…", line.history)
            if n:
                out.append("\n")
            if line.state in ("done", "shown"):  # after the worked value was shown: another colour
                out.append(" ✓ " if line.state == "done" else " ◇ ",
                           style="bold green" if line.state == "done" else "bold yellow")
                out.append(line.symbol, style="bold")
                out.append(" = " + line.label)
            elif line.state == "noted":
                out.append(" … ", style="bold cyan")
                out.append(line.symbol, style="bold")
                out.append(" = " + line.label)
            elif line.state == "active":
                out.append(" ▶ ", style="bold yellow")
                out.append(line.symbol, style="bold reverse")
                if line.label:
                    out.append("  " + line.label, style="bold")
                if self.expanded:
                    for earlier in line.history:
                        out.append("\n   ✗ " + earlier, style="dim")
            else:
                out.append(" · ", style="dim")
                out.append(line.symbol, style="dim")
        return out
