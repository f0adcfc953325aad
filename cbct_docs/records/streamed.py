"""A table's records a part at a time, read in one pass (the merge of a large register).

:func:`record_parts` gives the records :func:`~.readers.read_records` gives, in the same
order, as lists of about a thousand, and raises the same problems, all at once, after the
last part: a caller that keeps nothing of a part but what it needs (the merge writes each
part to a temporary file) holds one part in memory, never the whole table.

A worksheet in the plain form (``records/sheetdata.py``) is decompressed and read in
pieces of :data:`PIECE` bytes of rows (:func:`~.sheetdata.read_rows` on each), its rows
in rising order. Whatever that cannot promise to read as the whole-sheet reading reads it — rows
out of order, a merged range (known only from the XML after the rows), a row not in the
plain form, anything unexpected — and the parts given so far are withdrawn (a ``None``
part: forget them) and the whole table comes in one part from ``read_records``, with its
problems as it reports them. Other files (CSV, JSON) come whole, in one part.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.parsers import expat

from .model import Record
from .readers import (
    WORKBOOK_SUFFIXES,
    _reader_for,
    _Table,
    bulk,
    read_records,
)
from .sheetdata import _outside, read_rows, scope
from .sheetxml import SheetParser, row_lists
from .xlsx import HiddenRows, Workbook

_START, _END = b"<sheetData>", b"</sheetData>"
#: Bytes of rows read at a time (~350 rows of a register): what a part holds in memory.
PIECE = 1 << 18


class NotPlain(Exception):
    """The sheet is not one this module reads piece by piece: read it whole."""


def record_parts(path: str | Path, sheet: str | None = None, *,
                 hidden_rows: HiddenRows = "refuse") -> Iterator[list[Record] | None]:
    """The records of ``path`` (as ``read_records(path, sheet, hidden_rows=...)`` reads
    them) in parts; ``None``: forget the parts given so far, the whole table follows.
    Every problem of the table is raised after the last part."""
    path = Path(path)
    if path.suffix.lower() not in WORKBOOK_SUFFIXES:
        yield read_records(path, sheet, hidden_rows=hidden_rows)
        return
    _reader_for(path)
    given = False
    try:
        with bulk(), Workbook(path) as workbook:
            title = sheet or workbook.default_sheet()
            workbook.check_sheet(title)
            table = _Table(str(path), title)
            stream = _SheetStream(workbook, title, hidden_rows, table)
            for part in stream.parts():
                given = True
                yield part
    except NotPlain:
        if given:
            yield None
        yield read_records(path, sheet, hidden_rows=hidden_rows)
        return
    table.finish(stream.cells.problems)


class _SheetStream:
    """One worksheet's rows, decompressed and read ~1 MiB at a time."""

    def __init__(self, workbook: Workbook, title: str, hidden_rows: HiddenRows,
                 table: _Table) -> None:
        self.workbook, self.title, self.hidden_rows = workbook, title, hidden_rows
        self.table = table
        self.cells = SheetParser(workbook, title)  # converts cells, keeps their problems
        self.hidden: list[int] = []  # hidden rows that hold a value
        self.last = 0  # the highest row number read so far

    def parts(self) -> Iterator[list[Record]]:
        try:
            member = self.workbook.archive.open(self.workbook.sheets[self.title][1])
        except Exception as error:  # the whole reading reports it as it does
            raise NotPlain from error
        with member:
            yield from self._read(member)

    def _read(self, member: Any) -> Iterator[list[Record]]:
        buffer = b""
        while _START not in buffer:
            piece = _read(member)
            if not piece:
                raise NotPlain
            buffer += piece
        start = buffer.index(_START) + len(_START)
        head, buffer = buffer[:start], buffer[start:]
        prefixes = _head_prefixes(head)
        searched = 0  # the buffer holds no </sheetData> before this
        while True:
            end = buffer.find(_END, searched)
            if end >= 0:
                tail = buffer[end:] + _read(member, -1)
                yield from self._rows(buffer[:end], prefixes)
                break
            last = buffer.rfind(b"</row>", 0, PIECE)
            if last >= 0 and len(buffer) >= PIECE:
                cut = last + len(b"</row>")
                yield from self._rows(buffer[:cut], prefixes)
                buffer = buffer[cut:]
            searched = max(0, len(buffer) - len(_END))
            piece = _read(member)
            if not piece:
                raise NotPlain  # no </sheetData>
            buffer += piece
        outside = _outside(head + tail)
        if (outside is None or outside[1] or outside[0] != prefixes or _START in tail
                or tail.count(_END) != 1):
            raise NotPlain  # a merged range, or XML the whole reading must judge
        if self.hidden and self.hidden_rows == "refuse":
            self.cells.problems.append(self.cells.hidden_problem(self.hidden))

    def _rows(self, xml: bytes, prefixes: set[str]) -> Iterator[list[Record]]:
        """The records of whole rows ``xml``, in one part (none when it has none)."""
        if _START in xml:
            raise NotPlain
        cells = self.cells
        cells.rows, cells.hidden, cells.lines = {}, set(), {}  # this part's only
        try:
            plain = read_rows(xml, 0, len(xml), cells, prefixes)
        except (expat.ExpatError, KeyError, ValueError, IndexError, OverflowError) as error:
            raise NotPlain from error
        if not plain:
            raise NotPlain
        rows = {number: values for number, values in cells.rows.items() if values}
        numbers = sorted(rows.keys() | cells.hidden)
        if numbers and numbers[0] <= self.last:
            raise NotPlain  # rows out of order: the whole reading sorts them
        if numbers:
            self.last = numbers[-1]
        hidden = sorted(number for number in cells.hidden if number in rows)
        self.hidden.extend(hidden)
        skip = set(hidden) if self.hidden_rows == "skip" else set()
        records: list[Record] = []
        self.table.add(row_lists(rows, skip), records)
        if records:
            yield records


def _read(member: Any, size: int | None = None) -> bytes:
    """``size`` bytes of the sheet's XML (:data:`PIECE` by default, -1 for the rest)."""
    try:
        data: bytes = member.read(PIECE if size is None else size)
        return data
    except Exception as error:  # a damaged zip: the whole reading reports it
        raise NotPlain from error


def _head_prefixes(head: bytes) -> set[str]:
    """The prefixes the rows may use, from the XML before them (checked again with the
    XML after them at the end), as ``sheetdata.split`` and ``scope`` judge a sheet."""
    declaration = re.match(rb'(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding=["\']([^"\']+)', head)
    if (_END in head or b"<!DOCTYPE" in head or b"<!ENTITY" in head
            or (declaration and declaration[1].lower() not in (b"utf-8", b"utf8"))):
        raise NotPlain
    prefixes = scope(head + _END + b"</worksheet>")
    if prefixes is None:
        raise NotPlain
    return prefixes
