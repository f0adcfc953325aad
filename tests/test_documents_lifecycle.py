"""The lifecycle documents of the sample round, opened and read as the office and the
organisations read them. Expected dates are counted by hand from the sample planning
(samples/make_planning.py) and the KiB/ZoO deadlines; every .docx goes through
LibreOffice once, in one batch for the module."""

from __future__ import annotations

import email
import json
import zipfile
from email import policy
from email.message import EmailMessage
from pathlib import Path

import docx
import pytest
from docx.enum.section import WD_ORIENT

from cbct_docs.deliver.pdf import convert_to_pdf, soffice_available

from .golden import docx_reading_text, render_round

ALL_NORMS_KIB = ["Missie, visie, strategie & beleid", "Middelen", "Mensen", "Samenwerking",
                 "Producten & diensten", "Resultaten & verantwoording", "Compliance"]
ALL_NORMS_ZOO = ["Beleid en financiën", "Middelen", "Samenwerking", "Mensen",
                 "Producten en diensten", "Resultaten en maatschappelijk effect",
                 "Handelen conform (privacy)wetgeving"]


@pytest.fixture(scope="module")
def round_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("round")
    render_round(out)
    return out


def one(out: Path, folder: str, cert_nr: str, suffix: str = ".docx") -> Path:
    found = sorted((out / folder).glob(f"{cert_nr}-*{suffix}"))
    assert len(found) == 1, f"{folder}/{cert_nr}: {found}"
    return found[0]


def text_of(path: Path) -> str:
    return docx_reading_text(path)


def message(path: Path) -> EmailMessage:
    parsed = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def plain(msg: EmailMessage) -> str:
    body = msg.get_body(("plain",))
    assert body is not None
    return body.get_content()


def html(msg: EmailMessage) -> str:
    body = msg.get_body(("html",))
    assert body is not None
    return body.get_content()


def listed_norms(text: str, titles: list[str]) -> list[str]:
    """Which norm titles appear as list items ("Norm N: title" lines) in a letter."""
    lines = set(text.splitlines())
    return [t for n, t in enumerate(titles, start=1) if f"Norm {n}: {t}" in lines]


# --- announcement and reminder ------------------------------------------------------------

def test_announcement_goes_to_every_organisation_of_the_quarter(round_out: Path) -> None:
    names = sorted(p.name.split("-aankondiging")[0] for p in
                   (round_out / "aankondiging").glob("*.eml"))
    # Q2 2025: certified until 1-4, 30-6, 1-5, 15-4 and 31-5-2025; Q1: 31-3 and 28-2-2025.
    assert names == ["CBCT-0101", "CBCT-0102", "CBCT-0103", "CBCT-0104", "CBCT-0107",
                     "CBCT-0110", "CBCT-0111"]


def test_announcement_gives_quarter_framework_deadline_and_portal(round_out: Path) -> None:
    msg = message(one(round_out, "aankondiging", "CBCT-0107", ".eml"))
    assert msg["Subject"] == ("Aankondiging audit Kwaliteit in Beeld in het tweede kwartaal "
                              "van 2025")
    assert "m.kuipers@gooienvecht-bieb.example.nl" in msg["To"]
    text = plain(msg)
    assert "Beste mevrouw Kuipers-Öztürk," in text
    assert "Bibliotheek Gooi & Vecht is geldig tot en met 15 april 2025" in text
    # Announced 13 January 2025; intake within two weeks.
    assert "uiterlijk op 27 januari 2025 het intakeformulier" in text
    assert "welke medewerkers in Zenya gaan werken" in text
    # The four-year cycle and what the intake asks (about a quarter of an hour).
    assert "Een certificaat geldt vier jaar; daarna volgt een nieuwe audit." in text
    assert ("ongeveer een kwartier: de contactgegevens, het aantal vestigingen en de "
            "diensten van de bibliotheek") in text
    body = html(msg)
    assert "Bibliotheek Gooi &amp; Vecht" in body and "tweede kwartaal van 2025" in body
    assert 'style="' in body  # CSS inlined for mail clients


