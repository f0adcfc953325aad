"""Does the address of a made letter fit the window of the envelope?

The address block (see :mod:`.print_layout`) has an exact height and width, so Word and
LibreOffice cut off what does not fit: a long name that wraps, an extra line. Nothing can
measure the text without the fonts, so this estimates it from the letter itself,
conservatively (rather a warning too many than a letter whose address is cut off):

- each line's font size from its runs, else its paragraph style, else the document's
  defaults (the largest size in a line counts);
- a line's height: the font size × 1.22 (the tallest of the common fonts: Arial 1.15,
  Calibri 1.22) × the line spacing (``w:spacing w:line``), plus the spacing before and
  after;
- a line's width: the widths of Arial's (Helvetica's) characters, + 10 % for a wider
  font or bold; a character it does not know counts as 0.6 of the font size;
- the room: the block's row height and cell width less the cell's margins.

:func:`address_fit` reads one finished .docx and parses only the address block, and its
layout once per template (every letter of one template has the same), so a batch of
thousands of letters pays a fraction of a millisecond each.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from html import unescape
from typing import Any

from lxml import etree

from ..settings import EnvelopeWindow
from .docx_parts import document_and_styles
from .print_layout import NS, TWIPS_PER_MM, W
from .window import active_window

LINE_FACTOR = 1.22  # line height of a font at single spacing, in font sizes
WIDTH_MARGIN = 1.10  # Arial's widths + 10 %
UNKNOWN_WIDTH = 600  # thousandths of the font size, for a character not in the table
MM_PER_PT = 25.4 / 72
DEFAULT_SIZE = 20  # half-points: Word's size when a document gives none
DEFAULT_SIDE_MARGIN = 108  # twips: Word's cell margin left and right when none is given

#: Arial's (metrically Helvetica's) character widths in thousandths of the font size.
_WIDTHS = dict(zip(" !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 278, 278,
    584, 584, 584, 556, 1015, 278, 278, 278, 469, 556, 333, 334, 260, 334, 584), strict=True))
_WIDTHS.update(dict.fromkeys("0123456789", 556))
_WIDTHS.update(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", (
    667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722,
    667, 611, 722, 667, 944, 667, 667, 611), strict=True))
_WIDTHS.update(zip("abcdefghijklmnopqrstuvwxyz", (
    556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333,
    500, 278, 556, 500, 722, 500, 500, 500), strict=True))

_CAPTION = re.compile(rb'<w:tblCaption\s+w:val="\s*[Vv][Ee][Nn][Ss][Tt][Ee][Rr]\s*"')
_TABLE_START = re.compile(rb"<w:tbl[ >]")
_TEXT = re.compile(rb"<w:t(?:\s[^>]*)?>[^<]*</w:t>")
_PARAGRAPH = re.compile(rb"<w:p[ >].*?</w:p>|<w:p\s*/>", re.S)
_PROPERTIES = re.compile(rb"<w:pPr>.*?</w:pPr>", re.S)
_PIECE = re.compile(rb"<w:t(?:\s[^>]*)?>([^<]*)</w:t>|<w:(br|cr|tab)\b")


def text_width(text: str, size: float) -> float:
    """The estimated width of ``text`` at ``size`` pt, in mm (margin included)."""
    try:
        thousandths = sum(map(_WIDTHS.__getitem__, text))
    except KeyError:  # é, Ö, Ç: as their letter; anything else as a wide one (and kept)
        for char in set(text) - _WIDTHS.keys():
            _WIDTHS[char] = _WIDTHS.get(unicodedata.normalize("NFD", char)[:1], UNKNOWN_WIDTH)
        thousandths = sum(map(_WIDTHS.__getitem__, text))
    return thousandths / 1000 * size * MM_PER_PT * WIDTH_MARGIN


@dataclass(frozen=True)
class Line:
    """One line of the address block: its text and estimated width, both in the letter."""

    text: str
    size: float  # pt
    width: float  # mm


@dataclass
class AddressFit:
    """The address block of one letter, as estimated: its lines and the room they have."""

    lines: list[Line]
    height: float  # mm the lines need (a line too wide counts as the lines it wraps to)
    room_height: float  # mm
    room_width: float  # mm
    box: tuple[float, float]  # the block's width and height, mm
    too_wide: list[Line] = field(default_factory=list)
    rows: int = 0  # lines on paper: a line too wide counts as the lines it wraps to

    @property
    def fits(self) -> bool:
        return self.height <= self.room_height and not self.too_wide

    def problem(self) -> str:
        """What may be cut off, in a sentence (empty when it fits)."""
        return self._describe(_ENGLISH)

    def problem_nl(self) -> str:
        """:meth:`problem` in Dutch, for the web app."""
        return self._describe(_DUTCH)

    def _describe(self, words: dict[str, str]) -> str:
        parts = []
        if self.height > self.room_height:
            wrapped = (words["wrapped"].format(rows=self.rows)
                       if self.rows > len(self.lines) else "")
            parts.append(words["tall"].format(lines=len(self.lines), wrapped=wrapped,
                                              height=self.height, room=self.room_height))
        for line in self.too_wide:
            size = f"{line.size:g}".replace(".", words["decimal"])
            parts.append(words["wide"].format(text=line.text, width=line.width, size=size,
                                              room=self.room_width))
        return "; ".join(parts)


#: How :meth:`AddressFit.problem` says it, in English (the command line) and in Dutch.
_ENGLISH = {
    "wrapped": " ({rows} with wrapping)", "decimal": ".",
    "tall": "its {lines} lines{wrapped} need about {height:.0f} mm, the window holds "
            "{room:.0f} mm: the last are cut off",
    "wide": "{text!r} is about {width:.0f} mm wide at {size} pt, the window {room:.0f} mm: "
            "it wraps onto a next line"}
_DUTCH = {
    "wrapped": " ({rows} met afbreken)", "decimal": ",",
    "tall": "de {lines} regels{wrapped} hebben ongeveer {height:.0f} mm nodig, het venster "
            "is {room:.0f} mm hoog: de laatste vallen weg",
    "wide": "‘{text}’ is ongeveer {width:.0f} mm breed bij {size} pt, het venster "
            "{room:.0f} mm: de regel loopt door op een volgende regel"}


def address_fit(data: bytes, window: EnvelopeWindow | None = None) -> AddressFit | None:
    """The estimate for a finished letter (.docx bytes); None when it has no address block
    titled ``Venster`` (or is no Word document). ``window``: the room when the block
    carries no size of its own (default: the window in use)."""
    found = document_and_styles(data)
    if found is None:
        return None
    document, styles_key, read_styles = found
    table = _window_xml(document)
    if table is None:
        return None
    window = window or active_window()
    shape = _TEXT.sub(b"<w:t/>", table)  # the layout without the letter's own text
    layout = _layouts.get((shape, styles_key, window))
    if layout is None:
        if len(_layouts) >= 64:
            _layouts.clear()
        layout = _layouts[(shape, styles_key, window)] = _layout(
            document, shape, _styles_of(styles_key, read_styles), window)
    return layout.measure([_paragraph_lines(p) for p in _PARAGRAPH.findall(table)])


def _window_xml(xml: bytes) -> bytes | None:
    """The XML of the table titled Venster."""
    caption = _CAPTION.search(xml)
    if caption is None:
        return None
    starts = [m.start() for m in _TABLE_START.finditer(xml, 0, caption.start())]
    end = xml.find(b"</w:tbl>", caption.end())
    if not starts or end < 0:
        return None
    return xml[starts[-1]:end + len(b"</w:tbl>")]


def _paragraph_lines(paragraph: bytes) -> list[str]:
    """A paragraph's text, a line per manual line break (a tab as four spaces)."""
    if b"<w:tabs>" in paragraph:  # tab stops, not tabs
        paragraph = _PROPERTIES.sub(b"", paragraph)
    lines = [""]
    for piece in _PIECE.finditer(paragraph):
        if piece.group(2) is None:
            lines[-1] += unescape(piece.group(1).decode("utf-8"))
        elif piece.group(2) == b"tab":
            lines[-1] += "    "
        else:
            lines.append("")
    return [line.rstrip() for line in lines]


