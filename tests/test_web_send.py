"""Verzenden in the web app: only approved e-mails go, to a real SMTP server (aiosmtpd on
127.0.0.1); the ledger view and its actions; a test send."""

from __future__ import annotations

import html as html_lib
import json
import re
import sqlite3
import time
from pathlib import Path

import pytest

from cbct_docs.runs.documents import document
from cbct_docs.runs.office import open_office
from cbct_docs.web import create_app
from tests.conftest import first_group, plain_body
from tests.mailserver import FaultyMailServer, free_port
from tests.test_web import Browser, announce, make_office, page_text


def smtp_office(folder: Path, port: int) -> Path:
    make_office(folder)
    with (folder / "cbct-docs.toml").open("a", encoding="utf-8") as handle:
        handle.write(f'\n[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
                     "timeout = 10\nattempts = 2\nbackoff = 0.01\nmax_backoff = 0.02\n")
    return folder


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HOST", "PORT", "SECURITY", "USER", "PASSWORD"):
        monkeypatch.delenv(f"CBCT_SMTP_{name}", raising=False)
    monkeypatch.delenv("CBCT_CONFIG", raising=False)
    monkeypatch.setenv("CBCT_USER", "anna")


def wait_for_job(browser: Browser, location: str) -> str:
    """Poll the progress fragment as htmx does, until the run is done."""
    fragment = location.split("?")[0] + "/voortgang"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        response = browser.get(fragment)
        if "Klaar:" in response.get_data(as_text=True) or "gestopt" in response.get_data(
                as_text=True):
            return browser.text(location)
        time.sleep(0.05)
    raise AssertionError("the send run did not finish")


def announced(tmp_path: Path, port: int, timeout: int = 10
              ) -> tuple[Path, Browser, str, str]:
    """An office sending to ``port`` whose Q2 announcements were made with the overview's
    button: (office, browser, review page, batch id)."""
    office = smtp_office(tmp_path / "kantoor", port)
    if timeout != 10:
        settings = office / "cbct-docs.toml"
        settings.write_text(settings.read_text(encoding="utf-8").replace(
            "timeout = 10", f"timeout = {timeout}"), encoding="utf-8")
    browser = Browser(create_app(office, require_login=False))
    location = announce(browser)
    return office, browser, location, location.rsplit("/", 1)[1]


def test_only_approved_emails_go_and_the_ledger_shows_them_sent(
        tmp_path: Path, server: tuple[FaultyMailServer, int]) -> None:
    handler, port = server
    office, browser, location, batch_id = announced(tmp_path, port)
    html = browser.get(location).get_data(as_text=True)
    first = first_group(r'name="document" value="(\d+)"', html)
    browser.post(f"/reeks/{batch_id}/tegenhouden",
                 {"document": first, "toelichting": "adres navragen"})
    browser.post(f"/reeks/{batch_id}/goedkeuren")
    text = browser.text(f"/verzenden?reeks={batch_id}")
    assert "4 e-mails klaar om te verzenden" in text
    assert "Gaan niet (1)" in text and "niet goedgekeurd (tegengehouden)" in text
    response = browser.post(f"/verzenden/{batch_id}")
    text = wait_for_job(browser, response.headers["Location"])
    assert "Klaar: 4 verzonden, 0 mislukt" in text
    assert "1 niet goedgekeurd en dus niet verzonden" in text
    assert len(handler.received) == 4
    ledger = browser.text("/verzenden/logboek")
    assert ledger.count("verzonden Aankondiging audit") + ledger.count(
        "verzonden \"") >= 0
    assert "verzonden (4)" in ledger
    # The verzonden events name the documents they sent, but make no batch of their own.
    assert "Verzonden per e-mail" not in browser.text("/reeksen")
    assert browser.text("/reeksen").count("Aankondigingen") == 1
    assert ledger.count("Aankondiging audit") == 4
    # Sending again sends nothing twice.
    response = browser.post(f"/verzenden/{batch_id}", status=302)
    text = wait_for_job(browser, response.headers["Location"])
    assert "0 verzonden" in text and "4 overgeslagen" in text
    assert len(handler.received) == 4
    # Why, in Dutch: the send rule's English ("already sent") is the command line's.
    assert re.search(r"\.eml: overgeslagen — al verzonden \(\d+-\d+-\d{4} \d\d:\d\d\)", text)
    plan = browser.text(f"/verzenden?reeks={batch_id}")
    assert re.search(r"gaat niet: al verzonden \(\d+-\d+-\d{4} \d\d:\d\d\)", plan)
    assert "already" not in plan + text and "skipped" not in text


def test_an_unapproved_batch_sends_nothing(tmp_path: Path,
                                           server: tuple[FaultyMailServer, int]) -> None:
    handler, port = server
    office, browser, location, batch_id = announced(tmp_path, port)
    text = browser.text(f"/verzenden?reeks={batch_id}")
    assert "0 e-mails klaar om te verzenden" in text
    assert "Gaan niet (5)" in text and "niet goedgekeurd (nog te beoordelen)" in text
    response = browser.post(f"/verzenden/{batch_id}")
    text = wait_for_job(browser, response.headers["Location"])
    assert "0 verzonden" in text and "5 niet goedgekeurd" in text
    assert handler.received == []


