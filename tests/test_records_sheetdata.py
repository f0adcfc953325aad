"""The plain-rows reader (records/sheetdata.py, issue 15's 100,000-row register) reads
exactly what the expat reader reads: the same values, hidden rows, merged ranges and
located errors, for every workbook of the samples and the bad-input corpus, and for random
sheets written the ways Excel, LibreOffice and openpyxl write them (character references,
entities, formulas, error cells, hidden rows, row attributes) — or it declines and the
expat reader reads the sheet."""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cbct_docs.errors import CbctError, DataError
from cbct_docs.records import read_records
from cbct_docs.records.readers import Origin, Problems, Record, clean_value
from cbct_docs.records.sheetdata import read_plain
from cbct_docs.records.sheetxml import SheetParser
from cbct_docs.records.table import _clean_header
from cbct_docs.records.xlsx import HIDDEN_ROW_CHOICES, Workbook

ROOT = Path(__file__).resolve().parent.parent
WORKBOOKS = sorted(p for p in [*(ROOT / "samples").rglob("*.xlsx"),
                                *(ROOT / "tests/badinput").rglob("*.xlsx")]
                   if zipfile.is_zipfile(p))
TABLES = sorted(p for p in [*(ROOT / "samples").rglob("*"), *(ROOT / "tests/badinput").rglob("*")]
                if p.suffix in (".xlsx", ".csv"))
MODES = HIDDEN_ROW_CHOICES


def outcome(read: Callable[[], Any]) -> Any:
    try:
        return ("read", read())
    except CbctError as error:
        return ("refused", error.messages())


def sheet_xml(workbook: Workbook, sheet: str) -> bytes:
    with workbook.archive.open(workbook.sheets[sheet][1]) as source:
        return source.read()


def by_expat(workbook: Workbook, sheet: str, mode: Any) -> Any:
    parser = SheetParser(workbook, sheet)
    parser.parse(io.BytesIO(sheet_xml(workbook, sheet)))
    return as_table(parser.table(mode))


def by_plain(workbook: Workbook, sheet: str, mode: Any) -> Any:
    parser = read_plain(workbook, sheet, sheet_xml(workbook, sheet))
    return None if parser is None else as_table(parser.table(mode))


def as_table(table: Any) -> Any:
    return table.rows, [e.messages() for e in table.problems]


def both_ways(path: Path) -> tuple[int, int]:
    """Compare the two readings of every sheet, and what Workbook.table gives; (sheets read
    plainly, sheets)."""
    from xml.parsers import expat

    plain = total = 0
    with Workbook(path) as workbook:
        for sheet in workbook.sheetnames:
            total += 1
            for mode in MODES:
                try:
                    expected = ("read", by_expat(workbook, sheet, mode))
                except (expat.ExpatError, KeyError, ValueError, IndexError) as error:
                    expected = ("refused", [f"{path}: cannot read sheet {sheet!r}: {error}"])
                got = outcome(lambda: by_plain(workbook, sheet, mode))  # noqa: B023
                via_table = outcome(lambda: as_table(workbook.table(sheet, mode)))  # noqa: B023
                assert via_table == expected, (path, sheet, mode)
                if got == ("read", None):
                    break  # declined: Workbook.table read it with expat
                assert got == expected, (path, sheet, mode)
            else:
                plain += 1
    return plain, total


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_workbook_reads_the_same_both_ways(path: Path) -> None:
    both_ways(path)


def test_the_plain_reader_reads_the_samples_and_the_corpus() -> None:
    """So that the comparison above compares something: every sheet the tool and openpyxl
    write is in the plain form."""
    plain = total = 0
    for path in WORKBOOKS:
        done, sheets = both_ways(path)
        plain, total = plain + done, total + sheets
    assert total > 100 and plain == total


def former_table_to_records(rows: Any, file: str, sheet: str | None,
                            earlier: Any = (), known: Any = None) -> list[Record]:
    """records/readers.py's _table_to_records as it was before the speed-up (issue 15),
    written out on purpose (an oracle that shares no code with records/table.py), with
    the hint an empty table has been given since. ``known``, the rows a sheet's reader
    read before (issue 16), is not used: every value is cleaned here."""
    problems = Problems()
    problems.extend(earlier)
    header: list[str] | None = None
    records: list[Record] = []
    for row_number, raw in rows:
        values = [clean_value(v) for v in raw]
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
        records.append(Record(dict(fields), origin, len(records) + 1))
    problems.raise_if_any()
    if header is None:
        raise DataError("the file is empty", location=f"{file}:{sheet}" if sheet else file,
                        hint="expected a header row and one row per record")
    return records


