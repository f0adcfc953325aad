"""Every action of the web app is in the dossier with its user (issue 13): uploads of the
register, the planning and score sheets, read from the database and the dossier page;
and the pages speak Dutch where the rules and operations speak English (the command
line's language)."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cbct_docs.domain.refusals import REFUSALS
from cbct_docs.paths import samples_dir
from cbct_docs.web import create_app
from cbct_docs.web.messages import ERRORS_NL, REFUSALS_NL, dutch
from tests.test_web import Browser, _xlsx_upload, announce, made, make_office, page_text

from .registers import edited_register

PACKAGE = Path(__file__).resolve().parent.parent / "cbct_docs"


def notes(office: Path, cert_nr: str, kind: str) -> list[tuple[str, str, dict[str, str]]]:
    """(day, recorded_by, data) of the events of that kind in the organisation's dossiers."""
    with sqlite3.connect(office / "cbct-ledger.sqlite") as db:
        rows = db.execute(
            "SELECT e.day, e.recorded_by, e.data FROM events e JOIN dossiers d "
            "ON d.id = e.dossier_id WHERE d.cert_nr = ? AND e.kind = ? ORDER BY e.id",
            (cert_nr, kind)).fetchall()
    return [(day, by, json.loads(data)) for day, by, data in rows]


def dossiers(office: Path, cert_nr: str) -> int:
    with sqlite3.connect(office / "cbct-ledger.sqlite") as db:
        return int(db.execute("SELECT COUNT(*) FROM dossiers WHERE cert_nr = ?",
                              (cert_nr,)).fetchone()[0])


def upload(browser: Browser, url: str, path: Path, status: int = 200) -> str:
    field = "bestanden" if url.endswith("scoreformulieren") else "bestand"
    response = browser.post(url, {field: _xlsx_upload(path)}, status=status,
                            content_type="multipart/form-data")
    return page_text(response.get_data(as_text=True))


@pytest.fixture
def office(tmp_path: Path) -> Path:
    return make_office(tmp_path / "kantoor")


@pytest.fixture
def browser(office: Path, monkeypatch: pytest.MonkeyPatch) -> Browser:
    monkeypatch.setenv("CBCT_USER", "anna")
    return Browser(create_app(office, require_login=False))


def test_a_register_upload_tells_each_dossier_what_changed_for_it(browser: Browser,
                                                                  office: Path) -> None:
    announce(browser)  # the five Q2 organisations have a dossier; CBCT-0105 (Q4) none
    changed = edited_register(office.parent / "register-nieuw.xlsx", {
        "CBCT-0107": {"email": "kwaliteit@gooienvecht.example.nl", "street": "Kerkbrink 8"},
        "CBCT-0105": {"email": "nieuw@sudwest.example.nl"}})
    assert "Register ingelezen." in upload(browser, "/bestanden/register", changed)
    [(_day, by, data)] = notes(office, "CBCT-0107", "register-ingelezen")
    assert by == "anna"
    assert data["toelichting"] == (
        "gewijzigd: e-mailadres: m.kuipers@gooienvecht-bieb.example.nl → "
        "kwaliteit@gooienvecht.example.nl; straat: Kerkbrink 6 → Kerkbrink 8")
    text = browser.text("/organisatie/CBCT-0107")
    assert ("Register ingelezen (gewijzigd: e-mailadres: m.kuipers@gooienvecht-bieb.example"
            ".nl → kwaliteit@gooienvecht.example.nl; straat: Kerkbrink 6 → Kerkbrink 8) "
            "vastgelegd door anna") in text
    assert notes(office, "CBCT-0101", "register-ingelezen") == []  # nothing changed there
    assert dossiers(office, "CBCT-0105") == 0  # no dossier opened for a register change
    # The step is where it was: the register changed no step.
    assert "Stap: Aangekondigd" in text
    upload(browser, "/bestanden/register", changed)  # the same again: nothing new
    assert len(notes(office, "CBCT-0107", "register-ingelezen")) == 1


def test_a_planning_upload_tells_the_dossiers_whose_audit_it_plans_or_moves(
        browser: Browser, office: Path) -> None:
    announce(browser)
    planning = samples_dir() / "planning.xlsx"
    assert "Planning opgeslagen: 6 audits." in upload(browser, "/bestanden/planning",
                                                      planning)
    [(_day, by, data)] = notes(office, "CBCT-0101", "planning-ingelezen")
    assert by == "anna"
    assert data["toelichting"] == ("auditdagen 13-5-2025, 14-5-2025; auditoren Anna de Wit, "
                                   "Karim El Amrani")
    assert ("Planning ingelezen (auditdagen 13-5-2025, 14-5-2025; auditoren Anna de Wit, "
            "Karim El Amrani) vastgelegd door anna") in browser.text("/organisatie/CBCT-0101")
    upload(browser, "/bestanden/planning", planning)  # unchanged: no second note
    assert len(notes(office, "CBCT-0101", "planning-ingelezen")) == 1
    book = load_workbook(planning)
    audits = book["Audits"]
    audits.cell(row=2, column=3, value="Anna de Wit")  # CBCT-0101: one auditor now
    moved = office.parent / "planning-nieuw.xlsx"
    book.save(moved)
    upload(browser, "/bestanden/planning", moved)
    assert [d["toelichting"] for _day, _by, d in notes(office, "CBCT-0101",
                                                        "planning-ingelezen")][-1] == (
        "auditdagen 13-5-2025, 14-5-2025; auditoren Anna de Wit")
    assert len(notes(office, "CBCT-0102", "planning-ingelezen")) == 1


