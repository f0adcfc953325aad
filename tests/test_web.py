"""The web app through Flask's test client: every page, every action, and the refusals
(no CSRF token, paths outside the office folder, fake or oversized uploads, approval by the
maker under four eyes)."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from cbct_docs.domain.process import Event
from cbct_docs.paths import samples_dir
from cbct_docs.runs.accounts import add_account
from cbct_docs.runs.office import open_office
from cbct_docs.web import create_app
from cbct_docs.web.security import PREVIEW_CSP
from tests.conftest import first_group

ROOT = Path(__file__).resolve().parent.parent
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_office(folder: Path, *, four_eyes: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    settings = (ROOT / "cbct-docs.toml").read_text(encoding="utf-8")
    if four_eyes:
        settings += "\n[web]\nfour_eyes = true\n"
    (folder / "cbct-docs.toml").write_text(settings, encoding="utf-8")
    shutil.copy(samples_dir() / "register.xlsx", folder / "register.xlsx")
    return folder


class Browser:
    """A test client that carries the CSRF token of the last page, as a form does."""

    def __init__(self, app: Flask) -> None:
        self.client = app.test_client()
        self.token = ""

    def get(self, url: str, status: int = 200) -> TestResponse:
        response = self.client.get(url)
        assert response.status_code == status, response.get_data(as_text=True)[:2000]
        found = (TOKEN.search(response.get_data(as_text=True))
                 if response.mimetype == "text/html" else None)
        if found:
            self.token = found.group(1)
        return response

    def post(self, url: str, data: dict[str, Any] | None = None, status: int = 302,
             token: bool = True, **kw: Any) -> TestResponse:
        data = dict(data or {})
        if token:
            if not self.token:
                self.get("/")
            data["csrf_token"] = self.token
        response = self.client.post(url, data=data, **kw)
        assert response.status_code == status, response.get_data(as_text=True)[:3000]
        return response

    def text(self, url: str, status: int = 200) -> str:
        return page_text(self.get(url, status).get_data(as_text=True))


def page_text(html: str) -> str:
    """What a person reads: tags gone, entities decoded, spaces collapsed."""
    import html as html_lib

    inline = re.sub(r"</?(strong|em|b|a|span)\b[^>]*>", "", html)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", inline)).split())


@pytest.fixture
def office(tmp_path: Path) -> Path:
    return make_office(tmp_path / "kantoor")


@pytest.fixture
def browser(office: Path, monkeypatch: pytest.MonkeyPatch) -> Browser:
    monkeypatch.setenv("CBCT_USER", "anna")
    return Browser(create_app(office, require_login=False))


def made(browser: Browser, response: TestResponse) -> str:
    """Follow a batch being made (its progress page) to where it leads when done."""
    location = response.headers["Location"]
    assert "/maken/taak/" in location
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        page = browser.client.get(location)
        if page.status_code == 302:
            return str(page.headers["Location"])
        assert page.status_code == 200
        if "Er is niets gemaakt" in page.get_data(as_text=True):
            return location
        time.sleep(0.02)
    raise AssertionError("the batch was not made in time")


def announce(browser: Browser) -> str:
    """Make the Q2 announcements through the overview's button; the review page's URL."""
    browser.get("/?kwartaal=2025-Q2&peildatum=2025-01-13")
    response = browser.post("/maken/aankondigingen",
                            {"kwartaal": "2025-Q2", "datum": "2025-01-13"})
    return made(browser, response)


def events(office: Path, cert_nr: str) -> tuple[Event, ...]:
    from cbct_docs.runs.status import dossier_view

    place = open_office(office)
    try:
        return dossier_view(place, cert_nr).events
    finally:
        place.close()


# --- Overzicht ---------------------------------------------------------------------------

def test_overview_shows_the_quarter_per_step_with_the_next_action_as_a_button(
        browser: Browser) -> None:
    text = browser.text("/?kwartaal=2025-Q2&peildatum=2025-01-13")
    assert "Overzicht tweede kwartaal van 2025" in text
    assert "5 organisaties met hun audit in 2025-Q2" in text
    assert "Nog niet aangekondigd 5" in text
    assert "5 aankondigingen maken" in text
    assert "CBCT-0107 Bibliotheek Gooi & Vecht" in text
    assert "CBCT-0105" not in text  # another quarter


def test_year_view_counts_audits_and_auditor_days(browser: Browser) -> None:
    announce(browser)
    browser.post("/organisatie/CBCT-0107/vastleggen",
                 {"gebeurtenis": "intake-ontvangen", "datum": "2025-01-20"})
    browser.post("/bestanden/planning",
                 {"bestand": _xlsx_upload(samples_dir() / "planning.xlsx")}, status=200,
                 content_type="multipart/form-data")
    made(browser, browser.post("/maken/bevestigingen",
                               {"kwartaal": "2025-Q2", "datum": "2025-01-22"}))
    text = browser.text("/jaar/2025")
    assert "Audits per kwartaal 2025-Q1 2025-Q2 2025-Q3 2025-Q4" in text
    assert "Karim El Amrani" in text and "3 3" in text  # three days in April, in all
    browser.get("/jaar/3000", status=404)


def test_overview_marks_what_is_overdue(browser: Browser) -> None:
    announce(browser)
    text = browser.text("/?kwartaal=2025-Q2&peildatum=2025-03-01")
    assert "Te laat (5)" in text
    assert "Intake ontvangen, uiterlijk 27-1-2025" in text
    assert "5 herinneringen intake maken" in text
    html = browser.get("/?kwartaal=2025-Q2&peildatum=2025-03-01").get_data(as_text=True)
    assert html.count('class="te-laat"') == 5


def test_a_form_without_csrf_token_is_refused_and_makes_nothing(browser: Browser,
                                                                 office: Path) -> None:
    response = browser.post("/maken/aankondigingen",
                            {"kwartaal": "2025-Q2", "datum": "2025-01-13"},
                            token=False, status=400)
    assert "CSRF" in page_text(response.get_data(as_text=True))
    assert not (office / "out").exists()
    browser.token = "vals"
    browser.post("/maken/aankondigingen", {"kwartaal": "2025-Q2", "datum": "2025-01-13"},
                 status=400)
    assert not (office / "out").exists()


def test_every_form_action_refuses_a_post_without_token(browser: Browser,
                                                        office: Path) -> None:
    app = browser.client.application
    posts = [rule for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())]
    assert len(posts) >= 15
    browser.get("/")
    for rule in posts:
        built = rule.build({name: "1" for name in rule.arguments}, append_unknown=False)
        assert built is not None, f"{rule.rule} builds with every argument '1'"
        url = built[1]
        response = browser.client.post(url, data={"kwartaal": "2025-Q2"})
        assert response.status_code == 400, url
        assert "CSRF" in page_text(response.get_data(as_text=True)), url
    assert not (office / "out").exists()


def test_a_batch_that_cannot_be_written_shows_why_and_records_nothing(
        browser: Browser, office: Path) -> None:
    folder = office / "out" / "aankondiging"
    folder.mkdir(parents=True)
    (folder / "CBCT-0107-aankondiging-Bibliotheek Gooi & Vecht.eml").write_text("eigen tekst")
    browser.get("/?kwartaal=2025-Q2&peildatum=2025-01-13")
    response = browser.post("/maken/aankondigingen",
                            {"kwartaal": "2025-Q2", "datum": "2025-01-13"})
    text = browser.text(made(browser, response))
    assert "Er is niets gemaakt" in text
    assert "CBCT-0107-aankondiging-Bibliotheek Gooi & Vecht.eml: bestaat al (er is niets " \
           "geschreven; een bestaand bestand wordt niet overschreven)" in text
    assert events(office, "CBCT-0107") == ()
    assert len(list(folder.iterdir())) == 1


def test_every_page_has_a_content_security_policy_without_inline_script(
        browser: Browser) -> None:
    location = announce(browser)
    for url in ("/", location, "/reeksen", "/verzenden", "/bestanden", "/sjablonen",
                "/organisatie/CBCT-0107"):
        response = browser.get(url)
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, url
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "<script>" not in response.get_data(as_text=True)


def test_without_accounts_only_this_computers_names_are_answered(browser: Browser) -> None:
    assert browser.client.get("/", headers={"Host": "evil.example"}).status_code == 400
    assert browser.client.get("/", headers={"Host": "127.0.0.1:8000"}).status_code == 200


# --- Batch → review → approve --------------------------------------------------------------

def test_review_shows_every_email_as_read_in_a_sandboxed_frame(browser: Browser) -> None:
    location = announce(browser)
    html = browser.get(location).get_data(as_text=True)
    text = page_text(html)
    assert "Aankondigingen: 5 documenten" in text
    assert "Onderwerp Aankondiging audit Kwaliteit in Beeld in het tweede kwartaal van 2025" \
        in text
    assert "kwaliteit@rivierenland-bieb.example.nl" in text
    frames = re.findall(r"<iframe[^>]*>", html)
    assert len(frames) == 5
    for frame in frames:
        assert " sandbox " in frame and "allow-scripts" not in frame
    preview = first_group(r'src="(/document/\d+/inhoud)"', html)
    response = browser.get(preview)
    assert response.headers["Content-Security-Policy"] == PREVIEW_CSP
    assert "sandbox" in PREVIEW_CSP and "script-src" not in PREVIEW_CSP
    assert "Kwaliteit in Beeld" in page_text(response.get_data(as_text=True))


def test_a_batch_is_made_with_progress_and_lands_on_its_review(browser: Browser) -> None:
    browser.get("/?kwartaal=2025-Q2&peildatum=2025-01-13")
    response = browser.post("/maken/aankondigingen",
                            {"kwartaal": "2025-Q2", "datum": "2025-01-13"})
    job = response.headers["Location"]
    review = made(browser, response)
    assert review.startswith("/reeks/")
    fragment = browser.client.get(job.split("?")[0] + "/voortgang")
    assert fragment.headers["HX-Redirect"].startswith(job.split("?")[0])
    text = browser.text(review)
    assert "5 aankondigingen gemaakt. Bekijk ze hieronder en keur ze goed." in text
    # A second time: nothing to make, and the page says why.
    response = browser.post("/maken/aankondigingen",
                            {"kwartaal": "2025-Q2", "datum": "2025-01-14"})
    back = made(browser, response)
    text = browser.text(back)
    assert "Geen aankondigingen gemaakt." in text
    assert "Overgeslagen: CBCT-0107 Bibliotheek Gooi & Vecht: aangekondigd op 13-1-2025" \
        in text


def test_approve_all_records_who_approved_in_each_dossier(browser: Browser,
                                                          office: Path) -> None:
    location = announce(browser)
    batch_id = location.rsplit("/", 1)[1]
    browser.get(location)
    browser.post(f"/reeks/{batch_id}/goedkeuren")
    text = browser.text(location)
    assert "5 goedgekeurd, 0 tegengehouden, 0 te beoordelen" in text
    approved = [e for e in events(office, "CBCT-0107") if e.kind.value == "goedgekeurd"]
    assert len(approved) == 1
    assert approved[0].recorded_by == "anna"
    assert approved[0].data["oordeel"] == "goedgekeurd"
    assert approved[0].data["document"].endswith(".eml")
    dossier = browser.text("/organisatie/CBCT-0107")
    assert "Goedgekeurd: CBCT-0107-aankondiging-Bibliotheek Gooi & Vecht.eml" in dossier
    assert "vastgelegd door anna" in dossier


def test_hold_back_one_with_a_note_and_approve_the_rest(browser: Browser,
                                                        office: Path) -> None:
    location = announce(browser)
    batch_id = location.rsplit("/", 1)[1]
    html = browser.get(location).get_data(as_text=True)
    first = first_group(r'name="document" value="(\d+)"', html)
    browser.post(f"/reeks/{batch_id}/tegenhouden", {"document": first, "toelichting": ""})
    assert "tegenhouden vraagt een toelichting" in browser.text(location)
    browser.post(f"/reeks/{batch_id}/tegenhouden",
                 {"document": first, "toelichting": "verkeerde contactpersoon"})
    browser.post(f"/reeks/{batch_id}/goedkeuren")
    text = browser.text(location)
    assert "4 goedgekeurd, 1 tegengehouden, 0 te beoordelen" in text
    assert "Tegengehouden — anna" in text and "verkeerde contactpersoon" in text


def test_four_eyes_refuses_the_makers_approval_and_takes_another_users(
        tmp_path: Path) -> None:
    office = make_office(tmp_path / "kantoor", four_eyes=True)
    place = open_office(office)
    add_account(place, "anna", "wachtwoord-anna")
    add_account(place, "bram", "wachtwoord-bram")
    place.close()
    app = create_app(office)
    anna = Browser(app)
    anna.get("/inloggen")
    anna.post("/inloggen", {"naam": "anna", "wachtwoord": "wachtwoord-anna"})
    location = announce(anna)
    batch_id = location.rsplit("/", 1)[1]
    anna.get(location)
    anna.post(f"/reeks/{batch_id}/goedkeuren")
    text = anna.text(location)
    assert "anna heeft dit document zelf gemaakt; met vier ogen keurt een ander het goed" \
        in text
    assert "0 goedgekeurd" in text
    bram = Browser(app)
    bram.get("/inloggen")
    bram.post("/inloggen", {"naam": "bram", "wachtwoord": "wachtwoord-bram"})
    bram.get(location)
    bram.post(f"/reeks/{batch_id}/goedkeuren")
    assert "5 goedgekeurd" in bram.text(location)
    approved = [e for e in events(office, "CBCT-0101") if e.kind.value == "goedgekeurd"]
    assert [e.recorded_by for e in approved] == ["bram"]


def test_a_document_changed_after_approval_must_be_judged_again(browser: Browser,
                                                                office: Path) -> None:
    location = announce(browser)
    batch_id = location.rsplit("/", 1)[1]
    browser.get(location)
    browser.post(f"/reeks/{batch_id}/goedkeuren")
    eml = next((office / "out" / "aankondiging").glob("CBCT-0107*.eml"))
    eml.write_bytes(eml.read_bytes().replace(b"Gooi", b"Gooi!"))
    text = browser.text(location)
    assert "Het bestand is gewijzigd nadat het gemaakt is." in text
    assert "Gewijzigd na beoordeling" in text
    assert "4 goedgekeurd" in text


# --- Organisatie and documents --------------------------------------------------------------

def test_dossier_timeline_with_document_and_next_step(browser: Browser) -> None:
    announce(browser)
    html = browser.get("/organisatie/CBCT-0107").get_data(as_text=True)
    text = page_text(html)
    assert "Stap: Aangekondigd" in text
    assert "Volgende: Intake ontvangen, uiterlijk 27-1-2025" in text
    assert "13-1-2025 Aankondiging gemaakt" in text
    download = first_group(r'href="(/document/\d+/bestand)"', html)
    response = browser.get(download)
    assert b"Subject:" in response.data
    assert "attachment" in response.headers["Content-Disposition"]


def test_record_intake_and_postponement_through_the_forms(browser: Browser,
                                                          office: Path) -> None:
    announce(browser)
    browser.get("/organisatie/CBCT-0107")
    browser.post("/organisatie/CBCT-0107/vastleggen",
                 {"gebeurtenis": "intake-ontvangen", "datum": "2025-01-20"})
    text = browser.text("/organisatie/CBCT-0107")
    assert "20-1-2025 Intake ontvangen" in text
    assert "vastgelegd door anna" in text
    response = browser.post("/organisatie/CBCT-0107/vastleggen",
                            {"gebeurtenis": "uitstel", "datum": "2025-01-21"}, status=400)
    refused = page_text(response.get_data(as_text=True))
    assert ("formulier:CBCT-0107 (Bibliotheek Gooi & Vecht): uitstel vraagt het nieuwe "
            "kwartaal en een reden (vul het nieuwe kwartaal (bijvoorbeeld 2025-Q3) en de "
            "reden in)") in refused
    assert "needs" not in refused and "--quarter" not in refused  # not the CLI's words
    browser.post("/organisatie/CBCT-0107/vastleggen",
                 {"gebeurtenis": "uitstel", "datum": "2025-01-21", "kwartaal": "2025-Q3",
                  "reden": "verbouwing"})
    text = browser.text("/organisatie/CBCT-0107")
    assert "Uitstel — verbouwing" in text
    assert "audit in derde kwartaal van 2025" in text
    kinds = [e.kind.value for e in events(office, "CBCT-0107")]
    assert kinds == ["aangekondigd", "intake-ontvangen", "uitstel"]


def test_no_file_outside_the_office_folder_is_served(browser: Browser, office: Path,
                                                     tmp_path: Path) -> None:
    import datetime as dt

    from cbct_docs.domain.planning import Quarter
    from cbct_docs.runs.before_audit import announce as run_announce

    outside = tmp_path / "elders"
    place = open_office(office)
    run_announce(place, Quarter(2025, 2), dt.date(2025, 1, 13), out=outside)
    place.close()
    html = browser.get("/organisatie/CBCT-0107").get_data(as_text=True)
    event_id = first_group(r'href="/document/(\d+)"', html)
    browser.get(f"/document/{event_id}/bestand", status=404)
    browser.get(f"/document/{event_id}", status=404)
    browser.get(f"/document/{event_id}/inhoud", status=404)
    (office / "out").mkdir()
    (tmp_path / "geheim.txt").write_text("geheim")
    for url in ("/uit/../../geheim.txt", "/uit/%2e%2e/%2e%2e/geheim.txt",
                "/uit/..%2f..%2fgeheim.txt", f"/uit/{tmp_path}/geheim.txt",
                "/sjablonen/../../cbct-docs.toml", "/sjablonen/%2e%2e/pyproject.toml",
                "/document/999999/bestand"):
        response = browser.client.get(url, follow_redirects=True)
        assert response.status_code == 404, url
        assert b"geheim" not in response.data


# --- Bestanden ------------------------------------------------------------------------------

def _xlsx_upload(path: Path, name: str | None = None) -> tuple[io.BytesIO, str]:
    return io.BytesIO(path.read_bytes()), name or path.name


def uploaded(browser: Browser, url: str, path: Path, status: int = 200) -> str:
    """The text of the page after uploading ``path`` through the form at ``url``."""
    response = browser.post(url, {"bestand": _xlsx_upload(path)}, status=status,
                            content_type="multipart/form-data")
    return page_text(response.get_data(as_text=True))


def test_register_upload_lists_what_changed(browser: Browser, office: Path) -> None:
    from openpyxl import load_workbook

    browser.get("/")  # the office's register.xlsx is read in
    book = load_workbook(samples_dir() / "register.xlsx")
    sheet = book.active
    header = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=header.index("email") + 1, value="nieuw@bieb.example.nl")
    changed = office.parent / "register-nieuw.xlsx"
    book.save(changed)
    text = uploaded(browser, "/bestanden/register", changed)
    assert "Register ingelezen." in text
    assert "CBCT-0101 Bibliotheek Rivierenland: gewijzigd: email:" in text
    assert "nieuw@bieb.example.nl" in text
    assert (office / "register.xlsx").read_bytes() == changed.read_bytes()


def test_a_register_with_problems_lists_them_all_and_takes_nothing(browser: Browser,
                                                                   office: Path) -> None:
    from openpyxl import load_workbook

    browser.get("/")  # the register is read in
    before = (office / "register.xlsx").read_bytes()
    book = load_workbook(samples_dir() / "register.xlsx")
    sheet = book.active
    header = [c.value for c in sheet[1]]
    sheet.cell(row=3, column=header.index("email") + 1, value="geen-adres")
    sheet.cell(row=5, column=header.index("framework") + 1, value="XYZ")
    broken = office.parent / "register-fout.xlsx"
    book.save(broken)
    response = browser.post("/bestanden/register", {"bestand": _xlsx_upload(broken)},
                            status=400, content_type="multipart/form-data")
    text = page_text(response.get_data(as_text=True))
    assert "2 problemen — er is niets overgenomen" in text
    assert "register-fout.xlsx:Organisaties:row 3:email: 'geen-adres' is not an e-mail" in text
    assert "register-fout.xlsx:Organisaties:row 5" in text and ".upload-" not in text
    assert (office / "register.xlsx").read_bytes() == before
    assert not list(office.glob(".upload-*"))


def test_a_fake_or_oversized_upload_is_refused(browser: Browser, office: Path) -> None:
    browser.get("/bestanden")
    before = (office / "register.xlsx").read_bytes()
    fake = io.BytesIO(b"naam;email\nx;y\n")
    response = browser.post("/bestanden/register", {"bestand": (fake, "register.xlsx")},
                            status=400, content_type="multipart/form-data")
    assert "dit is geen Excel-werkmap (.xlsx)" in page_text(response.get_data(as_text=True))
    other_zip = io.BytesIO()
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("word/document.xml", "<x/>")
    other_zip.seek(0)
    browser.post("/bestanden/register", {"bestand": (other_zip, "register.xlsx")},
                 status=400, content_type="multipart/form-data")
    big = io.BytesIO(b"PK" + b"0" * (11 * 1024 * 1024))
    response = browser.post("/bestanden/register", {"bestand": (big, "register.xlsx")},
                            status=413, content_type="multipart/form-data")
    assert "hoogstens 10 MB" in page_text(response.get_data(as_text=True))
    assert (office / "register.xlsx").read_bytes() == before


def test_planning_and_score_sheet_uploads(browser: Browser, office: Path) -> None:
    browser.get("/bestanden")
    response = browser.post("/bestanden/planning",
                            {"bestand": _xlsx_upload(samples_dir() / "planning.xlsx")},
                            status=200, content_type="multipart/form-data")
    assert "Planning opgeslagen:" in page_text(response.get_data(as_text=True))
    assert (office / "planning.xlsx").is_file()
    sheet = samples_dir() / "scores" / "CBCT-0107.xlsx"
    response = browser.post("/organisatie/CBCT-0101/scoreformulier",
                            {"bestand": _xlsx_upload(sheet)}, status=400,
                            content_type="multipart/form-data")
    assert "dit scoreformulier is van CBCT-0107, niet van CBCT-0101" in page_text(
        response.get_data(as_text=True))
    assert not (office / "scores").exists()
    browser.post("/organisatie/CBCT-0107/scoreformulier", {"bestand": _xlsx_upload(sheet)},
                 content_type="multipart/form-data")
    assert (office / "scores" / "CBCT-0107.xlsx").read_bytes() == sheet.read_bytes()
    assert "Opgeslagen: scores/CBCT-0107.xlsx" in browser.text("/organisatie/CBCT-0107")


def record_intakes(browser: Browser) -> None:
    """The intakes of CBCT-0101 and CBCT-0107 recorded (after the announcements)."""
    for nr in ("CBCT-0101", "CBCT-0107"):
        browser.post(f"/organisatie/{nr}/vastleggen",
                     {"gebeurtenis": "intake-ontvangen", "datum": "2025-01-20"})


def make_confirmations(browser: Browser) -> str:
    """The sample planning uploaded and the bevestigingsbrieven made; the review's URL."""
    browser.post("/bestanden/planning",
                 {"bestand": _xlsx_upload(samples_dir() / "planning.xlsx")}, status=200,
                 content_type="multipart/form-data")
    response = browser.post("/maken/bevestigingen",
                            {"kwartaal": "2025-Q2", "datum": "2025-01-22"})
    return made(browser, response)


