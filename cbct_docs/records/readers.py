"""Record readers, chosen by file suffix (a registry, as pelican does for its readers).

Every reader returns a list of :class:`Record` whose origin names file, sheet and row.
All problems of a file are collected and raised together.
"""

from __future__ import annotations

import csv
import gc
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import CbctError, DataError, Problems, UsageError
from .cells import clean_value
from .dates import parse_date
from .model import Origin, Record, row_origin
from .xlsx import HiddenRows, Workbook

if TYPE_CHECKING:
    from .shapes import Line

Reader = Callable[[Path, str | None, "ReadOptions"], list[Record]]
READERS: dict[str, Reader] = {}
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


@dataclass(frozen=True)
class ReadOptions:
    """How a reader treats what a person may not see: ``hidden_rows`` of a worksheet are
    refused (the default), skipped, or included. ``structured``: the fields whose values
    may be a group, a list or a yes/no (JSON only; the caller declares them, a template
    uses them with ``a.b``, ``{% for %}`` and ``{% if %}``); in every other field such a
    value is a located error."""

    hidden_rows: HiddenRows = "refuse"
    structured: frozenset[str] = frozenset()


_STRUCTURED: ContextVar[frozenset[str]] = ContextVar("structured_fields", default=frozenset())


@contextmanager
def structured_fields(names: Iterable[str]) -> Iterator[None]:
    """Within this block, every read also lets ``names`` hold groups, lists and yes/no
    values: for a caller whose file is read by a layer it calls (the campaign's own
    ``deelnemers.json``, read by the merge)."""
    token = _STRUCTURED.set(_STRUCTURED.get() | frozenset(names))
    try:
        yield
    finally:
        _STRUCTURED.reset(token)


@contextmanager
def bulk() -> Iterator[None]:
    """While a table of many small objects is built (a register of 100,000 rows makes
    millions, none in a reference cycle), the cyclic garbage collector waits: it would
    walk all of them again each time they grew by a quarter. Restored afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _options(hidden_rows: HiddenRows, structured: Iterable[str]) -> ReadOptions:
    return ReadOptions(hidden_rows, frozenset(structured) | _STRUCTURED.get())


def reader(*suffixes: str) -> Callable[[Reader], Reader]:
    def register(func: Reader) -> Reader:
        for suffix in suffixes:
            READERS[suffix] = func
        return func

    return register


def _reader_for(path: Path) -> Reader:
    func = READERS.get(path.suffix.lower())
    if func is None:
        known = ", ".join(sorted(READERS))
        raise UsageError(f"cannot read {path.suffix or 'files without a suffix'}",
                         location=path, hint=f"use one of {known}")
    if not path.is_file():
        raise UsageError("file not found", location=path)
    return func


def read_records(
    path: str | Path,
    sheet: str | None = None,
    *,
    date_fields: Iterable[str] = (),
    required: Iterable[str] = (),
    hidden_rows: HiddenRows = "refuse",
    structured: Iterable[str] = (),
) -> list[Record]:
    """Read a table of records. ``date_fields`` are turned into dates (all problems at once).

    ``hidden_rows`` (worksheets only): ``refuse`` (a located error), ``skip`` or ``include``.
    ``structured`` (JSON only): the fields that may hold a group, a list or a yes/no.
    """
    path = Path(path)
    func = _reader_for(path)
    with bulk():
        records = func(path, sheet, _options(hidden_rows, structured))
    problems = Problems()
    _check(records, list(required), list(date_fields), problems)
    problems.raise_if_any()
    return records


def read_sheets(
    path: str | Path,
    sheets: Sequence[str],
    *,
    required: Mapping[str, Iterable[str]] | None = None,
    date_fields: Mapping[str, Iterable[str]] | None = None,
    hidden_rows: HiddenRows = "refuse",
    data: bytes | None = None,
) -> dict[str, list[Record]]:
    """Several sheets of one workbook, opened and read once; the same rules as
    :func:`read_records` for each sheet, and every problem of every sheet at once.
    ``data``: the file's bytes, already read (the workbook is read from them)."""
    path = Path(path)
    _reader_for(path)
    if path.suffix.lower() not in WORKBOOK_SUFFIXES:
        raise UsageError(f"expected an Excel workbook with the sheets {', '.join(sheets)}",
                         location=path)
    problems = Problems()
    result: dict[str, list[Record]] = {}
    options = _options(hidden_rows, ())
    with Workbook(path, data=data) as workbook, bulk():
        for name in sheets:
            with problems.catch():
                records = _workbook_records(workbook, name, options)
                _check(records, list((required or {}).get(name, ())),
                       list((date_fields or {}).get(name, ())), problems)
                result[name] = records
    problems.raise_if_any()
    return result


def _check(records: list[Record], required: list[str], date_fields: list[str],
           problems: Problems) -> None:
    if records and required:
        missing = [name for name in required if name not in records[0].fields]
        if missing:
            problems.add(DataError(
                f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
                location=_location(records[0].origin),
                hint=f"columns found: {', '.join(records[0].fields)}",
            ))
    for record in records:
        for name in date_fields:
            value = record.fields.get(name)
            if value is None or value == "":
                continue
            with problems.catch():
                try:
                    record.fields[name] = parse_date(value)
                except DataError as error:
                    raise error.at(record.where(name)) from None


