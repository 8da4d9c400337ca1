"""The Word summary's charts: horizontal bar charts as PNG, drawn with matplotlib's Agg backend (no
display, no global pyplot state; imported only when a chart is drawn).

The title is wrapped inside the image, over the whole figure's width, and every line of it is
kept; long labels wrap too. The figure's layout is matplotlib's constrained layout, which makes
room for the title and the labels, so nothing is cut at the image's edge.
"""

from __future__ import annotations

import io
import textwrap
from typing import Sequence

TITLE_WIDTH = 70
LABEL_WIDTH = 40


def bar_chart_png(title: str, bars: Sequence[tuple[str, int]]) -> bytes:
    out = io.BytesIO()
    chart_figure(title, bars).savefig(out, format="png")
    return out.getvalue()


def chart_figure(title: str, bars: Sequence[tuple[str, int]]):
    """The chart as a matplotlib Figure (on an Agg canvas)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    labels = [textwrap.fill(label, LABEL_WIDTH) for label, _ in bars][::-1]
    values = [count for _, count in bars][::-1]
    title_lines = textwrap.wrap(title, TITLE_WIDTH) or [""]
    label_lines = sum(label.count("\n") + 1 for label in labels)
    height = 0.8 + 0.2 * len(title_lines) + max(0.32 * label_lines, 0.45 * len(bars))
    figure = Figure(figsize=(6.5, height), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.barh(range(len(values)), values, color="#2f6f9f")
    axes.set_yticks(range(len(values)), labels, fontsize=8)
    figure.suptitle("\n".join(title_lines), fontsize=9, x=0.02, ha="left")
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.set_xlim(0, max(values + [1]) * 1.12)
    for index, value in enumerate(values):
        axes.text(value, index, f" {value}", va="center", fontsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    return figure