def test_confirmations_need_the_planning_then_are_made(browser: Browser,
                                                       office: Path) -> None:
    announce(browser)
    text = browser.text("/?kwartaal=2025-Q2&peildatum=2025-01-20")
    assert "zet eerst de planning bij Bestanden" not in text  # intake not in yet
    record_intakes(browser)
    text = browser.text("/?kwartaal=2025-Q2&peildatum=2025-01-20")
    assert "2 bevestigingsbrieven maken (zet eerst de planning bij Bestanden)" in text
    text = browser.text(make_confirmations(browser))
    assert "Bevestigingsbrieven: 2 documenten" in text
    # The letter as it reads, its tables in place: the appointments after their heading.
    assert "Afspraken Datum Tijd Locatie Onderdeel" in text
    assert "Betreft Bevestiging audit Kwaliteit in Beeld" in text
    # Approved letters print as one Word file; unapproved ones stay out.
    listing = browser.get("/reeksen").get_data(as_text=True)
    batch_id = first_group(r'/reeks/(\d+)">Bevestigingsbrieven', listing)
    browser.get(f"/reeks/{batch_id}")
    browser.post(f"/reeks/{batch_id}/afdrukken")
    assert "er is geen goedgekeurde brief in deze reeks" in browser.text(f"/reeks/{batch_id}")
    html = browser.get(f"/reeks/{batch_id}").get_data(as_text=True)
    first = first_group(r'name="document" value="(\d+)"', html)
    browser.post(f"/reeks/{batch_id}/goedkeuren-een", {"document": first})
    response = browser.post(f"/reeks/{batch_id}/afdrukken", status=200)
    assert response.headers["X-Brieven"] == "1"
    bundle = office / "out" / "afdrukken" / f"Bevestigingsbrieven-reeks-{batch_id}.docx"
    assert bundle.read_bytes() == response.data
    from tests.conftest import docx_text

    printed = docx_text(bundle)
    assert printed.count("Met deze brief bevestigen") == 1