def _location(origin: Origin) -> str:
    return f"{origin.file}:{origin.sheet}" if origin.sheet else origin.file


def _clean_header(value: Any) -> str:
    return unicodedata.normalize("NFC", " ".join(str(value).split())) if value is not None else ""


def _table_to_records(
    rows: Iterable[tuple[int, Sequence[Any]]], file: str, sheet: str | None,
    earlier: Iterable[CbctError] = (), known: Mapping[int, Line] | None = None,
) -> list[Record]:
    """Shared by xlsx and csv: first non-empty row is the header, empty rows are skipped.
    ``earlier``: problems the reader found in the cells, reported first. ``known``: the
    rows read before to the letter, by number (``SheetTable.known``)."""
    table = _Table(file, sheet)
    records: list[Record] = []
    table.add(rows, records, known)
    table.finish(earlier)
    return records


class _Table:
    """A table's records a row at a time (for :func:`_table_to_records` and
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


@reader(*WORKBOOK_SUFFIXES)
def read_xlsx(path: Path, sheet: str | None, options: ReadOptions) -> list[Record]:
    with Workbook(path) as workbook:
        return _workbook_records(workbook, sheet or workbook.default_sheet(), options)


def _workbook_records(workbook: Workbook, sheet: str, options: ReadOptions) -> list[Record]:
    table = workbook.table(sheet, options.hidden_rows)
    return _table_to_records(table.rows, str(workbook.path), table.title, table.problems,
                             table.known)


# A Dutch text saved as UTF-8 shows these byte pairs (é, ë, ü, ł, € ’ “ – …); a file saved
# as Windows-1252 practically never holds them ("Ã©", "â€™").
_UTF8_MARKS = re.compile(rb"[\xc2-\xc5][\x80-\xbf]|\xe2(?:\x80[\x90-\xbf]|\x82\xac|\x84\xa2)")
BOM = b"\xef\xbb\xbf"


def decode_text(data: bytes, file: str) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 as Dutch Excel writes it; a file that
    mixes the two (UTF-8 text with a Windows-1252 byte) is refused, never half mojibake."""
    bom = data.startswith(BOM)
    if bom:
        data = data[len(BOM):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        bad = error.start
    mark = _UTF8_MARKS.search(data)
    if bom or mark:
        line = data[:bad].count(b"\n") + 1
        if bom:
            because = "the file starts as UTF-8 (with a BOM)"
        else:
            assert mark is not None
            utf8_line = data[:mark.start()].count(b"\n") + 1
            because = f"line {utf8_line} is UTF-8"
        raise DataError(
            f"byte 0x{data[bad]:02x} is not UTF-8, but {because}: the file mixes encodings",
            location=f"{file}:line {line}",
            hint="retype the character, or save the file again as 'CSV UTF-8' in Excel")
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise DataError(
            f"byte 0x{data[error.start]:02x} is neither UTF-8 nor Windows-1252",
            location=f"{file}:line {line}",
            hint="save the file as 'CSV UTF-8' in Excel",
        ) from None


DELIMITERS = (";", ",", "\t")


def _delimiter(text: str) -> str:
    """The delimiter that splits the header into the most columns and every row into no
    more columns than the header (Excel writes each row with all its separators)."""
    def score(delimiter: str) -> tuple[bool, bool, int]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        widths: list[int] = []
        try:
            for row in reader:
                if row:  # a blank line has no fields; ";;" has three empty ones
                    widths.append(len(row))
                if len(widths) > 50:
                    break
        except csv.Error:
            pass
        if not widths:
            return (False, False, 0)
        return (widths[0] > 1, all(w <= widths[0] for w in widths[1:]), widths[0])

    lines = text[:100_000].splitlines()[:50]
    best = max(DELIMITERS, key=lambda d: (*score(d), sum(line.count(d) for line in lines)))
    return best


@reader(".csv", ".tsv", ".txt")
def read_csv(path: Path, sheet: str | None, options: ReadOptions) -> list[Record]:
    text = decode_text(path.read_bytes(), str(path))
    if not text.strip():
        raise DataError("the file is empty", location=path,
                        hint="expected a header row and one row per record")
    delimiter = "\t" if path.suffix.lower() == ".tsv" else _delimiter(text)
    return _table_to_records(_csv_rows(text, delimiter, str(path)), str(path), None)


def _csv_rows(text: str, delimiter: str, file: str) -> Iterable[tuple[int, list[str]]]:
    """Rows of a CSV text, strictly: a quote that is never closed, or text after a closing
    quote, is a located error (a lenient reader swallows the next rows into one value)."""
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    number = 0
    while True:
        line = rows.line_num + 1
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as error:
            if "end of data" in str(error) or "EOF" in str(error):
                what = "a quote opened in this row is never closed"
                hint = ('close the quote; a quote inside a value is written twice: '
                        '"Theater ""De Kroon"""')
            else:
                what = f"a quote in this row is not where CSV allows it ({error})"
                hint = ('put the whole value in quotes and write each quote inside it '
                        'twice: "Theater ""De Kroon"" Noord"')
            raise DataError(what, location=f"{file}:line {line}", hint=hint) from None
        number += 1
        yield number, row
