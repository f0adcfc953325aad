"""Rows of one shape, each read with one regular-expression match.

A register's rows look alike: the same row attributes, the same cells (column, style,
type, value or inline text) in the same order; only the values and the row number
differ. ``records/sheetdata.py`` reads the first row of a shape cell by cell (one match
per cell); from it this module makes one expression for the whole row, with the shape's
every character written out and a group for each value, and the rows after it that have
that shape are read with one match each. A row that does not fit a shape known so far is
read cell by cell as before (and gives its shape to the rows after it).

The expression accepts only text the cell-by-cell reading reads the same way: the cells'
markup is the first row's, character for character; each value group is the pattern of
``sheetdata._TEXT``; a cell's row number must be the row's own (a backreference), and the
row number has no leading zero (so it is its ``int`` written out, as the cell-by-cell
reading compares it). Each value is converted as ``sheetdata._fill`` converts it.

Small sheets read one after another (a batch of score sheets, issue 16) share what was
made, per process: the shapes earlier sheets of the same kind made (tried before a row
is read cell by cell; a kind: the sheet's title, date styles, epoch and declared
prefixes), and the rows a shape of numbers and inline text read, by their text (a row
the same to the letter is taken as read; what it gives depends on its text and the kind
alone). Each sheet gets its own copies: nothing one sheet changes shows in another.
"""

from __future__ import annotations

import re
from typing import Any

from .cells import clean_row, column_index
from .kept import keep
from .sheetxml import NOTHING, row_values

#: Shapes kept per sheet, at most (a register has a few: rows with and without an
#: optional cell); a sheet with more reads its other rows cell by cell.
MOST_SHAPES = 64
#: Shapes tried, most recently used first, before a row is read cell by cell.
TRIED = 4

#: Shapes offered to later sheets of the same title, date styles, epoch and prefixes, at
#: most (a row that matches none of them is read cell by cell: trying more would cost
#: more than that), for at most this many such kinds of sheet.
MOST_SEEDS, MOST_SEEDED = 8, 64
_SEEDS: dict[tuple[Any, ...], list[Shape]] = {}  # never filled from: each sheet copies
#: Rows a pure shape read (see Shape.pure), by their text, per kind of sheet: score
#: sheets made from one template repeat most of their rows to the letter. At most
#: MOST_ROWS per kind, for at most ROW_KINDS kinds (a score sheet's row with its Line
#: ~1.4 KB, measured: ~22 MB if all were full); a sheet stops looking after GIVE_UP new
#: rows in a row.
MOST_ROWS, ROW_KINDS, GIVE_UP = 1024, 16, 64
_ROWS: dict[tuple[Any, ...], Known] = {}


class Line:
    """A row a pure shape read (see Shape.pure), as it gives it every time it is read
    again to the letter: its number, whether it is hidden, its cells, and, once it is
    read again (:meth:`settle`; most rows of a register or of free text never are), its
    values from column A on as ``sheetxml.row_lists`` gives them and cleaned as a
    table's record holds them (``cells.clean_row``; ``[]`` when none has a value). Never
    changed: a sheet copies the cells it keeps, a table the fields. What a table reader
    made of it the last time (``table._Table``), kept with it: ``header``, its values as
    a header row's names; ``made``, (a header, the fields it gave under that header)."""

    __slots__ = ("cells", "clean", "header", "hidden", "length", "made", "number",
                 "settled", "values")

    def __init__(self, length: int, number: int, hidden: bool, cells: dict[int, Any]) -> None:
        self.length = length  # of the row's text
        self.number, self.hidden, self.cells = number, hidden, cells
        self.values: list[Any] = []
        self.clean: list[Any] = []
        self.settled = False
        self.header: list[str] | None = None
        self.made: tuple[list[str], dict[str, Any]] | None = None

    def settle(self) -> None:
        """Make ``values`` and ``clean`` (a thread that does the same at the same time
        makes the same: it depends on the cells alone)."""
        values = row_values(self.cells) if self.cells else []
        clean = clean_row(values)
        self.values = values
        self.clean = clean if clean.count(None) != len(clean) else []
        self.settled = True


class Known(dict[str, Line]):
    """The rows of one kind of sheet read before, by their text (``sheetdata._read_chunk``
    looks each row up, with its text to its ``</row>``); ``skip``: how far into a row its
    end is looked for (no row kept is shorter: its ``</row>`` is not before). A row that
    is shorter is new; the text found for it then spans two rows, which is never a kept
    row's text (that holds ``</row>`` at its end only)."""

    def __init__(self) -> None:
        super().__init__()
        self.skip = 0

    def add(self, whole: str, line: Line) -> None:
        # Only ever lowered (a thread that lowers it less at the same time makes rows
        # shorter than that be looked up as new: read again, the same).
        self.skip = min(self.skip, len(whole) - len("</row>")) if self else \
            len(whole) - len("</row>")
        keep(self, whole, line, MOST_ROWS)


