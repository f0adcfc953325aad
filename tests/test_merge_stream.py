"""The merge of a register read a part at a time (issue 16): every record checked in one
pass, the records to make kept in a temporary file, not in memory. The letters, the
manifest and the errors are those of the register read whole: the same set with workers
and on one core; a problem in a late part stops the run before anything is written;
choosing and naming errors come after the data's problems, as before."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from cbct_docs.errors import CbctError, ProblemList
from cbct_docs.merge import merge
from cbct_docs.records import streamed

from .conftest import docx_text

ROWS = 260  # more than MIN_PARALLEL: a run with two cores uses workers


def register(path: Path, rows: int = ROWS, bad: int | None = None) -> Path:
    """A register of ``rows`` organisations; ``bad``: that data row shows an error."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Organisaties"
    sheet.append(["cert_nr", "naam", "plaats", "fw"])
    for number in range(1, rows + 1):
        sheet.append([f"CBCT-{number:04d}", f"Kunst & Co {number}",
                      "Zwolle" if number % 3 else "Den Bosch", "KiB" if number % 2 else "ZoO"])
    if bad is not None:
        sheet.cell(bad + 1, 3).value = "#N/A"
        sheet.cell(bad + 1, 3).data_type = "e"
    workbook.save(path)
    return path


@pytest.fixture(autouse=True)
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(streamed, "PIECE", 2048)  # ~20 rows a part


def test_a_register_in_parts_gives_every_letter_on_two_cores_and_one(
        tmp_path: Path, docx_template: Callable[..., Path]) -> None:
    if sys.platform == "win32":
        pytest.skip("workers need fork")
    data = register(tmp_path / "r.xlsx")
    template = docx_template(["{{ naam }} te {{ plaats }} ({{ _number }})"])
    outcome = {}
    for cores in (2, 1):
        out = tmp_path / f"out{cores}"
        result = merge(template, data, out, cores=cores)
        assert result.count("made") == ROWS
        files = {p.name: p.read_bytes() for p in out.glob("*.docx")}
        outcome[cores] = (files, (out / "manifest.json").read_text(encoding="utf-8"))
    assert outcome[1] == outcome[2]
    files, manifest = outcome[2]
    rows = json.loads(manifest)
    assert [row["output"] for row in rows] == [
        f"CBCT-{n:04d}-Kunst & Co {n}.docx" for n in range(1, ROWS + 1)]
    assert [row["record"] for row in rows[-2:]] == [
        f"{data}:Organisaties:row {ROWS}", f"{data}:Organisaties:row {ROWS + 1}"]
    assert manifest == json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    assert docx_text(tmp_path / "out2" / "CBCT-0250-Kunst & Co 250.docx").strip() == \
        "Kunst & Co 250 te Zwolle (250)"


def test_a_problem_in_a_late_part_writes_nothing(
        tmp_path: Path, docx_template: Callable[..., Path]) -> None:
    data = register(tmp_path / "r.xlsx", bad=240)
    out = tmp_path / "out"
    with pytest.raises(ProblemList) as caught:
        merge(docx_template(["{{ naam }}"]), data, out, cores=2)
    assert caught.value.messages() == [
        f"{data}:Organisaties:row 241:C241: the cell shows the error #N/A (correct the "
        "formula or type the value in Excel)"]
    assert not out.exists()


def test_where_limit_and_record_choose_across_parts(
        tmp_path: Path, docx_template: Callable[..., Path]) -> None:
    data = register(tmp_path / "r.xlsx")
    template = docx_template(["{{ naam }}"])
    chosen = merge(template, data, tmp_path / "a", where=["plaats=Den Bosch", "fw=ZoO"],
                   limit=30)
    assert [docx_text(o.path).strip() for o in chosen.outputs] == [
        f"Kunst & Co {n}" for n in range(6, 181, 6)]
    one = merge(template, data, tmp_path / "b", record=255)
    assert [o.path.name for o in one.outputs] == ["CBCT-0255-Kunst & Co 255.docx"]
    assert not (tmp_path / "b" / "manifest.json").exists()


def test_the_data_s_problems_come_before_choosing_and_naming(
        tmp_path: Path, docx_template: Callable[..., Path]) -> None:
    bad, good = register(tmp_path / "bad.xlsx", bad=200), register(tmp_path / "good.xlsx")
    template = docx_template(["{{ naam }}"])
    for options in ({"where": ["nergens=1"]}, {"record": ROWS + 1}, {"name": "{nergens}"}):
        with pytest.raises(ProblemList, match="the cell shows the error #N/A"):
            merge(template, bad, tmp_path / "x", **options)
    messages = []
    for options in ({"where": ["nergens=1"]}, {"record": ROWS + 1}, {"name": "{nergens}"}):
        with pytest.raises(CbctError) as caught:
            merge(template, good, tmp_path / "x", **options)
        messages.append(caught.value.messages()[0].split(" (")[0])
    assert messages == ["--where uses unknown field 'nergens'",
                        f"--record {ROWS + 1}: there are {ROWS} records",
                        "name pattern uses unknown field nergens"]
    assert not (tmp_path / "x").exists()
