"""Records a part at a time, for a command that needs them one by one (issue 16).

``stream_records(path)`` checks the whole table first and raises every problem
:func:`.read_records` would raise (the same located errors, all at once); then
``for part in stream.parts(): ...`` gives the same records, with the same values, origins
and numbers, a part at a time. A register's worksheet in the plain form
(``records/sheetdata.py``) is read so: its XML is decompressed from the workbook in
pieces, once to find what stands around the rows, once to check the rows and once to
give them, so that only a part of its rows is in memory at any time. Each part goes
through the same code as a whole reading (``sheetdata._read_chunk``, ``_SheetParser``'s
cells and ``table``, ``readers.TableReader``). Any other data, and a sheet with merged
ranges, rows out of order or anything else unusual, is read whole with
:func:`.read_records` and handed out in parts.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import CbctError, Problems
from .model import Record
from .readers import WORKBOOK_SUFFIXES, TableReader, _reader_for, bulk, read_records
from .shapes import Shapes
from .sheetdata import _TEXT, _outside, _read_chunk, split
from .xlsx import HiddenRows, Workbook, _SheetParser, hidden_problem

#: Bytes of a sheet's XML decompressed at a time; a part of the records is the rows of
#: about this many bytes (a register's row is ~0.5 KB: ~500 records).
PIECE = 1 << 18
#: What stands around the rows (the sheet's head and tail) larger than this: read whole.
AROUND = 1 << 20
_ROW_NUMBER = re.compile(rb'<row r="([0-9]+)"')


class RecordStream:
    """Checked records, handed out a part at a time by :meth:`parts`."""

    def __init__(self, records: list[Record] | None = None) -> None:
        self._records = records
        self.count = len(records) if records is not None else 0
        self.fields: list[str] = list(records[0].fields) if records else []

    def close(self) -> None:
        """Nothing to close for records read whole."""

    def parts(self, size: int = 1000) -> Iterator[list[Record]]:
        records = self._records or []
        for start in range(0, len(records), size):
            yield records[start:start + size]


def stream_records(path: str | Path, sheet: str | None = None, *,
                   hidden_rows: HiddenRows = "refuse") -> RecordStream:
    """The records of ``path`` checked as :func:`.read_records` checks them (raising the
    same problems), to be read a part at a time with ``.parts()``."""
    path = Path(path)
    _reader_for(path)
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        stream = _SheetStream.open(path, sheet, hidden_rows)
        if stream is not None:
            return stream
    return RecordStream(read_records(path, sheet, hidden_rows=hidden_rows))


class _SheetStream(RecordStream):
    """A worksheet in the plain form without merged ranges, rows in increasing order."""

    def __init__(self, workbook: Workbook, title: str, prefixes: set[str],
                 hidden_rows: HiddenRows) -> None:
        super().__init__()
        self.workbook, self.path, self.title = workbook, workbook.path, title
        self.member = workbook.sheets[title][1]
        self.prefixes, self.hidden_rows = prefixes, hidden_rows
        self.plain = True

    @classmethod
    def open(cls, path: Path, sheet: str | None, hidden_rows: HiddenRows
             ) -> _SheetStream | None:
        """The sheet checked, or None when it must be read whole (then read_records
        raises what it finds, as always)."""
        try:
            workbook = Workbook(path)
        except CbctError:
            return None
        try:
            title = sheet or workbook.default_sheet()
            workbook.check_sheet(title)
            around = _around(workbook.archive, workbook.sheets[title][1])
            outside = None if around is None else _outside(around)
            if outside is None or outside[1]:  # not plain, or merged ranges
                workbook.close()
                return None
            stream = cls(workbook, title, outside[0], hidden_rows)
            if stream._check():
                return stream
        except BaseException:
            workbook.close()
            raise
        workbook.close()
        return None

    def _tables(self, problems: list[CbctError] | None,
                hidden: list[int] | None) -> Iterator[list[tuple[int, list[Any]]]]:
        """The rows of each piece as ``_SheetParser.table`` gives them; the cells'
        problems and the hidden rows with a value into the lists given. Ends early (the
        caller checks ``self.plain``) when a piece is not plain or rows are out of order."""
        workbook = self.workbook
        parser = _SheetParser(workbook, self.title)
        shapes = Shapes(parser, _TEXT, self.prefixes)
        last = 0
        self.plain = True
        for text in _pieces(workbook.archive, self.member):
            rows: dict[int, dict[int, Any]] = {}
            hidden_here: set[int] = set()
            if problems is not None:  # checking: the rows must come in order
                numbers = [int(n) for n in _ROW_NUMBER.findall(text)]
                if any(b <= a for a, b in zip([last, *numbers], numbers, strict=False)):
                    self.plain = False
                    return
                last = numbers[-1] if numbers else last
            parser.problems = []
            try:
                chunk = text.decode("utf-8")
                plain = (b"]]>" not in text and b"\r" not in text
                         and _read_chunk(chunk, parser, self.prefixes, shapes, rows,
                                         hidden_here))
            except (UnicodeDecodeError, KeyError, ValueError, IndexError, OverflowError):
                plain = False
            if not plain:
                self.plain = False
                return
            parser.rows, parser.hidden = rows, hidden_here
            table = parser.table("skip" if self.hidden_rows == "skip" else "include")
            if problems is not None:
                problems.extend(parser.problems)
            if hidden is not None:
                hidden.extend(sorted(r for r in hidden_here if rows.get(r)))
            yield table.rows

    def _check(self) -> bool:
        """Every problem of the sheet raised at once, as read_records raises them; False
        when the sheet turned out not to be plain after all."""
        cells: list[CbctError] = []
        hidden: list[int] = []
        problems = Problems()
        with bulk():
            table = TableReader(str(self.path), self.title, problems)
            for rows in self._tables(cells, hidden):
                part = table.records(rows)
                if part and not self.fields:
                    self.fields = list(part[0].fields)
                self.count += len(part)
        if not self.plain:
            return False
        if hidden and self.hidden_rows == "refuse":
            cells.append(hidden_problem(str(self.path), self.title, hidden))
        checked = Problems()
        checked.extend(cells)
        checked.extend(problems)
        table.problems = checked
        table.finish()
        return True

    def parts(self, size: int = 1000) -> Iterator[list[Record]]:
        """The records, about ``PIECE`` bytes of rows at a time (``size`` is ignored:
        a piece holds what it holds); as often as asked, until :meth:`close`."""
        table = TableReader(str(self.path), self.title, Problems())
        for rows in self._tables(None, None):
            with bulk():
                part = table.records(rows)
            if part:
                yield part
        if not self.plain:  # cannot be: the same bytes were read as plain before
            raise RuntimeError(f"{self.path}: the sheet read differently a second time")

    def close(self) -> None:
        """The workbook closed (it stays open for the records to be read again)."""
        self.workbook.close()


def _around(archive: zipfile.ZipFile, member: str) -> bytes | None:
    """The sheet's XML with its rows left out (``<sheetData></sheetData>`` empty), or
    None when that is not one plain sheetData or too large."""
    head = bytearray()
    tail = bytearray()
    state = 0  # 0: in the head, 1: in the rows, 2: in the tail
    carry = b""
    with archive.open(member) as source:
        while piece := source.read(PIECE):
            data = carry + piece
            if state == 0:
                at = data.find(b"<sheetData>")
                if at < 0:
                    head += data[:-16]
                    carry = data[-16:]
                else:
                    head += data[:at + len(b"<sheetData>")]
                    data, state = data[at + len(b"<sheetData>"):], 1
            if state == 1:
                at = data.find(b"</sheetData>")
                if b"<sheetData" in data[:at if at >= 0 else len(data)]:
                    return None
                if at < 0:
                    carry = data[-16:]
                else:
                    tail += data[at:]
                    state, carry = 2, b""
            elif state == 2:
                tail += data
            if len(head) + len(tail) > AROUND:
                return None
    if state == 0:
        head += carry
    whole = bytes(head + tail)
    return whole if state == 2 and split(whole) is not None else None


def _pieces(archive: zipfile.ZipFile, member: str) -> Iterator[bytes]:
    """The rows between ``<sheetData>`` and ``</sheetData>``, about PIECE bytes at a
    time, each ending just after a ``</row>``."""
    rest = b""
    started = False
    with archive.open(member) as source:
        while piece := source.read(PIECE):
            data = rest + piece
            if not started:
                at = data.find(b"<sheetData>")
                if at < 0:
                    rest = data[-16:]
                    continue
                data, started = data[at + len(b"<sheetData>"):], True
            end = data.find(b"</sheetData>")
            if end >= 0:
                if end:
                    yield data[:end]
                return
            cut = data.rfind(b"</row>")
            if cut < 0:
                rest = data
                continue
            cut += len(b"</row>")
            yield data[:cut]
            rest = data[cut:]