def test_ledger_actions_mark_sent_and_retry_failed(tmp_path: Path,
                                                   server: tuple[FaultyMailServer, int]
                                                   ) -> None:
    handler, port = server
    handler.refuse = {"directie@bieb-rivierenland.example.nl"}
    office, browser, location, batch_id = announced(tmp_path, port)
    browser.get(location)
    browser.post(f"/reeks/{batch_id}/goedkeuren")
    response = browser.post(f"/verzenden/{batch_id}")
    text = wait_for_job(browser, response.headers["Location"])
    assert "4 verzonden, 1 mislukt" in text
    html = browser.get("/verzenden/logboek?status=failed").get_data(as_text=True)
    assert "550" in html and "Opnieuw proberen" in html
    message_id = html_lib.unescape(first_group(r'name="bericht" value="([^"]+)"', html))
    browser.post("/verzenden/logboek/verzonden", {"bericht": message_id})
    assert "alleen een onbevestigd bericht kan als verzonden worden gemarkeerd" in \
        browser.text("/verzenden/logboek")
    handler.refuse = set()
    browser.post("/verzenden/logboek/opnieuw", {"bericht": message_id})
    assert "Opnieuw verstuurd: 1 verzonden." in browser.text("/verzenden/logboek")
    assert len(handler.received) == 5
    # The retried one is in its dossier as sent, like the four before it, by who retried.
    [(by, data)] = kinds(office, "CBCT-0102", "verzonden")
    assert by == "anna" and data["aan"] == "directie@bieb-rivierenland.example.nl"


def kinds(office: Path, cert_nr: str, kind: str) -> list[tuple[str, dict[str, str]]]:
    with sqlite3.connect(office / "cbct-ledger.sqlite") as db:
        rows = db.execute("SELECT e.recorded_by, e.data FROM events e JOIN dossiers d ON "
                          "d.id = e.dossier_id WHERE d.cert_nr = ? AND e.kind = ?",
                          (cert_nr, kind)).fetchall()
    return [(by, json.loads(data)) for by, data in rows]


def unconfirmed(tmp_path: Path, server: tuple[FaultyMailServer, int]
                ) -> tuple[Path, Browser, str]:
    """An office whose first announcement went out but was answered too late: the
    server has it, the ledger calls it unconfirmed. (office, browser, document id)"""
    handler, port = server
    office, browser, location, batch_id = announced(tmp_path, port, timeout=1)
    html = browser.get(location).get_data(as_text=True)
    first = first_group(r'name="document" value="(\d+)"', html)
    browser.post(f"/reeks/{batch_id}/goedkeuren-een", {"document": first})
    handler.data_delay = 3  # longer than the timeout, after the message arrived
    text = wait_for_job(browser, browser.post(f"/verzenden/{batch_id}").headers["Location"])
    assert "1 onzeker" in text, text
    assert len(handler.received) == 1
    return office, browser, first


def test_a_message_marked_as_arrived_is_recorded_in_its_dossier(
        tmp_path: Path, server: tuple[FaultyMailServer, int]) -> None:
    """The server takes the message but answers too late: unconfirmed. A person checks
    the mailbox and marks it as arrived; the dossier says who did."""
    office, browser, first = unconfirmed(tmp_path, server)
    cert_nr = document(open_office(office), int(first)).cert_nr
    assert kinds(office, cert_nr, "verzonden") == []
    html = browser.get("/verzenden/logboek?status=unconfirmed").get_data(as_text=True)
    message_id = html_lib.unescape(first_group(r'name="bericht" value="([^"]+)"', html))
    browser.post("/verzenden/logboek/verzonden", {"bericht": message_id})
    assert "Gemarkeerd als verzonden." in browser.text("/verzenden/logboek")
    [(by, data)] = kinds(office, cert_nr, "als-verzonden-gemarkeerd")
    assert by == "anna" and data["message_id"] == message_id
    assert re.search(r"Als verzonden gemarkeerd \(aankomst nagekeken\) \(aan \S+@\S+, via de "
                     r"webapp\) vastgelegd door anna", browser.text(f"/organisatie/{cert_nr}"))
    # Marked once; marking again is refused (in Dutch) and records nothing more.
    browser.post("/verzenden/logboek/verzonden", {"bericht": message_id})
    assert "alleen een onbevestigd bericht kan als verzonden worden gemarkeerd" in \
        browser.text("/verzenden/logboek")
    assert len(kinds(office, cert_nr, "als-verzonden-gemarkeerd")) == 1


