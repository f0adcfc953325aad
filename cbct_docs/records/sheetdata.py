"""The plain rows of a worksheet, read with regular expressions instead of expat.

A register of 100,000 rows is 1.2 million cells; expat calls Python three to eight times
per cell, which alone takes longer than a person should wait. The rows as Excel,
LibreOffice and openpyxl write them have one plain form, which a regular expression
reads in C, a row at a time:

    <row r="2" spans="1:12"><c r="A2" s="1" t="s"><v>0</v></c>…</row>

This module reads a ``<sheetData>`` only when *every* row in it has that form exactly
(attributes in that order, no whitespace, comments or character references between or
inside, only the five XML entities); otherwise it reads nothing and the caller streams
the sheet with expat as before. A row of a shape seen before (the same attributes and
cells, other values) is read with one match (``records/shapes.py``), any other row cell
by cell. Each cell's value goes through the same ``SheetParser.convert`` as the expat
path, or the shortcut written out here for the three common cells, so the ways cannot
read a cell differently;
``tests/test_records_sheetdata.py`` reads every workbook of the samples and the bad-input
corpus both ways, and random sheets, and compares records and errors.
"""

from __future__ import annotations

import io
import re
from typing import Any, Protocol
from xml.parsers import expat

from .cells import COLUMNS, column_index
from .kept import Kept
from .shapes import GIVE_UP, Line, Shapes
from .sheetxml import NOTHING, SEPARATOR, SheetParser, tag
from .xlsx import Workbook

# Character data XML allows, less '<' and '&' (entities are matched on their own), '\r'
# (which XML turns into '\n') and the characters expat refuses.
_CHARS = r"[^<&\x00-\x08\x0b\x0c\x0e-\x1f\r\ufffe\uffff]*+"
_TEXT = rf"{_CHARS}(?:&(?:amp|lt|gt|quot|apos|#[0-9]{{1,7}}|#x[0-9a-fA-F]{{1,6}});{_CHARS})*"
_FORMULA = (r'<f(?: t="[a-zA-Z]{1,9}")?(?: ref="[A-Z0-9:]{1,30}")?(?: ca="[01]")?'
            rf'(?: si="[0-9]{{1,9}}")?(?:/>|>({_TEXT})</f>)')
_INLINE = rf'<is><t(?: xml:space="preserve")?>({_TEXT})</t></is>'
# A cell, with its whole text first: the cells found in a row must add up to the row's
# text exactly, so that nothing between them is skipped unread.
_CELL_RE = re.compile(
    r'(<c r="([A-Z]{1,3})([0-9]{1,7})"(?: s="([0-9]{1,9})")?(?: t="([a-zA-Z]{1,9})")?'
    rf'(?:/>|>({_FORMULA})?(?:<v>({_TEXT})</v>|({_INLINE}))?</c>))')
_ROW_RE = re.compile(r'<row r="([0-9]{1,7})"((?: [a-zA-Z][\w.:-]{0,40}="[^"<&]*")*)'
                     r"(?:/>|>([^<]*+(?:<(?!/row>)[^<]*+)*+)</row>)")
_ATTRIBUTE = re.compile(r' ([\w.:-]+)="')
CHUNK = 1 << 20  # bytes of rows decoded at a time


def read_plain(workbook: Workbook, sheet: str, xml: bytes) -> SheetParser | None:
    """The sheet read with its rows in the plain form (the rest, such as merged ranges,
    with expat), or None when it is not in that form. Any error is left to the expat
    reading, so that it is reported as before."""
    parts = split(xml)
    if parts is None:
        return None
    head, start, end, tail = parts
    outside = _outside(head + tail)
    if outside is None:
        return None
    prefixes, merges = outside
    parser = SheetParser(workbook, sheet)
    parser.merges.extend(merges)
    try:
        return parser if read_rows(xml, start, end, parser, prefixes) else None
    except (expat.ExpatError, KeyError, ValueError, IndexError, OverflowError):
        return None


#: What the XML around the rows says, by its bytes (see _outside), for the last sheets.
OUTSIDE_KEPT = 64
_OUTSIDE = Kept(OUTSIDE_KEPT)


def _outside(head_and_tail: bytes) -> tuple[set[str], tuple[str, ...]] | None:
    """The namespace prefixes the rows may use and the merged ranges, read with expat
    from the sheet's XML around its rows; None when that XML holds a row or a cell (or is
    not what ``scope`` requires). It depends on these bytes only (no value of a cell is
    kept), so the sheets of a batch made from one template read it once."""
    found: tuple[set[str], tuple[str, ...]] | None = _OUTSIDE.get_or(
        head_and_tail, lambda: _read_outside(head_and_tail))
    return found


def _read_outside(head_and_tail: bytes) -> tuple[set[str], tuple[str, ...]] | None:
    prefixes = scope(head_and_tail)
    if prefixes is None:
        return None
    parser = SheetParser(_NO_WORKBOOK, "")
    try:
        parser.parse(io.BytesIO(head_and_tail))  # merged ranges, and nothing else
    except (expat.ExpatError, KeyError, ValueError, IndexError, OverflowError):
        return None
    if parser.rows or parser.hidden or parser.problems:
        return None
    return prefixes, tuple(parser.merges)


