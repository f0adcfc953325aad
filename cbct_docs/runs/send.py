"""Sending a batch's e-mails: only those approved (and unchanged since), through the same
send rule and ledger as ``cbct-docs send`` (:mod:`cbct_docs.deliver.sending`); the ledger
view with the actions the command line has (mark sent, resend uncertain, retry failed) and
a test send of one message to the user's own address."""

from __future__ import annotations

import email
import os
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path

from ..deliver.email import EML_POLICY
from ..deliver.outbox import Entry, Outbox, read_only
from ..deliver.outgoing import Outgoing, read_outgoing
from ..deliver.route import ConnectionLost, Refused, Route
from ..deliver.routes import make_route
from ..deliver.sending import (
    SEND,
    BatchReport,
    Decision,
    SendOptions,
    display_owner,
    preview,
    send_batch,
)
from ..domain.approval import may_send
from ..domain.process import Kind
from ..errors import DataError, DeliveryError, UsageError
from ..settings import load_settings
from .documents import DocumentItem
from .documents import batch as load_batch
from .documents import document as load_document
from .office import OfficeFolder
from .record import Note, record_notes
from .run import Skip
from .sent import mark_sent as mark_arrived
from .sent import record_sent

#: The SMTP password from the environment, as ``cbct-docs send`` takes it.
PASSWORD_VARIABLE = "CBCT_SMTP_PASSWORD"


@dataclass
class SendPlan:
    """A batch's e-mails: what would go (the send rule's decision) and what may not."""

    batch_id: int
    ready: list[tuple[DocumentItem, Decision]] = field(default_factory=list)
    blocked: list[Skip] = field(default_factory=list)

    @property
    def to_send(self) -> int:
        return sum(1 for _item, decision in self.ready if decision.action == SEND)


def _messages(office: OfficeFolder, batch_id: int
              ) -> tuple[list[tuple[DocumentItem, Outgoing]], list[Skip]]:
    found = load_batch(office, batch_id)
    allowed: list[tuple[DocumentItem, Outgoing]] = []
    blocked: list[Skip] = []
    for item in found.items:
        if not item.is_email:
            continue
        # A problem the reviewer saw and approved anyway (the approval is of this very
        # content) does not hold an e-mail back; a file that is gone or outside does.
        refusal = may_send(item.status) if item.path is not None else None
        if item.path is None:
            blocked.append(Skip(item.cert_nr, item.org_name,
                                "; ".join(item.problems) or "het bestand is er niet"))
        elif refusal is not None:
            blocked.append(Skip(item.cert_nr, item.org_name, refusal.what))
        else:
            try:
                allowed.append((item, read_outgoing([item.path])[0]))
            except DataError as error:  # cannot go as it is: say so, send the rest
                blocked.append(Skip(item.cert_nr, item.org_name, error.what))
    return allowed, blocked


def send_plan(office: OfficeFolder, batch_id: int, options: SendOptions | None = None
              ) -> SendPlan:
    """The dry run of a batch: the decision for every approved e-mail, the rest blocked."""
    allowed, blocked = _messages(office, batch_id)
    decisions = preview([message for _item, message in allowed], office.database_path,
                        options or SendOptions())
    plan = SendPlan(batch_id, blocked=blocked)
    plan.ready = [(item, decision) for (item, _m), decision in zip(allowed, decisions,
                                                                    strict=False)]
    return plan


def mailer(office: OfficeFolder, password: str | None = None) -> tuple[Route, float]:
    """The route of the office's settings ([mail] route), as ``cbct-docs send`` takes it."""
    settings = load_settings(office.settings_path)
    smtp = settings.smtp()
    password = password or os.environ.get(PASSWORD_VARIABLE) or None
    if settings.mail().route == "smtp" and smtp.user and not password:
        raise UsageError(f"de SMTP-gebruiker {smtp.user} heeft een wachtwoord nodig",
                         hint="vul het wachtwoord van de mailserver in, of zet "
                              "CBCT_SMTP_PASSWORD voordat u cbct-docs serve start")
    return make_route(settings, lambda _user: password), smtp.rate


@dataclass
class SendResult:
    report: BatchReport
    blocked: list[Skip]


def send(office: OfficeFolder, batch_id: int, *, password: str | None = None,
         options: SendOptions | None = None,
         progress: Callable[[int, int], None] | None = None) -> SendResult:
    """Send the batch's approved e-mails; the others are listed as blocked, never sent."""
    allowed, blocked = _messages(office, batch_id)
    post, rate = mailer(office, password)
    try:
        with Outbox(office.database_path) as outbox:
            report = send_batch([message for _item, message in allowed], outbox, post,
                                options or SendOptions(), rate=rate, progress=progress)
    finally:
        post.close()
    record_sent(office, [outcome.message for outcome in report.of("sent")])
    return SendResult(report, blocked)


