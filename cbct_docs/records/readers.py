"""Record readers, chosen by file suffix (a registry, as pelican does for its readers).

Every reader returns a list of :class:`Record` whose origin names file, sheet and row.
All problems of a file are collected and raised together.
"""

from __future__ import annotations

import csv
import gc
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import CbctError, DataError, Problems, UsageError
from .cells import clean_value as clean_value  # (where jsonfile and tests find them)
from .dates import parse_date
from .model import Origin, Record
from .table import _Table
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
