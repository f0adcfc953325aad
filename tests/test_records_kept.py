"""What the sheet reader keeps from one sheet for the next (issue 16): the row shapes it
made (records/shapes.py) and what the XML around the rows says (records/sheetdata.py) are
remembered across sheets and workbooks, so a batch of score sheets from one template
makes them once. A sheet read after others must give exactly what it gives read alone:
these workbooks have the same sheet XML and differ only in what decides a value (a date
style, the 1904 epoch) or in their merged ranges."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from cbct_docs.records import shapes, sheetdata
from cbct_docs.records.sheetxml import SheetParser
from cbct_docs.records.xlsx import Workbook

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def sheet(merges: str = "") -> str:
    rows = "".join(
        f'<row r="{n}"><c r="A{n}" s="1"><v>{45700 + n}</v></c><c r="B{n}" t="inlineStr">'
        f'<is><t>rij {n}</t></is></c></row>' for n in range(1, 6))
    return (f'<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData>{merges}</worksheet>')


def workbook(path: Path, xml: str, *, date_style: bool, mac_1904: bool = False) -> Path:
    """A workbook whose style 1 is a date style or a plain number style, with ``xml`` as
    its sheet."""
    book = openpyxl.Workbook()
    if mac_1904:
        book.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    assert book.active is not None
    book.active["A1"] = dt.date(2025, 1, 1) if date_style else 1.5
    if not date_style:
        book.active["A1"].number_format = "0.00"
    base = path.with_suffix(".base.xlsx")
    book.save(base)
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(path, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            target.writestr(name, xml.encode() if name == "xl/worksheets/sheet1.xml" else data)
    return path


def read(path: Path) -> Any:
    with Workbook(path) as book:
        table = book.table("Sheet")
        return table.rows, [e.messages() for e in table.problems]


def by_expat(path: Path) -> Any:
    with Workbook(path) as book, book.archive.open("xl/worksheets/sheet1.xml") as source:
        parser = SheetParser(book, "Sheet")
        parser.parse(io.BytesIO(source.read()))
        table = parser.table("refuse")
        return table.rows, [e.messages() for e in table.problems]


@pytest.fixture()
def books(tmp_path: Path) -> list[Path]:
    merged = '<mergeCells count="1"><mergeCell ref="B2:B4"/></mergeCells>'
    return [workbook(tmp_path / "date.xlsx", sheet(), date_style=True),
            workbook(tmp_path / "number.xlsx", sheet(), date_style=False),
            workbook(tmp_path / "mac.xlsx", sheet(), date_style=True, mac_1904=True),
            workbook(tmp_path / "mac-number.xlsx", sheet(), date_style=False, mac_1904=True),
            workbook(tmp_path / "merged.xlsx", sheet(merged), date_style=True)]


def test_each_sheet_read_after_the_others_gives_what_expat_gives(books: list[Path]) -> None:
    shapes._SEEDS.clear()
    sheetdata._OUTSIDE.clear()
    alone = [by_expat(path) for path in books]
    for _ in range(2):
        assert [read(path) for path in books] == alone
        assert [read(path) for path in reversed(books)] == alone[::-1]
    # and what the sheets hold differs, so the comparison above compares something
    assert alone[0][0][0] == (1, [dt.date(2025, 2, 13), "rij 1"])
    assert alone[1][0][0] == (1, [45701, "rij 1"])
    assert alone[2][0][0][1][0] == dt.date(2029, 2, 14)
    assert [row[1][1] for row in alone[4][0]] == ["rij 1", "rij 2", "rij 2", "rij 2", "rij 5"]
    assert len(shapes._SEEDS) >= 3 and len(sheetdata._OUTSIDE) == 2


def outcome(read_: Any, path: Path) -> Any:
    try:
        return read_(path)
    except Exception as error:  # noqa: BLE001 - the refusal is what is compared
        return ("refused", str(error).replace(str(path), "PATH"))


def test_a_row_attribute_whose_prefix_this_sheet_does_not_declare_is_not_read_plainly(
        tmp_path: Path) -> None:
    """A shape made for a sheet that declares ``x14ac`` does not read the rows of a sheet
    that does not: expat refuses that sheet, and so does the reader."""
    declared = ' xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"'
    rows = "".join(f'<row r="{n}" x14ac:dyDescent="0.25"><c r="A{n}" t="inlineStr"><is><t>'
                   f'rij {n}</t></is></c></row>' for n in range(1, 4))
    good, bad = (workbook(tmp_path / f"{name}.xlsx",
                          f'<worksheet xmlns="{MAIN}"{space}><sheetData>{rows}</sheetData>'
                          "</worksheet>", date_style=True)
                 for name, space in (("good", declared), ("bad", "")))
    for _ in range(2):
        assert read(good) == by_expat(good)
        refused, expat_says = outcome(by_expat, bad)
        assert outcome(read, bad) == (refused, f"PATH: cannot read sheet 'Sheet': {expat_says}")
    assert "unbound prefix" in expat_says
    assert [row[1] for row in read(good)[0]] == [["rij 1"], ["rij 2"], ["rij 3"]]


def test_a_batch_of_sheets_reads_its_rows_with_the_shapes_the_first_made(
        books: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """After the first workbook, the rows of the next one of the same styles are all read
    with the shapes made for it (none cell by cell), and the same as expat reads them."""
    shapes._SEEDS.clear()
    first, second = books[0], books[0].with_name("copy.xlsx")
    second.write_bytes(first.read_bytes())
    assert read(first) == by_expat(first)
    by_cell: list[Any] = []

    def counted(*args: Any) -> bool:
        by_cell.append(args)
        return _FILL(*args)

    from cbct_docs.records.shapes import Shape

    shaped: list[Any] = []
    fill = Shape.fill

    def counted_shape(self: Shape, *args: Any) -> Any:
        shaped.append(args)
        return fill(self, *args)

    monkeypatch.setattr(sheetdata, "_fill", counted)
    monkeypatch.setattr(Shape, "fill", counted_shape)
    shapes._ROWS.clear()  # rows repeated to the letter would be taken as read instead
    assert read(second) == by_expat(second)
    assert by_cell == []
    # every row by a shape (not, say, the whole sheet by expat)
    assert len(shaped) == len(by_expat(second)[0]) > 0


_FILL = sheetdata._fill


def test_sheets_read_on_several_threads_give_what_they_give_one_by_one(
        books: list[Path]) -> None:
    """What is kept is shared by the threads of a process (the web app reads in a job
    thread): reading the same workbooks on four threads at once gives what one thread
    gives."""
    from concurrent.futures import ThreadPoolExecutor

    scores = sorted((Path(__file__).resolve().parent.parent / "samples/scores").glob("*.xlsx"))
    paths = [*books, *scores] * 5

    def sheets(path: Path) -> Any:
        with Workbook(path) as book:
            return [(name, book.table(name, "include").rows) for name in book.sheetnames]

    one_by_one = [sheets(path) for path in paths]
    for kept in (shapes._SEEDS, shapes._ROWS, sheetdata._OUTSIDE):
        kept.clear()
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(sheets, paths)) == one_by_one
    assert len(scores) >= 3


def test_rows_read_before_to_the_letter_are_taken_as_read_and_never_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows of numbers and inline text (hidden ones, entities) that a sheet of the same
    kind read before are taken as read; a merged range that fills cells in one workbook
    does not show in the next; a row with a date is converted each time."""
    from cbct_docs.records.shapes import Shape

    hide = ' hidden="1"'
    rows = "".join(
        f'<row r="{n}"{hide if n == 3 else ""}><c r="A{n}" s="{1 if n == 5 else 0}">'
        f'<v>{n * 1.5}</v></c><c r="B{n}" t="inlineStr"><is><t>rij &amp; {n}</t></is></c>'
        f"</row>" for n in range(1, 6))
    merged = '<mergeCells count="1"><mergeCell ref="B1:B3"/></mergeCells>'
    paths = [workbook(tmp_path / f"{name}.xlsx",
                      f'<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData>{merges}'
                      "</worksheet>", date_style=True)
             for name, merges in (("merged", merged), ("plain", ""), ("again", merged),
                                  ("plain-again", ""))]
    # (date_style: style 1, of row 5's number, is a date style)
    for kept in (shapes._SEEDS, shapes._ROWS):
        kept.clear()
    alone = [by_expat(path) for path in paths]
    filled: list[int] = []
    fill = Shape.fill

    def counted(shape: Shape, *args: Any) -> Any:
        filled.append(1)
        return fill(shape, *args)

    monkeypatch.setattr(Shape, "fill", counted)
    assert [read(path) for path in paths] == alone
    # The first sheet reads rows 1, 3 and 5 cell by cell (each a new shape) and fills
    # rows 2 and 4 by shape; the second fills rows 1, 3 and 5 by shape and takes rows 2
    # and 4 as read; the third and fourth take rows 1 to 4 as read (the third's merged
    # range not showing in the fourth) and fill the date row 5 again.
    assert len(filled) == 2 + 3 + 1 + 1
    assert [row[1] for row in alone[0][0]] == [[1.5, "rij & 1"], [3, "rij & 1"],
                                               [4.5, "rij & 1"], [6, "rij & 4"],
                                               [dt.datetime(1900, 1, 7, 12), "rij & 5"]]
    assert [row[1][1] for row in alone[1][0]] == [f"rij & {n}" for n in range(1, 6)]
    assert alone[0][1] and "hidden" in alone[0][1][0][0]


STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def with_strings(path: Path, strings: list[str]) -> Path:
    """A workbook whose sheet shows its shared strings, a row each (the same sheet XML
    for every list of strings)."""
    base = workbook(path.with_suffix(".plain.xlsx"), sheet(), date_style=False)
    rows = "".join(f'<row r="{n + 1}"><c r="A{n + 1}" t="s"><v>{n}</v></c></row>'
                   for n in range(len(strings)))
    table = "".join(f"<si><t>{text}</t></si>" for text in strings)
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(path, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "[Content_Types].xml":
                data = data.replace(b"</Types>", f'<Override PartName="/xl/sharedStrings.xml"'
                                                 f' ContentType="{STRINGS}"/></Types>'.encode())
            elif name == "xl/worksheets/sheet1.xml":
                data = (f'<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData>'
                        "</worksheet>").encode()
            target.writestr(name, data)
        target.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}">{table}</sst>')
    return path


def test_rows_of_shared_strings_are_read_with_each_workbook_s_own_strings(
        tmp_path: Path) -> None:
    """The same sheet XML with other shared strings gives the other strings (a row whose
    value depends on more than its text is never taken as read before)."""
    first = with_strings(tmp_path / "first.xlsx", ["een", "twee", "drie", "vier"])
    second = with_strings(tmp_path / "second.xlsx", ["one", "two", "three", "four"])
    for _ in range(2):
        assert read(first) == by_expat(first)
        assert read(second) == by_expat(second)
    assert [row[1] for row in read(second)[0]] == [["one"], ["two"], ["three"], ["four"]]


