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
``data_only``, in ``SheetParser.convert``, ``records/sheetxml.py``). Rows in the plain
form Excel, LibreOffice and openpyxl write are read with regular expressions
(``records/sheetdata.py``: expat calls Python for every element, too slow for a register
of 100,000 rows); any other sheet is streamed with expat (``records/sheetxml.py``). Only
cells that hold a value are kept, so time and memory grow with the cells that are
filled, never with the sheet's nominal size (one formatted empty cell at XFD1048576
costs nothing).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal
from xml.parsers import expat

from ..errors import DataError
from .sheetxml import SheetParser, SheetTable

HiddenRows = Literal["refuse", "skip", "include"]
HIDDEN_ROW_CHOICES: tuple[HiddenRows, ...] = ("refuse", "skip", "include")


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
                parser = SheetParser(self, sheet)
                parser.parse(io.BytesIO(xml))
        except (expat.ExpatError, KeyError, ValueError, IndexError) as error:
            raise DataError(f"cannot read sheet {sheet!r}: {error}",
                            location=self.path) from None
        return parser.table(hidden_rows)
