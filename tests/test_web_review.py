"""The pages at speed, never at the cost of being right: the To and Subject of every
e-mail read without the e-mail parser when they are as cbct-docs writes them (exactly as
the parser reads them otherwise), and what a page read kept only while the office is
unchanged."""

from __future__ import annotations

import datetime as dt
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses
from pathlib import Path

import pytest

from cbct_docs.runs.emails import recipients_and_subject
from cbct_docs.runs.office import open_office
from cbct_docs.web import create_app

BODY = b"\r\n\r\nBeste lezer,\r\nTo: niet@deze.example\r\n"


def parsed(data: bytes) -> tuple[tuple[str, ...], bool]:
    head = BytesHeaderParser(policy=compat32).parsebytes(data)
    return (tuple(a for _n, a in getaddresses(head.get_all("To", []))),
            bool(str(head.get("Subject", "")).strip()))


@pytest.mark.parametrize("header", [
    b"To: mevrouw =?utf-8?b?QS4=?= de\r\n =?utf-8?b?V2l0LcOWemRlbWly?= 0\r\n"
    b" <info0@bieb.example>\r\nSubject: Aankondiging",
    b"To: info@bieb.example\r\nSubject: x",
    b"To: <info@bieb.example>\r\nSubject:   ",
    b'To: "Wit, A. de" <a@bieb.example>, b@bieb.example\r\nSubject: twee',
    b"To: Directie: a@bieb.example, b@bieb.example;\r\nSubject: groep",
    b"To: a@bieb.example\r\nTo: b@bieb.example\r\nSubject: twee keer",
    b"To: geen-adres\r\nSubject: fout",
    b"Subject: zonder Aan",
    b"To: (opmerking) a@bieb.example\r\n",
    b"To : a@bieb.example\r\nsubject: kleine letters\r\nTO: b@bieb.example",
    b"To: =?utf-8?q?M=C3=BCller?= <m\xc3\xbcller@bieb.example>\r\nSubject: utf-8",
])
def test_the_fast_reading_agrees_with_the_parser(header: bytes) -> None:
    data = b"From: kantoor@cbct.example\r\n" + header + BODY
    assert recipients_and_subject(data) == parsed(data)


