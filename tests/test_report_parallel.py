"""``report`` on every core (issue 16): the concept and the definitief reports rendered by
worker processes are the reports one core makes, with the same events in the same order
and the same organisation passed by."""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys
from pathlib import Path

import openpyxl
import pytest

from cbct_docs.domain.process import Kind
from cbct_docs.paths import samples_dir
from cbct_docs.runs.office import OfficeFolder
from cbct_docs.runs.run import Run

from .golden import docx_reading_text
from .test_parallel_commands import SMALL_BATCHES, cli, members

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="workers need fork")
REPO = Path(__file__).resolve().parent.parent
ORGS = 7


def numbered(n: int) -> str:
    return f"CBCT-{3000 + n}"


def make_office(folder: Path) -> list[str]:
    """ORGS copies of Bibliotheek Gooi & Vecht (audited 8-10 April 2025), each with its
    own score sheet: the audit on record for the even ones, the concept already sent for
    the last one; the score sheets as command-line arguments."""
    book = openpyxl.load_workbook(samples_dir() / "register.xlsx")
    register = book.worksheets[0]
    model = next(r for r in register.iter_rows(min_row=2, values_only=True)
                 if r[0] == "CBCT-0107")
    register.delete_rows(2, register.max_row)
    (folder / "scores").mkdir()
    for n in range(ORGS):
        register.append([numbered(n), *model[1:]])
        scores = openpyxl.load_workbook(samples_dir() / "scores" / "CBCT-0107.xlsx")
        for row in scores["Audit"].iter_rows(min_row=2):
            if row[0].value == "cert_nr":
                row[1].value = numbered(n)
        scores.save(folder / "scores" / f"{numbered(n)}.xlsx")
    book.save(folder / "register.xlsx")
    office = OfficeFolder(folder, REPO / "cbct-docs.toml", new_database_ok=True,
                          database_file=folder / "cbct-ledger.sqlite")
    orgs, _changes = office.organisations()
    run = Run(office, folder / "out")
    days = ["2025-04-08", "2025-04-09", "2025-04-10"]
    for n, org in enumerate(orgs):
        if n % 2 == 0:
            run.record(org, Kind.AUDIT_HELD, dt.date(2025, 4, 10), {"dagen": days})
        if n == ORGS - 1:
            run.record(org, Kind.CONCEPT_SENT, dt.date(2025, 4, 22))
    run.commit()
    office.close()
    return [f"scores/{numbered(n)}.xlsx" for n in range(ORGS)]


def report(folder: Path, sheets: list[str], workers: int, *args: str) -> str:
    return cli(["report", *sheets, *args, "--office", ".", "--config",
                str(REPO / "cbct-docs.toml"), "--out", "out"], folder, workers,
               SMALL_BATCHES if workers > 1 else "")


def test_reports_made_on_every_core_are_the_reports_of_one_core(tmp_path: Path) -> None:
    results = {}
    for workers in (2, 1):
        folder = tmp_path / f"office{workers}"
        folder.mkdir()
        sheets = make_office(folder)
        printed = report(folder, sheets, workers, "--concept", "--date", "24-4-2025")
        printed += report(folder, sheets, workers, "--definitief", "--no-response",
                          "--date", "12-5-2025", "--overwrite")
        with sqlite3.connect(folder / "cbct-ledger.sqlite") as db:
            events = db.execute(
                "SELECT d.cert_nr, e.kind, e.day, e.data, e.document FROM events e "
                "JOIN dossiers d ON d.id = e.dossier_id ORDER BY e.id").fetchall()
        results[workers] = (members(folder / "out"), events, printed)
    assert results[2] == results[1]
    made, events, printed = results[2]
    assert len([n for n in made if "rapport-concept" in n]) == ORGS - 1  # one passed by
    assert len([n for n in made if "rapport-definitief" in n]) == ORGS
    assert numbered(ORGS - 1) in printed  # the one whose concept was sent already
    # After the 5 events of the set-up, per sheet in order: the audit (when not on record)
    # just before its concept; then per sheet the end of the reaction term and the report.
    expected = []
    for n in range(ORGS - 1):
        expected += [(numbered(n), Kind.AUDIT_HELD)] * (n % 2) + [(numbered(n), Kind.CONCEPT_SENT)]
    for n in range(ORGS):
        expected += [(numbered(n), Kind.RESPONSE_TERM_PASSED), (numbered(n), Kind.FINAL_REPORT)]
    assert [(cert_nr, kind) for cert_nr, kind, *_rest in events[5:]] == expected
    text = docx_reading_text(tmp_path / "office2" / "out" / "rapporten" /
                             f"{numbered(3)}-rapport-definitief-Bibliotheek Gooi & Vecht.docx")
    assert "Versie | definitief, 12 mei 2025" in text


def test_the_definitief_report_takes_the_sheets_the_concept_read(tmp_path: Path) -> None:
    """The concept report keeps the sheets it read (store.sheet_index); the definitief
    report finds them by their bytes and makes the reports a fresh reading makes (an
    office whose kept sheets were forgotten)."""
    made = {}
    for name in ("kept", "read"):
        folder = tmp_path / name
        folder.mkdir()
        sheets = make_office(folder)
        report(folder, sheets, 1, "--concept", "--date", "24-4-2025")
        with sqlite3.connect(folder / "cbct-ledger.sqlite") as db:
            kept = db.execute("SELECT cert_nr FROM sheet_index ORDER BY cert_nr").fetchall()
            assert kept == [(numbered(n),) for n in range(ORGS)]
            if name == "read":
                db.execute("DELETE FROM sheet_index")
        report(folder, sheets, 1, "--definitief", "--no-response", "--date", "12-5-2025",
               "--overwrite")
        made[name] = members(folder / "out")
    assert made["kept"] == made["read"]
    assert len([n for n in made["kept"] if "rapport-definitief" in n]) == ORGS
