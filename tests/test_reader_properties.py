"""Properties of the readers (issue 15): a random table written as .xlsx, or as CSV in the
encodings and separators Dutch Excel uses, is read back exactly — or refused with an error
that names the file first. Never read differently.

"Exactly" is the reader's documented reading of a cell: text is NFC-normalised and
stripped, an empty text is an empty field (None), header names have their inner spaces
collapsed, a date cell at midnight is a date.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

import openpyxl
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cbct_docs.errors import CbctError
from cbct_docs.records import read_records
from cbct_docs.records.inert import set_cell

# CBCT_PROPERTY_EXAMPLES=1000 for a longer search than the suite's.
SETTINGS = settings(max_examples=int(os.environ.get("CBCT_PROPERTY_EXAMPLES", "60")),
                    deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Characters offices type, and the ones that break naive readers: separators, quotes,
# line breaks, formula starts, diacritics, the euro sign, typographic quotes.
TEXT_ALPHABET = st.sampled_from(list(
    "abcXYZ019 ;,\t\"'\n=+-@&<>#%.:/\\()[]{}éëïöüâêîôûàèçÉËÖÜ€‘’“”–—…ĳĲßñ"))
CP1252_ALPHABET = st.sampled_from(list("abcXYZ019 ;,\t\"'\n=+-@&<>#%.:/éëïöüâêçÉË€‘’“”–…ßñ"))
NAMES = st.text(alphabet=st.sampled_from(list("abcdefghij_ABC0123éë")), min_size=1,
                max_size=8)


def expected(value: Any) -> Any:
    """What the reader gives for a written value."""
    if isinstance(value, str):
        value = unicodedata.normalize("NFC", value.strip())
        return value or None
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    return value


def located(error: CbctError, path: Path) -> bool:
    return all(message.startswith(str(path)) for message in error.messages())


def check_table(path: Path, header: list[str], rows: list[list[Any]], sheet: str | None,
                written: list[list[Any]] | None = None) -> None:
    try:
        records = read_records(path, sheet)
    except CbctError as error:
        assert located(error, path), error.messages()
        return
    want = [[expected(v) for v in row] for row in (written or rows)]
    want = [row for row in want if any(v is not None for v in row)]
    assert [list(r.fields) for r in records[:1]] == [header][: len(records[:1])]
    assert [[r.fields[name] for name in header] for r in records] == want


def tables(values: st.SearchStrategy[Any]) -> st.SearchStrategy[tuple[list[str], list[list[Any]]]]:
    return st.lists(NAMES, min_size=1, max_size=5, unique=True).flatmap(
        lambda header: st.tuples(
            st.just(header),
            st.lists(st.lists(values, min_size=len(header), max_size=len(header)),
                     min_size=1, max_size=8)))


XLSX_VALUES = st.one_of(
    st.none(),
    st.text(alphabet=TEXT_ALPHABET, max_size=12),
    st.integers(min_value=-10**15, max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.booleans(),
    st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2099, 12, 31)),
    st.datetimes(min_value=dt.datetime(1950, 1, 1), max_value=dt.datetime(2099, 12, 31)).map(
        lambda d: d.replace(microsecond=0)),
)


@SETTINGS
@given(table=tables(XLSX_VALUES), title=st.sampled_from(["Organisaties", "Blad 1", "Ĳs & Co"]))
def test_xlsx_table_reads_back_exactly_or_is_refused(
        table: tuple[list[str], list[list[Any]]], title: str) -> None:
    header, rows = table
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tabel.xlsx"
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.title = title
        for column, name in enumerate(header, start=1):
            set_cell(sheet.cell(1, column), name)
        for number, row in enumerate(rows, start=2):
            for column, value in enumerate(row, start=1):
                cell = set_cell(sheet.cell(number, column), value)
                if isinstance(value, dt.date | dt.datetime):
                    cell.number_format = "d-m-yyyy h:mm" if isinstance(value, dt.datetime) \
                        else "d-m-yyyy"
        workbook.save(path)
        # A file holds a float with 15-17 digits and a datetime as a serial number: what
        # openpyxl reads back is what the file holds, so floats and datetimes are compared
        # with that; every other value with what was written.
        check_table(path, header, rows, title, _file_holds(path, title, rows))


def _file_holds(path: Path, title: str, rows: list[list[Any]]) -> list[list[Any]]:
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        held = [list(r) for r in workbook[title].iter_rows(min_row=2, max_row=len(rows) + 1,
                                                           max_col=len(rows[0]),
                                                           values_only=True)]
    finally:
        workbook.close()
    held += [[None] * len(rows[0])] * (len(rows) - len(held))
    return [[h if isinstance(v, float | dt.datetime) else v for v, h in zip(row, got,
                                                                            strict=True)]
            for row, got in zip(rows, held, strict=True)]


CSV_TEXT = st.text(alphabet=TEXT_ALPHABET, max_size=12)
CP1252_TEXT = st.text(alphabet=CP1252_ALPHABET, max_size=12)


def csv_bytes(header: list[str], rows: list[list[str]], delimiter: str, encoding: str) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


@SETTINGS
@given(table=tables(CSV_TEXT), delimiter=st.sampled_from([";", ","]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig"]))
def test_utf8_csv_reads_back_exactly_or_is_refused(
        table: tuple[list[str], list[list[str]]], delimiter: str, encoding: str) -> None:
    header, rows = table
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tabel.csv"
        path.write_bytes(csv_bytes(header, rows, delimiter, encoding))
        check_table(path, header, rows, None)


@SETTINGS
@given(table=tables(CP1252_TEXT), delimiter=st.sampled_from([";", ","]))
def test_cp1252_csv_reads_back_exactly_or_is_refused(
        table: tuple[list[str], list[list[str]]], delimiter: str) -> None:
    header, rows = table
    data = csv_bytes(header, rows, delimiter, "cp1252")
    try:  # bytes that are valid UTF-8 too are UTF-8 by definition (documented)
        data.decode("utf-8")
        assume(data.isascii())
    except UnicodeDecodeError:
        pass
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tabel.csv"
        path.write_bytes(data)
        check_table(path, header, rows, None)


JSON_VALUES = st.one_of(st.none(), st.text(alphabet=TEXT_ALPHABET, max_size=12),
                        st.integers(min_value=-10**30, max_value=10**30),
                        st.floats(allow_nan=False, allow_infinity=False))


@SETTINGS
@given(items=st.lists(st.dictionaries(NAMES, JSON_VALUES, min_size=1, max_size=5),
                      min_size=1, max_size=6))
def test_json_records_read_back_exactly(items: list[dict[str, Any]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.json"
        path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
        records = read_records(path)
        assert [dict(r.fields) for r in records] == [
            {unicodedata.normalize("NFC", k): expected(v) for k, v in item.items()}
            for item in items]


@SETTINGS
@given(text=st.text(alphabet=TEXT_ALPHABET, min_size=1, max_size=20))
def test_inert_text_round_trips_through_a_workbook(text: str) -> None:
    """Whatever a text starts with, written through records.inert it is read back as text."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tabel.xlsx"
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        assert sheet is not None
        set_cell(sheet["A1"], "naam")
        set_cell(sheet["A2"], text)
        set_cell(sheet["B1"], "x")
        sheet["B2"] = 1
        workbook.save(path)
        (record,) = read_records(path)
        assert record["naam"] == expected(text)
