"""A chart of a lesson (nntutor.core.curves.Chart) drawn with plotext, and its legend on a line
of its own under the plot -- never on the curves. Each series has its own marker, so the chart
reads in 16 colours and with NO_COLOR. (plotext loads with this module: import it when a
student first asks for a chart.)"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static
from textual_plotext import PlotextPlot

from nntutor.core.curves import Chart


class ChartView(Vertical):
    """The plot and its legend; ``show(chart, lang)`` draws a chart."""

    DEFAULT_CSS = """
    ChartView {
        height: 1fr;
    }
    ChartView > PlotextPlot {
        height: 1fr;
    }
    ChartView > #legend {
        height: auto;
        padding: 0 1;
        color: $text-muted;
    }
    """

    def __init__(self, chart: Chart, lang: str) -> None:
        super().__init__()
        self._first = (chart, lang)

    def compose(self) -> ComposeResult:
        yield PlotextPlot()
        yield Static(id="legend")

    def on_mount(self) -> None:
        self.show(*self._first)

    def show(self, chart: Chart, lang: str) -> None:
        plot = self.query_one(PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        plt.xlabel(chart.xlabel[lang])
        if chart.xticks:
            plt.xticks(list(chart.xticks))
        frame = _frame(chart)
        if frame:  # the chart's area before (and around) its points: two invisible corners
            plt.scatter(*frame, marker=" ")
        if chart.ylim is None and chart.empty:
            plt.yticks([])  # nothing says yet where its values lie: no made-up scale
        for s in chart.series:
            x, y = s.x.tolist(), s.y.tolist()
            if s.points:
                plt.scatter(x, y, marker=s.marker)
            elif len(x) <= 30:  # values at whole steps: a faint line, each value a marked point
                plt.plot(x, y, marker="·")
                plt.scatter(x, y, marker=s.marker)
            else:
                plt.plot(x, y, marker=s.marker)
        plot.refresh()
        legend = Text()
        for s in chart.series:
            if s.label[lang] and len(s.x):
                legend.append(f"{s.marker} ", style="bold")
                legend.append(f"{s.label[lang]}   ")
        if chart.note:
            legend.append(("\n" if legend.plain else "") + chart.note[lang], style="italic")
        self.query_one("#legend", Static).update(legend)


def _frame(chart: Chart) -> tuple[list[float], list[float]] | None:
    """Two corners spanning the chart's frame (its x and y limits; an axis without one, its points')."""
    if chart.xlim is None and chart.ylim is None:
        return None
    xs = [float(v) for s in chart.series for v in s.x]
    ys = [float(v) for s in chart.series for v in s.y]
    x0, x1 = chart.xlim or ((min(xs), max(xs)) if xs else (0.0, 1.0))
    y0, y1 = chart.ylim or ((min(ys), max(ys)) if ys else (0.0, 0.0))
    return [x0, x1], [y0, y1]
