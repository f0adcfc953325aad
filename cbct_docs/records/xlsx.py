"""Reading worksheets the way a person sees them, each workbook opened once.

- Formulas give their cached values; a formula that was never calculated is an error.
- A cell that shows an error (``#N/A``, ``#DIV/0!``, ``#REF!`` …) is an error, per cell.
- A range merged down one column shows its value in every cell it covers (as the eye
  reads it); a range merged across columns is refused: its value would stand under one
  heading while the eye reads it under several.
- Hidden rows (hidden, or filtered out by an AutoFilter) are refused, unless the caller
  asks to ``skip`` or ``include`` them.
- Dates stored as Excel dates come out as ``datetime.date`` (``datetime`` when they have
  a time), also in workbooks that count from 1904; plain numbers of a 1904 workbook carry
  that epoch, so a serial number used as a date later is converted correctly too.

The workbook's sheet names and states, 1904 flag, shared strings and date styles are
what openpyxl reads (``records/workbook_parts.py``: openpyxl's outcome for each package
part is kept by the part's bytes, so a batch of score sheets from one template pays for
it once; any doubt, and openpyxl reads the workbook as it always did); each sheet's cells
then go through openpyxl's own cell rules (``WorkSheetParser.parse_cell`` with
``data_only``, in ``_SheetParser.convert``). Rows in the plain form Excel, LibreOffice
and openpyxl write are read with regular expressions (``records/sheetdata.py``: expat
calls Python for every element, too slow for a register of 100,000 rows); any other
sheet is streamed with expat. Only cells that hold a value
are kept, so time and memory grow with the cells that are filled, never with the sheet's
nominal size (one formatted empty cell at XFD1048576 costs nothing).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
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

HiddenRows = Literal["refuse", "skip", "include"]
HIDDEN_ROW_CHOICES: tuple[str, ...] = ("refuse", "skip", "include")

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_SEP = "\x01"  # namespace separator given to expat


def _tag(name: str) -> str:
    return f"{_MAIN}{_SEP}{name}"


ROW, CELL, VALUE, FORMULA = _tag("row"), _tag("c"), _tag("v"), _tag("f")
INLINE, TEXT, PHONETIC, MERGE = _tag("is"), _tag("t"), _tag("rPh"), _tag("mergeCell")

NOTHING: Any = object()  # a cell that holds no value


@dataclass
class SheetTable:
    """One worksheet as rows of values, with the problems found in its cells."""

    title: str
    rows: list[tuple[int, list[Any]]]
    problems: list[CbctError] = field(default_factory=list)


class Workbook:
    """An open workbook: ``with Workbook(path) as wb: wb.table(wb.default_sheet())``."""

    def __init__(self, path: Path,
                 read: Callable[[Path], tuple[zipfile.ZipFile, Any]] | None = None,
                 *, data: bytes | None = None) -> None:
        """``read``: how the package parts are read (``workbook_parts.read_parts``, or for
        a comparison ``read_with_openpyxl``). ``data``: the file's bytes, already read
        (then ``read_parts`` reads those, not the file again)."""
        from openpyxl.utils.datetime import CALENDAR_MAC_1904

        from .workbook_parts import read_parts

        self.path = path
        if not zipfile.is_zipfile(path if data is None else io.BytesIO(data)):
            raise DataError("not an Excel workbook (.xlsx is a zip file; this one is not)",
                            location=path, hint="save it again as 'Excel-werkmap (.xlsx)'")
        # Sheet names and states, the 1904 flag, shared strings and date styles as openpyxl
        # reads them (records/workbook_parts.py), without its per-sheet size scan: a sheet
        # without a <dimension> would be parsed whole just to learn its size.
        try:
            self.archive, parts = ((read or read_parts)(path) if data is None
                                   else read_parts(path, data))
        except Exception as error:  # openpyxl raises many types for broken files
            raise DataError(f"cannot open workbook: {error}", location=path) from None
        self.sheets: dict[str, tuple[str, str]] = parts.sheets  # title → (state, part)
        self.shared_strings: list[Any] = parts.shared_strings
        self.epoch = parts.epoch
        self.mac_1904 = parts.epoch == CALENDAR_MAC_1904
        self.date_formats: set[int] = set(parts.date_formats)
        self.timedelta_formats: set[int] = set(parts.timedelta_formats)

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        self.archive.close()

    @property
    def sheetnames(self) -> list[str]:
        return list(self.sheets)

    def default_sheet(self) -> str:
        """The first sheet a person sees: a hidden helper sheet may come first in the file."""
        visible = [name for name, (state, _) in self.sheets.items() if state == "visible"]
        if not visible:
            raise DataError("the workbook has no visible worksheet", location=self.path,
                            hint="name the sheet with --sheet")
        return visible[0]

    def check_sheet(self, sheet: str) -> None:
        if sheet not in self.sheets:
            raise DataError(f"no sheet named {sheet!r}", location=self.path,
                            hint=f"sheets: {', '.join(self.sheets)}")

    def table(self, sheet: str, hidden_rows: HiddenRows = "refuse") -> SheetTable:
        self.check_sheet(sheet)
        try:
            xml = self.archive.read(self.sheets[sheet][1])
            from .sheetdata import read_plain

            parser = read_plain(self, sheet, xml)
            if parser is None:  # not in the plain form: expat reads every element
                parser = _SheetParser(self, sheet)
                parser.parse(io.BytesIO(xml))
        except (expat.ExpatError, KeyError, ValueError, IndexError) as error:
            raise DataError(f"cannot read sheet {sheet!r}: {error}",
                            location=self.path) from None
        return parser.table(hidden_rows)


class _SheetParser:
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

        parser = expat.ParserCreate(namespace_separator=_SEP)
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
        self._apply_merges()
        rows = {number: cells for number, cells in self.rows.items() if cells}
        hidden = sorted(r for r in self.hidden if r in rows)
        if hidden and hidden_rows == "refuse":
            self.problems.append(self.hidden_problem(hidden))
        skip = set(hidden) if hidden_rows == "skip" else set()
        return SheetTable(self.title, row_lists(rows, skip), self.problems)

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


def row_lists(rows: dict[int, dict[int, Any]], skip: set[int]
              ) -> list[tuple[int, list[Any]]]:
    """(row number, its values from column A on) for the rows (number → column → value,
    none empty) not in ``skip``, in rising order; a cell not given is None."""
    table: list[tuple[int, list[Any]]] = []
    in_order: list[int] = []  # 1, 2, … n: a row whose cells are A, B, … in that order
    for number in sorted(rows):
        if number in skip:
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
