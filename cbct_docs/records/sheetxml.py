"""One worksheet's XML as a table of values, the way a person sees the sheet.

``Workbook.table`` (``records/xlsx.py``) hands a sheet's XML to ``SheetParser``: rows in
the plain form are read with regular expressions (``records/sheetdata.py``), any other
sheet is streamed here with expat. Either way each cell's value goes through
``SheetParser.convert`` (openpyxl's ``WorkSheetParser.parse_cell`` with ``data_only``,
plus the refusals: error cells, formulas never calculated, dates Excel does not know),
and ``SheetParser.table`` applies the merged ranges and the hidden rows to what was read.
Only cells that hold a value are kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from xml.parsers import expat

from ..errors import CbctError, DataError
from .cells import (
    COLUMNS,
    column_index,
    column_letters,
    keys_within,
    number_ranges,
    split_reference,
)
from .dates import Serial1904Float, Serial1904Int

if TYPE_CHECKING:
    from .shapes import Line
    from .xlsx import HiddenRows, Workbook

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SEPARATOR = "\x01"  # namespace separator given to expat


def tag(name: str) -> str:
    return f"{_MAIN}{SEPARATOR}{name}"


ROW, CELL, VALUE, FORMULA = tag("row"), tag("c"), tag("v"), tag("f")
INLINE, TEXT, PHONETIC, MERGE = tag("is"), tag("t"), tag("rPh"), tag("mergeCell")

NOTHING: Any = object()  # a cell that holds no value


@dataclass
class SheetTable:
    """One worksheet as rows of values, with the problems found in its cells."""

    title: str
    rows: list[tuple[int, list[Any]]]
    problems: list[CbctError] = field(default_factory=list)
    #: Rows read before to the letter, by number (``records/shapes.py``): what they
    #: give, their values cleaned among it.
    known: dict[int, Line] = field(default_factory=dict)


class SheetParser:
    """expat handlers for one sheet's XML; keeps only cells that hold a value."""

    def __init__(self, workbook: Workbook, title: str) -> None:
        self.file, self.title = str(workbook.path), title
        self.shared = workbook.shared_strings
        self.epoch = workbook.epoch
        self.mac_1904 = workbook.mac_1904
        self.date_formats = workbook.date_formats
        self.timedelta_formats = workbook.timedelta_formats
        self.rows: dict[int, dict[int, Any]] = {}
        self.hidden: set[int] = set()
        self.merges: list[str] = []
        self.problems: list[CbctError] = []
        self.dates: dict[tuple[type, float, bool], Any] = {}
        # Rows read before to the letter (records/shapes.py), by number: each the only
        # cells of its number in ``rows`` (records/sheetdata.py keeps that so).
        self.lines: dict[int, Line] = {}

    def location(self, row: int, column: int) -> str:
        return f"{self.file}:{self.title}:row {row}:{column_letters(column)}{row}"

    def parse(self, source: Any) -> None:
        """Stream the sheet's XML once. The handlers are closures over local state (the
        hot path runs for every cell of the sheet; attribute look-ups would double it)."""
        rows, hidden, merges = self.rows, self.hidden, self.merges
        shared, convert = self.shared, self.convert
        columns = COLUMNS
        row = column = style = 0
        row_text = kind = ""
        cells: dict[int, Any] = {}
        text: str | None = None
        value: str | None = None
        formula: str | None = None
        inline: list[str] | None = None
        phonetic = False

        def finish_row() -> None:
            nonlocal cells
            if cells:
                rows.setdefault(row, {}).update(cells)
            cells = {}

        def start(name: str, attrs: dict[str, str]) -> None:
            nonlocal row, row_text, column, kind, style, text, value, formula, inline
            nonlocal phonetic, cells
            if name == CELL:
                reference = attrs.get("r")
                if reference:
                    letters = reference.rstrip("0123456789")
                    found = columns.get(letters)
                    column = found if found is not None else column_index(letters.upper())
                    digits = reference[len(letters):]
                    if digits != row_text:  # a cell outside its row: trust its reference
                        finish_row()
                        row, row_text = int(digits), digits
                else:
                    column += 1
                kind = attrs.get("t", "n")
                given = attrs.get("s")
                style = int(given) if given else 0
                value = formula = inline = None
            elif name == VALUE:
                text = ""
            elif name == ROW:
                reference = attrs.get("r")
                row = int(reference) if reference else row + 1
                row_text = str(row)
                column = 0
                cells = {}
                if attrs.get("hidden") in ("1", "true"):
                    hidden.add(row)
            elif name == INLINE:
                inline = []
            elif name == TEXT:
                if inline is not None and not phonetic:
                    text = ""
            elif name == FORMULA:
                text = ""
            elif name == PHONETIC:
                phonetic = True
            elif name == MERGE:
                reference = attrs.get("ref")
                if reference:
                    merges.append(reference)

        def characters(data: str) -> None:
            nonlocal text
            if text is not None:
                text += data

        def end(name: str) -> None:
            nonlocal text, value, formula, phonetic
            if name == CELL:
                if kind == "s" and value:  # the common case first
                    cells[column] = shared[int(value)]
                    return
                result = convert(kind, style, value, formula,
                                 None if inline is None else "".join(inline), row, column)
                if result is not NOTHING:
                    cells[column] = result
            elif name == VALUE:
                value, text = text, None
            elif name == ROW:
                finish_row()
            elif name == TEXT:
                if text is not None and inline is not None:
                    inline.append(text)
                    text = None
            elif name == FORMULA:
                formula, text = text, None
            elif name == PHONETIC:
                phonetic = False

        parser = expat.ParserCreate(namespace_separator=SEPARATOR)
        parser.buffer_text = True
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = characters
        parser.ParseFile(source)
        finish_row()

    def convert(self, kind: str, style: int, value: str | None, formula: str | None,
                inline: str | None, row: int, column: int) -> Any:
        """One cell's value as openpyxl's ``WorkSheetParser.parse_cell`` gives it with
        ``data_only``, plus the refusals (error cells, formulas never calculated, dates
        Excel does not know): the value, or NOTHING when the cell holds none. ``inline``:
        the text of an inline string (``<is>``), if the cell has one."""
        result: Any
        if kind == "s" and value:
            return self.shared[int(value)]
        if kind == "inlineStr":
            if inline is not None:
                return inline
            result = None
        elif not value:
            result = None
        elif kind == "n":
            number = float(value) if ("." in value or "E" in value or "e" in value) \
                else int(value)
            if style in self.date_formats:
                result = self._date(number, style, row, column)
            elif self.mac_1904:
                result = Serial1904Int(number) if isinstance(number, int) \
                    else Serial1904Float(number)
            else:
                return number
        elif kind == "str":
            result = value
        elif kind == "b":
            result = bool(int(value))
        elif kind == "e":
            self.problems.append(DataError(
                f"the cell shows the error {value}", location=self.location(row, column),
                hint="correct the formula or type the value in Excel"))
            return NOTHING
        elif kind == "d":
            from openpyxl.utils.datetime import from_ISO8601

            result = from_ISO8601(value)
        else:
            result = value
        if result is None:
            if formula is not None:
                shown = f"={formula}" if formula else "(a shared formula)"
                self.problems.append(DataError(
                    f"formula {shown} has no calculated value",
                    location=self.location(row, column),
                    hint="open and save the workbook in Excel, or type the value"))
            return NOTHING
        if isinstance(result, dt.datetime) and result.time() == dt.time(0):
            result = result.date()
        return result

    def _date(self, serial: float, style: int, row: int, column: int) -> Any:
        from openpyxl.utils.datetime import from_excel

        timedelta = style in self.timedelta_formats
        key = (serial.__class__, serial, timedelta)  # a register repeats its dates
        known = self.dates.get(key)
        if known is not None:
            return known
        try:
            self.dates[key] = result = from_excel(serial, self.epoch, timedelta=timedelta)
            return result
        except (OverflowError, ValueError):
            self.problems.append(DataError(
                f"{serial} is formatted as a date but lies outside the dates Excel knows",
                location=self.location(row, column)))
            return None

    # --- after the last row ------------------------------------------------------------

    def hidden_problem(self, hidden: list[int]) -> DataError:
        """The problem of the hidden rows ``hidden`` (rising, at least one) that hold a value."""
        more = (f"; {len(hidden)} hidden rows: {number_ranges(hidden)}" if len(hidden) > 1
                else "")
        return DataError(
            f"the row is hidden (hidden or filtered out in Excel){more}",
            location=f"{self.file}:{self.title}:row {hidden[0]}",
            hint="show all rows in Excel, or choose to skip or include hidden rows "
                 "(merge: --hidden-rows skip|include)")

    def table(self, hidden_rows: HiddenRows) -> SheetTable:
        lines = self.lines if not self.merges else None  # merged ranges change rows
        self._apply_merges()
        rows = {number: cells for number, cells in self.rows.items() if cells}
        hidden = sorted(r for r in self.hidden if r in rows)
        if hidden and hidden_rows == "refuse":
            self.problems.append(self.hidden_problem(hidden))
        skip = set(hidden) if hidden_rows == "skip" else set()
        known: dict[int, Line] = {}
        return SheetTable(self.title, row_lists(rows, skip, lines, known), self.problems,
                          known)

    def _apply_merges(self) -> None:
        for reference in self.merges:
            first, _, last = reference.partition(":")
            try:
                top, left = split_reference(first)
                bottom, right = split_reference(last or first)
            except ValueError:
                continue
            value = self.rows.get(top, {}).get(left)
            if value is not None and right != left:
                self.problems.append(DataError(
                    f"cells {reference} are merged across columns: the value stands in "
                    f"column {column_letters(left)} only, though it covers "
                    f"{column_letters(left)} to {column_letters(right)}",
                    location=f"{self.file}:{self.title}:row {top}:{first}",
                    hint="unmerge the cells in Excel and give each column its own value"))
                continue
            # As the eye reads a merged range: its first cell's value (or nothing) in every
            # cell it covers; what other cells hold under it is not shown by Excel. Rows
            # below the last row with a value of its own are not made up.
            for row in keys_within(self.rows, top, bottom):
                cells = self.rows[row]
                for column in keys_within(cells, left, right):
                    if (row, column) != (top, left):
                        del cells[column]
            if value is not None:
                last_row = max(self.rows)
                for row in range(top + 1, min(bottom, last_row) + 1):
                    self.rows.setdefault(row, {})[left] = value


