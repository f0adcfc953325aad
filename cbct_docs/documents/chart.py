"""The score chart of an audit report: per norm, how many questions scored each level.

Horizontal stacked bars in the scale's own colours (red, yellow, green). Two levels that
share a colour (Niet and Beperkt are both red) get a darker and a lighter shade, so the
bars still tell them apart.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache

#: Office-friendly shades per scale colour, darkest first.
SHADES = {
    "red": ("#b22222", "#e06666", "#f4a6a6"),
    "yellow": ("#e0a800", "#f6c343", "#fbe29f"),
    "green": ("#2e7d32", "#66bb6a", "#a5d6a7"),
}
FALLBACK = ("#555555", "#888888", "#bbbbbb")


def level_colours(levels: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Level name → hex colour; ``levels`` are (name, colour) from worst to best."""
    used: dict[str, int] = {}
    colours = {}
    for name, colour in levels:
        shades = SHADES.get(colour, FALLBACK)
        index = used.get(colour, 0)
        used[colour] = index + 1
        colours[name] = shades[min(index, len(shades) - 1)]
    return colours


Key = tuple[tuple[tuple[str, tuple[tuple[str, int], ...]], ...], tuple[tuple[str, str], ...]]

#: Charts drawn ahead (by worker processes, for a large run: ``runs.audit``), by key.
_ready: dict[Key, bytes] = {}


def chart_key(rows: Sequence[tuple[str, dict[str, int]]],
              levels: Sequence[tuple[str, str]]) -> Key:
    return (tuple((label, tuple(sorted(counts.items()))) for label, counts in rows),
            tuple(levels))


def score_chart(rows: Sequence[tuple[str, dict[str, int]]],
                levels: Sequence[tuple[str, str]]) -> bytes:
    """A PNG: one bar per row label, segments counting questions per level. The same
    scores draw the same chart, so the concept and the definitief report (made in two
    runs) draw it once."""
    key = chart_key(rows, levels)
    png = _ready.get(key) or _drawn(key)
    if _log is not None:
        _log.append((key, png))
    return png


_log: list[tuple[Key, bytes]] | None = None


@contextmanager
def recorded() -> Iterator[list[tuple[Key, bytes]]]:
    """The charts :func:`score_chart` returns within the block, with their keys (a worker
    that draws a report's chart hands both back)."""
    global _log
    _log = []
    try:
        yield _log
    finally:
        _log = None


def keep_drawn(charts: dict[Key, bytes]) -> None:
    """Charts drawn elsewhere (the same function, in a worker), for :func:`score_chart`
    to return; :func:`forget_drawn` lets them go."""
    _ready.update(charts)


def forget_drawn() -> None:
    _ready.clear()



@lru_cache(maxsize=64)
def _drawn(key: Key) -> bytes:
    rows = [(label, dict(counts)) for label, counts in key[0]]
    levels = key[1]
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.ticker import MaxNLocator

    colours = level_colours(levels)
    labels = [label for label, _counts in rows]
    height = 0.45 * len(rows) + 1.1
    figure, axes = plt.subplots(figsize=(6.4, height), dpi=150)
    try:
        left = [0] * len(rows)
        positions = list(range(len(rows)))[::-1]
        for name, _colour in levels:
            widths = [counts.get(name, 0) for _label, counts in rows]
            axes.barh(positions, widths, left=left, color=colours[name], label=name,
                      edgecolor="white", height=0.6)
            left = [a + b for a, b in zip(left, widths, strict=True)]
        axes.set_yticks(positions, labels, fontsize=8)
        axes.set_xlabel("aantal vragen", fontsize=8)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # whole questions only
        axes.tick_params(axis="x", labelsize=8)
        axes.spines[["top", "right"]].set_visible(False)
        axes.legend(ncols=len(levels), fontsize=7, frameon=False, loc="upper center",
                    bbox_to_anchor=(0.5, -0.22 if len(rows) < 6 else -0.12))
        figure.tight_layout()
        buffer = io.BytesIO()
        # No timestamps in the PNG: the same scores give the same bytes.
        figure.savefig(buffer, format="png", metadata={"Software": None})
        return buffer.getvalue()
    finally:
        plt.close(figure)
