"""The lifecycle commands as an office user runs them: outputs, summaries, refusals and
location-first errors with nothing half-written."""

from __future__ import annotations

import datetime as dt
import email
import shutil
from email import policy
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result

from cbct_docs.cli import cli
from cbct_docs.cli.lifecycle_support import to_pdf
from cbct_docs.deliver.pdf import soffice_available
from cbct_docs.documents.context import Batch, Made
from cbct_docs.paths import samples_dir

from .conftest import plain_body
from .golden import docx_reading_text

SAMPLES = samples_dir()
REPO = Path(__file__).resolve().parent.parent
REGISTER = str(SAMPLES / "register.xlsx")
CONFIG = str(REPO / "cbct-docs.toml")


@pytest.fixture(autouse=True)
def own_ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test its own office ledger (by default it sits in the working folder)."""
    path = tmp_path / "kantoor" / "cbct-ledger.sqlite"
    path.parent.mkdir()
    monkeypatch.setenv("CBCT_LEDGER", str(path))
    return path


#: Every .docx the tests of this module made; the last test converts them in one batch.
PRODUCED: list[Path] = []


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, [*args], catch_exceptions=False)
    # The demo's documents are the sample round, converted in test_documents_lifecycle.
    if "--out" in args and result.exit_code == 0 and args[0] != "demo":
        PRODUCED.extend(Path(args[args.index("--out") + 1]).rglob("*.docx"))
    return result


OFFICE = ["--register", REGISTER, "--config", CONFIG]
#: The last audit day of each sample score sheet.
LAST_AUDIT_DAY = {"CBCT-0101": dt.date(2025, 5, 14), "CBCT-0102": dt.date(2025, 5, 21),
                  "CBCT-0104": dt.date(2025, 6, 4), "CBCT-0107": dt.date(2025, 4, 10),
                  "CBCT-0111": dt.date(2025, 5, 28), "CBCT-0103": dt.date(2025, 2, 18)}


def nl(day: dt.date) -> str:
    return f"{day.day}-{day.month}-{day.year}"


def sheet_of(cert_nr: str) -> str:
    return str(SAMPLES / "scores" / f"{cert_nr}.xlsx")


def through_reports(out: Path, *numbers: str, final: bool = True) -> dt.date:
    """Concept a week after each audit, definitief when the reaction term has passed;
    returns a decision date that comes after all of them."""
    for cert_nr in numbers:
        concept = LAST_AUDIT_DAY[cert_nr] + dt.timedelta(days=7)
        result = run("report", sheet_of(cert_nr), "--concept", *OFFICE, "--date", nl(concept),
                     "--out", str(out))
        assert result.exit_code == 0, result.output
        if final:
            result = run("report", sheet_of(cert_nr), "--definitief", "--no-response",
                         *OFFICE, "--date", nl(concept + dt.timedelta(days=15)),
                         "--out", str(out))
            assert result.exit_code == 0, result.output
    return max(LAST_AUDIT_DAY[nr] for nr in numbers) + dt.timedelta(days=30)


def files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_announce_writes_one_email_per_organisation_and_never_twice(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["announce", "--quarter", "2025-Q3", *OFFICE, "--date", "1-4-2025",
            "--out", str(out)]
    first = run(*args)
    assert first.exit_code == 0, first.output
    # Certified until 30-9-2025 (CBCT-0108) and 1-7-2025 (CBCT-0109).
    assert files(out) == [
        "aankondiging/CBCT-0108-aankondiging-Stichting Lezen & Schrijven Zuid.eml",
        "aankondiging/CBCT-0109-aankondiging-Bibliotheek Hoeksche Waard.eml"]
    assert "2 made" in first.output and "2 event(s) recorded" in first.output
    mail = email.message_from_bytes((out / files(out)[1]).read_bytes(), policy=policy.default)
    assert "derde kwartaal van 2025" in mail["Subject"]
    before = (out / files(out)[0]).read_bytes()
    # The dossiers know they were announced: a second run passes them by, with the reason.
    again = run(*args[:-4], "--date", "2-4-2025", "--out", str(out))
    assert again.exit_code == 0, again.output
    assert "skipped CBCT-0108 Stichting Lezen & Schrijven Zuid: aangekondigd op 1-4-2025" \
        in again.output
    assert "0 made" in again.output
    assert (out / files(out)[0]).read_bytes() == before


def test_intake_reminder_counts_from_the_announcement(tmp_path: Path) -> None:
    announced = run("announce", "-q", "2025-Q1", *OFFICE, "--date", "14-10-2024",
                    "--out", str(tmp_path / "a"))
    assert announced.exit_code == 0, announced.output
    # Q1 2025: certified until 31-3-2025 (CBCT-0103) and 28-2-2025 (CBCT-0110); the
    # intake of CBCT-0103 came in, so only CBCT-0110 is reminded.
    received = run("record", "CBCT-0103", "intake-ontvangen", "--date", "20-10-2024", *OFFICE)
    assert received.exit_code == 0, received.output
    args = ["intake-reminder", "-q", "2025-Q1", *OFFICE]
    early = run(*args, "--date", "13-10-2024", "--out", str(tmp_path / "x"))
    assert early.exit_code == 1
    assert ("CBCT-0110 (Muziekschool & Théâtre Lochem): a reminder dated 13-10-2024 comes "
            "before the announcement (14-10-2024)") in early.output
    assert not (tmp_path / "x").exists()
    result = run(*args, "--date", "21-10-2024", "--out", str(tmp_path / "b"))
    assert result.exit_code == 0, result.output
    assert "skipped CBCT-0103 Kunst&Co Uden: intake ontvangen op 20-10-2024" in result.output
    mails = sorted((tmp_path / "b" / "intake-herinnering").glob("*.eml"))
    assert [m.name[:9] for m in mails] == ["CBCT-0110"]
    mail = email.message_from_bytes(mails[0].read_bytes(), policy=policy.default)
    # announced 14 October: the intake is due two weeks later
    assert mail["Subject"] == ("Herinnering: intake audit Kwaliteit in Beeld uiterlijk "
                               "28 oktober 2024")
    assert "Muziekschool & Théâtre Lochem" in plain_body(mail)
    # A reminder sent after that date asks for one more week, never for a date gone by.
    late = run(*args, "--date", "4-11-2024", "--out", str(tmp_path / "c"))
    assert late.exit_code == 0, late.output
    mail = email.message_from_bytes(
        sorted((tmp_path / "c" / "intake-herinnering").glob("*.eml"))[0].read_bytes(),
        policy=policy.default)
    assert mail["Subject"].endswith("uiterlijk 11 november 2024")
    assert "uiterlijk op 11 november 2024" in plain_body(mail)


def test_certificate_with_a_given_number(tmp_path: Path) -> None:
    decided = through_reports(tmp_path, "CBCT-0101", "CBCT-0102")
    decide = run("decide", sheet_of("CBCT-0101"), sheet_of("CBCT-0102"), "--no-certificates",
                 *OFFICE, "--date", nl(decided), "--out", str(tmp_path))
    assert decide.exit_code == 0, decide.output
    args = ["certificate", *OFFICE, "--out", str(tmp_path)]
    two = run(*args, "--org", "CBCT-0101", "--org", "CBCT-0102", "--number", "KiB-2025-0100")
    assert two.exit_code == 2 and "--number fits one --org only" in two.output
    unknown = run(*args, "--org", "CBCT-01")
    assert unknown.exit_code == 2
    assert "no organisation with certificate number 'CBCT-01'" in unknown.output
    # Voorwaardelijk gecertificeerd: no certificate.
    conditional = run(*args, "--org", "CBCT-0102", "--number", "KiB-2025-0100")
    assert conditional.exit_code == 1
    assert ("CBCT-0102 (Bibliotheek Rivierenland): the decision of 20-6-2025 is "
            "'Voorwaardelijk gecertificeerd', not 'Gecertificeerd'") in conditional.output
    one = run(*args, "--org", "cbct-0101", "--number", "KiB-2025-0100")
    assert one.exit_code == 0, one.output
    [path] = (tmp_path / "certificaat").glob("*.docx")
    text = docx_reading_text(path)
    assert "Certificaatnummer KiB-2025-0100" in text and "Bibliotheek Rivierenland" in text
    # Decided after the old certificate ended (1-4-2025): four years from the decision.
    assert "Geldig van 20 juni 2025 tot en met 19 juni 2029" in text
    # Once per cycle; a re-issue needs a reason, and is recorded.
    second = run(*args, "--org", "CBCT-0101", "--overwrite")
    assert second.exit_code == 1
    assert "certificate KiB-2025-0100 was issued on 20-6-2025 in this cycle" in second.output
    reissue = run(*args, "--org", "CBCT-0101", "--overwrite", "--reason", "verloren")
    assert reissue.exit_code == 0, reissue.output
    assert "Certificaatnummer KiB-2025-0100" in docx_reading_text(path)


def test_bad_quarter_is_a_usage_error(tmp_path: Path) -> None:
    result = run("announce", "--quarter", "2025-Q5", "--register", REGISTER,
                 "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "Error: --quarter" in result.output
    assert files(tmp_path) == []


def test_confirm_reports_every_planning_problem_and_writes_nothing(tmp_path: Path) -> None:
    planning = tmp_path / "planning.xlsx"
    book = openpyxl.load_workbook(SAMPLES / "planning.xlsx")
    appointments = book["Afspraken"]
    appointments["D3"] = dt.time(8, 0)  # ends before it begins (row 3 begins 13:30)
    appointments.append(["CBCT-9999", dt.date(2025, 5, 1), dt.time(9), dt.time(12),
                         "Ergens", "Gesprek"])
    book.save(planning)
    out = tmp_path / "out"
    result = run("confirm", str(planning), "--register", REGISTER, "--config", CONFIG,
                 "--out", str(out))
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert lines[0].startswith(f"Error: {planning}:Afspraken:row 3:eind: ends (08:00) "
                               "before it begins (13:30)")
    assert any(line.startswith(f"Error: {planning}:Afspraken:row 23:cert_nr: CBCT-9999 has "
                               "appointments but no row in Audits") for line in lines)
    assert not out.exists() or files(out) == []


def test_confirm_one_organisation_with_date(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("confirm", str(SAMPLES / "planning.xlsx"), "--org", "CBCT-0103",
                 "--register", REGISTER, "--config", CONFIG, "--date", "4-11-2024",
                 "--out", str(out))
    assert result.exit_code == 0, result.output
    [letter] = (out / "bevestigingsbrief").glob("*.docx")
    text = docx_reading_text(letter)
    assert "Kunst&Co Uden" in text and "Utrecht, 4 november 2024" in text
    assert "dinsdag 18 februari 2025 | 09:30 – 13:00 uur | Mondriaanplein 5, Uden" in text
    assert "auditcategorie I." in text and "twee dagdelen" in text and "één auditor." in text


def test_email_option_sends_each_letter_as_attachment(tmp_path: Path) -> None:
    out = tmp_path / "out"
    decided = through_reports(tmp_path / "reports", "CBCT-0107")
    result = run("decide", sheet_of("CBCT-0107"), "--email", *OFFICE, "--date", nl(decided),
                 "--out", str(out))
    assert result.exit_code == 0, result.output
    assert files(out)[:2] == [
        "besluitbrief/CBCT-0107-besluitbrief-Bibliotheek Gooi & Vecht.docx",
        "besluitbrief/CBCT-0107-besluitbrief-Bibliotheek Gooi & Vecht.eml"]
    mail = email.message_from_bytes(
        (out / "certificaat" / "CBCT-0107-certificaat-Bibliotheek Gooi & Vecht.eml")
        .read_bytes(), policy=policy.default)
    assert mail["Subject"] == "Certificaat Kwaliteit in Beeld – Bibliotheek Gooi & Vecht"
    assert "m.kuipers@gooienvecht-bieb.example.nl" in mail["To"]
    body = mail.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert text.startswith("Beste mevrouw Kuipers-Öztürk,")
    assert "Het origineel en het gevelbord komen per post." in text
    [attachment] = list(mail.iter_attachments())
    name = "CBCT-0107-certificaat-Bibliotheek Gooi & Vecht.docx"
    assert attachment.get_filename() == name
    attached = attachment.get_content()
    assert attached == (out / "certificaat" / name).read_bytes()


def test_report_decide_and_certificate_numbers_stay_on_rerun(tmp_path: Path) -> None:
    out = tmp_path / "out"
    sheets = [sheet_of(nr) for nr in ("CBCT-0101", "CBCT-0104")]
    # Audits on 13-14 May and 3-4 June: a concept within three weeks of both.
    concept = run("report", *sheets, "--concept", *OFFICE, "--date", "4-6-2025",
                  "--out", str(out))
    assert concept.exit_code == 0, concept.output
    assert "rapport-concept" in concept.output and "2 made" in concept.output
    no_response = run("report", sheets[0], "--definitief", "--no-response", *OFFICE,
                      "--date", "19-6-2025", "--out", str(out))
    assert no_response.exit_code == 0, no_response.output
    final = run("report", sheets[1], "--definitief", "--response",
                "de organisatie wees op een onjuist aantal vestigingen; dat is aangepast.",
                *OFFICE, "--date", "25-6-2025", "--out", str(out))
    assert final.exit_code == 0, final.output
    [definitive] = (out / "rapporten").glob("CBCT-0104-rapport-definitief-*.docx")
    text = docx_reading_text(definitive)
    assert "De reactie van het taalhuis is verwerkt: de organisatie wees op" in text
    assert "Advies: Niet gecertificeerd" in text and "CONCEPT" not in text

    decide = ["decide", *sheets, *OFFICE, "--date", "2-7-2025", "--out", str(out)]
    assert run(*decide).exit_code == 0
    [certificate] = (out / "certificaat").glob("*.docx")
    number_line = next(line for line in docx_reading_text(certificate).splitlines()
                       if line.startswith("Certificaatnummer"))
    assert number_line == "Certificaatnummer KiB-2025-0001"
    assert [p.name[:9] for p in (out / "besluitbrief").glob("*.docx")].count("CBCT-0104") == 1
    again = run(*decide, "--overwrite")
    assert again.exit_code == 0, again.output
    assert "skipped CBCT-0101 Bibliotheek Rivierenland: besluit genomen op 2-7-2025" \
        in again.output
    assert number_line in docx_reading_text(certificate)  # the same certificate stands


def test_heraudit_skips_a_certified_organisation(tmp_path: Path) -> None:
    decided = through_reports(tmp_path, "CBCT-0101", "CBCT-0102")
    assert run("decide", sheet_of("CBCT-0101"), sheet_of("CBCT-0102"), *OFFICE, "--date",
               nl(decided), "--out", str(tmp_path)).exit_code == 0
    result = run("heraudit", sheet_of("CBCT-0101"), sheet_of("CBCT-0102"), "--on",
                 "12-1-2026", *OFFICE, "--date", "1-11-2025", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert ("skipped CBCT-0101 Bibliotheek Rivierenland: gecertificeerd: no heraudit needed"
            in result.output)
    [letter] = (tmp_path / "heraudit").glob("*.docx")
    assert letter.name.startswith("CBCT-0102")
    assert "maandag 12 januari 2026" in docx_reading_text(letter)


def test_campaign_command_through_the_merge(tmp_path: Path) -> None:
    result = run("campaign", str(SAMPLES / "campaign.xlsx"), "--places", "2", "--config",
                 CONFIG, "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "2 placed, 5 thanked." in result.output
    html = sorted((tmp_path / "campagne" / "antwoorden").glob("*.html"))
    assert len(html) == 7
    assert "Goed nieuws" in html[1].read_text("utf-8")
    assert "Goed nieuws" not in html[2].read_text("utf-8")


def test_settings_without_letterhead_are_refused(tmp_path: Path) -> None:
    config = tmp_path / "cbct-docs.toml"
    config.write_text('[sender]\nname = "Bureau"\nemail = "info@bureau.example"\n',
                      encoding="utf-8")
    result = run("survey", "--org", "CBCT-0101", "--register", REGISTER, "--config",
                 str(config), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert f"Error: {config}: missing section [letterhead]" in result.output
    assert f"Error: {config}: missing section [signatory]" in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["announce", "confirm", "report", "decide", "certificate",
                                     "heraudit", "survey", "campaign", "demo",
                                     "intake-reminder"])
def test_help_teaches_with_examples(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.output and "cbct-docs " in result.output


def test_demo_prints_what_it_made(tmp_path: Path) -> None:
    result = run("demo", "--out", str(tmp_path / "out"), "--no-pdf")
    assert result.exit_code == 0, result.output
    assert "Besluitbrief                       6   besluitbrief/" in result.output
    assert "Besluitbrief na heraudit           1   besluitbrief-heraudit/" in result.output
    # CBCT-0102 was voorwaardelijk gecertificeerd, then alsnog after its heraudit.
    assert ("outcomes: 4× Gecertificeerd, 1× Voorwaardelijk gecertificeerd, "
            "1× Niet gecertificeerd") in result.output
    assert "Whitepaper (Word en webpagina)     2   whitepapers/" in result.output
    assert "67 files made." in result.output
    out = tmp_path / "out"
    paper = (out / "whitepapers" / "KiB-norm-4-Samenwerking.html").read_text(encoding="utf-8")
    assert "Samenwerking" in paper and "norm 4 van 7" in paper
    overview = docx_reading_text(out / "sectoroverzicht" / "sectoroverzicht.docx")
    assert "Bibliotheek Rivierenland" in overview
    # The demo folder is an office of its own.
    status = run("status", "--office", str(out), "--date", "1-3-2026")
    assert status.exit_code == 0, status.output
    assert ("CBCT-0102  Bibliotheek Rivierenland  [KiB 2025-Q2]  Certificaat uitgereikt → "
            "Certificaat en gevelbord per post") not in status.output
    assert "CBCT-0111  Bibliotheek Eemland/Amersfoort  [KiB 2025-Q2]  Heraudit gepland" \
        in status.output


@pytest.mark.skipif(not soffice_available(), reason="LibreOffice (soffice) is not installed")
def test_every_word_document_of_these_commands_converts(tmp_path: Path) -> None:
    documents = sorted(set(PRODUCED))
    if not documents:
        pytest.skip("run together with the other tests of this module")
    from pypdf import PdfReader

    staged = []
    for number, document in enumerate(documents):  # same names from different tests
        staged.append(tmp_path / f"{number:02d}-{document.name}")
        shutil.copyfile(document, staged[-1])
    # The same route as --pdf: PDFs next to the Word documents, one soffice batch.
    made = to_pdf(Batch(tmp_path), [Made("brief", path) for path in staged])
    assert [m.path for m in made] == [p.with_suffix(".pdf") for p in staged]
    for document, item in zip(documents, made, strict=True):
        first_line = docx_reading_text(document).splitlines()[0]
        assert first_line.split()[0] in PdfReader(str(item.path)).pages[0].extract_text()


def test_certificate_numbers_are_unique_across_output_folders(tmp_path: Path,
                                                              own_ledger: Path) -> None:
    numbers = []
    for run_number, cert_nr in enumerate(("CBCT-0101", "CBCT-0107")):
        out = tmp_path / f"run{run_number}"
        decided = through_reports(out, cert_nr)
        result = run("decide", sheet_of(cert_nr), *OFFICE, "--date", nl(decided),
                     "--out", str(out))
        assert result.exit_code == 0, result.output
        [certificate] = (out / "certificaat").glob("*.docx")
        numbers.append(next(line for line in docx_reading_text(certificate).splitlines()
                            if line.startswith("Certificaatnummer")))
    assert len(set(numbers)) == 2, numbers
    assert own_ledger.is_file()


def test_definitive_report_must_say_what_became_of_the_response(tmp_path: Path) -> None:
    through_reports(tmp_path / "concept", "CBCT-0104", final=False)  # concept on 11-6-2025
    sheet = sheet_of("CBCT-0104")
    base = ["report", sheet, "--definitief", *OFFICE, "--out", str(tmp_path)]
    silent = run(*base, "--date", "26-6-2025")
    assert silent.exit_code == 2 and "--response TEXT" in silent.output
    assert not (tmp_path / "rapporten").exists()
    # The reaction term (two weeks) has not passed: no "did not respond" yet.
    early = run(*base, "--no-response", "--date", "12-6-2025")
    assert early.exit_code == 1
    assert ("CBCT-0104 (Taalhuis Noord/Oost): the reaction term on the concept of 11-6-2025 "
            "runs until 25-6-2025, and no reaction was recorded") in early.output
    none = run(*base, "--no-response", "--date", "26-6-2025")
    assert none.exit_code == 0, none.output
    [path] = (tmp_path / "rapporten").glob("*.docx")
    assert "niet gereageerd op het conceptrapport" in docx_reading_text(path)


def test_scoresheet_new_never_falls_back_to_the_sample_register(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("scoresheet", "new", "--org", "CBCT-0104", "--out", str(tmp_path / "s.xlsx"))
    assert result.exit_code == 2
    assert "the office database has no organisations yet" in result.output
    assert "cbct-docs register import register.xlsx" in result.output
    assert not (tmp_path / "s.xlsx").exists()
