"""The score chart written as a Word drawing: an inline group of DrawingML shapes.

Rectangles for the bars (white edges between segments, as before), thin rectangles for
the axes and ticks, and text boxes for the norm labels, the numbers, the axis title and
the legend. Sizes are in millimetres here and EMU (1/36,000 mm) in the XML. The namespaces
are declared on the drawing itself, so it is valid in any template's document part.

The XML is written as lxml writes it (namespace declarations before attributes, values
escaped as lxml escapes them), so a document can hold it as it is: ``tests/test_chart.py``
checks that lxml writes it back unchanged.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Sequence

EMU_PER_MM = 36000
WIDTH = 150.0  # the chart's width, as the picture had
LABEL_PT, LEGEND_PT = 8.0, 7.5
PITCH, BAR = 8.5, 5.0  # one row's height and its bar's
TOP, TEXT_HEIGHT = 1.0, 3.6
LINE_WIDTH, TICK = 0.26, 1.2  # 0.75 pt axes; tick length
LINE_COLOUR = "404040"
MAX_LABEL_WIDTH = 60.0  # a longer norm label wraps to a second line

NAMESPACES = (
    ' xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"'
    ' xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
    ' xmlns:wpg="http://schemas.microsoft.com/office/word/2010/wordprocessingGroup"'
    ' xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"')
GROUP_URI = "http://schemas.microsoft.com/office/word/2010/wordprocessingGroup"
#: Written as lxml writes text and attribute values (besides & < >), so the drawing is
#: the bytes a document holds (render.skeleton places it without parsing it).
_TEXT = {"\r": "&#13;"}
_ATTRIBUTE = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}


def escape(data: str, entities: dict[str, str]) -> str:
    """``&``, ``<`` and ``>`` escaped, then each of ``entities``: what
    ``xml.sax.saxutils.escape`` does, without its import (it loads urllib.request, and with
    it http.client, email and ssl: ~30 ms of a command's start)."""
    data = data.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
    for key, value in entities.items():
        data = data.replace(key, value)
    return data


def _emu(mm: float) -> int:
    return round(mm * EMU_PER_MM)


class Shapes:
    """The shapes of one group, in drawing order (later ones on top)."""

    def __init__(self) -> None:
        self.xml: list[str] = []

    def _frame(self, x: float, y: float, width: float, height: float) -> tuple[str, str]:
        """The shape's id, and its place and size (a rectangle)."""
        return (f'<wps:cNvPr id="{5001 + len(self.xml)}" name=""/>',
                f'<a:xfrm><a:off x="{_emu(x)}" y="{_emu(y)}"/>'
                f'<a:ext cx="{_emu(width)}" cy="{_emu(height)}"/></a:xfrm>'
                '<a:prstGeom prst="rect"/>')

    def rect(self, x: float, y: float, width: float, height: float, fill: str,
             edge: str | None = None) -> None:
        name, frame = self._frame(x, y, width, height)
        line = (f'<a:ln w="6350"><a:solidFill><a:srgbClr val="{edge}"/></a:solidFill></a:ln>'
                if edge else "<a:ln><a:noFill/></a:ln>")
        self.xml.append(
            f"<wps:wsp>{name}<wps:cNvSpPr/><wps:spPr>{frame}"
            f'<a:solidFill><a:srgbClr val="{fill}"/></a:solidFill>{line}</wps:spPr>'
            "<wps:bodyPr/></wps:wsp>")

    def text(self, x: float, y: float, width: float, height: float, text: str,
             points: float, align: str) -> None:
        """A text box of one line (a label that is too wide wraps)."""
        name, frame = self._frame(x, y, width, height)
        self.xml.append(
            f'<wps:wsp>{name}<wps:cNvSpPr txBox="1"/><wps:spPr>{frame}'
            "<a:noFill/><a:ln><a:noFill/></a:ln></wps:spPr>"
            "<wps:txbx><w:txbxContent><w:p><w:pPr>"
            '<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
            '<w:ind w:left="0" w:right="0" w:firstLine="0"/>'
            f'<w:jc w:val="{align}"/></w:pPr>'
            f'<w:r><w:rPr><w:sz w:val="{round(points * 2)}"/></w:rPr>'
            f'<w:t xml:space="preserve">{escape(text, _TEXT)}</w:t></w:r></w:p>'
            "</w:txbxContent></wps:txbx>"
            '<wps:bodyPr wrap="square" lIns="0" tIns="0" rIns="0" bIns="0" anchor="ctr"/>'
            "</wps:wsp>")


#: A chart's rows: each norm's label and its questions per level, (name, count) pairs.
Rows = tuple[tuple[str, tuple[tuple[str, int], ...]], ...]


@functools.lru_cache(maxsize=256)
def draw(rows: Rows, levels: tuple[tuple[str, str], ...],
         colours: tuple[tuple[str, str], ...], description: str = "") -> str:
    """The ``<w:drawing>`` of the chart: ``levels`` are (name, scale colour) worst first,
    ``colours`` (level name, RRGGBB). The same scores give the same drawing:
    organisations that scored alike share one."""
    return _draw([(label, dict(counts)) for label, counts in rows], levels, dict(colours),
                 description)


def _draw(rows: Sequence[tuple[str, dict[str, int]]], levels: Sequence[tuple[str, str]],
          colours: dict[str, str], description: str) -> str:
    shapes = Shapes()
    labels = [label for label, _counts in rows]
    label_width = min(max([_room(t, LABEL_PT) for t in labels] + [12.0]), MAX_LABEL_WIDTH)
    left = label_width + TICK + 1.3  # the y axis
    width = WIDTH - 3.0 - left
    bottom = TOP + len(rows) * PITCH + 0.5  # the x axis
    most = max([sum(counts.values()) for _label, counts in rows] + [1])
    unit = width / most
    for row, (label, counts) in enumerate(rows):
        middle = TOP + (row + 0.5) * PITCH
        shapes.text(0, middle - PITCH / 2, label_width, PITCH, label, LABEL_PT, "right")
        shapes.rect(left - TICK, middle - LINE_WIDTH / 2, TICK, LINE_WIDTH, LINE_COLOUR)
        start = 0
        for name, _colour in levels:
            count = counts.get(name, 0)
            if count:
                shapes.rect(left + start * unit, middle - BAR / 2, count * unit, BAR,
                            colours[name], "FFFFFF")
                start += count
    shapes.rect(left - LINE_WIDTH / 2, TOP / 2, LINE_WIDTH, bottom - TOP / 2, LINE_COLOUR)
    shapes.rect(left, bottom - LINE_WIDTH / 2, width, LINE_WIDTH, LINE_COLOUR)
    for tick in ticks(most):
        x = left + tick * unit
        shapes.rect(x - LINE_WIDTH / 2, bottom, LINE_WIDTH, TICK, LINE_COLOUR)
        shapes.text(x - 6, bottom + 1.5, 12, TEXT_HEIGHT, str(tick), LABEL_PT, "center")
    shapes.text(left, bottom + 5.2, width, TEXT_HEIGHT, "aantal vragen", LABEL_PT, "center")
    _legend(shapes, levels, colours, left, width, bottom + 10.5)
    height = bottom + 10.5 + TEXT_HEIGHT + 1.0
    return _inline(shapes, WIDTH, height, description)


def ticks(most: int) -> list[int]:
    """Whole numbers of questions, at most nine marks: 0, 1, 2 … or 0, 2, 4 … or 0, 5 …"""
    step = 1
    while most / step > 8:
        step = step * 5 // 2 if str(step)[0] == "2" else step * 2
    return list(range(0, most + 1, step))


def _legend(shapes: Shapes, levels: Sequence[tuple[str, str]], colours: dict[str, str],
            left: float, width: float, y: float) -> None:
    """A swatch and the name of every level, in one line centred under the bars."""
    swatch, gap, space = 4.0, 1.0, 5.0
    names = [(name, _room(name, LEGEND_PT)) for name, _colour in levels]
    total = sum(swatch + gap + w for _name, w in names) + space * (len(names) - 1)
    x = max(left + (width - total) / 2, 0.0)
    for name, text_width in names:
        shapes.rect(x, y + TEXT_HEIGHT / 2 - 1.0, swatch, 2.0, colours[name])
        shapes.text(x + swatch + gap, y, text_width, TEXT_HEIGHT, name, LEGEND_PT, "left")
        x += swatch + gap + text_width + space


@functools.lru_cache(maxsize=1024)  # the norms' labels, the levels' names, the numbers
def _room(text: str, points: float) -> float:
    """The width a text box needs for ``text`` on one line: the estimate and a margin (a
    renderer's own metrics and spacing differ a little from Helvetica's)."""
    return text_width_mm(text, points) * 1.1 + 1.5


def _inline(shapes: Shapes, width: float, height: float, description: str) -> str:
    cx, cy = _emu(width), _emu(height)
    return (
        f'<w:drawing><wp:inline{NAMESPACES} distT="0" distB="0" distL="0" distR="0">'
        f'<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
        '<wp:docPr id="1" name="Grafiek scores per norm" '
        f'descr="{escape(description, _ATTRIBUTE)}"/>'
        "<wp:cNvGraphicFramePr/>"
        f'<a:graphic><a:graphicData uri="{GROUP_URI}"><wpg:wgp><wpg:cNvGrpSpPr/>'
        f'<wpg:grpSpPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/>'
        f'<a:chOff x="0" y="0"/><a:chExt cx="{cx}" cy="{cy}"/></a:xfrm></wpg:grpSpPr>'
        + "".join(shapes.xml) +
        "</wpg:wgp></a:graphicData></a:graphic></wp:inline></w:drawing>")


def text_width_mm(text: str, points: float) -> float:
    """An estimate of ``text``'s width in a sans-serif font (Helvetica's metrics) at
    ``points``: enough to size the label column; a label that is wider wraps."""
    total = 0
    for char in text:
        width = _WIDTHS.get(char)
        if width is None:
            base = unicodedata.normalize("NFD", char)[:1]
            width = _WIDTHS.get(base, 600)
        total += width
    return total / 1000 * points * 25.4 / 72


#: Helvetica's advance widths (thousandths of an em) for the printable ASCII characters.
_WIDTHS = dict(zip(
    " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`"
    "abcdefghijklmnopqrstuvwxyz{|}~",
    (278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
     *([556] * 10), 278, 278, 584, 584, 584, 556, 1015,
     667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667,
     778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333,
     556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556,
     556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584),
    strict=True))