@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="a letter's PDF needs LibreOffice (soffice)")
def test_a_letter_can_be_read_as_pdf(browser: Browser, office: Path) -> None:
    announce(browser)
    browser.post("/organisatie/CBCT-0107/vastleggen",
                 {"gebeurtenis": "intake-ontvangen", "datum": "2025-01-20"})
    browser.post("/bestanden/planning",
                 {"bestand": _xlsx_upload(samples_dir() / "planning.xlsx")}, status=200,
                 content_type="multipart/form-data")
    review = made(browser, browser.post("/maken/bevestigingen",
                                        {"kwartaal": "2025-Q2", "datum": "2025-01-22"}))
    html = browser.get(review).get_data(as_text=True)
    link = first_group(r'href="(/document/\d+/pdf)"', html)
    response = browser.get(link)
    assert response.mimetype == "application/pdf" and response.data[:4] == b"%PDF"
    assert "sandbox" not in response.headers["Content-Security-Policy"]
    letter = next((office / "out" / "bevestigingsbrief").glob("*.docx"))
    assert letter.is_file()  # the letter itself stays as it was


# --- Sjablonen ------------------------------------------------------------------------------

def test_templates_page_lists_templates_with_their_documents(browser: Browser) -> None:
    text = browser.text("/sjablonen")
    assert "letters/bevestigingsbrief.docx Word Bevestigingsbrief" in text
    assert "emails/aankondiging.html E-mail Aankondiging (e-mail)" in text
    response = browser.get("/sjablonen/letters/bevestigingsbrief.docx")
    assert response.data[:2] == b"PK"
    assert "nieuws/nieuwsbericht.docx Word Nieuwsbericht (Word)" in text
    assert "nieuws/nieuwsbericht.html HTML Nieuwsbericht (webpagina)" in text
    assert browser.get("/sjablonen/nieuws/nieuwsbericht.html").data.startswith(b"<")