def test_intake_reminder_repeats_the_deadline(round_out: Path) -> None:
    msg = message(one(round_out, "intake-herinnering", "CBCT-0103", ".eml"))
    assert "eerste kwartaal van 2025" in plain(msg)
    # announced 14 October 2024: the intake is due two weeks later
    assert msg["Subject"] == ("Herinnering: intake audit Kwaliteit in Beeld uiterlijk "
                              "28 oktober 2024")
    assert "Op 14 oktober 2024 kondigden we de audit Kwaliteit in Beeld" in plain(msg)
    assert "diensten van de organisatie" in plain(msg)  # Kunst&Co: no library


# --- bevestigingsbrief -------------------------------------------------------------------

def test_confirmation_lists_appointments_category_auditors_deadline(round_out: Path) -> None:
    text = text_of(one(round_out, "bevestigingsbrief", "CBCT-0107"))
    assert "Bibliotheek Gooi & Vecht\nt.a.v. mevrouw M. Kuipers-Öztürk\nKerkbrink 6" in text
    for row in ("dinsdag 8 april 2025 | 09:00 – 12:30 uur | Kerkbrink 6, Hilversum",
                "woensdag 9 april 2025 | 09:00 – 12:30 uur | Vestiging Bussum, "
                "Wilhelminaplantsoen 2",
                "donderdag 10 april 2025 | 13:30 – 16:00 uur | Kerkbrink 6, Hilversum"):
        assert row in text
    assert text.count(" uur | ") == 6
    assert "auditcategorie IV" in text and "zes dagdelen" in text and "drie auditoren" in text
    assert "Karim El Amrani, Joke Verbeek-Dijkstra en Esra Yılmaz" in text
    # Six weeks before 8 April 2025; concept report three weeks after 10 April.
    assert "uiterlijk op 25 februari 2025" in text
    assert "Je ontvangt uiterlijk op 1 mei 2025 het conceptrapport." in text
    assert "definitief vastgesteld door de auditoren, met een advies aan het bureau" in text
    assert "Certificatiebureau Cultuur & Taal" in text and "drs. Marieke van Dalen" in text


# --- reports ------------------------------------------------------------------------------

def header_texts(path: Path) -> list[str]:
    document = docx.Document(str(path))
    return [" ".join(p.text for p in s.header.paragraphs) for s in document.sections]


def test_concept_report_marked_on_every_page_with_deadline(round_out: Path) -> None:
    path = one(round_out, "rapporten", "CBCT-0102-rapport-concept")
    headers = header_texts(path)
    document = docx.Document(str(path))
    # One header per section, also for a different first page if there were one.
    assert all(not s.different_first_page_header_footer for s in document.sections)
    assert headers and all("CONCEPT" in h for h in headers)
    # Concept sent 4 June 2025; two weeks for hoor en wederhoor.
    assert all("reageren uiterlijk op 18 juni 2025" in h for h in headers)
    assert "Je kunt tot en met 18 juni 2025 schriftelijk reageren" in text_of(path)


def test_definitive_report_is_not_marked(round_out: Path) -> None:
    path = one(round_out, "rapporten", "CBCT-0102-rapport-definitief")
    text = text_of(path)
    assert "CONCEPT" not in text and "conceptrapport. Je kunt" not in text
    assert "Versie | definitief, 25 juni 2025" in text
    assert "De bibliotheek heeft binnen de termijn niet gereageerd op het conceptrapport" in text


