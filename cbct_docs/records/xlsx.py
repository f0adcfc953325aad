"""Reading a worksheet the way a person sees it.

- Formulas give their cached values; a formula that was never calculated is an error.
- A merged range shows its value in every cell it covers (as the eye reads it).
- Dates stored as Excel dates come out as ``datetime.date``.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ..errors import DataError, Problems


def read_sheet(path: Path, sheet: str | None) -> tuple[str, Iterator[tuple[int, Sequence[Any]]]]:
    import openpyxl

    if not zipfile.is_zipfile(path):
        raise DataError("not an Excel workbook (.xlsx is a zip file; this one is not)",
                        location=path, hint="save it again as 'Excel-werkmap (.xlsx)'")
    try:
        formulas = openpyxl.load_workbook(path, data_only=False)
    except Exception as error:  # openpyxl raises many types for broken files
        raise DataError(f"cannot open workbook: {error}", location=path) from None
    if sheet is None:
        # The first sheet a person sees: a hidden helper sheet may come first in the file.
        visible = [w for w in formulas.worksheets if w.sheet_state == "visible"]
        if not visible:
            raise DataError("the workbook has no visible worksheet", location=path,
                            hint="name the sheet with --sheet")
        ws = visible[0]
    elif sheet in formulas.sheetnames:
        ws = formulas[sheet]
    else:
        raise DataError(f"no sheet named {sheet!r}", location=path,
                        hint=f"sheets: {', '.join(formulas.sheetnames)}")
    cached = None
    if any(cell.data_type == "f" for row in ws.iter_rows() for cell in row):
        cached = openpyxl.load_workbook(path, data_only=True)[ws.title]

    merged: dict[tuple[int, int], Any] = {}
    for cell_range in ws.merged_cells.ranges:
        top_left = ws.cell(cell_range.min_row, cell_range.min_col)
        for row in range(cell_range.min_row, cell_range.max_row + 1):
            for col in range(cell_range.min_col, cell_range.max_col + 1):
                merged[(row, col)] = (top_left.row, top_left.column)

    problems = Problems()

    def value_of(row: int, col: int) -> Any:
        row, col = merged.get((row, col), (row, col))
        cell = ws.cell(row, col)
        if cell.data_type == "f":
            value = cached.cell(row, col).value if cached is not None else None
            if value is None:
                problems.add(DataError(
                    f"formula {cell.value} has no calculated value",
                    location=f"{path}:{ws.title}:row {row}:{cell.coordinate}",
                    hint="open and save the workbook in Excel, or type the value",
                ))
            return value
        value = cell.value
        if isinstance(value, dt.datetime) and value.time() == dt.time(0):
            return value.date()
        return value

    def rows() -> Iterator[tuple[int, Sequence[Any]]]:
        for row in range(1, ws.max_row + 1):
            yield row, [value_of(row, col) for col in range(1, ws.max_column + 1)]
        problems.raise_if_any()

    return ws.title, rows()
