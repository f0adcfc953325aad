"""A table's rows as records (for ``records/readers.py``'s worksheets and CSV files, and
``records/streamed.py``): the first row with a value is the header, empty rows are
skipped, every value cleaned (``cells.clean_value``); the problems located by row."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import CbctError, DataError, Problems
from .cells import clean_value
from .model import Origin, Record, row_origin

if TYPE_CHECKING:
    from .shapes import Line


def _clean_header(value: Any) -> str:
    return unicodedata.normalize("NFC", " ".join(str(value).split())) if value is not None else ""


class _Table:
    """A table's records a row at a time (for ``readers._table_to_records`` and
    ``records/streamed.py``): the first row with a value is the header, empty rows are
    skipped; a record per row after it; the problems kept until :meth:`finish`."""

    def __init__(self, file: str, sheet: str | None) -> None:
        self.file, self.sheet = file, sheet
        self.problems = Problems()
        self.header: list[str] | None = None
        self.named, self.width, self.count = False, 0, 0

    def add(self, rows: Iterable[tuple[int, Sequence[Any]]], records: list[Record],
            known: Mapping[int, Line] | None = None) -> None:
        """Add the records of ``rows`` (row number, values; rising) to ``records``.
        ``known``: some of them, by number, read before to the letter: their values come
        cleaned, and the fields they gave under the same header are copied (both kept
        with the row: ``shapes.Line``, ``made``)."""
        file, sheet, problems = self.file, self.sheet, self.problems
        header, named, width, count = self.header, self.named, self.width, self.count
        line_of = known.get if known else None
        for number, raw in rows:
            line = line_of(number) if line_of is not None else None
            if line is None:  # cells.clean_row, written out: a call less per row
                values = [(v.strip() or None) if v.__class__ is str and v.isascii()
                          else None if v is None else clean_value(v) for v in raw]
                if values.count(None) == len(values):
                    continue
            else:
                values = line.clean
                if not values:
                    continue
            if header is None:
                header = self._header(values, line, number)
                named, width = self.named, self.width
                continue
            origin = row_origin(file, sheet, number)
            if named and len(values) <= width:
                made = line.made if line is not None else None
                if made is not None and made[0] is header:
                    fields = made[1].copy()
                else:
                    fields = dict(zip(header, values, strict=False))  # a short row: None after
                    if len(values) < width:
                        for name in header[len(values):]:
                            fields.setdefault(name, None)
                    if line is not None:
                        line.made = (header, fields.copy())
            else:
                fields = _unnamed_fields(header, values, origin, problems)
            count += 1
            records.append(Record(fields, origin, count))
        self.count = count

    def _header(self, values: list[Any], line: Line | None, number: int) -> list[str]:
        """The header row's names (kept with its line: a later sheet of the same header
        has the same list, so the fields its rows made under it can be copied); a name
        twice is a problem."""
        header = line.header if line is not None else None
        if header is None:
            header = [_clean_header(v) for v in values]
            if line is not None:
                line.header = header
        self.header = header
        self.named, self.width = all(header), len(header)
        seen: set[str] = set()
        for name in header:
            if name and name in seen:
                self.problems.add(DataError(f"column {name!r} appears twice",
                                            location=Origin(self.file, self.sheet, number)))
            seen.add(name)
        return header

    def finish(self, earlier: Iterable[CbctError]) -> None:
        """Raise the problems: ``earlier`` (the cells') first, then the table's; then a
        table without a header row."""
        if earlier or self.problems:
            problems = Problems()
            problems.extend(earlier)
            problems.extend(self.problems)
            problems.raise_if_any()
        if self.header is None:
            raise DataError("the file is empty",
                            location=f"{self.file}:{self.sheet}" if self.sheet else self.file,
                            hint="expected a header row and one row per record")


def _unnamed_fields(header: list[str], values: list[Any], origin: Origin,
                    problems: Problems) -> dict[str, Any]:
    """A row's fields when some of its values stand in a column without a header."""
    fields: dict[str, Any] = {}
    for index, value in enumerate(values):
        name = header[index] if index < len(header) else ""
        if not name:
            if value is not None:
                problems.add(DataError(
                    f"value {value!r} stands in column {index + 1}, which has no header",
                    location=origin))
            continue
        fields[name] = value
    for name in header[len(values):]:
        if name:
            fields.setdefault(name, None)
    return fields