def records_of(path: Path) -> Any:
    from cbct_docs.records import read_records

    return [(str(r.origin), r.number, [(k, type(v), v) for k, v in r.fields.items()])
            for r in read_records(path, hidden_rows="include")]


def test_rows_read_before_give_the_records_they_gave_cleaned_each_time(
        tmp_path: Path) -> None:
    """A row read before to the letter brings its values cleaned (records/shapes.py's
    Line): the records are the ones its cells give cleaned anew (text stripped and NFC,
    blank text no value, a row of blanks no record, a short row), also where a row's
    number comes twice in a sheet (the cells of both, before or after the known row, the
    other read by its shape or cell by cell) or a merged range changes the rows."""
    rows = ['<row r="1"><c r="A1" t="inlineStr"><is><t xml:space="preserve"> naam </t></is>'
            '</c><c r="B1" t="inlineStr"><is><t>plaats</t></is></c>'
            '<c r="C1" t="inlineStr"><is><t>extra</t></is></c></row>',
            '<row r="2"><c r="A2" t="inlineStr"><is><t xml:space="preserve">  Cafe\u0301 '
            '</t></is></c><c r="B2"><v>2.50</v></c></row>',
            '<row r="3" hidden="1"><c r="A3" t="inlineStr"><is><t xml:space="preserve">   '
            '</t></is></c><c r="B3" t="inlineStr"><is><t xml:space="preserve"> </t></is>'
            '</c></row>',
            '<row r="4"><c r="B4" t="inlineStr"><is><t>Zwolle  </t></is></c></row>']
    twice_after = '<row r="2"><c r="C2" t="inlineStr"><is><t>erbij</t></is></c></row>'
    twice_before = '<row r="4"><c r="A4" t="inlineStr"><is><t>eerst</t></is></c></row>'
    # a formula cell is read cell by cell in every sheet (no shape is made for it)
    by_cell = '<row r="2"><c r="C2"><f>1+1</f><v>2</v></c></row>'
    merged = '<mergeCells count="1"><mergeCell ref="B2:B4"/></mergeCells>'
    kinds = {"plain": ("".join(rows), ""),
             "after": ("".join(rows[:3]) + twice_after + rows[3], ""),
             "before": ("".join(rows[:3]) + twice_before + rows[3], ""),
             "by cell": ("".join(rows[:2]) + by_cell + "".join(rows[2:]), ""),
             "merged": ("".join(rows), merged)}
    paths = {name: workbook(tmp_path / f"{name}.xlsx",
                            f'<worksheet xmlns="{MAIN}"><sheetData>{xml}</sheetData>{tail}'
                            "</worksheet>", date_style=False)
             for name, (xml, tail) in kinds.items()}
    shapes._ROWS.clear()
    fresh = {}
    for name, path in paths.items():  # each read with no row known before
        shapes._ROWS.clear()
        fresh[name] = records_of(path)
    kept = [line for rows in shapes._ROWS.values() for line in rows.values()]
    assert kept and not any(line.settled for line in kept)  # values made when read again
    for _ in range(2):
        for name, path in paths.items():
            assert records_of(path) == fresh[name], name
    with Workbook(paths["plain"]) as book:
        known = book.table("Sheet", "include").known
    assert {number: line.clean for number, line in known.items()} == {
        1: ["naam", "plaats", "extra"], 2: ["Café", 2.5], 3: [], 4: [None, "Zwolle"]}
    assert [fields for _origin, _number, fields in fresh["plain"]] == [
        [("naam", str, "Café"), ("plaats", float, 2.5), ("extra", type(None), None)],
        [("naam", type(None), None), ("plaats", str, "Zwolle"), ("extra", type(None), None)]]
    assert fresh["after"][0][2][2] == ("extra", str, "erbij")
    assert fresh["before"][1][2][0] == ("naam", str, "eerst")
    assert fresh["by cell"][0][2][2] == ("extra", int, 2)
    assert [fields[1][2] for _origin, _number, fields in fresh["merged"]] == [2.5] * 3
    with Workbook(paths["merged"]) as book:
        assert book.table("Sheet", "include").known == {}


