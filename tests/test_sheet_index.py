"""The office's index of score sheets read before (store/sheet_index.py, issue 16): a sheet
is found by the digest of its bytes and gives back exactly what reading it gives; a
changed sheet, a sheet read by other code, or a sheet with a problem is read anew."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from cbct_docs.domain.advice import CERTIFIED
from cbct_docs.domain.register import read_register
from cbct_docs.domain.scoresheet import AdviceOverride, NormNotes, read_scoresheet
from cbct_docs.errors import CbctError
from cbct_docs.paths import samples_dir
from cbct_docs.runs.audit import decide, heraudit
from cbct_docs.runs.sheets import read_to_keep, scoresheets, sheet_owners
from cbct_docs.store import sheet_index
from cbct_docs.store.database import open_database
from cbct_docs.store.sheet_index import SheetIndex, decode, encode

from .golden import docx_reading_text
from .registers import edited, reported_office

SAMPLES = sorted((samples_dir() / "scores").glob("*.xlsx"))



def kept_rows(db: sqlite3.Connection) -> list[tuple[str, str]]:
    return db.execute("SELECT cert_nr, reader FROM sheet_index ORDER BY rowid").fetchall()


def test_a_kept_sheet_reads_as_the_sheet_itself(tmp_path: Path) -> None:
    """Every sample sheet, one with an advice override and one with unanswered
    indicators: the kept form gives the same values, types and order."""
    override = tmp_path / "CBCT-0102.xlsx"
    shutil.copy(samples_dir() / "scores" / override.name, override)
    book = openpyxl.load_workbook(override)
    audit = book["Audit"]
    rows = {audit.cell(row, 1).value: row for row in range(1, audit.max_row + 1)}
    audit.cell(rows["advies_override"], 2).value = "Gecertificeerd"
    audit.cell(rows["override_reden"], 2).value = "Na overleg met de directie ∙ één keer"
    book["Indicatoren"]["E2"] = None
    book.save(override)
    for path in [*SAMPLES, override]:
        sheet, digest, form = read_to_keep(path)
        assert repr(sheet) == repr(read_scoresheet(path))
        assert digest == sheet_index.digest_of(path.read_bytes())
        assert form is not None
        assert repr(decode(form, str(path))) == repr(sheet)
    changed = read_scoresheet(override)
    assert changed.override is not None and changed.override.reason.endswith("één keer")
    assert next(iter(changed.indicators.values())) is None


@pytest.mark.parametrize("workers", [False, True])
def test_sheets_read_once_are_found_by_their_bytes(
        workers: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        forked_workers: Callable[..., None]) -> None:
    if workers:
        forked_workers(min_batch=2, chunk=2)
    orgs = read_register(samples_dir() / "register.xlsx")
    db = open_database(tmp_path / "office.sqlite", new_ok=True)
    index = SheetIndex(db)
    assert index.find_files(SAMPLES) == {}  # nothing kept yet
    first = scoresheets(SAMPLES, orgs, index)
    assert [repr(pair) for pair in first] == [repr(pair) for pair in scoresheets(SAMPLES, orgs)]
    assert [cert_nr for cert_nr, _reader in kept_rows(db)] == [s.cert_nr for _o, s in first]
    assert set(index.find_files(SAMPLES)) == set(SAMPLES)
    again = scoresheets(SAMPLES, orgs, index)  # from the index
    assert [repr(pair) for pair in again] == [repr(pair) for pair in first]
    owners = sheet_owners(SAMPLES, orgs, index)
    assert [(o.cert_nr, p) for o, p, _kept in owners] == [
        (o.cert_nr, Path(s.source)) for o, s in first]
    assert all(kept is not None for _o, _p, kept in owners)


def test_a_changed_sheet_is_read_anew(tmp_path: Path) -> None:
    """The same file name with other bytes (here: another certificate number) is another
    sheet: its owner is the one it names now, never the one kept."""
    orgs = read_register(samples_dir() / "register.xlsx")
    index = SheetIndex(open_database(tmp_path / "office.sqlite", new_ok=True))
    path = tmp_path / "CBCT-0102.xlsx"
    shutil.copy(samples_dir() / "scores" / "CBCT-0102.xlsx", path)
    [(org, _sheet)] = scoresheets([path], orgs, index)
    assert org.cert_nr == "CBCT-0102"
    book = openpyxl.load_workbook(path)
    book["Audit"]["B2"] = "CBCT-0107"
    book.save(path)
    [(owner, _path, kept)] = sheet_owners([path], orgs, index)
    assert owner.cert_nr == "CBCT-0107" and kept is None
    with pytest.raises(CbctError, match="the sheet has modules"):
        scoresheets([path], orgs, index)  # read anew: 0107 has other modules


def test_a_sheet_with_a_problem_is_never_kept(tmp_path: Path) -> None:
    orgs = read_register(samples_dir() / "register.xlsx")
    db = open_database(tmp_path / "office.sqlite", new_ok=True)
    index = SheetIndex(db)
    broken = edited(tmp_path / "b", "CBCT-0107", "Scores", "E2", "Heel erg goed")
    good = samples_dir() / "scores" / "CBCT-0101.xlsx"
    for _attempt in range(2):  # reported the second time too, as read
        with pytest.raises(CbctError) as caught:
            scoresheets([good, broken], orgs, index)
        assert str(caught.value).startswith(f"{broken}:Scores")
        assert "'Heel erg goed' is not one of" in str(caught.value)
    assert [cert_nr for cert_nr, _reader in kept_rows(db)] == ["CBCT-0101"]


def test_sheets_kept_by_other_code_are_not_found_and_go(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    orgs = read_register(samples_dir() / "register.xlsx")
    db = open_database(tmp_path / "office.sqlite", new_ok=True)
    scoresheets(SAMPLES[:2], orgs, SheetIndex(db))
    db.execute("UPDATE sheet_index SET reader = 'another version'")
    index = SheetIndex(db)
    assert index.find_files(SAMPLES) == {}
    monkeypatch.setattr(sheet_index, "MOST", 3)
    scoresheets(SAMPLES, orgs, index)  # all read again; the three newest stay
    assert kept_rows(db) == [(path.stem, index.version) for path in SAMPLES[-3:]]


def test_encode_refuses_what_it_cannot_give_back() -> None:
    sheet = read_scoresheet(SAMPLES[0])
    assert encode(sheet) is not None
    sheet.scores = {1.1: "Volledig"}  # type: ignore[dict-item]  # JSON gives "1.1"
    assert encode(sheet) is None
    sheet = read_scoresheet(SAMPLES[0])
    sheet.auditors = ("Anna de Wit",)  # type: ignore[assignment]  # JSON gives a list
    assert encode(sheet) is None
    sheet = read_scoresheet(SAMPLES[0])
    sheet.audit_dates = [dt.datetime(2025, 4, 10, 9, 30)]  # not a plain date
    assert encode(sheet) is None
    sheet.audit_dates = [dt.datetime(2025, 4, 10)]  # equal to a date, but not one
    assert encode(sheet) is None


def with_extra(value: Any) -> Any:
    object.__setattr__(value, "extra", "x")  # (frozen)
    return value


class OwnOverride(AdviceOverride):
    pass


@pytest.mark.parametrize("change", [
    lambda sheet: setattr(sheet, "notes", {True: NormNotes()}),  # JSON gives true, not 1
    lambda sheet: sheet.indicators.update({"x": "ja"}),  # an answer is True/False/None
    lambda sheet: sheet.comments.update({"1.1": 3}),  # JSON would keep 3, not "3"
    lambda sheet: setattr(sheet, "extra", 1),  # a field encode does not know of
    lambda sheet: setattr(sheet, "modules", ["ido"]),  # decode makes a tuple
    lambda sheet: setattr(sheet, "category", None),
    lambda sheet: setattr(sheet, "notes", {1: with_extra(NormNotes("bevinding"))}),
    lambda sheet: setattr(sheet, "override", with_extra(AdviceOverride(CERTIFIED, "reden"))),
    lambda sheet: setattr(sheet, "override", OwnOverride(CERTIFIED, "reden")),
])
def test_encode_refuses_a_value_of_another_type(change: Any) -> None:
    """Every value of a kind decode would not give back makes encode refuse the sheet
    (a note or override with an attribute decode does not set, or of a subclass)."""
    sheet = read_scoresheet(SAMPLES[0])
    assert repr(decode(encode(sheet) or b"", sheet.source)) == repr(sheet)
    change(sheet)
    assert encode(sheet) is None


def test_heraudit_after_decide_takes_the_kept_sheets(tmp_path: Path) -> None:
    """decide keeps the sheets it read; heraudit finds them by their bytes and makes the
    same letter as from a fresh reading (an office whose index was emptied)."""
    letters = []
    for name, forget in (("kept", False), ("read", True)):
        folder = tmp_path / name
        folder.mkdir()
        office = reported_office(folder, samples_dir() / "register.xlsx",
                                 ("CBCT-0102", "CBCT-0107"))
        samples = [samples_dir() / "scores" / f"{c}.xlsx" for c in ("CBCT-0102", "CBCT-0107")]
        decide(office, samples, dt.date(2025, 6, 19), out=folder / "out")
        db = office.database()
        assert [cert_nr for cert_nr, _r in kept_rows(db)] == ["CBCT-0102", "CBCT-0107"]
        if forget:
            db.execute("DELETE FROM sheet_index")
        made = heraudit(office, samples, dt.date(2025, 11, 1), out=folder / "out2")
        [letter] = [m.path for m in made.made]
        letters.append(docx_reading_text(letter))
        office.close()
    assert "Bibliotheek Rivierenland" in letters[0]
    assert letters[0] == letters[1]


def test_only_small_files_are_looked_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                        ) -> None:
    """A file larger than a score sheet can be, a folder or a missing file is not looked
    up (it is read as before, which says why)."""
    sample = SAMPLES[0].read_bytes()
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(sample)
    assert sheet_index.small_file(path) == sample
    assert sheet_index.file_digest(path) == sheet_index.digest_of(sample)
    monkeypatch.setattr(sheet_index, "LARGEST", len(sample) - 1)
    assert sheet_index.small_file(path) is None and sheet_index.file_digest(path) is None
    assert sheet_index.small_file(tmp_path) is None
    assert sheet_index.small_file(tmp_path / "missing.xlsx") is None


def test_no_file_is_read_for_its_digest_while_nothing_is_kept(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A first reading (an empty index, or one of another version) does not read every
    file once more only to look its digest up."""
    digested: list[Path] = []
    real = sheet_index.file_digest

    def counted(path: Path) -> str | None:
        digested.append(path)
        return real(path)

    monkeypatch.setattr(sheet_index, "file_digest", counted)
    orgs = read_register(samples_dir() / "register.xlsx")
    index = SheetIndex(open_database(tmp_path / "office.sqlite", new_ok=True))
    assert not index.has_sheets()
    scoresheets(SAMPLES, orgs, index)
    assert digested == []
    assert index.has_sheets()
    assert set(index.find_files(SAMPLES)) == set(SAMPLES)
    assert digested == SAMPLES
    index.db.execute("UPDATE sheet_index SET reader = 'another version'")
    assert not index.has_sheets()
    assert index.find_files(SAMPLES) == {}
    assert digested == SAMPLES