def test_every_template_the_code_uses_is_on_the_templates_page(browser: Browser) -> None:
    """Each template a document is made with (named in the code as folder/file) is listed
    with the documents it makes; none without."""
    source = "\n".join(path.read_text(encoding="utf-8")
                       for path in (ROOT / "cbct_docs").rglob("*.py"))
    named = set(re.findall(r'"((?:emails|letters|reports|nieuws)/[\w.-]+\.(?:docx|html|txt))"',
                           source))
    assert "nieuws/nieuwsbericht.docx" in named and len(named) >= 20
    html = browser.get("/sjablonen").get_data(as_text=True)
    rows = {m[0]: page_text(m[1]) for m in re.findall(
        r'<tr id="([^"]+)">(.*?)</tr>', html, re.DOTALL)}
    assert set(rows) >= {relative.replace("/", "-") for relative in named}
    for relative, row in rows.items():
        assert not row.split(" ", 2)[2].startswith("—"), (relative, row)  # used for …


# --- Accounts and sessions ------------------------------------------------------------------

@pytest.fixture
def accounts_app(office: Path) -> Flask:
    place = open_office(office)
    add_account(place, "anna", "wachtwoord-anna")
    place.close()
    return create_app(office)


def test_with_accounts_every_page_asks_for_a_login(accounts_app: Flask) -> None:
    browser = Browser(accounts_app)
    response = browser.client.get("/organisatie/CBCT-0107")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    browser.get("/inloggen")
    browser.post("/inloggen", {"naam": "anna", "wachtwoord": "fout-fout-fout"}, status=401)
    refused = browser.client.post("/maken/aankondigingen", data={"csrf_token": browser.token})
    assert refused.status_code == 401
    response = browser.post("/inloggen?next=//evil.example/x",
                            {"naam": "anna", "wachtwoord": "wachtwoord-anna"})
    assert response.headers["Location"] == "/"
    assert "anna" in browser.text("/")
    browser.post("/uitloggen")  # and out again: the next page asks for a login
    response = browser.client.get("/")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_repeated_wrong_passwords_block_the_login(accounts_app: Flask) -> None:
    from cbct_docs.web import auth

    auth._FAILURES.clear()
    browser = Browser(accounts_app)
    browser.get("/inloggen")
    for _attempt in range(auth.MAX_FAILURES):
        browser.post("/inloggen", {"naam": "anna", "wachtwoord": "fout-fout-fout"},
                     status=401)
    response = browser.post("/inloggen", {"naam": "anna", "wachtwoord": "wachtwoord-anna"},
                            status=429)
    assert "Te vaak een verkeerd wachtwoord" in page_text(response.get_data(as_text=True))
    auth._FAILURES.clear()
    browser.post("/inloggen", {"naam": "anna", "wachtwoord": "wachtwoord-anna"})