# How a value is converted (see Shape.fill).
INLINE, NUMBER, SHARED, DATE, OTHER = 0, 1, 2, 3, 4


class Shape:
    """One row shape: its expression, whether such a row is hidden, and for each value
    group its column and conversion."""

    __slots__ = ("columns", "dates", "fixes", "hidden", "inline", "pattern", "pure", "spec")

    def __init__(self, pattern: re.Pattern[str], hidden: bool,
                 spec: list[tuple[int, int, str, int, bool]]) -> None:
        self.pattern = pattern
        self.hidden = hidden
        self.spec = spec
        self.columns = [column for column, *_rest in spec]
        # The values that are not inline text as they stand: (index, column, conversion,
        # kind, style, inline).
        self.fixes = [(index, *cell) for index, cell in enumerate(spec) if cell[1] != INLINE]
        self.inline = [(index, cell[0]) for index, cell in enumerate(spec) if cell[1] == INLINE]
        self.dates: dict[tuple[int, str], Any] = {}  # a register repeats its dates
        # Numbers and inline text only: what a row gives depends on its text alone (and
        # on what made the shape: the sheet's date styles, epoch and prefixes).
        self.pure = all(conversion == NUMBER for _index, _column, conversion, *_rest
                        in self.fixes)

    def fresh(self) -> Shape:
        """This shape for another sheet: the same expression and conversions, its own
        cache of dates (a sheet's dates depend on its epoch and timedelta styles)."""
        shape = Shape.__new__(Shape)
        shape.pattern, shape.hidden, shape.spec = self.pattern, self.hidden, self.spec
        shape.columns, shape.fixes, shape.inline = self.columns, self.fixes, self.inline
        shape.pure, shape.dates = self.pure, {}
        return shape

    def fill(self, match: re.Match[str], sheet: Any, unescape: Any) -> tuple[int, dict[int, Any]]:
        """The row number and the cells of a row this shape matched, as
        ``sheetdata._fill`` converts them: every value first as its text, in the order of
        the cells, then the ones that are not plain text converted (or taken out)."""
        groups = match.groups()
        row = int(groups[0])
        values = groups[1:]
        cells = dict(zip(self.columns, values, strict=True))
        if "&" in match[0]:
            for index, column in self.inline:
                if "&" in values[index]:
                    cells[column] = unescape(values[index])
        for index, column, conversion, kind, style, inline in self.fixes:
            value = values[index]
            if conversion == NUMBER and value:
                cells[column] = float(value) if ("." in value or "E" in value
                                                 or "e" in value) else int(value)
            elif conversion == SHARED and value:
                cells[column] = sheet.shared[int(value)]
            elif conversion == DATE and (style, value) in self.dates:
                cells[column] = self.dates[style, value]
            else:
                text = unescape(value)
                result = sheet.convert(kind or "n", style, "" if inline else text, None,
                                       text if inline else None, row, column)
                if result is NOTHING:
                    del cells[column]
                    continue
                cells[column] = result
                if conversion == DATE:
                    self.dates[style, value] = result
        return row, cells


