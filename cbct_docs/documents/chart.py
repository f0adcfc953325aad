"""The score chart of an audit report: per norm, how many questions scored each level.

Horizontal stacked bars in the scale's own colours (red, yellow, green). Two levels that
share a colour (Niet and Beperkt are both red) get a darker and a lighter shade, so the
bars still tell them apart.

The chart is a Word drawing: a group of DrawingML shapes (bars, axis, labels in text
boxes) written as XML where the template says ``{{ grafiek }}``. It is vector (crisp in
print), takes the document's own font, needs no picture part, and costs microseconds, so
the report renders through the compiled path. Any Word template with ``{{ grafiek }}`` in
its text gets it (the office's own report template too).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from .chart_drawing import draw

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


Rows = Sequence[tuple[str, dict[str, int]]]
Levels = Sequence[tuple[str, str]]


@dataclass(frozen=True)
class ScoreChart:
    """The chart of ``rows`` (label and questions per level, per norm) on the scale of
    ``levels`` (name and colour, worst first): as a Word drawing (``drawing``, a
    ``<w:drawing>`` element) and, for screen readers and tests, in words
    (``description``). Both are made when first asked for: when the report is rendered,
    on the worker that renders it.

    ``{{ grafiek }}`` in a Word template prints it: the text run around the tag is closed,
    the drawing gets a run of its own, and a new text run opens (as docxtpl places a
    picture). Anywhere else (a plain-text template, a document property) it is an error.
    """

    rows: tuple[tuple[str, tuple[tuple[str, int], ...]], ...]
    levels: tuple[tuple[str, str], ...]

    @cached_property
    def description(self) -> str:
        return _described(self.rows, self.levels)

    @cached_property
    def drawing(self) -> str:
        return _drawn(self.rows, self.levels)

    def __html__(self) -> str:
        return "".join(self.__xml_opaque__())

    def __xml_opaque__(self) -> tuple[str, str, str]:
        """:meth:`__html__` as the XML before the drawing, the drawing, and the XML after
        it. The drawing is written as lxml writes it, with one ``<wp:docPr id="1"``, so
        render.skeleton can place it without parsing it."""
        return '</w:t></w:r><w:r>', self.drawing, '</w:r><w:r><w:t xml:space="preserve">'

    def __str__(self) -> str:
        from ..errors import TemplateError

        raise TemplateError("the score chart can only be placed in the text of a Word "
                            "template", hint="put {{ grafiek }} in a paragraph of its own")


def score_chart(rows: Rows, levels: Levels) -> ScoreChart:
    """One bar per row label, segments counting questions per level (``levels``: name and
    scale colour, worst first); the legend names every level. The same scores give the
    same drawing."""
    return ScoreChart(tuple((label, tuple(counts.items())) for label, counts in rows),
                      tuple(levels))


def describe(rows: Rows, levels: Levels) -> str:
    """The chart in words: ``1. Beleid: 1× Grotendeels, 2× Volledig; …``."""
    parts = []
    for label, counts in rows:
        scores = ", ".join(f"{counts[name]}× {name}" for name, _c in levels
                           if counts.get(name))
        parts.append(f"{label}: {scores or 'geen scores'}")
    return "Aantal vragen per score, per norm. " + "; ".join(parts) + "."


@functools.lru_cache(maxsize=256)
def _described(rows: tuple[tuple[str, tuple[tuple[str, int], ...]], ...],
               levels: tuple[tuple[str, str], ...]) -> str:
    """:func:`describe` of a chart's rows: organisations that scored alike share it."""
    return describe([(label, dict(counts)) for label, counts in rows], levels)


@functools.lru_cache(maxsize=64)  # ~20,000 characters each
def _drawn(rows: tuple[tuple[str, tuple[tuple[str, int], ...]], ...],
           levels: tuple[tuple[str, str], ...]) -> str:
    """The drawing of a chart's rows: organisations that scored alike share it (and the
    report's renderer its written bytes)."""
    return draw(rows, levels, _hex_colours(levels), _described(rows, levels))


@functools.lru_cache(maxsize=16)
def _hex_colours(levels: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """Level name and RRGGBB, as the drawing takes them."""
    return tuple((name, colour.lstrip("#").upper())
                 for name, colour in level_colours(levels).items())