def test_users_add_from_the_command_line_then_login(office: Path) -> None:
    from click.testing import CliRunner

    from cbct_docs.cli import cli

    runner = CliRunner()
    result = runner.invoke(cli, ["users", "add", "bram", "--office", str(office)],
                           input="kort\nkort\n")
    assert result.exit_code == 2 and "shorter than 10 characters" in result.output
    result = runner.invoke(cli, ["users", "add", "bram", "--office", str(office)],
                           input="een-lang-wachtwoord\neen-lang-wachtwoord\n")
    assert result.exit_code == 0, result.output
    assert "Account bram added." in result.output
    assert runner.invoke(cli, ["users", "list", "--office", str(office)]).output == "bram\n"
    browser = Browser(create_app(office))
    browser.get("/inloggen")
    browser.post("/inloggen", {"naam": "bram", "wachtwoord": "een-lang-wachtwoord"})
    assert "bram" in browser.text("/")


def test_a_session_expires(office: Path) -> None:
    place = open_office(office)
    add_account(place, "anna", "wachtwoord-anna")
    place.close()
    app = create_app(office, idle_seconds=-1)
    browser = Browser(app)
    browser.get("/inloggen")
    browser.post("/inloggen", {"naam": "anna", "wachtwoord": "wachtwoord-anna"})
    response = browser.client.get("/")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_passwords_are_stored_hashed(office: Path) -> None:
    import sqlite3

    place = open_office(office)
    add_account(place, "anna", "wachtwoord-anna")
    path = place.database_path
    place.close()
    rows = sqlite3.connect(path).execute("SELECT name, password_hash FROM web_accounts")
    name, hashed = rows.fetchone()
    assert name == "anna" and "wachtwoord-anna" not in hashed
    assert hashed.startswith(("scrypt:", "pbkdf2:"))