class Shapes:
    """The shapes of one sheet's rows, found as its rows are read."""

    def __init__(self, sheet: Any, text_pattern: str, prefixes: set[str]) -> None:
        self.sheet = sheet
        self.text = text_pattern
        self.known: dict[tuple[Any, ...], Shape | None] = {}
        self.recent: list[Shape] = []
        # The shapes earlier sheets of this title made that may read this one's rows:
        # those made for the same date styles, epoch and declared prefixes (a row
        # attribute's prefix must be declared, as expat requires).
        kind = (getattr(sheet, "title", ""), text_pattern, sheet.mac_1904,
                frozenset(sheet.date_formats), frozenset(prefixes))
        seeds = _SEEDS.get(kind)
        if seeds is None:
            seeds = []
            keep(_SEEDS, kind, seeds, MOST_SEEDED)
        self.seeds = seeds
        known_rows = _ROWS.get(kind)
        if known_rows is None:
            known_rows = Known()
            keep(_ROWS, kind, known_rows, ROW_KINDS)
        self.rows = known_rows
        self.unseen = 0  # rows in a row not read before by a sheet of this kind (the
        # reader stops looking after GIVE_UP: a sheet whose rows are new, a register)

    def remember(self, whole: str, shape: Shape, row: int, cells: dict[int, Any]) -> None:
        """Keep what a pure shape (:attr:`Shape.pure`) read from the row ``whole`` (the
        text it matched); only while ``unseen < GIVE_UP`` (the caller checks both)."""
        self.rows.add(whole, Line(len(whole), row, shape.hidden, cells))

    def match(self, text: str, position: int) -> tuple[Shape, re.Match[str]] | None:
        """The shape (of the most recent ones, then of those earlier sheets made) whose
        expression matches the row at ``position``, with its match."""
        for index, shape in enumerate(self.recent):
            found = shape.pattern.match(text, position)
            if found is not None:
                if index:
                    self.recent.insert(0, self.recent.pop(index))
                return shape, found
        for seed in self.seeds:
            found = seed.pattern.match(text, position)
            if found is not None:
                shape = seed.fresh()
                self._use(shape)
                return shape, found
        return None

    def _use(self, shape: Shape) -> None:
        if shape in self.recent:
            self.recent.remove(shape)
        self.recent.insert(0, shape)
        del self.recent[TRIED:]

    def learn(self, attributes: str, hidden: bool, cells: list[tuple[str, ...]],
              whole: str) -> None:
        """Remember the shape of a row read cell by cell (``cells``: the tuples of
        ``sheetdata._CELL_RE.findall``; ``whole``: the row's text), so the rows after it
        like it match at once."""
        key = (attributes, tuple((c[1], c[3], c[4], form(c)) for c in cells))
        if key in self.known:
            shape = self.known[key]
        else:
            shape = None if len(self.known) >= MOST_SHAPES else self._make(attributes,
                                                                             hidden, cells)
            if shape is not None and shape.pattern.fullmatch(whole) is None:
                shape = None  # not written as this module writes it out: never used
            self.known[key] = shape
        if shape is not None:
            self._use(shape)
            if all(seed.pattern is not shape.pattern for seed in self.seeds):
                self.seeds.insert(0, shape.fresh())
                del self.seeds[MOST_SEEDS:]

    def _make(self, attributes: str, hidden: bool, cells: list[tuple[str, ...]]
              ) -> Shape | None:
        if not cells:
            return None
        parts = ['<row r="(?P<r>[1-9][0-9]{0,6})"', re.escape(attributes), ">"]
        spec: list[tuple[int, int, str, int, bool]] = []
        plain_numbers = not self.sheet.mac_1904
        for cell in cells:
            _whole, letters, _digits, style, kind, formula_xml = cell[:6]
            inline_xml = cell[8]
            shape_of = form(cell)
            if formula_xml or shape_of == "?":
                return None  # formulas: read cell by cell
            head = f'<c r="{letters}'
            tail = (f' s="{style}"' if style else "") + (f' t="{kind}"' if kind else "")
            parts += [re.escape(head), "(?P=r)", re.escape('"' + tail)]
            number = int(style) if style else 0
            column = column_index(letters)
            if shape_of == "/>":
                parts.append("/>")
            elif shape_of == "></c>":
                parts.append(re.escape("></c>"))
            elif shape_of == "v":
                parts += [re.escape("><v>"), f"({self.text})", re.escape("</v></c>")]
                if kind in ("n", "") and plain_numbers and number not in \
                        self.sheet.date_formats:
                    conversion = NUMBER
                elif kind == "s":
                    conversion = SHARED
                elif kind in ("n", "") and number in self.sheet.date_formats:
                    conversion = DATE
                else:
                    conversion = OTHER
                spec.append((column, conversion, kind, number, False))
            else:  # inline text: <is><t>…</t></is>, as the first row wrote its <t>
                opening = inline_xml[:inline_xml.index(">", len("<is><t")) + 1]
                parts += [re.escape(">" + opening), f"({self.text})",
                          re.escape("</t></is></c>")]
                spec.append((column, INLINE if kind == "inlineStr" else OTHER, kind,
                             number, True))
        parts.append("</row>")
        if len({column for column, *_rest in spec}) < len(spec):
            return None  # a column twice in the row: read cell by cell
        return Shape(re.compile("".join(parts)), hidden, spec)


def form(cell: tuple[str, ...]) -> str:
    """How a cell (a ``_CELL_RE.findall`` tuple) holds its value: ``/>`` (none, closed at
    once), ``></c>`` (none), ``v`` (a ``<v>``), ``is`` (inline text), ``?`` (other)."""
    whole, formula_xml, inline_xml = cell[0], cell[5], cell[8]
    if formula_xml:
        return "?"
    if whole.endswith("/>"):
        return "/>"
    if inline_xml:
        return "is"
    if whole.endswith("><v>" + cell[7] + "</v></c>"):
        return "v"
    if whole.endswith("></c>") and "<" not in whole[1:-len("></c>")]:
        return "></c>"
    return "?"
