"""Record readers, chosen by file suffix (a registry, as pelican does for its readers).

Every reader returns a list of :class:`Record` whose origin names file, sheet and row.
All problems of a file are collected and raised together.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from ..errors import DataError, Problems, UsageError
from .dates import parse_date
from .model import Origin, Record

Reader = Callable[[Path, str | None], list[Record]]
READERS: dict[str, Reader] = {}


def reader(*suffixes: str) -> Callable[[Reader], Reader]:
    def register(func: Reader) -> Reader:
        for suffix in suffixes:
            READERS[suffix] = func
        return func

    return register


def read_records(
    path: str | Path,
    sheet: str | None = None,
    *,
    date_fields: Iterable[str] = (),
    required: Iterable[str] = (),
) -> list[Record]:
    """Read a table of records. ``date_fields`` are turned into dates (all problems at once)."""
    path = Path(path)
    func = READERS.get(path.suffix.lower())
    if func is None:
        known = ", ".join(sorted(READERS))
        raise UsageError(f"cannot read {path.suffix or 'files without a suffix'}",
                         location=path, hint=f"use one of {known}")
    if not path.is_file():
        raise UsageError("file not found", location=path)
    records = func(path, sheet)
    problems = Problems()
    required = list(required)
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
    problems.raise_if_any()
    return records


def _location(origin: Origin) -> str:
    return f"{origin.file}:{origin.sheet}" if origin.sheet else origin.file


def _clean_header(value: Any) -> str:
    return unicodedata.normalize("NFC", " ".join(str(value).split())) if value is not None else ""


def _table_to_records(
    rows: Iterable[tuple[int, Sequence[Any]]], file: str, sheet: str | None
) -> list[Record]:
    """Shared by xlsx and csv: first non-empty row is the header, empty rows are skipped."""
    problems = Problems()
    header: list[str] | None = None
    records: list[Record] = []
    for row_number, raw in rows:
        values = [_clean_value(v) for v in raw]
        if all(v is None for v in values):
            continue
        if header is None:
            header = [_clean_header(v) for v in values]
            seen: set[str] = set()
            for name in header:
                if name and name in seen:
                    problems.add(DataError(f"column {name!r} appears twice",
                                           location=Origin(file, sheet, row_number)))
                seen.add(name)
            continue
        origin = Origin(file, sheet, row_number)
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
        records.append(Record({k: v for k, v in fields.items()}, origin, len(records) + 1))
    problems.raise_if_any()
    if header is None:
        raise DataError("the file is empty", location=f"{file}:{sheet}" if sheet else file,
                        hint="expected a header row and one row per record")
    return records


def _clean_value(value: Any) -> Any:
    if isinstance(value, str):
        value = unicodedata.normalize("NFC", value.strip())
        return value or None
    return value


@reader(".xlsx", ".xlsm")
def read_xlsx(path: Path, sheet: str | None) -> list[Record]:
    from .xlsx import read_sheet

    sheet_name, rows = read_sheet(path, sheet)
    return _table_to_records(rows, str(path), sheet_name)


def decode_text(data: bytes, file: str) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 as Dutch Excel writes it."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise DataError(
            f"byte 0x{data[error.start]:02x} is neither UTF-8 nor Windows-1252",
            location=f"{file}:line {line}",
            hint="save the file as 'CSV UTF-8' in Excel",
        ) from None


@reader(".csv", ".tsv", ".txt")
def read_csv(path: Path, sheet: str | None) -> list[Record]:
    text = decode_text(path.read_bytes(), str(path))
    if not text.strip():
        raise DataError("the file is empty", location=path,
                        hint="expected a header row and one row per record")
    sample = "\n".join(text.splitlines()[:20])
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        first = text.splitlines()[0]
        delimiter = max(",;\t", key=first.count)
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _table_to_records(((i, r) for i, r in enumerate(rows, start=1)), str(path), None)
    except csv.Error as error:
        raise DataError(f"not a readable CSV file: {error}", location=path) from None


@reader(".json")
def read_json(path: Path, sheet: str | None) -> list[Record]:
    try:
        data = json.loads(decode_text(path.read_bytes(), str(path)))
    except json.JSONDecodeError as error:
        raise DataError(f"not valid JSON: {error.msg}",
                        location=f"{path}:line {error.lineno}") from None
    if isinstance(data, dict) and isinstance(data.get("records"), list):
        data = data["records"]
    if not isinstance(data, list):
        raise DataError("expected a list of objects, or {\"records\": [...]}", location=path)
    problems = Problems()
    records = []
    for index, item in enumerate(data, start=1):
        origin = Origin(str(path), None, index, unit="record")
        if not isinstance(item, dict):
            problems.add(DataError(f"expected an object, found {type(item).__name__}",
                                   location=origin))
            continue
        fields = {unicodedata.normalize("NFC", str(k)): _clean_value(v) for k, v in item.items()}
        records.append(Record(fields, origin, index))
    problems.raise_if_any()
    return records