def test_serve_refuses_another_host_without_accounts(office: Path) -> None:
    from click.testing import CliRunner

    from cbct_docs.cli import cli

    result = CliRunner().invoke(cli, ["serve", "--office", str(office), "--host", "0.0.0.0",
                                      "--no-browser"])
    assert result.exit_code == 2
    assert "no user accounts" in result.output and "cbct-docs users add NAME" in result.output


def test_the_audit_steps_as_buttons_from_score_sheets(browser: Browser, office: Path) -> None:
    """After the audit: conceptrapport, definitief rapport and besluit from the office's
    score sheets, each a batch with its review."""
    announce(browser)
    browser.post("/organisatie/CBCT-0107/vastleggen",
                 {"gebeurtenis": "intake-ontvangen", "datum": "2025-01-20"})
    browser.post("/bestanden/planning",
                 {"bestand": _xlsx_upload(samples_dir() / "planning.xlsx")}, status=200,
                 content_type="multipart/form-data")
    made(browser, browser.post("/maken/bevestigingen",
                               {"kwartaal": "2025-Q2", "datum": "2025-01-22"}))
    browser.post("/organisatie/CBCT-0107/vastleggen",
                 {"gebeurtenis": "zelfevaluatie-ontvangen", "datum": "2025-02-20"})
    browser.post("/organisatie/CBCT-0107/vastleggen",
                 {"gebeurtenis": "audit-gehouden", "datum": "2025-04-10"})
    text = browser.text("/?kwartaal=2025-Q2&peildatum=2025-04-11")
    assert "0 conceptrapporten maken (1 zonder scoreformulier: zet dat bij Bestanden)" in text
    browser.post("/organisatie/CBCT-0107/scoreformulier",
                 {"bestand": _xlsx_upload(samples_dir() / "scores" / "CBCT-0107.xlsx")},
                 content_type="multipart/form-data")
    assert "1 conceptrapport maken" in browser.text("/?kwartaal=2025-Q2&peildatum=2025-04-11")
    review = made(browser, browser.post("/maken/conceptrapporten",
                                        {"kwartaal": "2025-Q2", "datum": "2025-04-20"}))
    text = browser.text(review)
    assert "Conceptrapporten: 1 documenten" in text and "Gooi & Vecht" in text
    # The reaction term (two weeks) passes without a reaction: the definitief report.
    assert "1 definitief rapport maken" in browser.text(
        "/?kwartaal=2025-Q2&peildatum=2025-05-10")
    review = made(browser, browser.post("/maken/definitieve-rapporten",
                                        {"kwartaal": "2025-Q2", "datum": "2025-05-10"}))
    assert "Definitieve rapporten: 1 documenten" in browser.text(review)
    review = made(browser, browser.post("/maken/besluiten",
                                        {"kwartaal": "2025-Q2", "datum": "2025-05-20"}))
    text = browser.text(review)
    assert "Besluitbrieven: 1 documenten" in text
    # (Within one second, the runs before it count as the same run too.)
    assert re.search(r"In dezelfde keer ook gemaakt: [^.]*Certificaten \(1\)", text)
    kinds = [e.kind.value for e in events(office, "CBCT-0107")]
    assert "concept-verstuurd" in kinds and "definitief-rapport" in kinds
    assert "besluit" in kinds


def test_reminders_certificates_and_surveys_through_the_buttons(browser: Browser,
                                                                office: Path) -> None:
    """The buttons the other tests do not reach: herinneringen intake, a certificate
    after a decision made without it (``decide --no-certificates`` on the command line),
    and the survey once the certificate went by post."""
    from cbct_docs.runs.audit import decide
    from cbct_docs.runs.documents import out_folder

    announce(browser)
    assert "5 herinneringen intake maken" in browser.text(
        "/?kwartaal=2025-Q2&peildatum=2025-03-01")
    review = made(browser, browser.post("/maken/herinneringen",
                                        {"kwartaal": "2025-Q2", "datum": "2025-02-01"}))
    assert "Herinneringen intake: 5 documenten" in browser.text(review)
    browser.post("/organisatie/CBCT-0107/vastleggen",
                 {"gebeurtenis": "intake-ontvangen", "datum": "2025-02-03"})
    browser.post("/bestanden/planning",
                 {"bestand": _xlsx_upload(samples_dir() / "planning.xlsx")}, status=200,
                 content_type="multipart/form-data")
    made(browser, browser.post("/maken/bevestigingen",
                               {"kwartaal": "2025-Q2", "datum": "2025-02-04"}))
    for kind, day in (("zelfevaluatie-ontvangen", "2025-02-20"),
                      ("audit-gehouden", "2025-04-10")):
        browser.post("/organisatie/CBCT-0107/vastleggen", {"gebeurtenis": kind, "datum": day})
    browser.post("/organisatie/CBCT-0107/scoreformulier",
                 {"bestand": _xlsx_upload(samples_dir() / "scores" / "CBCT-0107.xlsx")},
                 content_type="multipart/form-data")
    made(browser, browser.post("/maken/conceptrapporten",
                               {"kwartaal": "2025-Q2", "datum": "2025-04-20"}))
    made(browser, browser.post("/maken/definitieve-rapporten",
                               {"kwartaal": "2025-Q2", "datum": "2025-05-10"}))
    place = open_office(office)
    try:
        decide(place, [office / "scores" / "CBCT-0107.xlsx"], dt.date(2025, 5, 20),
               out=out_folder(place), with_certificates=False)
    finally:
        place.close()
    assert "1 certificaat maken" in browser.text("/?kwartaal=2025-Q2&peildatum=2025-05-21")
    review = made(browser, browser.post("/maken/certificaten",
                                        {"kwartaal": "2025-Q2", "datum": "2025-05-21"}))
    assert "Certificaten: 1 documenten" in browser.text(review)
    browser.post("/organisatie/CBCT-0107/vastleggen",
                 {"gebeurtenis": "post-verstuurd", "datum": "2025-05-23"})
    assert "1 enquête maken" in browser.text("/?kwartaal=2025-Q2&peildatum=2025-05-24")
    review = made(browser, browser.post("/maken/enquetes",
                                        {"kwartaal": "2025-Q2", "datum": "2025-05-24"}))
    assert "Tevredenheidsenquêtes: 1 documenten" in browser.text(review)
    kinds = [e.kind.value for e in events(office, "CBCT-0107")]
    assert kinds.count("intake-herinnerd") == 1
    assert kinds[-3:] == ["certificaat-uitgereikt", "post-verstuurd", "enquete-verstuurd"]


