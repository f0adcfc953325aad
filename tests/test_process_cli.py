"""The process as the office runs it on the command line: events recorded with their
documents, refusals that name the organisation and the step, status and its
spreadsheet, postponement, dossiers started from history, and the heraudit path to
"alsnog gecertificeerd"."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result

from cbct_docs.cli import cli
from cbct_docs.paths import samples_dir

from .golden import docx_reading_text
from .registers import edited_register

SAMPLES = samples_dir()
REPO = Path(__file__).resolve().parent.parent
OFFICE = ["--register", str(SAMPLES / "register.xlsx"), "--config", str(REPO / "cbct-docs.toml")]


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "office.sqlite"
    monkeypatch.setenv("CBCT_LEDGER", str(path))
    monkeypatch.setenv("CBCT_USER", "marieke")
    return path


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def ok(*args: str) -> Result:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result


def events(database: Path, cert_nr: str) -> list[tuple[str, str, str, str, str]]:
    with sqlite3.connect(database) as db:
        return db.execute(
            "SELECT e.kind, e.day, e.document, e.sha256, e.recorded_by FROM events e JOIN "
            "dossiers d ON d.id = e.dossier_id WHERE d.cert_nr = ? ORDER BY e.id",
            (cert_nr,)).fetchall()


def sheet(cert_nr: str, folder: str = "scores") -> str:
    return str(SAMPLES / folder / f"{cert_nr}.xlsx")


def test_each_step_is_recorded_with_its_document(tmp_path: Path, database: Path) -> None:
    out = str(tmp_path / "out")
    ok("announce", "-q", "2025-Q2", *OFFICE, "--date", "13-1-2025", "--out", out)
    ok("record", "CBCT-0107", "intake-ontvangen", "--date", "20-1-2025")
    ok("confirm", str(SAMPLES / "planning.xlsx"), "--org", "CBCT-0107", *OFFICE,
       "--date", "3-2-2025", "--out", out)
    ok("record", "CBCT-0107", "zelfevaluatie-ontvangen", "--date", "20-2-2025")
    ok("report", sheet("CBCT-0107"), "--concept", "--date", "24-4-2025", "--out", out)
    ok("report", sheet("CBCT-0107"), "--definitief", "--response", "verwerkt", "--date",
       "2-5-2025", "--out", out)
    ok("decide", sheet("CBCT-0107"), "--date", "12-5-2025", "--out", out)
    ok("survey", "--org", "CBCT-0107", "--date", "19-5-2025", "--out", out)
    ok("record", "CBCT-0107", "post-verstuurd", "--date", "14-5-2025")
    recorded = events(database, "CBCT-0107")
    assert [(kind, day) for kind, day, *_ in recorded] == [
        ("aangekondigd", "2025-01-13"), ("intake-ontvangen", "2025-01-20"),
        ("bevestigd", "2025-02-03"), ("zelfevaluatie-ontvangen", "2025-02-20"),
        ("audit-gehouden", "2025-04-10"), ("concept-verstuurd", "2025-04-24"),
        ("reactie-ontvangen", "2025-05-02"), ("definitief-rapport", "2025-05-02"),
        ("besluit", "2025-05-12"), ("certificaat-uitgereikt", "2025-05-12"),
        ("enquete-verstuurd", "2025-05-19"), ("post-verstuurd", "2025-05-14")]
    for kind, _day, document, sha256, user in recorded:
        assert user == "marieke"
        if document:  # every document the dossier names is there, as recorded
            assert hashlib.sha256(Path(document).read_bytes()).hexdigest() == sha256, kind
    assert sum(1 for _k, _d, document, *_ in recorded if document) == 7
    # The decision wrote the new end date back: the register as it now stands says so.
    export = tmp_path / "register-nu.xlsx"
    ok("register", "export", str(export))
    rows = openpyxl.load_workbook(export).worksheets[0].iter_rows(values_only=True)
    assert next(r for r in rows if r[0] == "CBCT-0107")[10] == dt.datetime(2029, 5, 11)
    shown = ok("dossier", "show", "CBCT-0107").output
    assert "12-5-2025  Besluit genomen  (marieke)" in shown
    assert "Stap: Cyclus afgerond" in shown or "Nog niet aangekondigd" in shown


def test_refusals_name_the_organisation_and_the_step(tmp_path: Path, database: Path) -> None:
    out = str(tmp_path / "out")
    decide = run("decide", sheet("CBCT-0107"), *OFFICE, "--date", "12-5-2025", "--out", out)
    assert decide.exit_code == 1
    assert decide.output.startswith("Error: CBCT-0107 (Bibliotheek Gooi & Vecht): there is "
                                    "no definitief report yet (make it first")
    survey = run("survey", "--org", "CBCT-0107", "--date", "1-1-2025", "--out", out)
    assert "CBCT-0107 (Bibliotheek Gooi & Vecht): there is no decision yet" in survey.output
    certificate = run("certificate", "--org", "CBCT-0107", "--out", out)
    assert "CBCT-0107 (Bibliotheek Gooi & Vecht): there is no decision yet" in \
        certificate.output
    assert not Path(out).exists() and events(database, "CBCT-0107") == []


def test_a_late_concept_needs_a_reason_which_status_shows(tmp_path: Path,
                                                          database: Path) -> None:
    out = str(tmp_path / "out")
    late = run("report", sheet("CBCT-0107"), "--concept", *OFFICE, "--date", "2-6-2025",
               "--out", out)
    assert late.exit_code == 1
    assert ("a concept report dated 2-6-2025 is later than the term of 3 weeks after the "
            "audit (by 1-5-2025)") in late.output
    ok("report", sheet("CBCT-0107"), "--concept", "--reason", "auditor ziek", "--date",
       "2-6-2025", "--out", out)
    status = ok("status", "--quarter", "2025-Q2", "--date", "20-6-2025").output
    assert ("CBCT-0107  Bibliotheek Gooi & Vecht  [KiB 2025-Q2]  Concept verstuurd → Reactie "
            "afwachten (hoor en wederhoor) (uiterlijk 16-6-2025)") in status
    assert "    afwijking: Conceptrapport gemaakt (2-6-2025): auditor ziek" in status
    overdue = ok("status", "--overdue", "--date", "20-6-2025",
                 "--xlsx", str(tmp_path / "te-laat.xlsx")).output
    assert "CBCT-0107" in overdue
    sheet_rows = list(openpyxl.load_workbook(tmp_path / "te-laat.xlsx")["Status"]
                      .iter_rows(values_only=True))
    assert sheet_rows[0][:4] == ("cert_nr", "naam", "kader", "kwartaal")
    row = next(r for r in sheet_rows if r[0] == "CBCT-0107")
    assert row[5] == "Reactie afwachten (hoor en wederhoor)" and row[7] == "ja"


def test_an_audit_outside_its_quarter_needs_a_recorded_postponement(
        tmp_path: Path, database: Path) -> None:
    planning = tmp_path / "planning.xlsx"
    book = openpyxl.load_workbook(SAMPLES / "planning.xlsx")
    for row in book["Afspraken"].iter_rows(min_row=2):
        if row[0].value == "CBCT-0101":  # certificate ends 1-4-2025: audit in Q2
            row[1].value = dt.datetime(2025, 8, 12)
    book.save(planning)
    out = str(tmp_path / "out")
    refused = run("confirm", str(planning), "--org", "CBCT-0101", *OFFICE, "--date",
                  "3-2-2025", "--out", out)
    assert refused.exit_code == 1
    assert ("Error: CBCT-0101 (Bibliotheek Rivierenland): the audit on 12-8-2025 falls "
            "outside tweede kwartaal van 2025 (2025-Q2)") in refused.output
    postponed = run("record", "CBCT-0101", "uitstel", "--quarter", "2025-Q3", "--date",
                    "1-2-2025")
    assert postponed.exit_code == 1 and "uitstel needs the new quarter and a reason" in \
        postponed.output
    ok("record", "CBCT-0101", "uitstel", "--quarter", "2025-Q3", "--reason", "verbouwing",
       "--date", "1-2-2025")
    ok("confirm", str(planning), "--quarter", "2025-Q3", *OFFICE, "--date", "3-2-2025",
       "--out", out)
    [letter] = (tmp_path / "out" / "bevestigingsbrief").glob("*.docx")
    assert letter.name.startswith("CBCT-0101") and "12 augustus 2025" in \
        docx_reading_text(letter)


def test_confirm_per_quarter_passes_by_who_is_not_at_that_step(tmp_path: Path,
                                                              database: Path) -> None:
    out = str(tmp_path / "out")
    ok("confirm", str(SAMPLES / "planning.xlsx"), "--org", "CBCT-0107", *OFFICE, "--date",
       "3-2-2025", "--out", out)
    result = ok("confirm", str(SAMPLES / "planning.xlsx"), "--quarter", "2025-Q2", "--date",
                "3-2-2025", "--out", out)
    assert "skipped CBCT-0107 Bibliotheek Gooi & Vecht: bevestigd op 3-2-2025" in result.output
    letters = sorted(p.name[:9] for p in (tmp_path / "out" / "bevestigingsbrief").glob("*"))
    assert letters == ["CBCT-0101", "CBCT-0102", "CBCT-0104", "CBCT-0107", "CBCT-0111"]


def test_events_from_a_sheet_all_or_nothing(tmp_path: Path, database: Path) -> None:
    ok("announce", "-q", "2025-Q2", *OFFICE, "--date", "13-1-2025", "--out",
       str(tmp_path / "out"))
    book = openpyxl.Workbook()
    rows = book.active
    assert rows is not None
    rows.append(["cert_nr", "gebeurtenis", "datum"])
    rows.append(["CBCT-0101", "intake ontvangen", "20-1-2025"])
    rows.append(["CBCT-0102", "intake-binnen", "21-1-2025"])
    rows.append(["CBCT-0109", "intake-ontvangen", "21-1-2025"])
    rows.append(["CBCT-01", "intake-ontvangen", "21-1-2025"])  # no such organisation
    rows.append(["cbct-0102", "intake-ontvangen", "21-1-2025"])  # found whatever its case
    path = tmp_path / "gebeurtenissen.xlsx"
    book.save(path)
    result = run("record", "--from", str(path))
    assert result.exit_code == 1
    assert f"Error: {path}:Sheet:row 3: unknown event 'intake-binnen'" in result.output
    assert (f"Error: {path}:Sheet:row 4:CBCT-0109 (Bibliotheek Hoeksche Waard): the audit "
            "was not announced yet") in result.output
    assert (f"Error: {path}:Sheet:row 5: no organisation with certificate number 'CBCT-01' "
            "(did you mean CBCT-0101, CBCT-0102") in result.output
    assert "row 6" not in result.output and "3 problems." in result.output
    assert [k for k, *_ in events(database, "CBCT-0101")] == ["aangekondigd"]


def test_dossier_import_twice_changes_nothing(tmp_path: Path, database: Path) -> None:
    args = ["dossier", "import", *OFFICE, "--planning", str(SAMPLES / "planning.xlsx"),
            "--scores", str(SAMPLES / "scores")]
    first = ok(*args)
    assert "18 event(s) recorded." in first.output  # 6 announced, 6 confirmed, 6 audits
    assert ok(*args).output.endswith("0 event(s) recorded.\n")
    status = ok("status", "--quarter", "2025-Q2", "--date", "1-6-2025").output
    assert ("CBCT-0107  Bibliotheek Gooi & Vecht  [KiB 2025-Q2]  Audit gehouden → "
            "Conceptrapport versturen (uiterlijk 1-5-2025)") in status


def test_heraudit_path_to_alsnog_gecertificeerd(tmp_path: Path, database: Path) -> None:
    out = tmp_path / "out"
    o = str(out)
    ok("report", sheet("CBCT-0102"), "--concept", *OFFICE, "--date", "28-5-2025", "--out", o)
    ok("report", sheet("CBCT-0102"), "--definitief", "--no-response", "--date", "12-6-2025",
       "--out", o)
    first = ok("decide", sheet("CBCT-0102"), "--date", "19-6-2025", "--out", o)
    assert "certificaat" not in first.output  # voorwaardelijk: no certificate yet
    early = run("decide", sheet("CBCT-0102", "heraudit"), "--date", "27-1-2026", "--out", o)
    assert early.exit_code == 0 and "besluit genomen op 19-6-2025" in early.output
    ok("heraudit", sheet("CBCT-0102"), "--date", "1-11-2025", "--out", o)
    ok("decide", sheet("CBCT-0102", "heraudit"), "--date", "27-1-2026", "--out", o)
    [letter] = (out / "besluitbrief-heraudit").glob("CBCT-0102-*.docx")
    text = docx_reading_text(letter)
    assert "Op 13 januari 2026 vond bij Bibliotheek Rivierenland de heraudit plaats." in text
    assert "Norm 3: Mensen | voldoende" in text
    assert "Besluit: Alsnog gecertificeerd" in text
    assert "Norm 1:" not in text  # only the norm the heraudit covered
    [certificate] = (out / "certificaat").glob("CBCT-0102-*.docx")
    assert "Geldig van 27 januari 2026 tot en met 26 januari 2030" in \
        docx_reading_text(certificate)
    kinds = [k for k, *_ in events(database, "CBCT-0102")]
    assert kinds[-4:] == ["heraudit-gepland", "heraudit-gehouden", "heraudit-besluit",
                          "certificaat-uitgereikt"]


def test_a_lost_database_is_refused_until_the_office_starts_anew(tmp_path: Path,
                                                                 database: Path) -> None:
    database.touch()  # the records are gone: an empty file where the database was
    refused = run("status")
    assert refused.exit_code == 1
    assert refused.output.startswith(f"Error: {database}: the office database is an empty "
                                     "file: its records are gone (restore it from a backup")
    register = str(SAMPLES / "register.xlsx")
    assert run("register", "import", register).exit_code == 1
    started = ok("register", "import", register, "--new-ledger")
    assert "14 change(s)." in started.output
    assert "14 organisation(s)" in ok("status").output


def test_bezwaar_and_klacht_are_recorded_in_order(tmp_path: Path, database: Path) -> None:
    early = run("record", "CBCT-0107", "bezwaar-ingediend", "--date", "1-6-2025", *OFFICE)
    assert early.exit_code == 1
    assert "CBCT-0107 (Bibliotheek Gooi & Vecht): there is no decision to object to" in \
        early.output
    out = str(tmp_path / "out")
    ok("report", sheet("CBCT-0107"), "--concept", "--date", "24-4-2025", "--out", out)
    ok("report", sheet("CBCT-0107"), "--definitief", "--no-response", "--date", "9-5-2025",
       "--out", out)
    ok("decide", sheet("CBCT-0107"), "--date", "12-5-2025", "--out", out)
    unsettled = run("record", "CBCT-0107", "bezwaar-afgehandeld", "--date", "1-7-2025")
    assert unsettled.exit_code == 1 and "no bezwaar was filed" in unsettled.output
    ok("record", "CBCT-0107", "bezwaar-ingediend", "--date", "1-6-2025", "--note",
       "over norm 4")
    ok("record", "CBCT-0107", "bezwaar-afgehandeld", "--date", "1-7-2025")
    ok("record", "CBCT-0107", "klacht", "--date", "2-7-2025", "--note", "bejegening")
    kinds = [(k, d) for k, d, *_ in events(database, "CBCT-0107")]
    assert kinds[-3:] == [("bezwaar-ingediend", "2025-06-01"),
                          ("bezwaar-afgehandeld", "2025-07-01"), ("klacht", "2025-07-02")]
    shown = ok("dossier", "show", "CBCT-0107").output
    assert "1-6-2025  Bezwaar ingediend  (marieke)" in shown
    assert "2-7-2025  Klacht  (marieke)" in shown
    # The reaction term of the concept (24-4-2025) was recorded as passed on 9-5-2025.
    assert ("reactietermijn-verstreken", "2025-05-09") in kinds


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_full_disk_writes_no_document_and_records_nothing(tmp_path: Path,
                                                            database: Path) -> None:
    """One e-mail of the quarter cannot be written (a file may not grow past 60 kB here,
    as on a full disk): the others are not written either, and no event is recorded."""
    book = openpyxl.load_workbook(SAMPLES / "register.xlsx")
    for row in book.worksheets[0].iter_rows(min_row=2):
        if row[0].value == "CBCT-0104":
            row[5].value = "mevrouw " + "Lange-Achternaam " * 2000
    register = tmp_path / "register.xlsx"
    book.save(register)
    ok("register", "import", str(register))
    code = ("import resource, signal, sys;"
            "signal.signal(signal.SIGXFSZ, signal.SIG_IGN);"
            "resource.setrlimit(resource.RLIMIT_FSIZE, (60000, 60000));"
            "from cbct_docs.cli import main; main(sys.argv[1:])")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-c", code, "announce", "-q", "2025-Q2", "--date",
                           "13-1-2025", "--config", str(REPO / "cbct-docs.toml"), "--out",
                           str(out)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "CBCT_LEDGER": str(database)})
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.splitlines()
    assert lines[0].startswith(f"Error: {out}/aankondiging/CBCT-0104-aankondiging-Taalhuis "
                               "Noord-Oost.eml: cannot write")
    assert lines[1].startswith(f"Error: {out}: so none of the other 4 file(s) of this run "
                               "was written either")
    assert [p for p in out.rglob("*") if p.is_file()] == []
    assert all(events(database, nr) == [] for nr in ("CBCT-0101", "CBCT-0104", "CBCT-0107"))


def test_sent_e_mails_are_recorded_in_their_dossiers(tmp_path: Path, database: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from .test_send import FaultyMailServer, start

    handler = FaultyMailServer()
    controller = start(handler)
    monkeypatch.setenv("CBCT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CBCT_SMTP_PORT", str(controller.port))
    monkeypatch.setenv("CBCT_SMTP_SECURITY", "none")
    monkeypatch.delenv("CBCT_SMTP_USER", raising=False)
    out = tmp_path / "out"
    try:
        ok("announce", "-q", "2025-Q2", *OFFICE, "--date", "13-1-2025", "--out", str(out))
        sent = ok("send", str(out / "aankondiging"), "--send", "--config",
                  str(REPO / "cbct-docs.toml"))
        again = ok("send", str(out / "aankondiging"), "--send", "--config",
                   str(REPO / "cbct-docs.toml"))
    finally:
        controller.stop()
    assert len(handler.received) == 5
    assert "5 sent e-mail(s) recorded in their dossiers." in sent.output
    assert "recorded in their dossiers" not in again.output  # nothing went the second time
    kinds = [kind for kind, *_ in events(database, "CBCT-0107")]
    assert kinds == ["aangekondigd", "verzonden"]
    assert "Verzonden per e-mail" in ok("dossier", "show", "CBCT-0107").output


def test_register_import_tells_the_dossiers_what_changed(tmp_path: Path,
                                                         database: Path) -> None:
    """``register import`` records the change in the dossier of each organisation whose
    row changed (as the web app's upload does), with the user; the step stays."""
    ok("announce", "-q", "2025-Q2", *OFFICE, "--date", "13-1-2025", "--out",
       str(tmp_path / "out"))
    edited = edited_register(tmp_path / "register.xlsx", {"CBCT-0107": {"city": "Bussum"}})
    result = ok("register", "import", str(edited))
    assert "CBCT-0107 Bibliotheek Gooi & Vecht: gewijzigd: city: Hilversum → Bussum" in \
        result.output
    recorded = events(database, "CBCT-0107")
    assert [(kind, by) for kind, _day, _doc, _sha, by in recorded] == [
        ("aangekondigd", "marieke"), ("register-ingelezen", "marieke")]
    shown = ok("dossier", "show", "CBCT-0107").output
    assert "Register ingelezen" in shown and "Aangekondigd" in shown
    assert [kind for kind, *_ in events(database, "CBCT-0101")] == ["aangekondigd"]


def test_a_changed_register_read_in_by_any_command_is_told_in_the_dossiers(
        tmp_path: Path, database: Path) -> None:
    """Not only ``register import``: a command given a changed ``--register`` reads it in
    through the same operation, so the dossier tells what changed there too."""
    ok("announce", "-q", "2025-Q2", *OFFICE, "--date", "13-1-2025", "--out",
       str(tmp_path / "out"))
    edited = edited_register(tmp_path / "register.xlsx",
                             {"CBCT-0107": {"email": "post@gooivecht.example"}})
    ok("status", "--register", str(edited), "--config", str(REPO / "cbct-docs.toml"))
    recorded = events(database, "CBCT-0107")
    assert [kind for kind, *_ in recorded] == ["aangekondigd", "register-ingelezen"]
    assert "Register ingelezen" in ok("dossier", "show", "CBCT-0107").output