def test_an_address_as_cbct_docs_writes_it_is_read_without_the_parser(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from cbct_docs.runs import emails

    def no_parser(*_args: object, **_kw: object) -> None:
        raise AssertionError("the e-mail parser was used")

    monkeypatch.setattr(emails, "BytesHeaderParser", no_parser)
    data = (b"To: mevrouw =?utf-8?b?QS4=?= de =?utf-8?b?V2l0?= 0\r\n <info0@bieb.example>"
            b"\r\nSubject: Aankondiging" + BODY)
    assert recipients_and_subject(data) == (("info0@bieb.example",), True)


def test_the_pages_never_show_the_office_older_than_it_is(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The overview and review pages keep what they read while the office is unchanged
    (runs/snapshot.py); a change from anywhere — another program, the register file on
    disk, an upload in the same second — shows at once."""
    from openpyxl import load_workbook

    from cbct_docs.runs.approval import approve
    from cbct_docs.runs.record import Happening, record
    from tests.test_web import Browser, _xlsx_upload, announce, make_office

    monkeypatch.setenv("CBCT_USER", "anna")
    office = make_office(tmp_path / "kantoor")
    browser = Browser(create_app(office, require_login=False))
    review = announce(browser)
    overview = "/?kwartaal=2025-Q2&peildatum=2025-01-14"
    assert "Aangekondigd 5" in browser.text(overview)
    assert "Nog te beoordelen" in browser.text(review)
    other = open_office(office, user="bert")  # another program, its own connection
    try:
        record(other, [Happening("CBCT-0107", "intake-ontvangen", dt.date(2025, 1, 14))])
        approve(other, int(review.rsplit("/", 1)[1]))
    finally:
        other.close()
    assert "Aangekondigd 4" in browser.text(overview)
    assert "Intake ontvangen 1" in browser.text(overview)
    assert "Nog te beoordelen" not in browser.text(review)
    # What the pages read, brought up to date event by event, is what a new reading gives.
    from cbct_docs.runs.snapshot import reading
    from cbct_docs.store.dossiers import all_dossiers

    place = open_office(office)
    try:
        kept = reading(place).dossiers
        fresh = all_dossiers(place.database())
    finally:
        place.close()
    assert {nr: (d.id, [e.id for e in d.state.events]) for nr, d in kept.items()} == {
        nr: (d.id, [e.id for e in d.state.events]) for nr, d in fresh.items()}
    assert [e.kind.value for e in kept["CBCT-0107"].state.events] == [
        "aangekondigd", "intake-ontvangen", "goedgekeurd"]
    book = load_workbook(office / "register.xlsx")
    book.active.cell(row=8, column=2, value="Bibliotheek Gooi en Vecht")  # CBCT-0107
    book.save(office / "register.xlsx")  # changed on disk: read in by the next page
    assert "CBCT-0107 Bibliotheek Gooi en Vecht" in browser.text(overview)
    changed = tmp_path / "register-nieuw.xlsx"
    book.active.cell(row=6, column=2, value="Bibliotheek Sneek")  # CBCT-0105
    book.save(changed)
    browser.post("/bestanden/register", {"bestand": _xlsx_upload(changed)}, status=200,
                 content_type="multipart/form-data")
    assert "CBCT-0105 Bibliotheek Sneek " in browser.text(
        "/?kwartaal=2025-Q4&peildatum=2025-01-14")


def test_a_register_read_in_elsewhere_shows_at_once(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """An office whose register is read in on the command line (no register.xlsx in its
    folder): a change to an organisation without a dossier adds no event and changes no
    file the web app looks at, and still shows on the next page, within the second."""
    import shutil

    from openpyxl import load_workbook

    from cbct_docs.paths import samples_dir
    from cbct_docs.runs.register import import_register
    from tests.test_web import Browser, make_office

    monkeypatch.setenv("CBCT_USER", "anna")
    office = make_office(tmp_path / "kantoor")
    register = tmp_path / "register.xlsx"
    shutil.move(office / "register.xlsx", register)
    book = load_workbook(samples_dir() / "register.xlsx")
    for number, name in enumerate(("Sneek", "Súdwest", "Fryslân")):
        book.active.cell(row=6, column=2, value=f"Bibliotheek {name}")  # CBCT-0105
        book.save(register)
        other = open_office(office, user="bert", new_database_ok=number == 0)
        try:
            import_register(other, register)
        finally:
            other.close()
        if number == 0:
            browser = Browser(create_app(office, require_login=False))
        assert f"CBCT-0105 Bibliotheek {name} " in browser.text(
            "/?kwartaal=2025-Q4&peildatum=2025-01-14")


def test_the_review_reads_an_emails_head_as_the_full_reading_does(tmp_path: Path) -> None:
    from email.message import EmailMessage

    from cbct_docs.runs.emails import email_head, email_view

    plain = EmailMessage()
    plain["From"] = "Certificatiebureau Cultuur & Taal <certificering@cbct.example>"
    plain["To"] = "mevrouw M. Kuipers-Öztürk <m.kuipers@bieb.example>"
    plain["Cc"] = "kwaliteit@bieb.example"
    plain["Subject"] = "Aankondiging audit — tweede kwartaal"
    plain.set_content("Beste mevrouw,")
    plain.add_alternative("<p>Beste mevrouw,</p>", subtype="html")
    with_file = EmailMessage()
    for name in ("From", "To", "Subject"):
        with_file[name] = plain[name]
    with_file.set_content("Zie de bijlage.")
    with_file.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf",
                             filename="besluitbrief-Öztürk.pdf")
    for number, message in enumerate((plain, with_file)):
        path = tmp_path / f"{number}.eml"
        path.write_bytes(bytes(message))
        head, full = email_head(path), email_view(path)
        assert (head.subject, head.sender, head.to, head.cc, head.attachments) == (
            full.subject, full.sender, full.to, full.cc, full.attachments)
    assert email_head(tmp_path / "1.eml").attachments == ("besluitbrief-Öztürk.pdf",)
    assert email_head(tmp_path / "0.eml").to == "mevrouw M. Kuipers-Öztürk <m.kuipers@bieb.example>"