def test_the_app_serves_its_own_script_and_style(browser: Browser) -> None:
    script = browser.get("/static/htmx.min.js")
    assert script.mimetype is not None and "javascript" in script.mimetype
    assert b"htmx" in script.data[:2000]
    style = browser.get("/static/style.css")
    assert style.mimetype is not None and "css" in style.mimetype


def test_the_heraudit_path_through_the_buttons(browser: Browser, office: Path) -> None:
    """Voorwaardelijk → heraudit-brief → the heraudit's sheet replaces the first (kept in
    scores/vorige) → besluit na heraudit: alsnog gecertificeerd."""
    announce(browser)
    nr = "CBCT-0102"
    browser.post(f"/organisatie/{nr}/vastleggen",
                 {"gebeurtenis": "intake-ontvangen", "datum": "2025-01-20"})
    browser.post("/bestanden/planning",
                 {"bestand": _xlsx_upload(samples_dir() / "planning.xlsx")}, status=200,
                 content_type="multipart/form-data")
    made(browser, browser.post("/maken/bevestigingen",
                               {"kwartaal": "2025-Q2", "datum": "2025-01-22"}))
    for kind, day in (("zelfevaluatie-ontvangen", "2025-03-20"),
                      ("audit-gehouden", "2025-05-21")):
        browser.post(f"/organisatie/{nr}/vastleggen", {"gebeurtenis": kind, "datum": day})
    first = samples_dir() / "scores" / f"{nr}.xlsx"
    browser.post(f"/organisatie/{nr}/scoreformulier", {"bestand": _xlsx_upload(first)},
                 content_type="multipart/form-data")
    for endpoint, day in (("conceptrapporten", "2025-05-28"),
                          ("definitieve-rapporten", "2025-06-20"),
                          ("besluiten", "2025-06-25")):
        made(browser, browser.post(f"/maken/{endpoint}",
                                   {"kwartaal": "2025-Q2", "datum": day}))
    text = browser.text(f"/organisatie/{nr}")
    assert "Volgende: Heraudit plannen" in text
    assert "1 heraudit-brief maken" in browser.text("/?kwartaal=2025-Q2&peildatum=2025-06-26")
    review = made(browser, browser.post("/maken/heraudits",
                                        {"kwartaal": "2025-Q2", "datum": "2025-06-26"}))
    assert "Heraudit-brieven: 1 documenten" in browser.text(review)
    browser.post(f"/organisatie/{nr}/vastleggen",
                 {"gebeurtenis": "heraudit-gehouden", "datum": "2026-01-13"})
    second = samples_dir() / "heraudit" / f"{nr}.xlsx"
    browser.post(f"/organisatie/{nr}/scoreformulier", {"bestand": _xlsx_upload(second)},
                 content_type="multipart/form-data")
    kept = list((office / "scores" / "vorige").glob(f"{nr}-*.xlsx"))
    assert [p.read_bytes() for p in kept] == [first.read_bytes()]
    review = made(browser, browser.post("/maken/besluiten",
                                        {"kwartaal": "2025-Q2", "datum": "2026-01-20"}))
    assert "Besluitbrieven na heraudit: 1 documenten" in browser.text(review)
    assert "alsnog gecertificeerd" in browser.text(review).lower()


def test_serve_starts_the_app_with_waitress(office: Path) -> None:
    import subprocess
    import sys
    import urllib.request

    from tests.test_web_send import free_port

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "cbct_docs", "serve", "--office", str(office), "--port",
         str(port), "--no-browser"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/?kwartaal=2025-Q2",
                                            timeout=5) as response:
                    html = response.read().decode("utf-8")
                    policy = response.headers["Content-Security-Policy"]
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        assert "Overzicht tweede kwartaal van 2025" in html
        assert "script-src 'self'" in policy
    finally:
        process.terminate()
        output = process.communicate(timeout=10)[0].decode("utf-8", "replace")
    assert f"on http://127.0.0.1:{port}/ (without login)" in output


def test_serve_in_a_checkout_after_the_demo_shows_the_demo_office(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import waitress
    from click.testing import CliRunner

    from cbct_docs.cli import cli

    demo = make_office(tmp_path / "checkout" / "out")
    place = open_office(demo)
    place.organisations()  # the demo's database, with its organisations
    place.close()
    (demo / "cbct-ledger.sqlite").write_bytes(Path(place.database_path).read_bytes())
    served: dict[str, Any] = {}
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: served.update(app=app, **kw))
    monkeypatch.delenv("CBCT_OFFICE", raising=False)
    monkeypatch.chdir(tmp_path / "checkout")
    result = CliRunner().invoke(cli, ["serve", "--no-browser"])
    assert result.exit_code == 0, result.output
    assert "showing the demo office in ./out" in result.output
    assert served["app"].config["OFFICE_FOLDER"] == demo.resolve()
    assert served["host"] == "127.0.0.1" and served["port"] == 8000


def _edited_letter(tmp_path: Path, text: str) -> Path:
    import docx

    from cbct_docs.paths import templates_dir

    document = docx.Document(str(templates_dir() / "letters" / "bevestigingsbrief.docx"))
    document.add_paragraph(text)
    path = tmp_path / f"bevestigingsbrief-{abs(hash(text))}.docx"
    document.save(str(path))
    return path