# --- the ledger ---------------------------------------------------------------------------

@dataclass(frozen=True)
class LedgerRow:
    entry: Entry

    @property
    def status(self) -> str:
        return self.entry.status

    @property
    def owner(self) -> str:
        return display_owner(self.entry.owner)


LEDGER_STATES = ("sent", "failed", "unconfirmed", "deferred", "sending")


def ledger(office: OfficeFolder, status: str | None = None) -> list[LedgerRow]:
    """The outbox ledger's messages, newest first (optionally of one status)."""
    reader = read_only(office.database_path)
    if reader is None or not reader.has_table:
        return []
    try:
        query = ("SELECT message_id, recipient, subject, file, content_sha256, status, "
                 "attempts, detail, owner, updated_at, sent_at FROM outbox")
        parameters: tuple[str, ...] = ()
        if status:
            query += " WHERE status = ?"
            parameters = (status,)
        rows = reader.connection.execute(query + " ORDER BY updated_at DESC", parameters)
        return [LedgerRow(Entry(**dict(row))) for row in rows]
    except sqlite3.Error as error:
        raise UsageError(f"het verzendlogboek is niet te lezen: {error}",
                         location=office.database_path) from None
    finally:
        reader.close()


def _entry(office: OfficeFolder, message_id: str) -> Entry:
    with Outbox(office.database_path) as outbox:
        entry = outbox.get(message_id)
    if entry is None:
        raise UsageError("dit bericht staat niet in het verzendlogboek", location=message_id)
    return entry


def mark_sent(office: OfficeFolder, message_id: str) -> None:
    """An unconfirmed message that did arrive (checked in the mailbox or the server log):
    settled in the ledger and recorded in its dossier, as ``send --mark-sent`` does."""
    mark_arrived(office, [message_id], "de webapp",
                 f"bevestigd door {office.user} (webapp, als --mark-sent)")


def send_again(office: OfficeFolder, message_id: str, *, password: str | None = None
               ) -> BatchReport:
    """Resend an unconfirmed message, or retry a failed one (as --resend-uncertain and
    --retry-failed do), from its file, which must be inside the office folder."""
    entry = _entry(office, message_id)
    if entry.status not in ("unconfirmed", "failed", "deferred", "sending"):
        raise UsageError(f"dit bericht is {entry.status}; opnieuw versturen kan alleen bij "
                         "een mislukt of onbevestigd bericht", location=message_id)
    from .documents import inside_office

    path = inside_office(office, entry.file)
    message = read_outgoing([path])[0]
    if message.message_id != message_id:
        raise UsageError("het bestand hoort nu bij een ander bericht", location=entry.file)
    options = SendOptions(resend_uncertain=True, retry_failed=True, limit=1)
    post, rate = mailer(office, password)
    try:
        with Outbox(office.database_path) as outbox:
            report = send_batch([message], outbox, post, options, rate=rate)
    finally:
        post.close()
    record_sent(office, [outcome.message for outcome in report.of("sent")])
    return report


def test_send(office: OfficeFolder, event_id: int, to: str, *,
              password: str | None = None) -> str:
    """One message of a batch to the user's own address, marked [TEST] in its subject, with
    its own Message-ID; not recorded in the ledger, so the real one still goes."""
    if "@" not in to or any(c in to for c in "\r\n,;<>"):
        raise UsageError(f"'{to}' is geen e-mailadres")
    item = load_document(office, event_id)
    if item.path is None or not item.is_email:
        raise UsageError("dit is geen e-mail", location=str(event_id))
    with item.path.open("rb") as handle:
        message = email.message_from_binary_file(handle, policy=policy.default)
    assert isinstance(message, EmailMessage)
    for header in ("To", "Cc", "Bcc"):
        del message[header]
    message["To"] = to
    subject = str(message.get("Subject", ""))
    del message["Subject"]
    message["Subject"] = f"[TEST] {subject}"
    original = str(message.get("Message-ID", "<x@cbct-docs.invalid>"))
    del message["Message-ID"]
    message["Message-ID"] = original.replace("<", "<test-", 1)
    with tempfile.TemporaryDirectory(prefix="cbct-test-") as scratch:
        test_path = Path(scratch) / "test.eml"
        test_path.write_bytes(message.as_bytes(policy=EML_POLICY))
        outgoing = read_outgoing([test_path])[0]
        post, _rate = mailer(office, password)
        try:
            answer = post.deliver(outgoing, before_end=lambda: None)
        except (Refused, ConnectionLost) as error:
            raise DeliveryError(f"de testmail ging niet: {error}", location=post.where) \
                from None
        finally:
            post.close()
    record_notes(office, [Note(item.cert_nr, Kind.TEST_SENT, f"aan {to}: {item.name}",
                               {"aan": to, "message_id": outgoing.message_id,
                                "document": item.document})])
    return answer