def test_a_score_sheet_upload_is_in_that_organisations_dossier(browser: Browser,
                                                              office: Path) -> None:
    announce(browser)
    sheet = samples_dir() / "scores" / "CBCT-0107.xlsx"
    browser.post("/organisatie/CBCT-0107/scoreformulier", {"bestand": _xlsx_upload(sheet)},
                 content_type="multipart/form-data")
    [(_day, by, data)] = notes(office, "CBCT-0107", "scoreformulier-ingelezen")
    assert (by, data["bestand"]) == ("anna", "scores/CBCT-0107.xlsx")
    assert ("Scoreformulier ingelezen (CBCT-0107.xlsx, bewaard als scores/CBCT-0107.xlsx) "
            "vastgelegd door anna") in browser.text("/organisatie/CBCT-0107")
    # A new version through Bestanden replaces it; the note says where the old one is.
    book = load_workbook(sheet)
    book.active.title = book.active.title  # same content, saved anew: other bytes
    again = office.parent / "CBCT-0107.xlsx"
    book.save(again)
    assert "1 scoreformulier(en) opgeslagen." in upload(
        browser, "/bestanden/scoreformulieren", again)
    last = notes(office, "CBCT-0107", "scoreformulier-ingelezen")[-1][2]["toelichting"]
    assert re.fullmatch(r"CBCT-0107\.xlsx, bewaard als scores/CBCT-0107\.xlsx; het vorige "
                        r"staat in scores/vorige/CBCT-0107-\d{8}-\d{6}\.xlsx", last), last
    assert notes(office, "CBCT-0101", "scoreformulier-ingelezen") == []


# --- Dutch on the pages ------------------------------------------------------------------

def test_every_refusal_the_rules_give_has_its_dutch_text() -> None:
    def fields(text: str) -> set[str]:
        return set(re.findall(r"\{(\w+)\}", text))

    assert set(REFUSALS_NL) == set(REFUSALS)
    for code, (what, hint) in REFUSALS.items():
        what_nl, hint_nl = REFUSALS_NL[code]
        assert fields(what_nl) == fields(what), code
        assert fields(hint_nl) <= fields(what) | fields(hint), code
        assert bool(hint_nl) == bool(hint), code
        assert "--" not in what_nl + hint_nl and "cbct-docs" not in hint_nl, code


def test_the_english_the_catalog_translates_is_what_the_code_says() -> None:
    """An English text only the catalog names (an operation's words kept inline) must
    still be in the source: a changed message would otherwise show in English."""
    source = "\n".join(path.read_text(encoding="utf-8")
                       for path in PACKAGE.rglob("*.py") if path.parent.name != "web")
    joined = re.sub(r'"\s*\n\s*f?"', "", source)  # "one " "string" over two lines
    for english in ERRORS_NL:
        for part in re.split(r"\{\w+\}|[()]", english):
            assert part.strip(" :'?") in joined, (english, part)


def test_a_refusal_in_a_batch_shows_in_dutch(browser: Browser, office: Path) -> None:
    """The refusal of a rule, met while a batch is made (not a form's own check)."""
    announce(browser)
    browser.post("/organisatie/CBCT-0101/vastleggen",
                 {"gebeurtenis": "intake-ontvangen", "datum": "2025-01-20"})
    book = load_workbook(samples_dir() / "planning.xlsx")
    visits = book["Afspraken"]
    for row in visits.iter_rows(min_row=2):
        if row[0].value == "CBCT-0101":
            row[1].value = row[1].value.replace(month=7)  # into the third quarter
    late = office.parent / "planning.xlsx"
    book.save(late)
    upload(browser, "/bestanden/planning", late)
    text = browser.text(made(browser, browser.post(
        "/maken/bevestigingen", {"kwartaal": "2025-Q2", "datum": "2025-01-22"})))
    assert "Er is niets gemaakt" in text
    assert ("CBCT-0101 (Bibliotheek Rivierenland): de audit op 13-7-2025 valt buiten het "
            "tweede kwartaal van 2025 (2025-Q2), het kwartaal waarin het certificaat "
            "afloopt (plan de audit in dat kwartaal, of leg het uitstel vast") in text
    assert "falls outside" not in text


def test_an_unknown_organisation_and_a_repeated_event_in_dutch(browser: Browser) -> None:
    announce(browser)
    response = browser.post("/organisatie/CBCT-0999/vastleggen",
                            {"gebeurtenis": "intake-ontvangen", "datum": "2025-01-20"},
                            status=400)
    assert "er is geen organisatie met certificaatnummer 'CBCT-0999'" in page_text(
        response.get_data(as_text=True))
    browser.post("/organisatie/CBCT-0107/vastleggen",
                 {"gebeurtenis": "intake-ontvangen", "datum": "2025-01-20"})
    response = browser.post("/organisatie/CBCT-0107/vastleggen",
                            {"gebeurtenis": "intake-ontvangen", "datum": "2025-01-21"},
                            status=400)
    assert "intake ontvangen is al vastgelegd (20-1-2025)" in page_text(
        response.get_data(as_text=True))
    assert dutch("certificate KiB-2025-0007 was issued on 1-7-2025 in this cycle") == (
        "certificaat KiB-2025-0007 is op 1-7-2025 in deze cyclus uitgereikt")
    assert dutch("a text nobody translated") == "a text nobody translated"


def test_every_case_the_send_rule_holds_a_message_back_has_its_dutch_text() -> None:
    from cbct_docs.web.messages import DECISIONS_NL

    source = (PACKAGE / "deliver" / "sending.py").read_text(encoding="utf-8")
    held = set(re.findall(r'Decision\(message, (?:SKIP|ATTENTION), "(\w+)"', source))
    assert held >= {"busy", "unconfirmed", "sent", "failed"}
    assert held <= set(DECISIONS_NL), held - set(DECISIONS_NL)
    assert all("--" not in text for text in DECISIONS_NL.values())
