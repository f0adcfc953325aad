"""A merge reads its data a part at a time (issue 16): a register read in many parts, with
and without worker processes, gives every letter in order, the manifest row by row, and a
bad row in a late part stops the merge before anything is written."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from cbct_docs.errors import CbctError
from cbct_docs.merge import manifest as manifest_module
from cbct_docs.merge import merge
from cbct_docs.records import stream as streaming

from .conftest import docx_text

ROWS = 260  # more than MIN_PARALLEL: workers make them with two cores


def register(path: Path, rows: int = ROWS, bad_row: int = 0) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["naam", "plaats"])
    for number in range(1, rows + 1):
        sheet.append([f"Bibliotheek {number:03d}",
                      "=1/0" if number == bad_row else f"Plaats {number}"])
    workbook.save(path)
    return path


@pytest.fixture(autouse=True)
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(streaming, "PIECE", 2000)  # ~25 rows a part
    monkeypatch.setattr(manifest_module, "PIECE", 500)  # a few manifest rows a piece


@pytest.mark.parametrize("cores", [1, 2])
def test_a_register_in_many_parts_gives_every_letter_in_order(
        tmp_path: Path, docx_template: Callable[..., Path], cores: int) -> None:
    data = register(tmp_path / "register.xlsx")
    assert len(list(streaming.stream_records(data).parts())) > 10  # read in parts
    template = docx_template(["{{ naam }} in {{ plaats }}"])
    result = merge(template, data, tmp_path / "out", cores=cores)
    assert [docx_text(o.path).strip() for o in result.outputs] == [
        f"Bibliotheek {n:03d} in Plaats {n}" for n in range(1, ROWS + 1)]
    rows = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert [row["record"] for row in rows] == [f"{data}:Sheet:row {n}"
                                              for n in range(2, ROWS + 2)]
    assert (tmp_path / "out" / "manifest.json").read_bytes() == (json.dumps(
        rows, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    assert all(o.record is None for o in result.outputs)  # let go once made


def test_a_bad_row_in_a_late_part_stops_the_merge_before_writing(
        tmp_path: Path, docx_template: Callable[..., Path]) -> None:
    data = register(tmp_path / "register.xlsx", bad_row=240)
    template = docx_template(["{{ naam }}"])
    with pytest.raises(CbctError) as raised:
        merge(template, data, tmp_path / "out", cores=2)
    assert raised.value.messages()[0].startswith(f"{data}:Sheet:row 241:B241: formula")
    assert not (tmp_path / "out").exists()