def test_report_scores_per_norm_chart_and_advice(round_out: Path) -> None:
    path = one(round_out, "rapporten", "CBCT-0111-rapport-concept")
    text = text_of(path)
    # Summary table: every norm and the IDO module, with its verdict.
    for number, title in enumerate(ALL_NORMS_KIB, start=1):
        verdict = "onvoldoende" if number == 6 else "voldoende"
        assert f"\n{number} | {title} | " in text
        assert any(line.startswith(f"{number} | {title} | ") and line.endswith(verdict)
                   for line in text.splitlines())
    assert "module | Informatiepunt Digitale Overheid | 1× Niet, 1× Beperkt, 1× Grotendeels" \
           " | onvoldoende" in text
    # Question scores of the insufficient norm (set in samples/make_scores.py).
    assert "6.1 | De organisatie meet de resultaten van haar activiteiten en legt ze naast " \
           "de doelen. | Beperkt" in text
    assert "6.3 | De organisatie legt verantwoording af aan financiers en aan het publiek. " \
           "| Beperkt" in text
    assert "Advies: Voorwaardelijk gecertificeerd" in text
    assert "Verbeterpunten" in text and "Sterke punten" in text
    # The chart: a Word drawing (no picture) with a bar per norm and module, labelled.
    with zipfile.ZipFile(path) as archive:
        assert not [n for n in archive.namelist() if n.startswith("word/media/")]
        body = archive.read("word/document.xml").decode("utf-8")
    assert body.count("<wpg:wgp>") == 1
    for number, title in enumerate(ALL_NORMS_KIB, start=1):
        assert f"{number}. {title}".replace("&", "&amp;") + "</w:t>" in body
    assert "Module Informatiepunt Digitale Overheid</w:t>" in body


def test_report_shows_override_reason(round_out: Path) -> None:
    text = text_of(one(round_out, "rapporten", "CBCT-0103-rapport-definitief"))
    assert "Advies: Gecertificeerd" in text
    reason = "verwerkersovereenkomst is tijdens de audit alsnog ondertekend"
    assert text.count(reason) == 1  # once, beside the advice it explains
    assert ("Dit advies wijkt af van het advies dat uit de scores volgt. De reden van de "
            "auditor: De ontbrekende verwerkersovereenkomst") in text


# --- besluitbrief -------------------------------------------------------------------------

def test_decision_certified_congratulates_and_announces_post(round_out: Path) -> None:
    text = text_of(one(round_out, "besluitbrief", "CBCT-0101"))
    assert "Besluit: Gecertificeerd" in text and "gefeliciteerd" in text
    assert "het definitieve auditrapport, het gevelbord en het certificaat" in text
    assert "Bezwaar" not in text and "heraudit" not in text
    assert listed_norms(text, ALL_NORMS_KIB) == []


def test_decision_conditional_lists_only_insufficient_norms(round_out: Path) -> None:
    text = text_of(one(round_out, "besluitbrief", "CBCT-0102"))
    assert "Besluit: Voorwaardelijk gecertificeerd" in text
    assert listed_norms(text, ALL_NORMS_KIB) == ["Mensen"]
    # Decided 2 July 2025: heraudit half a year later, bezwaar within six weeks.
    assert "heraudit omstreeks januari 2026" in text
    assert ("dan kan de bibliotheek binnen zes weken na de datum van deze brief, dus uiterlijk "
            "op 13 augustus 2025") in text
    assert "paragraaf 4 van het certificatiereglement (klachtenprocedure" in text
    assert "gefeliciteerd" not in text


def test_decision_not_certified_lists_its_three_norms(round_out: Path) -> None:
    text = text_of(one(round_out, "besluitbrief", "CBCT-0104"))
    assert "Besluit: Niet gecertificeerd" in text
    assert listed_norms(text, ALL_NORMS_ZOO) == ["Middelen", "Mensen",
                                                 "Resultaten en maatschappelijk effect"]
    assert "Bezwaar" in text and "voorwaardelijk gecertificeerd. Het certificaat" not in text


def test_heraudit_letters_only_for_the_not_certified(round_out: Path) -> None:
    letters = sorted(p.name[:9] for p in (round_out / "heraudit").glob("*.docx"))
    assert letters == ["CBCT-0102", "CBCT-0104", "CBCT-0111"]  # not 0103: overridden
    text = text_of(one(round_out, "heraudit", "CBCT-0111"))
    assert listed_norms(text, ALL_NORMS_KIB) == ["Resultaten & verantwoording"]
    assert "Module Informatiepunt Digitale Overheid" in text.splitlines()
    assert "Thijs van 't Hof en Anna de Wit" in text


# --- certificaat, survey, campaign --------------------------------------------------------