def test_a_test_send_goes_to_the_users_address_only(tmp_path: Path,
                                                    server: tuple[FaultyMailServer, int]
                                                    ) -> None:
    handler, port = server
    office, browser, location, batch_id = announced(tmp_path, port)
    browser.get(location)
    browser.post(f"/reeks/{batch_id}/goedkeuren")
    html = browser.get(f"/verzenden?reeks={batch_id}").get_data(as_text=True)
    event_id = first_group(r'<option value="(\d+)">CBCT', html)
    browser.post("/verzenden/test", {"reeks": batch_id, "document": event_id,
                                     "adres": "anna@cbct.example"})
    assert len(handler.received) == 1
    assert handler.received[0].rcpt_tos == ["anna@cbct.example"]
    assert str(handler.received[0].message()["Subject"]).startswith("[TEST] Aankondiging")
    assert "Testmail verstuurd naar anna@cbct.example" in browser.text(
        f"/verzenden?reeks={batch_id}")
    assert "Er is nog niets verzonden." in browser.text("/verzenden/logboek")
    # In the dossier of that document, with who sent it where.
    cert_nr = document(open_office(office), int(event_id)).cert_nr
    [(by, data)] = kinds(office, cert_nr, "testmail-verstuurd")
    assert by == "anna" and data["aan"] == "anna@cbct.example"
    assert data["message_id"].startswith("<test-")
    assert re.search(r"Testmail naar eigen adres verstuurd \(aan anna@cbct\.example: "
                     rf"{cert_nr}-aankondiging-[^)]+\.eml\) vastgelegd door anna",
                     browser.text(f"/organisatie/{cert_nr}"))


def test_no_mail_server_stops_the_run_with_the_reason(tmp_path: Path) -> None:
    office = smtp_office(tmp_path / "kantoor", free_port())  # nothing listens there
    browser = Browser(create_app(office, require_login=False))
    location = announce(browser)
    batch_id = location.rsplit("/", 1)[1]
    browser.get(location)
    browser.post(f"/reeks/{batch_id}/goedkeuren")
    response = browser.post(f"/verzenden/{batch_id}")
    text = wait_for_job(browser, response.headers["Location"])
    assert "Het verzenden is gestopt" in text
    assert "127.0.0.1" in text
    assert "Er is nog niets verzonden." in browser.text("/verzenden/logboek")
    assert "5 e-mails klaar om te verzenden" in browser.text(f"/verzenden?reeks={batch_id}")


def test_an_edited_email_goes_only_after_it_is_approved_as_it_now_is(
        tmp_path: Path, server: tuple[FaultyMailServer, int]) -> None:
    handler, port = server
    office, browser, location, batch_id = announced(tmp_path, port)
    browser.get(location)
    browser.post(f"/reeks/{batch_id}/goedkeuren")
    eml = next((office / "out" / "aankondiging").glob("CBCT-0107*.eml"))
    eml.write_bytes(eml.read_bytes().replace(b"Gooi", b"Gooi (gecorrigeerd)", 1))
    text = browser.text(f"/verzenden?reeks={batch_id}")
    assert "4 e-mails klaar om te verzenden" in text
    assert "niet goedgekeurd (gewijzigd na beoordeling: opnieuw beoordelen)" in text
    html = browser.get(location).get_data(as_text=True)
    event_id = first_group(r'id="doc-(\d+)"', html)
    assert "Het bestand is gewijzigd nadat het gemaakt is." in page_text(html)
    browser.post(f"/reeks/{batch_id}/goedkeuren-een", {"document": event_id})
    assert "5 e-mails klaar om te verzenden" in browser.text(f"/verzenden?reeks={batch_id}")
    response = browser.post(f"/verzenden/{batch_id}")
    assert "Klaar: 5 verzonden" in wait_for_job(browser, response.headers["Location"])
    bodies = [plain_body(r.message()) for r in handler.received]
    assert sum("Gooi (gecorrigeerd)" in body for body in bodies) == 1


def test_mark_sent_on_the_command_line_is_recorded_as_the_web_records_it(
        tmp_path: Path, server: tuple[FaultyMailServer, int]) -> None:
    """`send --mark-sent` settles the ledger and records the same dossier event, with
    the user and the command, as the ledger view's button does."""
    from click.testing import CliRunner

    from cbct_docs.cli import cli

    office, _browser, first = unconfirmed(tmp_path, server)
    settings = office / "cbct-docs.toml"
    made = document(open_office(office), int(first))
    assert made.path is not None
    eml = made.path if made.path.is_absolute() else office / made.path
    ledger = office / "cbct-ledger.sqlite"  # the office database the web app sent from
    result = CliRunner().invoke(cli, ["send", str(eml.parent), "--mark-sent", str(eml),
                                      "--config", str(settings), "--ledger", str(ledger)])
    assert result.exit_code == 0, result.output
    assert f"marked as sent: {eml}" in result.output
    [(by, data)] = kinds(office, made.cert_nr, "als-verzonden-gemarkeerd")
    assert by == "anna" and "send --mark-sent" in data["toelichting"]
    # A second time: refused, nothing more recorded.
    again = CliRunner().invoke(cli, ["send", str(eml.parent), "--mark-sent", str(eml),
                                     "--config", str(settings), "--ledger", str(ledger)])
    assert again.exit_code != 0 and "not an unconfirmed message" in again.output
    assert len(kinds(office, made.cert_nr, "als-verzonden-gemarkeerd")) == 1