def as_compared(records: list[Record]) -> list[Any]:
    return [(str(r.origin), r.number, [(k, type(v), v) for k, v in r.fields.items()])
            for r in records]


@pytest.mark.parametrize("path", TABLES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_table_gives_the_same_records_and_errors(path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from cbct_docs.records import readers

    for mode in MODES:
        now = outcome(lambda: as_compared(read_records(path, hidden_rows=mode)))  # noqa: B023
        monkeypatch.setattr(readers, "_table_to_records", former_table_to_records)
        before = outcome(lambda: as_compared(read_records(path, hidden_rows=mode)))  # noqa: B023
        monkeypatch.undo()
        assert now == before, mode


# --- random sheets, written by hand as the programs write them --------------------------

SETTINGS = settings(max_examples=int(os.environ.get("CBCT_PROPERTY_EXAMPLES", "60")),
                    deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
TEXT = st.text(alphabet=st.sampled_from(list("ab Z09&<>\"'\t\n;#]é€ĳ\u00a0")), max_size=8)


def escaped(text: str, draw: Any) -> str:
    """``text`` as XML character data, each character written one of the ways XML allows."""
    out = []
    for char in text:
        way = draw(st.sampled_from(("raw", "decimal", "hex")))
        if char in "&<":
            way = draw(st.sampled_from(("named", "decimal")))
        if way == "decimal":
            out.append(f"&#{ord(char)};")
        elif way == "hex":
            out.append(f"&#x{ord(char):X};")
        elif way == "named" or char in "&<>":
            out.append({"&": "&amp;", "<": "&lt;", ">": "&gt;"}[char])
        else:
            out.append(char)
    return "".join(out)


KINDS = ("inline", "number", "date", "bool", "error", "formula", "str", "empty", "styled-empty",
         "shared-missing", "iso")
SPACES = ("", ' xml:space="preserve"')


@st.composite
def cells(draw: Any, row: int | str, column: str, kind: str | None = None,
          space: str | None = None) -> str:
    reference = f'r="{column}{row}"'
    kind = kind or draw(st.sampled_from(KINDS))
    space = draw(st.sampled_from(SPACES)) if space is None else space
    if kind == "inline":
        return (f'<c {reference} t="inlineStr"><is><t{space}>{escaped(draw(TEXT), draw)}'
                "</t></is></c>")
    if kind == "number":
        number = draw(st.sampled_from(("1", "-0", "0.5", "1E3", "45778", "12345678901234",
                                       "1.0", "&#49;")))
        return f'<c {reference} t="n"><v>{number}</v></c>'
    if kind == "date":
        serial = draw(st.sampled_from(("45778", "45778.5", "1e9")))
        return f'<c {reference} s="1"><v>{serial}</v></c>'
    if kind == "bool":
        return f'<c {reference} t="b"><v>{draw(st.sampled_from(("0", "1")))}</v></c>'
    if kind == "error":
        return f'<c {reference} t="e"><v>{draw(st.sampled_from(("#N/A", "#REF!")))}</v></c>'
    if kind == "formula":
        value = draw(st.sampled_from(("", "<v>2</v>", "<v></v>")))
        formula = draw(st.sampled_from(("<f>1+1</f>", '<f t="shared" si="0"/>',
                                        "<f>A1&amp;&quot;x&quot;</f>")))
        return f"<c {reference}>{formula}{value}</c>"
    if kind == "str":
        return f'<c {reference} t="str"><f>B1</f><v>{escaped(draw(TEXT), draw)}</v></c>'
    if kind == "styled-empty":
        return f'<c {reference} s="1"/>'
    if kind == "shared-missing":
        return f'<c {reference} t="s"><v>7</v></c>'
    if kind == "iso":
        return f'<c {reference} t="d"><v>2025-05-01T00:00:00</v></c>'
    return f"<c {reference}></c>"


@st.composite
def sheets(draw: Any) -> str:
    rows = []
    for row in range(1, draw(st.integers(1, 5)) + 1):
        attributes = draw(st.sampled_from(("", ' spans="1:3"', ' hidden="1"',
                                           ' spans="1:3" x14ac:dyDescent="0.25"',
                                           ' hidden="true" customHeight="1" ht="0"')))
        columns = draw(st.lists(st.sampled_from(["A", "B", "C", "AA"]), max_size=3,
                                unique=True))
        row_cells = "".join(draw(cells(row, column)) for column in sorted(columns, key=len))
        between = draw(st.sampled_from(("", "", "", "\n", "<!-- x -->")))  # not plain
        rows.append(f'<row r="{row}"{attributes}>{between}{row_cells}</row>' if row_cells
                    else f'<row r="{row}"{attributes}/>')
    merge = draw(st.sampled_from(("", '<mergeCells count="1"><mergeCell ref="A1:A2"/>'
                                  "</mergeCells>", '<mergeCells count="1"><mergeCell '
                                  'ref="A1:B1"/></mergeCells>')))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}"'
            ' xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">'
            f"<sheetData>{''.join(rows)}</sheetData>{merge}</worksheet>")


@st.composite
def shaped_sheets(draw: Any) -> str:
    """Rows that mostly share one shape (the same attributes and cells, other values), as
    a register has them, so that records/shapes.py reads them; some rows differ: another
    cell kind, a cell of another row, a row number with a leading zero."""
    attributes = draw(st.sampled_from(("", ' spans="1:3"', ' hidden="1"',
                                       ' spans="1:3" x14ac:dyDescent="0.25"')))
    columns = draw(st.lists(st.sampled_from(["A", "B", "C", "AA"]), min_size=1, max_size=4,
                            unique=True))
    columns.sort(key=len)
    kinds = [draw(st.sampled_from(KINDS)) for _ in columns]
    spaces = [draw(st.sampled_from(SPACES)) for _ in columns]
    rows = []
    for row in range(1, draw(st.integers(2, 8)) + 1):
        odd = draw(st.sampled_from(("same",) * 16 + ("kind", "other-row", "zero", "none")))
        number = f"0{row}" if odd == "zero" else str(row)
        row_cells = []
        for index, (column, kind, space) in enumerate(zip(columns, kinds, spaces,
                                                          strict=True)):
            reference: int | str = row + 1 if odd == "other-row" and index == 0 else number
            chosen = draw(st.sampled_from(KINDS)) if odd == "kind" else kind
            row_cells.append(draw(cells(reference, column, chosen, space)))
        rows.append(f'<row r="{number}"{attributes}>{"".join(row_cells)}</row>'
                    if odd != "none" else f'<row r="{number}"{attributes}/>')
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}"'
            ' xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">'
            f"<sheetData>{''.join(rows)}</sheetData></worksheet>")


