"""A diagram of a lesson (nntutor.core.pictures), drawn as text with box characters.

The geometry comes from core: this widget asks the picture for a drawing as wide as itself
and styles each span by its tag. A tag's look lives here, once, as a component class; the
look never carries meaning alone (a "?" is a "?", a window has brackets), so the diagram
reads with NO_COLOR too.
"""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from nntutor.core.pictures import Drawing, Picture

#: the tags of nntutor.core.pictures.canvas that have a look of their own
STYLED = ("given", "answered", "derived", "todo", "focus", "unasked", "edge", "window", "mark", "bad", "note")


class Diagram(Static):
    """Shows ``picture`` (a diagram) in ``lang``, redrawn for its width."""

    DEFAULT_CSS = """
    Diagram {
        width: auto;
        height: auto;
        padding: 0 1;
    }
    Diagram > .diagram--given { text-style: bold; }
    Diagram > .diagram--answered { color: $success; text-style: bold; }
    Diagram > .diagram--derived { color: $secondary; }
    Diagram > .diagram--todo { color: $text-muted; }
    Diagram > .diagram--focus { color: $warning; text-style: bold reverse; }
    Diagram > .diagram--unasked { color: $text-disabled; }
    Diagram > .diagram--edge { color: $primary; }
    Diagram > .diagram--window { color: $warning; text-style: bold; }
    Diagram > .diagram--mark { color: $success; text-style: bold; }
    Diagram > .diagram--bad { color: $error; text-style: bold; }
    Diagram > .diagram--note { color: $text-muted; text-style: italic; }
    """
    COMPONENT_CLASSES = {f"diagram--{tag}" for tag in STYLED}

    picture: reactive[Picture | None] = reactive(None, layout=True, always_update=True)
    lang: reactive[str] = reactive("en", layout=True)
    #: the width to draw for (the pane's width): set by the parent
    room: reactive[int] = reactive(46, layout=True)

    def drawing(self) -> Drawing | None:
        if self.picture is None or self.picture.draw is None:
            return None
        return self.picture.draw(max(20, int(self.room)), self.lang)

    def render(self) -> Text:
        drawing = self.drawing()
        text = Text(no_wrap=True, overflow="ignore")
        if drawing is None:
            return text
        for i, line in enumerate(drawing.lines):
            if i:
                text.append("\n")
            for span in line:
                style = self.get_component_rich_style(f"diagram--{span.tag}") if span.tag in STYLED else ""
                text.append(span.text, style)
        return text