# --- the layout of a template's address block -----------------------------------------------

@dataclass(frozen=True)
class Spacing:
    """A paragraph's spacing in twips (``line``: 240ths of a line when ``rule`` is auto)
    and its font size in half-points; None: not given here."""

    before: int | None = None
    after: int | None = None
    line: int | None = None
    rule: str | None = None
    size: int | None = None

    def over(self, base: Spacing) -> Spacing:
        """These values where given, else ``base``'s."""
        def pick(mine: Any, theirs: Any) -> Any:
            return mine if mine is not None else theirs

        return Spacing(pick(self.before, base.before), pick(self.after, base.after),
                       pick(self.line, base.line), pick(self.rule, base.rule),
                       pick(self.size, base.size))


@dataclass(frozen=True)
class _Styles:
    """The styles part's paragraph spacing, per style and by default."""

    paragraph: dict[str, Spacing]  # style id → its spacing and size, with its bases
    default_style: str | None
    defaults: Spacing


@dataclass(frozen=True)
class _Paragraph:
    """One paragraph of the address block: its font size and spacing."""

    size: float  # pt
    line: float  # mm
    before: float  # mm
    after: float  # mm


@dataclass(frozen=True)
class _Layout:
    """The address block's paragraphs and the room the window leaves them."""

    paragraphs: tuple[_Paragraph, ...]
    room_width: float
    room_height: float
    box: tuple[float, float]

    def measure(self, texts: list[list[str]]) -> AddressFit:
        lines: list[Line] = []
        too_wide: list[Line] = []
        needed = 0.0
        count = 0
        for number, (paragraph, pieces) in enumerate(zip(self.paragraphs, texts, strict=False)):
            for text in pieces:
                line = Line(text, paragraph.size, text_width(text, paragraph.size))
                rows = max(1, math.ceil(line.width / self.room_width)) \
                    if self.room_width > 0 else 1
                if rows > 1:
                    too_wide.append(line)
                lines.append(line)
                count += rows
                needed += rows * paragraph.line
            needed += paragraph.before
            if number < len(texts) - 1:  # the last one's spacing after cuts nothing off
                needed += paragraph.after
        return AddressFit(lines, needed, self.room_height, self.room_width, self.box, too_wide,
                          count)