def test_fields_a_known_row_gave_are_copied_only_under_its_own_header(
        tmp_path: Path) -> None:
    """A known row's fields are copied from what it gave before only under the same
    header: the same rows under another header give that header's fields; a record's
    fields changed by its reader (a date field read as a date) do not show in the next
    sheet's; a header with a name twice is refused in every sheet."""
    from cbct_docs.errors import CbctError
    from cbct_docs.records import read_records

    def row(number: int, *texts: str) -> str:
        return (f'<row r="{number}">' + "".join(
            f'<c r="{"ABC"[index]}{number}" t="inlineStr"><is><t>{text}</t></is></c>'
            for index, text in enumerate(texts)) + "</row>")

    data = row(2, "Tiel", "2025-03-01") + row(3, "Uden")
    headers = {"first": row(1, "plaats", "datum"), "other": row(1, "stad", "dag"),
               "twice": row(1, "plaats", "plaats")}
    paths = {name: workbook(tmp_path / f"{name}.xlsx",
                            f'<worksheet xmlns="{MAIN}"><sheetData>{header}{data}</sheetData>'
                            "</worksheet>", date_style=False)
             for name, header in headers.items()}
    shapes._ROWS.clear()
    for _ in range(3):  # the rows known from the second read on, a header the third
        assert [r.fields for r in read_records(paths["other"])] == [
            {"stad": "Tiel", "dag": "2025-03-01"}, {"stad": "Uden", "dag": None}]
        for _ in range(2):  # the second time, its records' fields are the copied ones
            first = read_records(paths["first"], date_fields=["datum"])
            assert [r.fields for r in first] == [
                {"plaats": "Tiel", "datum": dt.date(2025, 3, 1)},
                {"plaats": "Uden", "datum": None}]
            first[1].fields["plaats"] = "changed by its reader"
            assert [r.fields for r in read_records(paths["first"])] == [
                {"plaats": "Tiel", "datum": "2025-03-01"}, {"plaats": "Uden", "datum": None}]
        with pytest.raises(CbctError) as refused:
            read_records(paths["twice"])
        assert refused.value.messages() == [
            f"{paths['twice']}:Sheet:row 1: column 'plaats' appears twice"]
    with Workbook(paths["first"]) as book:
        assert sorted(book.table("Sheet").known) == [1, 2, 3]