def test_certificate_number_validity_landscape(round_out: Path) -> None:
    path = one(round_out, "certificaat", "CBCT-0107")
    section = docx.Document(str(path)).sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert section.page_width is not None and section.page_height is not None
    assert section.page_width > section.page_height
    text = text_of(path)
    assert "Bibliotheek Gooi & Vecht" in text and "te Hilversum" in text
    assert "Kwaliteit in Beeld" in text
    assert "Leesbevordering (educatieve dienstverlening), Informatiepunt Digitale Overheid " \
           "en Taalhuis" in text
    assert "Certificaatnummer KiB-2025-" in text
    # Last audit day 10 April; concept 24 April, definitive 15 May, decided 22 May 2025,
    # after the old certificate ended (15 April): four years from the decision, the last
    # day inclusive ("tot en met").
    assert "Geldig van 22 mei 2025 tot en met 21 mei 2029" in text


def test_survey_link_is_per_organisation(round_out: Path) -> None:
    msg = message(one(round_out, "enquete", "CBCT-0104", ".eml"))
    assert "https://enquete.cbct.example/audit?org=CBCT-0104" in plain(msg)
    assert "Beste heer Hoekstra," in plain(msg)
    for topic in ("het verloop van het proces en de audit", "het contact met het auditteam",
                  "of je op tijd genoeg informatie kreeg"):
        assert topic in plain(msg)


def test_campaign_places_first_registrations_and_answers_everyone(round_out: Path) -> None:
    rows = json.loads((round_out / "campagne" / "deelnemers.json").read_text("utf-8"))
    order = [(r["cert_nr"], r["geplaatst"]) for r in rows]
    # Registration times in samples/make_planning.py: 8:47, 9:12, 10:02, 11:30 on 3 March.
    assert order == [("CBCT-0113", True), ("CBCT-0106", True), ("CBCT-0114", True),
                     ("CBCT-0105", True), ("CBCT-0108", False), ("CBCT-0112", False),
                     ("CBCT-0109", False)]
    answers = sorted((round_out / "campagne").glob("*.eml"))
    assert len(answers) == 7
    accepted = message(answers[0])
    assert "je hebt een plaats" in accepted["Subject"]
    # The texts come from the campaign's own file (samples/campaign.toml).
    assert "twee begeleidingsgesprekken" in plain(accepted)
    assert "Bibliotheek Maas & Peel" in plain(accepted)
    thanked = message(answers[-1])
    assert "bedankt voor de aanmelding" in thanked["Subject"]
    assert "alle vier plaatsen zijn inmiddels vergeven" in plain(thanked)
    assert "twee begeleidingsgesprekken" not in plain(thanked)


# --- LibreOffice ----------------------------------------------------------------------------

@pytest.mark.skipif(not soffice_available(), reason="LibreOffice (soffice) is not installed")
def test_every_word_document_converts_with_libreoffice(round_out: Path) -> None:
    from pypdf import PdfReader

    documents = sorted(round_out.glob("*/*.docx"))
    assert len(documents) == 32  # with the decision after the heraudit and its certificate
    pdfs = convert_to_pdf(documents, round_out / "pdf")
    assert [p.stem for p in pdfs] == [d.stem for d in documents]
    concept = next(p for p in pdfs if p.stem.startswith("CBCT-0102-rapport-concept"))
    pages = PdfReader(str(concept)).pages
    assert len(pages) > 1 and all("CONCEPT" in page.extract_text() for page in pages)
    # LibreOffice draws the score chart: its labels and legend, and the bars' colours.
    import pdfplumber

    with pdfplumber.open(str(concept)) as pdf:
        page = next(p for p in pdf.pages if "aantal vragen" in (p.extract_text() or ""))
        words = page.extract_text()
        picture = page.to_image(resolution=50).original.convert("RGB")
    assert "4. Samenwerking" in words and "Grotendeels" in words and "Volledig" in words
    colours = picture.getcolors(1 << 20)
    assert colours is not None, "a chart at 50 dpi has fewer than 2**20 colours"
    seen = {colour for _count, colour in colours}
    # Volledig green, Grotendeels yellow and Beperkt light red (3. Mensen) are drawn.
    assert {(46, 125, 50), (224, 168, 0), (224, 102, 102)} <= seen
    certificate = next(p for p in pdfs if p.stem.startswith("CBCT-0101-certificaat"))
    box = PdfReader(str(certificate)).pages[0].mediabox
    assert box.width > box.height  # landscape survived the conversion