_layouts: dict[tuple[bytes, Hashable, EnvelopeWindow], _Layout] = {}
_known_styles: dict[Hashable, _Styles] = {}


def _styles_of(key: Hashable, read: Callable[[], bytes]) -> _Styles:
    found = _known_styles.get(key) if key is not None else None
    if found is None:
        xml = read()
        found = _styles(xml) if xml else _Styles({}, None, Spacing(size=DEFAULT_SIZE))
        if key is not None:
            if len(_known_styles) >= 32:
                _known_styles.clear()
            _known_styles[key] = found
    return found


def _styles(xml: bytes) -> _Styles:
    """Spacing and font size of every paragraph style, with what it is based on."""
    root = etree.fromstring(xml)
    defaults = Spacing(size=DEFAULT_SIZE)
    doc = root.find("w:docDefaults", NS)
    if doc is not None:
        defaults = _spacing(doc.find("w:pPrDefault/w:pPr", NS),
                            doc.find("w:rPrDefault/w:rPr", NS)).over(defaults)
    own: dict[str, tuple[Spacing, str | None]] = {}
    default_style = None
    for style in root.iterfind("w:style[@w:type='paragraph']", NS):
        style_id = style.get(f"{{{W}}}styleId", "")
        based = style.find("w:basedOn", NS)
        own[style_id] = (_spacing(style.find("w:pPr", NS), style.find("w:rPr", NS)),
                         based.get(f"{{{W}}}val") if based is not None else None)
        if style.get(f"{{{W}}}default") in ("1", "true"):
            default_style = style_id
    resolved: dict[str, Spacing] = {}
    for style_id, (spacing, parent) in own.items():
        seen = {style_id}
        while parent in own and parent not in seen:
            seen.add(parent)
            spacing = spacing.over(own[parent][0])
            parent = own[parent][1]
        resolved[style_id] = spacing.over(defaults)
    return _Styles(resolved, default_style, defaults)


def _spacing(paragraph: etree._Element | None, run: etree._Element | None) -> Spacing:
    before = after = line = size = None
    rule = None
    element = paragraph.find("w:spacing", NS) if paragraph is not None else None
    if element is not None:
        before, after, line = (_number(element, key) for key in ("before", "after", "line"))
        rule = element.get(f"{{{W}}}lineRule")
    sz = run.find("w:sz", NS) if run is not None else None
    if sz is not None:
        size = _number(sz, "val")
    return Spacing(before, after, line, rule, size)