def with_sheet(base: Path, path: Path, xml: str) -> None:
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(path, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            target.writestr(name, xml.encode() if name == "xl/worksheets/sheet1.xml" else data)


@SETTINGS
@given(xml=sheets(), mac_1904=st.booleans())
def test_random_sheets_read_the_same_both_ways(xml: str, mac_1904: bool) -> None:
    read_both_ways(xml, mac_1904)


@SETTINGS
@given(xml=shaped_sheets(), mac_1904=st.booleans())
def test_rows_of_one_shape_read_the_same_both_ways(xml: str, mac_1904: bool) -> None:
    read_both_ways(xml, mac_1904)


def read_both_ways(xml: str, mac_1904: bool,
                   check: Callable[[Path], Any] = lambda path: both_ways(path)) -> None:
    import datetime as dt

    with tempfile.TemporaryDirectory() as folder:
        base, path = Path(folder) / "base.xlsx", Path(folder) / "sheet.xlsx"
        workbook = openpyxl.Workbook()
        workbook.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904 if mac_1904 \
            else openpyxl.utils.datetime.CALENDAR_WINDOWS_1900
        assert workbook.active is not None
        workbook.active["B2"] = dt.datetime(2025, 5, 1)  # style 1 is a date style
        workbook.save(base)
        with_sheet(base, path, xml)
        check(path)


@SETTINGS
@given(xml=shaped_sheets(), mac_1904=st.booleans())
def test_rows_read_again_give_the_records_the_former_reader_gives(xml: str,
                                                                   mac_1904: bool) -> None:
    """A random sheet read three times in one process (from the second time on its rows
    are known to the letter: their values, cleaned values and fields come from
    records/shapes.py's Line) gives, each time, the records and errors the former table
    reader gives from the same sheet."""
    from cbct_docs.records import readers

    def compare(path: Path) -> None:
        for mode in MODES:
            now = [outcome(lambda: as_compared(read_records(path, hidden_rows=mode)))  # noqa: B023
                   for _ in range(3)]
            current = readers._table_to_records
            readers._table_to_records = former_table_to_records
            try:
                before = outcome(lambda: as_compared(read_records(path, hidden_rows=mode)))  # noqa: B023
            finally:
                readers._table_to_records = current
            assert now == [before] * 3, mode

    read_both_ways(xml, mac_1904, compare)


def test_a_register_is_read_a_row_per_match(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The rows of a register after the first of each shape are read by records/shapes.py
    (one match per row), and give what expat gives: texts with entities and references,
    numbers, dates (and a date Excel does not know, located), empty cells."""
    import datetime as dt

    from cbct_docs.records import shapes

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["cert_nr", "naam", "aantal", "tot", "plaats"])
    for number in range(1, 301):
        sheet.append([f"CBCT-{number:04d}", "Kunst & Co <Uden>" if number % 7 else "Çelik",
                      number * 1.5 if number % 2 else number,
                      dt.date(2025, 1 + number % 12, 1), None if number % 5 else "Tiel"])
    sheet["D150"].value = 10**9  # formatted as a date, outside the dates Excel knows
    sheet["D150"].number_format = "yyyy-mm-dd"
    path = tmp_path / "register.xlsx"
    workbook.save(path)
    filled: list[int] = []
    fill = shapes.Shape.fill

    def counted(self: Any, *args: Any) -> Any:
        filled.append(1)
        return fill(self, *args)

    monkeypatch.setattr(shapes.Shape, "fill", counted)
    plain, total = both_ways(path)
    assert (plain, total) == (1, 1)
    assert len(filled) > 3 * 250  # three modes, each almost every row by its shape
    with Workbook(path) as book:
        table = book.table(book.default_sheet())
    assert table.rows[3][1][1:4] == ["Kunst & Co <Uden>", 4.5, dt.date(2025, 4, 1)]
    assert [e.messages() for e in table.problems] == [
        [f"{path}:Sheet:row 150:D150: 1000000000 is formatted as a date but lies outside "
         "the dates Excel knows"]]


ROWS = ('<row r="1"><c r="A1" t="inlineStr"><is><t>naam</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>Tiel</t></is></c></row>')


@pytest.mark.parametrize("xml", [
    f"<!-- <sheetData> --><sheetData>{ROWS}</sheetData>",
    f"<!-- </sheetData> --><sheetData>{ROWS}</sheetData>",
    f"<sheetData>{ROWS}</sheetData><!-- <sheetData></sheetData> -->",
    f"<sheetData>{ROWS}</sheetData><!-- </sheetData> -->",
    f"<sheetData>{ROWS[:len(ROWS) // 2]}<!-- </sheetData><sheetData> -->"
    f"{ROWS[len(ROWS) // 2:]}</sheetData>",
], ids=["open-before", "close-before", "both-after", "close-after", "between-rows"])
def test_sheet_data_named_twice_is_left_to_expat(xml: str, tmp_path: Path) -> None:
    """``<sheetData>`` or ``</sheetData>`` a second time (here in comments, which XML
    allows) before, after or among the rows: the plain reader declines (sheetdata.split
    finds the first opening and the last closing tag, and a row reading never passes
    either), and expat reads the sheet, with its rows."""
    book = openpyxl.Workbook()
    book.save(tmp_path / "base.xlsx")
    path = tmp_path / "sheet.xlsx"
    with_sheet(tmp_path / "base.xlsx", path, f'<worksheet xmlns="{MAIN}">{xml}</worksheet>')
    with Workbook(path) as workbook:
        assert read_plain(workbook, "Sheet", sheet_xml(workbook, "Sheet")) is None
        assert workbook.table("Sheet").rows == [(1, ["naam"]), (2, ["Tiel"])]
    assert both_ways(path) == (0, 1)
