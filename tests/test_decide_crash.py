"""``decide`` killed (SIGKILL) while it writes: after a rerun every dossier and every file
agree, and no certificate number is lost or given twice."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from cbct_docs.deliver.ledger import Ledger
from cbct_docs.domain.process import Kind
from cbct_docs.paths import samples_dir
from cbct_docs.runs.office import OfficeFolder
from cbct_docs.runs.run import Run

from .golden import docx_reading_text

REPO = Path(__file__).resolve().parent.parent
ORGS = 120
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


def numbered(n: int) -> str:
    return f"CBCT-{2000 + n}"


def make_office(folder: Path) -> list[Path]:
    """An office of ORGS copies of Bibliotheek Gooi & Vecht (certified in the samples),
    each with its own number, score sheet and a definitief report on record."""
    book = openpyxl.load_workbook(samples_dir() / "register.xlsx")
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    model = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "CBCT-0107")
    sheet.delete_rows(2, sheet.max_row)
    for n in range(ORGS):
        sheet.append([numbered(n), *model[1:]])
    book.save(folder / "register.xlsx")
    (folder / "scores").mkdir()
    sheets = []
    for n in range(ORGS):
        scores = openpyxl.load_workbook(samples_dir() / "scores" / "CBCT-0107.xlsx")
        for row in scores["Audit"].iter_rows(min_row=2):
            if row[0].value == "cert_nr":
                row[1].value = numbered(n)
        sheets.append(folder / "scores" / f"{numbered(n)}.xlsx")
        scores.save(sheets[-1])
    assert header[0] == "cert_nr"
    office = OfficeFolder(folder, REPO / "cbct-docs.toml", new_database_ok=True,
                          database_file=folder / "cbct-ledger.sqlite")
    orgs, _changes = office.organisations()
    run = Run(office, folder / "out")
    for org in orgs:  # the reports were made earlier in this cycle
        run.record(org, Kind.AUDIT_HELD, dt.date(2025, 4, 10), {"dagen": ["2025-04-10"]})
        run.record(org, Kind.CONCEPT_SENT, dt.date(2025, 4, 24))
        run.record(org, Kind.RESPONSE_TERM_PASSED, dt.date(2025, 5, 9))
        run.record(org, Kind.FINAL_REPORT, dt.date(2025, 5, 12))
    run.commit()
    office.close()
    return sheets


def decide(folder: Path, sheets: list[Path]) -> list[str]:
    return [sys.executable, "-m", "cbct_docs", "decide", *map(str, sheets),
            "--office", str(folder), "--config", str(REPO / "cbct-docs.toml"),
            "--date", "22-5-2025", "--out", str(folder / "out")]


def test_killed_decide_then_rerun_agrees_with_every_dossier(tmp_path: Path) -> None:
    sheets = make_office(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "CBCT_LEDGER"}
    proc = subprocess.Popen(decide(tmp_path, sheets), env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    letters = tmp_path / "out" / "besluitbrief"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if letters.is_dir() and any(letters.iterdir()):
            break
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    database = tmp_path / "cbct-ledger.sqlite"
    with sqlite3.connect(database) as db:
        decided = db.execute("SELECT count(*) FROM events WHERE kind = 'besluit'").fetchone()[0]
    # All or nothing: the events are recorded in the transaction that wrote the files.
    assert decided in (0, ORGS)
    with Ledger(database) as ledger:
        before = {a.org_key: a.number for a in ledger.allocations()}

    rerun = subprocess.run(decide(tmp_path, sheets), env=env, capture_output=True, text=True,
                           timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    with sqlite3.connect(database) as db:
        rows = db.execute(
            "SELECT d.cert_nr, e.kind, e.document, e.sha256, e.data FROM events e "
            "JOIN dossiers d ON d.id = e.dossier_id WHERE e.kind IN "
            "('besluit', 'certificaat-uitgereikt') ORDER BY e.id").fetchall()
    assert len(rows) == 2 * ORGS  # one decision and one certificate each, never two
    numbers = {}
    for cert_nr, kind, document, sha256, data in rows:
        path = Path(document)
        assert path.is_file(), document
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha256
        if kind == Kind.CERTIFICATE_ISSUED.value:
            number = json.loads(data)["nummer"]
            numbers[cert_nr] = number
            assert f"Certificaatnummer {number}" in docx_reading_text(path)
    assert len(set(numbers.values())) == ORGS  # no number given twice
    with Ledger(database) as ledger:
        allocated = {a.org_key: a.number for a in ledger.allocations()}
    assert allocated == numbers  # none lost: every allocated number is on a certificate
    assert all(before[key] == allocated[key] for key in before)  # and kept on the rerun
    assert len(list((tmp_path / "out" / "certificaat").glob("*.docx"))) == ORGS
    assert not list((tmp_path / "out").rglob(".*.tmp"))
