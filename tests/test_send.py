"""Sending against a real SMTP server (aiosmtpd on 127.0.0.1, started here): messages
arrive intact, 4xx is retried, 5xx is recorded while the rest go, the ledger stops repeats.

The server is tests/mailserver.py's, started by the ``server`` fixture in conftest.py."""

from __future__ import annotations

import re
import shutil
import socket
import sqlite3
import time
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cbct_docs.cli import cli
from cbct_docs.deliver.email import build_message, write_eml
from tests.mailserver import FaultyMailServer, Received, free_port, start  # noqa: F401 (shared)


def write_config(path: Path, port: int, **smtp: object) -> Path:
    values: dict[str, object] = {"host": "127.0.0.1", "port": port, "security": "none",
                                 "timeout": 10, "attempts": 3, "backoff": 0.01,
                                 "max_backoff": 0.05}
    values.update(smtp)
    lines = ["[sender]", 'name = "Certificatiebureau Cultuur & Taal"',
             'email = "certificering@cbct.example"', "", "[smtp]"]
    for key, value in values.items():
        lines.append(f"{key} = {value!r}" if isinstance(value, str) else f"{key} = {value}")
    path.write_text("\n".join(lines).replace("'", '"') + "\n", encoding="utf-8")
    return path


# -- the tests ---------------------------------------------------------------------------

ORGANISATIONS = [
    ("Bibliotheek Dijk en Waard", "Ingrid Ørsted", "i.orsted@bieb-dijkwaard.example"),
    ("Cultuurpunt Twentse Bûten", "Sjoerd de Vrïes", "s.devries@twentse-buten.example"),
    ("Taalhuis Eemsdelta", "Fatma Yılmaz", "f.yilmaz@taalhuis-eemsdelta.example"),
]
ATTACHMENT = b"%PDF-1.4\n% Bevestigingsbrief (proefbestand)\n" + bytes(range(256))


def make_mails(folder: Path, organisations: list[tuple[str, str, str]] = ORGANISATIONS
               ) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    attachment = folder.parent / "Bevestigingsbrief – auditdatum.pdf"
    attachment.write_bytes(ATTACHMENT)
    paths = []
    for number, (name, contact, address) in enumerate(organisations, 1):
        message = build_message(
            sender="Certificatiebureau Cultuur & Taal <certificering@cbct.example>",
            to=f"{contact} <{address}>",
            subject=f"Bevestiging auditdatum – {name}",
            html=(f"<style>p {{ margin: 0 0 8px }}</style><p>Beste {contact},</p>"
                  f"<p>Wij bevestigen de audit bij {name} op dinsdag 3 maart.</p>"),
            text=f"Beste {contact},\n\nWij bevestigen de audit bij {name} op dinsdag 3 maart.\n",
            attachments=[attachment])
        paths.append(write_eml(message, folder / f"{number:02}-{address}.eml"))
    return paths


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("HOST", "PORT", "SECURITY", "USER", "PASSWORD"):
        monkeypatch.delenv(f"CBCT_SMTP_{name}", raising=False)
    monkeypatch.delenv("CBCT_CONFIG", raising=False)
    # the office ledger of this test (by default it sits in the working folder)
    monkeypatch.setenv("CBCT_LEDGER", str(tmp_path / "cbct-ledger.sqlite"))


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["send", *args], catch_exceptions=False)


def ledger_rows(path: Path) -> dict[str, tuple[str, int, str]]:
    with sqlite3.connect(path) as db:
        return {file: (status, attempts, detail) for file, status, attempts, detail in
                db.execute("SELECT file, status, attempts, detail FROM outbox")}


