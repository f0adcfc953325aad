"""Charts as PNG bytes, drawn with matplotlib's Agg canvas (no pyplot, no display).

Two shapes cover the report: plain horizontal bars (counts, participation) and
100 %-stacked horizontal bars in one or more panels (scores per norm, satisfaction).
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

WIDTH_INCH = 6.3  # 16 cm, the text width of an A4 page with normal margins
DPI = 150
COLOURS = {
    "red": "#d7191c", "yellow": "#fdc23e", "green": "#1a9641",
    "darkgreen": "#0f6b2f", "lightgreen": "#7fc97f", "grey": "#b0b0b0",
    "orange": "#f28c28", "blue": "#2c7bb6",
}  # fmt: skip


@dataclass(frozen=True)
class Series:
    label: str
    colour: str  # a name of COLOURS or a #rrggbb value


@dataclass(frozen=True)
class Panel:
    title: str
    rows: list[tuple[str, list[int]]]  # (bar label, one count per series)


def _colour(name: str) -> str:
    return COLOURS.get(name, name)


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(figure)
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _wrap(text: str, width: int = 28) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def bar_chart(title: str, labels: Sequence[str], values: Sequence[float],
              value_labels: Sequence[str], colour: str = "blue",
              limit: float | None = None) -> bytes:
    """Horizontal bars, top to bottom in the given order, each with its value written next
    to it (``value_labels``, already formatted the Dutch way)."""
    figure = Figure(figsize=(WIDTH_INCH, 0.9 + 0.42 * len(labels)), layout="constrained")
    axes = figure.add_subplot()
    positions = list(range(len(labels)))[::-1]
    axes.barh(positions, values, color=_colour(colour), height=0.6)
    axes.set_yticks(positions, [_wrap(label, 34) for label in labels])
    top = limit if limit is not None else max([*values, 1]) * 1.18
    axes.set_xlim(0, top)
    for position, value, text in zip(positions, values, value_labels, strict=True):
        axes.text(value + top * 0.01, position, text, va="center", fontsize=8)
    axes.set_title(title, fontsize=10, loc="left")
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=8)
    return _png(figure)


def stacked_chart(title: str, panels: Sequence[Panel], series: Sequence[Series]) -> bytes:
    """100 %-stacked horizontal bars, one panel per group side by side, sharing labels.

    Each segment is the share of a series in its bar; shares of 12 % or more get their
    percentage written in. A bar without any counts stays empty.
    """
    rows = max(len(p.rows) for p in panels)
    columns = len(panels)
    figure = Figure(figsize=(WIDTH_INCH, 1.3 + 0.38 * rows), layout="constrained")
    axes_list = figure.subplots(1, columns, sharey=True, squeeze=False)[0]
    for index, (axes, panel) in enumerate(zip(axes_list, panels, strict=True)):
        positions = list(range(len(panel.rows)))[::-1]
        left = [0.0] * len(panel.rows)
        for number, one in enumerate(series):
            shares = []
            for _label, counts in panel.rows:
                total = sum(counts)
                shares.append(100 * counts[number] / total if total else 0.0)
            axes.barh(positions, shares, left=left, color=_colour(one.colour), height=0.65,
                      label=one.label if index == 0 else None, edgecolor="white",
                      linewidth=0.5)
            for position, start, share in zip(positions, left, shares, strict=True):
                if share >= 12:
                    axes.text(start + share / 2, position, f"{share:.0f}", ha="center",
                              va="center", fontsize=6.5, color="black")
            left = [a + b for a, b in zip(left, shares, strict=True)]
        axes.set_xlim(0, 100)
        axes.set_xticks([0, 50, 100], ["0 %", "50 %", "100 %"])
        axes.tick_params(labelsize=7)
        if columns > 1:
            axes.set_title(_wrap(panel.title, 22), fontsize=8)
        axes.spines[["top", "right"]].set_visible(False)
        if index == 0:
            axes.set_yticks(positions, [_wrap(label) for label, _ in panel.rows])
    figure.suptitle(title, fontsize=10, x=0.01, ha="left")
    figure.legend(loc="outside lower center", ncols=min(len(series), 5), fontsize=7,
                  frameon=False)
    return _png(figure)
