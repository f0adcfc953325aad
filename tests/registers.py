"""The sample register with some cells changed, for tests that read a register in again."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import openpyxl

from cbct_docs.paths import samples_dir
from cbct_docs.records.inert import set_cell


def edited_register(path: Path, changes: Mapping[str, Mapping[str, object]]) -> Path:
    """samples/register.xlsx with cells changed (cert_nr → column → value), saved at
    ``path``. Values go in as typed: a text stays a text cell."""
    book = openpyxl.load_workbook(samples_dir() / "register.xlsx")
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        number = row[header.index("cert_nr")].value
        for column, value in changes.get(str(number), {}).items():
            set_cell(row[header.index(column)], value)
    book.save(path)
    return path