def test_messages_arrive_intact_and_a_rerun_sends_nothing(
        tmp_path: Path, server: tuple[FaultyMailServer, int]) -> None:
    handler, port = server
    mails = make_mails(tmp_path / "mails")
    config = write_config(tmp_path / "cbct-docs.toml", port)
    result = run(str(tmp_path / "mails"), "--send", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert "3 sent, 0 failed, 0 deferred, 0 unconfirmed, 0 skipped" in result.output

    assert len(handler.received) == 3
    for received, path, (name, contact, address) in zip(
            handler.received, mails, ORGANISATIONS, strict=True):
        assert received.rcpt_tos == [address]
        assert received.mail_from == "certificering@cbct.example"
        message = received.message()
        sent_file = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        assert message["Message-ID"] == sent_file["Message-ID"]
        assert message["Subject"] == f"Bevestiging auditdatum – {name}"
        assert message["From"].addresses[0].display_name == "Certificatiebureau Cultuur & Taal"
        assert message["To"].addresses[0].display_name == contact
        plain, html = message.get_body(("plain",)), message.get_body(("html",))
        assert plain is not None and html is not None
        assert f"Wij bevestigen de audit bij {name} op dinsdag 3 maart." in plain.get_content()
        assert f'<p style="margin: 0 0 8px;">Beste {contact},</p>' in html.get_content()
        [attachment] = list(message.iter_attachments())
        assert attachment.get_filename() == "Bevestigingsbrief – auditdatum.pdf"
        assert attachment.get_content() == ATTACHMENT

    rows = ledger_rows(tmp_path / "cbct-ledger.sqlite")
    assert {status for status, _attempts, _detail in rows.values()} == {"sent"}
    again = run(str(tmp_path / "mails"), "--send", "--config", str(config))
    assert again.exit_code == 0
    assert "0 sent, 0 failed, 0 deferred, 0 unconfirmed, 3 skipped" in again.output
    assert re.search(r"skipped 01-i.orsted@bieb-dijkwaard.example.eml: already sent "
                     r"\(\d{4}-\d\d-\d\d \d\d:\d\d UTC, .*01-i.orsted", again.output)
    assert len(handler.received) == 3


def test_dry_run_lists_and_sends_nothing(tmp_path: Path,
                                         server: tuple[FaultyMailServer, int]) -> None:
    handler, port = server
    make_mails(tmp_path / "mails")
    config = write_config(tmp_path / "cbct-docs.toml", port)
    result = run(str(tmp_path / "mails"), "--config", str(config), "--limit", "2")
    assert result.exit_code == 0, result.output
    assert ("would send  01-i.orsted@bieb-dijkwaard.example.eml → "
            "i.orsted@bieb-dijkwaard.example: Bevestiging auditdatum – Bibliotheek Dijk en "
            "Waard") in result.output
    assert "Taalhuis Eemsdelta" not in result.output  # --limit 2
    assert "Dry run: 2 would be sent, 0 skipped. Add --send to send." in result.output
    assert handler.received == [] and handler.rcpt_seen == []
    assert not (tmp_path / "cbct-ledger.sqlite").exists()


def test_dry_run_only_reads_an_existing_ledger(tmp_path: Path,
                                              server: tuple[FaultyMailServer, int]) -> None:
    _handler, port = server
    make_mails(tmp_path / "mails")
    config = write_config(tmp_path / "cbct-docs.toml", port)
    ledger = tmp_path / "cbct-ledger.sqlite"
    with sqlite3.connect(ledger) as db:  # a ledger with certificate numbers only, no outbox
        db.execute("CREATE TABLE numbers (year INTEGER, last INTEGER)")
    before = ledger.read_bytes()
    result = run(str(tmp_path / "mails"), "--config", str(config))
    assert result.exit_code == 0, result.output
    assert "Dry run: 3 would be sent, 0 skipped. Add --send to send." in result.output
    assert ledger.read_bytes() == before  # no outbox table, still not in WAL mode
    with sqlite3.connect(ledger) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert [name for (name,) in db.execute("SELECT name FROM sqlite_master")] == ["numbers"]
    assert not (tmp_path / "cbct-ledger.sqlite-wal").exists()


def test_transient_refusal_is_retried_then_accepted(
        tmp_path: Path, server: tuple[FaultyMailServer, int]) -> None:
    handler, port = server
    handler.transient_once = {ORGANISATIONS[1][2]}
    mails = make_mails(tmp_path / "mails")
    config = write_config(tmp_path / "cbct-docs.toml", port)
    result = run(str(tmp_path / "mails"), "--send", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert "3 sent" in result.output
    assert handler.answered_451 == 1
    assert sorted(handler.message_ids().values()) == [1, 1, 1]
    status, attempts, detail = ledger_rows(tmp_path / "cbct-ledger.sqlite")[str(mails[1])]
    assert (status, attempts) == ("sent", 2)
    assert detail.startswith("250")


def test_permanent_refusal_is_recorded_and_the_others_go(
        tmp_path: Path, server: tuple[FaultyMailServer, int]) -> None:
    handler, port = server
    refused = ORGANISATIONS[0][2]
    handler.refuse = {refused}
    mails = make_mails(tmp_path / "mails")
    config = write_config(tmp_path / "cbct-docs.toml", port)
    result = run(str(tmp_path / "mails"), "--send", "--config", str(config))
    assert result.exit_code == 1
    assert "2 sent, 1 failed" in result.output
    assert (f"Error: 01-{refused}.eml: {refused}: failed: 550 5.1.1 <{refused}>: "
            f"mailbox onbekend (at RCPT TO {refused})") in result.output
    assert [r.rcpt_tos for r in handler.received] == [[ORGANISATIONS[1][2]],
                                                      [ORGANISATIONS[2][2]]]
    assert handler.rcpt_seen.count(refused) == 1  # a 5xx is not retried
    assert ledger_rows(tmp_path / "cbct-ledger.sqlite")[str(mails[0])][0] == "failed"

    again = run(str(tmp_path / "mails"), "--send", "--config", str(config))
    assert "failed before (--retry-failed to try again)" in again.output
    assert handler.rcpt_seen.count(refused) == 1
    handler.refuse = set()  # the mailbox exists again
    retried = run(str(tmp_path / "mails"), "--send", "--config", str(config), "--retry-failed")
    assert retried.exit_code == 0, retried.output
    assert "1 sent, 0 failed, 0 deferred, 0 unconfirmed, 2 skipped" in retried.output
    assert sorted(handler.message_ids().values()) == [1, 1, 1]


def test_temporary_refusals_until_attempts_run_out_defer_to_the_next_run(
        tmp_path: Path, server: tuple[FaultyMailServer, int]) -> None:
    handler, port = server
    make_mails(tmp_path / "mails", ORGANISATIONS[:1])
    config = write_config(tmp_path / "cbct-docs.toml", port, attempts=1)
    handler.transient_once = {ORGANISATIONS[0][2]}
    result = run(str(tmp_path / "mails"), "--send", "--config", str(config))
    assert result.exit_code == 1
    assert "deferred: 451 4.3.0 Even geen plek in de wachtrij" in result.output
    assert handler.received == []
    later = run(str(tmp_path / "mails"), "--send", "--config", str(config))
    assert later.exit_code == 0, later.output
    assert "1 sent" in later.output and len(handler.received) == 1


def test_limit_sends_a_first_batch_and_the_rerun_the_rest(
        tmp_path: Path, server: tuple[FaultyMailServer, int]) -> None:
    handler, port = server
    make_mails(tmp_path / "mails")
    config = write_config(tmp_path / "cbct-docs.toml", port)
    first = run(str(tmp_path / "mails"), "--send", "--config", str(config), "--limit", "1")
    assert "1 sent" in first.output and len(handler.received) == 1
    rest = run(str(tmp_path / "mails"), "--send", "--config", str(config))
    assert "2 sent, 0 failed, 0 deferred, 0 unconfirmed, 1 skipped" in rest.output
    assert sorted(handler.message_ids().values()) == [1, 1, 1]


def test_no_server_stops_the_run_at_once_and_leaves_every_message_unsent(
        tmp_path: Path) -> None:
    make_mails(tmp_path / "mails", ORGANISATIONS[:2])
    port = free_port()
    # The shipped pauses: a retry loop would take minutes; the first connection decides.
    config = write_config(tmp_path / "cbct-docs.toml", port, attempts=5, backoff=30,
                          max_backoff=600)
    began = time.monotonic()
    result = run(str(tmp_path / "mails"), "--send", "--config", str(config))
    assert time.monotonic() - began < 10
    assert result.exit_code == 1
    assert ("Stopped: 0 sent, 0 failed, 0 deferred, 0 unconfirmed, 0 skipped, 2 not sent yet"
            in result.output)
    assert (f"Error: 127.0.0.1:{port}: connection refused: no mail server listens there "
            "(start the mail server or set [smtp] host and port (or CBCT_SMTP_HOST, "
            "CBCT_SMTP_PORT); nothing was sent; rerun when it is fixed)") in result.output
    assert ledger_rows(tmp_path / "cbct-ledger.sqlite") == {}  # nothing claimed, nothing failed


def test_a_server_that_goes_away_mid_run_is_retried_then_the_run_stops(
        tmp_path: Path) -> None:
    from cbct_docs.deliver.outbox import Outbox
    from cbct_docs.deliver.outgoing import read_outgoing
    from cbct_docs.deliver.sending import send_batch
    from cbct_docs.deliver.smtp import Mailer
    from cbct_docs.errors import DeliveryError
    from cbct_docs.settings import load_settings

    handler = FaultyMailServer()
    controller = start(handler)
    mails = make_mails(tmp_path / "mails", ORGANISATIONS[:3])
    settings = load_settings(write_config(tmp_path / "cbct-docs.toml", controller.port,
                                          attempts=2)).smtp()
    mailer = Mailer(settings)

    def after(number: int, total: int) -> None:
        if number == 1:
            controller.stop()  # the server worked, then went away

    with Outbox(tmp_path / "cbct-ledger.sqlite") as outbox, \
            pytest.raises(DeliveryError, match="tried 2 times") as stopped:
        send_batch(read_outgoing(mails), outbox, mailer, progress=after)
    mailer.close()
    report = stopped.value.report
    assert report.summary() == "1 sent, 0 failed, 1 deferred, 0 unconfirmed, 0 skipped"
    assert report.not_reached == 1
    assert stopped.value.what.startswith(f"connection to 127.0.0.1:{controller.port} failed")
    rows = ledger_rows(tmp_path / "cbct-ledger.sqlite")
    assert [rows[str(m)][0] for m in mails[:2]] == ["sent", "deferred"]
    assert str(mails[2]) not in rows


def test_bad_eml_files_are_all_reported_before_anything_is_sent(
        tmp_path: Path, server: tuple[FaultyMailServer, int]) -> None:
    handler, port = server
    make_mails(tmp_path / "mails")
    (tmp_path / "mails" / "04-zonder-id.eml").write_bytes(
        b"From: a@cbct.example\r\nTo: b@bieb.example\r\nSubject: x\r\n\r\nTekst\r\n")
    (tmp_path / "mails" / "05-zonder-ontvanger.eml").write_bytes(
        b"From: a@cbct.example\r\nMessage-ID: <x@cbct.example>\r\nSubject: x\r\n\r\nT\r\n")
    config = write_config(tmp_path / "cbct-docs.toml", port)
    result = run(str(tmp_path / "mails"), "--send", "--config", str(config))
    assert result.exit_code == 1
    assert "04-zonder-id.eml: no Message-ID" in result.output
    assert "05-zonder-ontvanger.eml: no valid recipient" in result.output
    assert handler.rcpt_seen == []


def test_addresses_smtp_cannot_carry_are_reported_before_anything_is_sent(
        tmp_path: Path, server: tuple[FaultyMailServer, int]) -> None:
    handler, port = server
    make_mails(tmp_path / "mails")
    head = b"From: a@cbct.example\r\nSubject: x\r\n"
    (tmp_path / "mails" / "04-achtbits.eml").write_bytes(
        head + "To: jé@voorbeeld.nl\r\nMessage-ID: <a@cbct.example>\r\n\r\nT\r\n".encode())
    (tmp_path / "mails" / "05-open-aanhalingsteken.eml").write_bytes(
        head + b'To: "unterminated <j@x.nl>\r\nMessage-ID: <b@cbct.example>\r\n\r\nT\r\n')
    (tmp_path / "mails" / "06-geen-domein.eml").write_bytes(
        head + b"To: Jan <jan>\r\nCc: k@x.nl\r\nMessage-ID: <c@cbct.example>\r\n\r\nT\r\n")
    config = write_config(tmp_path / "cbct-docs.toml", port)
    result = run(str(tmp_path / "mails"), "--send", "--config", str(config))
    assert result.exit_code == 1
    assert ("04-achtbits.eml: To: 'jé@voorbeeld.nl' is not a plain address "
            "(ASCII, name@domain)") in result.output
    assert "05-open-aanhalingsteken.eml: To: " in result.output
    assert "06-geen-domein.eml: To: 'jan' is not a plain address" in result.output
    assert handler.rcpt_seen == [] and handler.received == []
    assert not (tmp_path / "cbct-ledger.sqlite").exists()


def test_a_message_held_by_a_running_send_is_left_alone(
        tmp_path: Path, server: tuple[FaultyMailServer, int]) -> None:
    from cbct_docs.deliver.outbox import Outbox
    from cbct_docs.deliver.outgoing import read_outgoing
    from cbct_docs.deliver.sending import SEND, SendOptions, claim

    handler, port = server
    paths = make_mails(tmp_path / "mails", ORGANISATIONS[:2])
    config = write_config(tmp_path / "cbct-docs.toml", port)
    first = read_outgoing(paths[:1])[0]
    # This test process plays the other run: it holds the first message, mid-send.
    with Outbox(tmp_path / "cbct-ledger.sqlite") as outbox:
        assert claim(outbox, first, SendOptions()).action == SEND
        outbox.mark(first.message_id, "unconfirmed", attempt=True)
    listing = run(str(tmp_path / "mails"), "--config", str(config))
    assert f"skip        {paths[0].name}: being sent by another run" in listing.output
    result = run(str(tmp_path / "mails"), "--send", "--config", str(config),
                 "--resend-uncertain")
    assert result.exit_code == 0, result.output
    assert "1 sent, 0 failed, 0 deferred, 0 unconfirmed, 1 skipped" in result.output
    assert [r.rcpt_tos for r in handler.received] == [[ORGANISATIONS[1][2]]]


@pytest.mark.parametrize("claim", ["another host", "an old claim"])
def test_a_claim_no_run_here_can_vouch_for_needs_attention(
        tmp_path: Path, server: tuple[FaultyMailServer, int], claim: str) -> None:
    import os

    handler, port = server
    paths = make_mails(tmp_path / "mails", ORGANISATIONS[:2])
    config = write_config(tmp_path / "cbct-docs.toml", port)
    ledger = tmp_path / "cbct-ledger.sqlite"
    assert run(str(tmp_path / "mails"), "--send", "--config", str(config)).exit_code == 0
    handler.received.clear()
    # The first message: claimed by a container that is gone, or by a PID (this test's,
    # which runs) two hours ago: that PID may belong to another program by now.
    owner, when = (("oude-container:4242", "+0 hours") if claim == "another host"
                   else (f"{socket.gethostname()}:{os.getpid()}", "-2 hours"))
    with sqlite3.connect(ledger) as db:
        db.execute("UPDATE outbox SET status = 'sending', owner = ?, "
                   "updated_at = strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now', ?) "
                   "WHERE file LIKE ?", (owner, when, f"%{paths[0].name}"))
    result = run(str(tmp_path / "mails"), "--send", "--config", str(config))
    assert result.exit_code == 1
    assert (f"Error: {paths[0].name}: {ORGANISATIONS[0][2]}: claimed by a run that cannot "
            f"be checked from here (sending by {owner} since ") in result.output
    assert "if that run is gone, --resend-uncertain takes over" in result.output
    assert handler.received == []
    taken = run(str(tmp_path / "mails"), "--send", "--config", str(config),
                "--resend-uncertain")
    assert taken.exit_code == 0, taken.output
    assert "1 sent, 0 failed, 0 deferred, 0 unconfirmed, 1 skipped" in taken.output
    assert [r.rcpt_tos for r in handler.received] == [[ORGANISATIONS[0][2]]]


def test_a_connection_the_server_dropped_while_idle_is_reopened(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cbct_docs.deliver import smtp

    handler = FaultyMailServer()
    controller = start(handler, timeout=0.3)  # the server hangs up after 0.3 s idle
    monkeypatch.setattr(smtp, "IDLE_CHECK", 0.1)
    try:
        make_mails(tmp_path / "mails", ORGANISATIONS[:2])
        # One attempt only: without the idle check the second message would fail.
        config = write_config(tmp_path / "cbct-docs.toml", controller.port, attempts=1)
        result = run(str(tmp_path / "mails"), "--send", "--config", str(config),
                     "--rate", "80/min")  # 0.75 s between messages: longer than 0.3 s
        assert result.exit_code == 0, result.output
        assert "2 sent" in result.output
        assert len(handler.received) == 2
    finally:
        controller.stop()


def test_a_sent_message_edited_to_another_address_is_not_skipped_silently(
        tmp_path: Path, server: tuple[FaultyMailServer, int]) -> None:
    handler, port = server
    mails = make_mails(tmp_path / "mails")
    config = write_config(tmp_path / "cbct-docs.toml", port)
    assert run(str(tmp_path / "mails"), "--send", "--config", str(config)).exit_code == 0
    # someone corrects an address by hand; the Message-ID stays the same
    old = ORGANISATIONS[0][2]
    mails[0].write_bytes(mails[0].read_bytes().replace(old.encode(), b"nieuw@bieb.example.nl"))
    again = run(str(tmp_path / "mails"), "--send", "--config", str(config))
    assert again.exit_code == 1
    assert "Error: " in again.output and "edited by hand" in again.output
    assert len(handler.received) == 3  # nothing went out a second time


def test_the_same_message_in_two_output_folders_goes_once(
        tmp_path: Path, server: tuple[FaultyMailServer, int]) -> None:
    handler, port = server
    first = tmp_path / "kwartaal" / "aankondiging"
    make_mails(first)
    again = tmp_path / "kwartaal-opnieuw" / "aankondiging"
    shutil.copytree(first, again)  # made a second time, into another folder
    config = write_config(tmp_path / "cbct-docs.toml", port)
    assert run(str(first), "--send", "--config", str(config)).exit_code == 0
    second = run(str(again), "--send", "--config", str(config))
    assert second.exit_code == 0
    assert "0 sent, 0 failed, 0 deferred, 0 unconfirmed, 3 skipped" in second.output
    assert len(handler.received) == 3


def test_a_sent_message_corrected_by_hand_needs_attention(
        tmp_path: Path, server: tuple[FaultyMailServer, int]) -> None:
    handler, port = server
    mails = make_mails(tmp_path / "mails")
    config = write_config(tmp_path / "cbct-docs.toml", port)
    assert run(str(tmp_path / "mails"), "--send", "--config", str(config)).exit_code == 0
    # Someone corrects the date in the text; the Message-ID stays the same.
    corrected = mails[1].read_bytes().replace(b"dinsdag", b"vrijdag")
    assert corrected != mails[1].read_bytes()
    mails[1].write_bytes(corrected)

    listing = run(str(tmp_path / "mails"), "--config", str(config))
    assert f"ATTENTION   {mails[1].name}: this Message-ID was sent before (" in listing.output
    assert "Dry run: 0 would be sent, 2 skipped, 1 needs attention." in listing.output
    again = run(str(tmp_path / "mails"), "--send", "--config", str(config))
    assert again.exit_code == 1
    assert (f"Error: {mails[1].name}: {ORGANISATIONS[1][2]}: this Message-ID was sent before "
            in again.output)
    assert ("with other content; the file was changed since: make the e-mail anew (a new "
            "Message-ID) to send the corrected version") in again.output
    assert "0 sent, 0 failed, 0 deferred, 0 unconfirmed, 3 skipped" in again.output
    assert len(handler.received) == 3  # the corrected one did not go under the old ID


def test_the_same_message_made_again_is_still_already_sent(
        tmp_path: Path, server: tuple[FaultyMailServer, int]) -> None:
    handler, port = server
    first = make_mails(tmp_path / "mails")
    config = write_config(tmp_path / "cbct-docs.toml", port)
    assert run(str(tmp_path / "mails"), "--send", "--config", str(config)).exit_code == 0
    time.sleep(1.1)  # another Date: header; MIME boundaries differ anyway
    remade = make_mails(tmp_path / "opnieuw")
    assert remade[0].read_bytes() != first[0].read_bytes()
    again = run(str(tmp_path / "opnieuw"), "--send", "--config", str(config))
    assert again.exit_code == 0, again.output
    assert "0 sent, 0 failed, 0 deferred, 0 unconfirmed, 3 skipped" in again.output
    assert len(handler.received) == 3


def test_a_damaged_ledger_is_a_located_error_in_the_dry_run_too(
        tmp_path: Path, server: tuple[FaultyMailServer, int]) -> None:
    _handler, port = server
    make_mails(tmp_path / "mails", [(f"Bibliotheek {n}", f"Contact {n}", f"c{n}@bieb.example")
                                    for n in range(1, 60)])
    config = write_config(tmp_path / "cbct-docs.toml", port)
    assert run(str(tmp_path / "mails"), "--send", "--config", str(config),
               "--quiet").exit_code == 0
    ledger = tmp_path / "cbct-ledger.sqlite"
    with sqlite3.connect(ledger) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
    data = bytearray(ledger.read_bytes())
    assert len(data) > 3 * page_size
    data[page_size:] = b"\xa5" * (len(data) - page_size)  # every page but the schema
    ledger.write_bytes(bytes(data))
    result = CliRunner().invoke(cli, ["send", str(tmp_path / "mails"), "--config",
                                      str(config)])
    assert result.exit_code == 1, result.output
    assert f"Error: {ledger}: cannot read the outbox ledger: " in result.output
    assert "internal error" not in result.output


def test_a_run_from_a_subfolder_uses_the_office_ledger_of_its_settings(
        tmp_path: Path, server: tuple[FaultyMailServer, int],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 15: `send ../mails --send --config ../cbct-docs.toml` from a subfolder made a
    new ledger there and sent everything again. The office folder is the settings' folder."""
    handler, port = server
    monkeypatch.delenv("CBCT_LEDGER")
    monkeypatch.delenv("CBCT_OFFICE", raising=False)
    office = tmp_path / "kantoor"
    make_mails(office / "mails")
    config = write_config(office / "cbct-docs.toml", port)
    monkeypatch.chdir(office)
    first = run("mails", "--send", "--config", str(config))
    assert first.exit_code == 0, first.output
    assert (office / "cbct-ledger.sqlite").is_file()
    (office / "brieven").mkdir()
    monkeypatch.chdir(office / "brieven")
    again = run("../mails", "--send", "--config", "../cbct-docs.toml")
    assert again.exit_code == 0, again.output
    assert "0 sent, 0 failed, 0 deferred, 0 unconfirmed, 3 skipped" in again.output
    assert not (office / "brieven" / "cbct-ledger.sqlite").exists()
    assert len(handler.received) == 3