class _NoWorkbook:
    """What SheetParser takes from a workbook, with no shared strings or date styles: a
    cell with a value around the rows makes the sheet not plain whatever its value is."""

    path = ""
    shared_strings: list[Any] = []
    epoch = None
    mac_1904 = False
    date_formats: set[int] = set()
    timedelta_formats: set[int] = set()


_NO_WORKBOOK: Any = _NoWorkbook()


class Cells(Protocol):
    rows: dict[int, dict[int, Any]]
    hidden: set[int]
    lines: dict[int, Line]
    shared: list[Any]
    date_formats: set[int]
    mac_1904: bool

    def convert(self, kind: str, style: int, value: str | None, formula: str | None,
                inline: str | None, row: int, column: int) -> Any: ...


_REFERENCE = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#(x[0-9a-fA-F]+|[0-9]+));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _character(match: re.Match[str]) -> str:
    """An entity or character reference (``&amp;``, ``&#233;``) as expat reads it; one to
    a character XML does not allow is an error (ValueError: the sheet is then read by
    expat, which reports it)."""
    if match[1]:
        return _NAMED[match[1]]
    number = match[2]
    code = int(number[1:], 16) if number[0] == "x" else int(number)
    if not (code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
            or 0x10000 <= code <= 0x10FFFF):
        raise ValueError(f"reference to invalid character number {code}")
    return chr(code)


def _unescape(text: str) -> str:
    """One pass, as XML reads it: ``&#38;amp;`` is ``&amp;``, not ``&``."""
    return _REFERENCE.sub(_character, text) if "&" in text else text


def scope(head_and_tail: bytes) -> set[str] | None:
    """The namespace prefixes the rows may use, when ``<sheetData>`` is a child of the
    root in the main namespace; None otherwise. ``head_and_tail``: the sheet's XML with an
    empty ``<sheetData></sheetData>`` (it is small)."""
    prefixes: set[str] = {"xml"}
    depth = 0
    found = False

    def declare(prefix: str | None, uri: str) -> None:
        if depth == 0 and prefix:
            prefixes.add(prefix)

    def start(name: str, attrs: Any) -> None:
        nonlocal depth, found
        depth += 1
        if name == tag("sheetData") and depth == 2:
            found = True

    def end(name: str) -> None:
        nonlocal depth
        depth -= 1

    parser = expat.ParserCreate(namespace_separator=SEPARATOR)
    parser.StartNamespaceDeclHandler = declare
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(head_and_tail, True)
    except expat.ExpatError:
        return None
    return prefixes if found else None


def split(xml: bytes) -> tuple[bytes, int, int, bytes] | None:
    """(before, start, end, after) around the rows of the one ``<sheetData>`` of a sheet's
    XML in UTF-8 (``xml[start:end]``), or None when the sheet is not in the plain form
    (then expat reads it). The rows themselves are not searched here: :func:`read_rows`
    reads them only when every one is a plain row, which holds no ``<sheetData>`` or
    ``</sheetData>``; so one of each in the whole XML is one before and after them."""
    start = xml.find(b"<sheetData>")
    end = xml.rfind(b"</sheetData>")
    if start < 0 or end < 0:
        return None
    start += len(b"<sheetData>")
    head, tail = xml[:start], xml[end:]
    if end < start or b"</sheetData>" in head or b"<sheetData>" in tail:
        return None
    declaration = re.match(rb'(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding=["\']([^"\']+)', head)
    if (b"<!DOCTYPE" in head or b"<!ENTITY" in head
            or (declaration and declaration[1].lower() not in (b"utf-8", b"utf8"))):
        return None
    return head, start, end, tail


def read_rows(xml: bytes, start: int, stop: int, sheet: Cells, prefixes: set[str]) -> bool:
    """Fill ``sheet.rows`` and ``sheet.hidden`` from the rows ``xml[start:stop]`` (between
    ``<sheetData>`` and ``</sheetData>``), and ``sheet.lines`` with the lines of those
    rows a known row alone gave; False (and nothing filled) when any row is not in the
    plain form. A row filled before is replaced whole and a line it had is not removed:
    the lines hold for a sheet filled once (read_plain; records/streamed.py fills each
    piece into emptied rows and leaves the lines unused). ``prefixes``: the namespace prefixes the
    worksheet declares (for row attributes such as ``x14ac:dyDescent``)."""
    if (xml.find(b"]", start, stop) >= 0 and xml.find(b"]]>", start, stop) >= 0
            or xml.find(b"\r", start, stop) >= 0):  # (one byte is found faster)
        return False
    rows: dict[int, dict[int, Any]] = {}
    hidden: set[int] = set()
    lines: dict[int, Line] = {}
    shapes = Shapes(sheet, _TEXT, prefixes)
    position = start
    while position < stop:  # a chunk of rows at a time: memory stays small
        last = xml.rfind(b"</row>", position, min(position + CHUNK, stop))
        end = last + len(b"</row>") if last >= 0 else stop
        try:
            text = xml[position:end].decode("utf-8")
        except UnicodeDecodeError:
            return False
        if not _read_chunk(text, sheet, prefixes, shapes, rows, hidden, lines):
            return False
        position = end
    sheet.rows.update(rows)
    sheet.hidden.update(hidden)
    sheet.lines.update(lines)
    return True


