"""records.streamed (issue 16, the merge of a large register): a table read a part at a
time gives the records and the located errors ``read_records`` gives, for every table of
the samples and the bad-input corpus; a register is read in several parts without being
read again; what only the XML after the rows tells (a merged range) or rows out of order
withdraw the parts and give the whole table."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from cbct_docs.errors import CbctError
from cbct_docs.records import read_records, streamed
from cbct_docs.records.streamed import record_parts
from cbct_docs.records.xlsx import HIDDEN_ROW_CHOICES, HiddenRows, Workbook

ROOT = Path(__file__).resolve().parent.parent
TABLES = sorted(p for p in [*(ROOT / "samples").rglob("*"), *(ROOT / "tests/badinput").rglob("*")]
                if p.suffix in (".xlsx", ".csv", ".json"))
MODES = HIDDEN_ROW_CHOICES


def whole(path: Path, sheet: str | None, mode: HiddenRows) -> Any:
    try:
        return ("read", [(r.fields, str(r.origin), r.number)
                         for r in read_records(path, sheet, hidden_rows=mode)])
    except CbctError as error:
        return ("refused", type(error).__name__, error.messages())


def in_parts(path: Path, sheet: str | None, mode: HiddenRows) -> tuple[Any, list[int | None]]:
    """What the parts add up to, and each part's size (None: withdrawn)."""
    records: list[Any] = []
    sizes: list[int | None] = []
    try:
        for part in record_parts(path, sheet, hidden_rows=mode):
            sizes.append(None if part is None else len(part))
            if part is None:
                records = []
            else:
                records.extend((r.fields, str(r.origin), r.number) for r in part)
    except CbctError as error:
        return ("refused", type(error).__name__, error.messages()), sizes
    return ("read", records), sizes


def sheets_of(path: Path) -> list[str | None]:
    if path.suffix != ".xlsx" or not zipfile.is_zipfile(path):
        return [None]
    try:
        with Workbook(path) as workbook:
            return [None, *workbook.sheetnames]
    except CbctError:
        return [None]


@pytest.mark.parametrize("path", TABLES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_table_reads_the_same_in_parts(path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(streamed, "PIECE", 300)  # a few rows a piece: many parts
    for sheet in sheets_of(path):
        for mode in MODES:
            assert in_parts(path, sheet, mode)[0] == whole(path, sheet, mode), (sheet, mode)


def register(path: Path, rows: int, *, merged: str = "", hidden: tuple[int, ...] = ()) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Organisaties"
    sheet.append(["cert_nr", "naam", "plaats", "tot"])
    for number in range(1, rows + 1):
        sheet.append([f"CBCT-{number:04d}", f"Bibliotheek & Co {number}",
                      "Zwolle" if number % 3 else "Den Bosch", f"{number % 28 + 1}-3-2027"])
    for row in hidden:
        sheet.row_dimensions[row].hidden = True
    if merged:
        sheet.merge_cells(merged)
    workbook.save(path)
    return path


def test_a_register_comes_in_parts_read_once(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(streamed, "PIECE", 4096)
    path = register(tmp_path / "r.xlsx", 400)
    outcome, sizes = in_parts(path, None, "refuse")
    assert outcome == whole(path, None, "refuse")
    assert None not in sizes and len(sizes) > 5 and sum(s or 0 for s in sizes) == 400
    assert outcome[1][-1] == ({"cert_nr": "CBCT-0400", "naam": "Bibliotheek & Co 400",
                               "plaats": "Zwolle", "tot": "9-3-2027"},
                              f"{path}:Organisaties:row 401", 400)


def test_hidden_rows_in_late_parts_are_refused_together(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    monkeypatch.setattr(streamed, "PIECE", 4096)
    path = register(tmp_path / "r.xlsx", 300, hidden=(5, 250, 251))
    outcome, sizes = in_parts(path, None, "refuse")
    assert outcome == whole(path, None, "refuse")
    assert outcome[2] == [f"{path}:Organisaties:row 5: the row is hidden (hidden or filtered "
                          "out in Excel); 3 hidden rows: 5, 250-251 (show all rows in Excel, "
                          "or choose to skip or include hidden rows (merge: --hidden-rows "
                          "skip|include))"]
    assert len(sizes) > 3 and None not in sizes
    skipped, _sizes = in_parts(path, None, "skip")
    assert skipped == whole(path, None, "skip") and len(skipped[1]) == 297


def test_a_merged_range_after_the_rows_gives_the_whole_table(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(streamed, "PIECE", 4096)
    path = register(tmp_path / "r.xlsx", 300, merged="C289:C294")
    outcome, sizes = in_parts(path, None, "refuse")
    assert outcome == whole(path, None, "refuse")
    assert None in sizes and sizes[-1] == 300  # parts withdrawn, then the whole table
    # C289 (the record of organisation 288) shown down the range, as the eye reads it
    assert [fields["plaats"] for fields, _origin, _n in outcome[1][286:293]] == \
        ["Zwolle"] + ["Den Bosch"] * 6


def test_rows_out_of_order_give_the_whole_table(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(streamed, "PIECE", 2048)
    path = register(tmp_path / "r.xlsx", 200)
    shuffled = tmp_path / "shuffled.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(shuffled, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                first = data.index(b'<row r="3"')
                cut = data.index(b'<row r="4"')
                end = data.index(b"</sheetData>")
                data = data[:first] + data[cut:end] + data[first:cut] + data[end:]
            target.writestr(item, data)
    outcome, sizes = in_parts(shuffled, None, "refuse")
    assert outcome == whole(shuffled, None, "refuse")
    assert [fields["cert_nr"] for fields, _origin, _n in outcome[1]] == [
        f"CBCT-{number:04d}" for number in range(1, 201)]  # sorted by row, as Excel shows
    assert None in sizes


def test_the_hidden_rows_choices_are_the_readers_modes_and_merge_offers_them() -> None:
    """HIDDEN_ROW_CHOICES (the modes these tests try) are HiddenRows' values, and merge's
    --hidden-rows, which spells them out so its --help imports no reader, offers the same."""
    from typing import get_args

    from cbct_docs.cli import merge

    assert HIDDEN_ROW_CHOICES == get_args(HiddenRows) == merge.HIDDEN_ROW_CHOICES