def _number(element: etree._Element, attribute: str) -> int | None:
    value = element.get(f"{{{W}}}{attribute}") or ""
    return int(value) if value.lstrip("-").isdigit() else None


def _layout(document: bytes, shape: bytes, styles: _Styles,
            window: EnvelopeWindow) -> _Layout:
    opening = re.search(rb"<w:document\b[^>]*>", document)
    declarations = b" ".join(re.findall(rb'xmlns:\w+="[^"]*"', opening.group())) \
        if opening else f'xmlns:w="{W}"'.encode()
    table = etree.fromstring(b"<w:root " + declarations + b">" + shape + b"</w:root>")[0]
    margins = _margins(table)
    cell = table.find("w:tr/w:tc", NS)
    width = _twips(cell, "w:tcPr/w:tcW", "w") if cell is not None else None
    height = _twips(table, "w:tr/w:trPr/w:trHeight", "val")
    box = (width / TWIPS_PER_MM if width else window.breedte,
           height / TWIPS_PER_MM if height else window.hoogte)
    paragraphs = []
    for paragraph in table.iterfind(".//w:p", NS):
        spacing = _paragraph_spacing(paragraph, styles)
        size = max(_run_sizes(paragraph) or [spacing.size or DEFAULT_SIZE]) / 2
        paragraphs.append(_Paragraph(size, _line_height(spacing, size),
                                     (spacing.before or 0) / TWIPS_PER_MM,
                                     (spacing.after or 0) / TWIPS_PER_MM))
    return _Layout(tuple(paragraphs),
                   box[0] - (margins["left"] + margins["right"]) / TWIPS_PER_MM,
                   box[1] - (margins["top"] + margins["bottom"]) / TWIPS_PER_MM, box)


def _paragraph_spacing(paragraph: etree._Element, styles: _Styles) -> Spacing:
    properties = paragraph.find("w:pPr", NS)
    style = properties.find("w:pStyle", NS) if properties is not None else None
    style_id = style.get(f"{{{W}}}val") if style is not None else styles.default_style
    base = styles.paragraph.get(style_id or "", styles.defaults)
    mark = properties.find("w:rPr", NS) if properties is not None else None
    return _spacing(properties, mark).over(base)


def _run_sizes(paragraph: etree._Element) -> list[int]:
    """The size of each run with text that gives one (half-points)."""
    sizes = []
    for run in paragraph.iterfind(".//w:r", NS):
        size = run.find("w:rPr/w:sz", NS)
        value = _number(size, "val") if size is not None else None
        if value and run.find("w:t", NS) is not None:
            sizes.append(value)
    return sizes


def _line_height(spacing: Spacing, size: float) -> float:
    """One line in mm: the font's height at single spacing times the line spacing."""
    natural = size * LINE_FACTOR * MM_PER_PT
    if spacing.line is None:
        return natural
    if spacing.rule == "exact":
        return spacing.line / TWIPS_PER_MM
    if spacing.rule == "atLeast":
        return max(natural, spacing.line / TWIPS_PER_MM)
    return natural * spacing.line / 240


def _margins(table: etree._Element) -> dict[str, int]:
    """The cell's margins in twips: the cell's own, else the table's, else Word's."""
    found = {"top": 0, "bottom": 0, "left": DEFAULT_SIDE_MARGIN, "right": DEFAULT_SIDE_MARGIN}
    for path in ("w:tblPr/w:tblCellMar", "w:tr/w:tc/w:tcPr/w:tcMar"):
        element = table.find(path, NS)
        if element is None:
            continue
        for side in found:
            value = element.find(f"w:{side}", NS)
            if value is None and side in ("left", "right"):
                value = element.find(f"w:{'start' if side == 'left' else 'end'}", NS)
            number = _number(value, "w") if value is not None else None
            if number is not None:
                found[side] = number
    return found


def _twips(element: etree._Element, path: str, attribute: str) -> int | None:
    found = element.find(path, NS)
    value = _number(found, attribute) if found is not None else None
    return value if value and value > 0 else None
