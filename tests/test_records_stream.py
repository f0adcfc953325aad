"""records.stream (issue 16): a table checked whole, then read a part at a time, gives
what read_records gives: the same records (values, origins, numbers) and the same located
errors, for every table of the samples and the bad-input corpus and for random sheets
(pieces of a few rows, so that rows, hidden rows and errors fall in different parts)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cbct_docs.errors import CbctError
from cbct_docs.records import read_records
from cbct_docs.records import stream as streaming
from cbct_docs.records.stream import stream_records

from .test_records_sheetdata import (
    MODES,
    ROOT,
    SETTINGS,
    TABLES,
    as_compared,
    outcome,
    shaped_sheets,
    sheets,
    with_sheet,
)


@pytest.fixture(autouse=True)
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(streaming, "PIECE", 97)  # a row or two per piece
    yield


def streamed(path: Path, mode: Any) -> list[Any]:
    stream = stream_records(path, hidden_rows=mode)
    records = [record for part in stream.parts(3) for record in part]
    assert stream.count == len(records)
    assert stream.fields == (list(records[0].fields) if records else [])
    return as_compared(records)


def same_both_ways(path: Path) -> None:
    for mode in MODES:
        whole = outcome(lambda: as_compared(read_records(path, hidden_rows=mode)))  # noqa: B023
        assert outcome(lambda: streamed(path, mode)) == whole, mode  # noqa: B023


@pytest.mark.parametrize("path", TABLES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_table_streams_as_it_reads(path: Path) -> None:
    same_both_ways(path)


def sheet_file(folder: Path, xml: str) -> Path:
    base, path = folder / "base.xlsx", folder / "sheet.xlsx"
    workbook = openpyxl.Workbook()
    workbook.save(base)
    with_sheet(base, path, xml)
    return path


@SETTINGS
@given(xml=st.one_of(sheets(), shaped_sheets()))
def test_random_sheets_stream_as_they_read(xml: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        same_both_ways(sheet_file(Path(folder), xml))


def register_xml(rows: int, hidden: tuple[int, ...] = (), error_row: int = 0) -> str:
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    lines = ['<row r="1"><c r="A1" t="inlineStr"><is><t>naam</t></is></c>'
             '<c r="B1" t="inlineStr"><is><t>plaats</t></is></c></row>']
    for row in range(2, rows + 2):
        attributes = ' hidden="1"' if row in hidden else ""
        second = ('<c r="B{0}" t="e"><v>#N/A</v></c>' if row == error_row
                  else '<c r="B{0}" t="inlineStr"><is><t>Plaats {0}</t></is></c>')
        lines.append(f'<row r="{row}"{attributes}><c r="A{row}" t="inlineStr"><is><t>'
                     f'Bibliotheek {row}</t></is></c>{second.format(row)}</row>')
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{main}">'
            f"<sheetData>{''.join(lines)}</sheetData></worksheet>")


def test_a_register_comes_in_parts_with_its_rows_and_origins(tmp_path: Path) -> None:
    path = sheet_file(tmp_path, register_xml(40))
    stream = stream_records(path)
    assert isinstance(stream, streaming._SheetStream)  # not read whole
    parts = list(stream.parts())
    assert len(parts) > 10
    records = [record for part in parts for record in part]
    assert [r["naam"] for r in records[:2]] == ["Bibliotheek 2", "Bibliotheek 3"]
    assert str(records[-1].origin) == f"{path}:Sheet:row 41"
    assert [r.number for r in records] == list(range(1, 41))


def test_problems_of_every_part_are_raised_at_once_before_any_record(tmp_path: Path) -> None:
    path = sheet_file(tmp_path, register_xml(40, hidden=(5, 30, 31), error_row=25))
    with pytest.raises(CbctError) as raised:
        stream_records(path)
    messages = raised.value.messages()
    assert len(messages) == 2
    assert "row 25:B25" in messages[0] and "#N/A" in messages[0]
    assert "sheet.xlsx:Sheet:row 5" in messages[1] and "3 hidden rows" in messages[1]
    with pytest.raises(CbctError) as whole:
        read_records(path)
    assert whole.value.messages() == messages