def row_lists(rows: dict[int, dict[int, Any]], skip: set[int],
              lines: Mapping[int, Line] | None = None,
              known: dict[int, Line] | None = None) -> list[tuple[int, list[Any]]]:
    """(row number, its values from column A on) for the rows (number → column → value,
    none empty) not in ``skip``, in rising order; a cell not given is None. ``lines``: the
    rows read before to the letter (``records/shapes.py``), whose values are known, by
    number (each the only cells of its number); those given go into ``known``."""
    if lines and not skip and lines.keys() == rows.keys():  # a sheet read before
        if known is not None:
            known.update(lines)
        return [(number, list(lines[number].values)) for number in sorted(rows)]
    table: list[tuple[int, list[Any]]] = []
    in_order: list[int] = []  # 1, 2, … n: a row whose cells are A, B, … in that order
    for number in sorted(rows):
        if number in skip:
            continue
        if lines:
            line = lines.get(number)
            if line is not None:
                table.append((number, list(line.values)))
                if known is not None:
                    known[number] = line
                continue
        cells = rows[number]
        width = max(cells)
        if width == len(cells) and width <= len(in_order) and \
                list(cells) == in_order[:width]:
            table.append((number, list(cells.values())))
            continue
        values: list[Any] = [None] * width
        for column, value in cells.items():
            values[column - 1] = value
        table.append((number, values))
        if width > len(in_order):
            in_order = list(range(1, width + 1))
    return table


def row_values(cells: dict[int, Any]) -> list[Any]:
    """One row's values from column A on (its cells: column → value, not empty), as
    :func:`row_lists` gives them."""
    values: list[Any] = [None] * max(cells)
    for column, value in cells.items():
        values[column - 1] = value
    return values