def _read_chunk(text: str, sheet: Cells, prefixes: set[str], shapes: Shapes,
                rows: dict[int, dict[int, Any]], hidden: set[int],
                lines: dict[int, Line]) -> bool:
    """The rows of ``text`` (whole rows, nothing between them) into ``rows`` and
    ``hidden``: a row of a shape seen before with one match, any other cell by cell; a
    row read before to the letter as it was read then, and its line into ``lines`` when
    it is the only row of its number with cells."""
    at, size = 0, len(text)
    match_shape, row_re, find = shapes.match, _ROW_RE, text.find
    known, skip = shapes.rows, shapes.rows.skip
    while at < size:
        # The row as a pure shape read it in this or an earlier sheet of this kind, if
        # its text is the same to the letter (see shapes.Known); looked for only while
        # fewer than GIVE_UP rows in a row were new (a register's never repeat).
        if shapes.unseen < GIVE_UP:
            end = find("</row>", at + skip)
            line = known.get(text[at:end + len("</row>")]) if end >= 0 else None
            if line is None:
                shapes.unseen += 1
            else:  # never changed: its cells are copied
                shapes.unseen = 0
                if not line.settled:
                    line.settle()
                row, cells = line.number, line.cells
                if line.hidden:
                    hidden.add(row)
                if cells:
                    if row in rows:
                        rows[row].update(cells)
                        lines.pop(row, None)
                    else:
                        rows[row] = cells.copy()
                        lines[row] = line
                at += line.length
                continue
        hit = match_shape(text, at)
        if hit is not None:
            shape, match = hit
            row, cells = shape.fill(match, sheet, _unescape)
            if shape.hidden:
                hidden.add(row)
            if cells:
                rows.setdefault(row, {}).update(cells)
                if lines:
                    lines.pop(row, None)
            if shape.pure and shapes.unseen < GIVE_UP:
                shapes.remember(match[0], shape, row, cells)
            at = match.end()
            continue
        general = row_re.match(text, at)
        if general is None:
            return False
        at = general.end()
        if not _fill(general, sheet, prefixes, rows, hidden, shapes):
            return False
        if lines:
            lines.pop(int(general[1]), None)
    return True


def _fill(match: re.Match[str], sheet: Cells, prefixes: set[str],
          rows: dict[int, dict[int, Any]], hidden: set[int], shapes: Shapes) -> bool:
    """Convert the cells of one row (a ``_ROW_RE`` match) into ``rows``; False when one
    is not plain. The row's shape is remembered for the rows after it."""
    row, attributes, cells_xml = int(match[1]), match[2], match[3] or ""
    convert, shared, dates = sheet.convert, sheet.shared, sheet.date_formats
    plain_numbers = not sheet.mac_1904
    columns = COLUMNS
    if attributes and not _plain_attributes(attributes, prefixes):
        return False
    is_hidden = ' hidden="1"' in attributes or ' hidden="true"' in attributes
    if is_hidden:
        hidden.add(row)
    if not cells_xml:
        return True
    cells: dict[int, Any] = {}
    row_text = str(row)
    length = 0
    found = _CELL_RE.findall(cells_xml)
    for whole, letters, digits, style, kind, formula_xml, formula, value, inline_xml, \
            inline in found:
        length += len(whole)
        if digits != row_text:
            return False  # a cell outside its row: expat's reading applies
        column = columns.get(letters) or column_index(letters)
        # The three common cells first, exactly as convert reads them (a reference in
        # a number or index raises ValueError: then expat reads the sheet).
        if kind == "s" and value:
            cells[column] = shared[int(value)]
        elif kind == "inlineStr" and inline_xml:
            cells[column] = _unescape(inline) if "&" in inline else inline
        elif (value and (kind == "n" or not kind) and plain_numbers
              and (int(style) if style else 0) not in dates):
            cells[column] = float(value) if ("." in value or "E" in value or "e" in value) \
                else int(value)
        else:
            result = convert(kind or "n", int(style) if style else 0, _unescape(value),
                             _unescape(formula) if formula_xml else None,
                             _unescape(inline) if inline_xml else None, row, column)
            if result is not NOTHING:
                cells[column] = result
    if length != len(cells_xml):
        return False  # something between the cells that is not a plain cell
    if cells:
        rows.setdefault(row, {}).update(cells)
    shapes.learn(attributes, is_hidden, found, match[0])
    return True


def _plain_attributes(attributes: str, prefixes: set[str]) -> bool:
    """A row's attributes each once, their prefixes declared (as expat requires)."""
    names = _ATTRIBUTE.findall(attributes)
    if len(names) != len(set(names)) or "xmlns" in names:
        return False
    return all(":" not in name or name.partition(":")[0] in prefixes for name in names)