def test_a_new_template_version_is_checked_taken_and_used(browser: Browser, office: Path,
                                                          tmp_path: Path) -> None:
    url = "/sjablonen/letters/bevestigingsbrief.docx/nieuw"
    browser.get("/sjablonen")
    fake = io.BytesIO(b"geen word")
    response = browser.post(url, {"bestand": (fake, "x.docx")}, status=400,
                            content_type="multipart/form-data")
    assert "dit is geen Word-document (.docx)" in page_text(response.get_data(as_text=True))
    unknown = _edited_letter(tmp_path, "Tot ziens, {{ geen_veld }}")
    response = browser.post(url, {"bestand": _xlsx_upload(unknown)}, status=400,
                            content_type="multipart/form-data")
    text = page_text(response.get_data(as_text=True))
    assert "letters/bevestigingsbrief.docx: niet overgenomen" in text
    assert "gebruikt het veld 'geen_veld', dat deze versie van cbct-docs niet (meer) kent" \
        in text
    assert not (office / "templates").exists()
    good = _edited_letter(tmp_path, "Wij zien uit naar een goede audit.")
    response = browser.post(url, {"bestand": _xlsx_upload(good)}, status=200,
                            content_type="multipart/form-data")
    text = page_text(response.get_data(as_text=True))
    assert "Nieuwe versie van letters/bevestigingsbrief.docx in gebruik." in text
    assert "letters/bevestigingsbrief.docx Word Bevestigingsbrief eigen versie" in text
    own = office / "templates" / "letters" / "bevestigingsbrief.docx"
    assert own.read_bytes() == good.read_bytes()
    # Taken by the next batch of letters.
    announce(browser)
    browser.post("/organisatie/CBCT-0107/vastleggen",
                 {"gebeurtenis": "intake-ontvangen", "datum": "2025-01-20"})
    browser.post("/bestanden/planning",
                 {"bestand": _xlsx_upload(samples_dir() / "planning.xlsx")}, status=200,
                 content_type="multipart/form-data")
    review = made(browser, browser.post("/maken/bevestigingen",
                                        {"kwartaal": "2025-Q2", "datum": "2025-01-22"}))
    assert "Wij zien uit naar een goede audit." in browser.text(review)
    # A second version keeps the first.
    second = _edited_letter(tmp_path, "Met vriendelijke groet.")
    browser.get("/sjablonen")
    response = browser.post(url, {"bestand": _xlsx_upload(second)}, status=200,
                            content_type="multipart/form-data")
    assert "De vorige versie staat in vorige/bevestigingsbrief-" in page_text(
        response.get_data(as_text=True))
    kept = list((office / "templates" / "vorige").glob("bevestigingsbrief-*.docx"))
    assert [p.read_bytes() for p in kept] == [good.read_bytes()]
    assert browser.get("/sjablonen/letters/bevestigingsbrief.docx").data == second.read_bytes()
    bundled = browser.get("/sjablonen/letters/bevestigingsbrief.docx?standaard=1").data
    assert bundled != second.read_bytes() and bundled[:2] == b"PK"


def test_a_template_without_the_address_block_is_taken_with_a_dutch_warning(
        browser: Browser, tmp_path: Path) -> None:
    """An own letter whose address is typed as paragraphs (its table deleted): taken, and
    the page says in Dutch that the address cannot be placed in the envelope window."""
    import docx

    letter = docx.Document(str(ROOT / "templates" / "letters" / "bevestigingsbrief.docx"))
    table = letter.tables[0]._tbl
    table.addprevious(letter.add_paragraph("{{ organisatie.naam }}")._p)
    table.getparent().remove(table)
    path = tmp_path / "zonder-venster.docx"
    letter.save(str(path))
    browser.get("/sjablonen")
    text = uploaded(browser, "/sjablonen/letters/bevestigingsbrief.docx/nieuw", path)
    assert "Nieuwe versie van letters/bevestigingsbrief.docx in gebruik." in text
    assert "Let op, letters/bevestigingsbrief.docx:" in text
    assert ("heeft geen adresblok voor het venster van de envelop (een tabel met de titel "
            "'Venster', of een tabel met {{ organisatie.… }} waarmee de brief begint): het "
            "adres kan niet in het venster worden gezet") in text
    assert "gebruikt het veld 'Venster'" not in text


def test_definitief_after_a_reaction_from_the_dossier(browser: Browser, office: Path) -> None:
    announce(browser)
    nr = "CBCT-0107"
    browser.post(f"/organisatie/{nr}/vastleggen",
                 {"gebeurtenis": "intake-ontvangen", "datum": "2025-01-20"})
    browser.post("/bestanden/planning",
                 {"bestand": _xlsx_upload(samples_dir() / "planning.xlsx")}, status=200,
                 content_type="multipart/form-data")
    made(browser, browser.post("/maken/bevestigingen",
                               {"kwartaal": "2025-Q2", "datum": "2025-01-22"}))
    browser.post(f"/organisatie/{nr}/vastleggen",
                 {"gebeurtenis": "audit-gehouden", "datum": "2025-04-10"})
    browser.post(f"/organisatie/{nr}/scoreformulier",
                 {"bestand": _xlsx_upload(samples_dir() / "scores" / f"{nr}.xlsx")},
                 content_type="multipart/form-data")
    made(browser, browser.post("/maken/conceptrapporten",
                               {"kwartaal": "2025-Q2", "datum": "2025-04-20"}))
    browser.post(f"/organisatie/{nr}/vastleggen",
                 {"gebeurtenis": "reactie-ontvangen", "datum": "2025-04-25"})
    text = browser.text(f"/organisatie/{nr}")
    assert "Definitief rapport na de reactie" in text
    # Not a batch button: the processing of each reaction is described per organisation.
    assert "definitief rapport maken" not in browser.text(
        "/?kwartaal=2025-Q2&peildatum=2025-05-10")
    response = browser.post(f"/organisatie/{nr}/definitief", {"datum": "2025-05-01"},
                            status=400)
    assert "Beschrijf hoe de reactie is verwerkt." in page_text(
        response.get_data(as_text=True))
    response = browser.post(f"/organisatie/{nr}/definitief",
                            {"datum": "2025-05-01",
                             "verwerking": "De feitelijke onjuistheid over de openingstijden "
                                           "is verbeterd."})
    text = browser.text(response.headers["Location"])
    assert "Definitief rapport gemaakt." in text
    assert "De feitelijke onjuistheid over de openingstijden is verbeterd." in text
    assert "definitief-rapport" in [e.kind.value for e in events(office, nr)]
