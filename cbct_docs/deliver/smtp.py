"""Talking SMTP: one connection for a batch, and a precise point of no return per message.

:meth:`Mailer.deliver` calls ``before_end`` right before the final ``.`` of a message goes
to the server. Until then a lost connection means the server has no message (SMTP servers
discard incomplete data); from then on, only the server's answer tells. The outbox ledger
records that moment, which is what lets a rerun after a crash resend safely (see
:mod:`.outbox`).
"""

from __future__ import annotations

import contextlib
import email.errors
import hashlib
import re
import smtplib
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from ..errors import DataError, DeliveryError, Problems
from ..settings import SmtpSettings, is_loopback
from .outbox import STALE_AFTER, Entry, Outbox, claim_unknown, in_progress

IDLE_CHECK = 30.0  # seconds idle after which the connection is tested (NOOP) before use
_LINE_ENDS = re.compile(rb"\r\n|\n|\r")
_LEADING_DOT = re.compile(rb"(?m)^\.")


@dataclass(frozen=True)
class Outgoing:
    """An .eml file ready to send: envelope, identity and wire bytes."""

    path: Path
    message_id: str
    sender: str
    recipients: tuple[str, ...]
    subject: str
    data: bytes  # CRLF line ends, Bcc removed
    sha256: str


def read_outgoing(paths: Sequence[Path]) -> list[Outgoing]:
    """Read .eml files; every problem of every file at once, before anything is sent."""
    problems = Problems()
    messages = []
    for path in paths:
        with problems.catch():
            messages.append(_read_one(path))
    problems.raise_if_any()
    return messages


def _read_one(path: Path) -> Outgoing:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DataError(f"cannot read: {error.strerror}", location=path) from None
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    problems: list[str] = []
    try:
        message_id = str(message.get("Message-ID") or "").strip()
        addresses = {name: _addresses(message, name, problems)
                     for name in ("From", "To", "Cc", "Bcc")}
    except (ValueError, TypeError, IndexError, email.errors.MessageError) as error:
        raise DataError(f"unreadable address header: {error}", location=path) from None
    senders = addresses["From"]
    recipients = tuple(addresses["To"] + addresses["Cc"] + addresses["Bcc"])
    if not message_id:
        problems.append("no Message-ID (make e-mails with cbct-docs, or add one)")
    if len(senders) != 1:
        problems.append("needs exactly one From: address")
    if not recipients:
        problems.append("no valid recipient in To:, Cc: or Bcc:")
    if problems:
        raise DataError("; ".join(problems), location=path)
    if message["Bcc"] is not None:  # the envelope carries Bcc; the header must not
        del message["Bcc"]
        raw = message.as_bytes(policy=policy.SMTP)
    data = _LINE_ENDS.sub(b"\r\n", raw)
    return Outgoing(path=path, message_id=message_id, sender=senders[0], recipients=recipients,
                    subject=str(message.get("Subject", "")).strip(), data=data,
                    sha256=hashlib.sha256(data).hexdigest())


def _addresses(message: EmailMessage, name: str, problems: list[str]) -> list[str]:
    """The addr-specs of one header; what SMTP cannot carry goes to ``problems``.

    The envelope (MAIL FROM, RCPT TO) is plain ASCII: an 8-bit address would stop the
    whole run halfway, so it is refused here, with every other defect of the header.
    """
    header = message[name]
    if header is None:
        return []
    found, bad = [], []
    for address in header.addresses:
        spec = address.addr_spec
        if (not address.username or not address.domain or not spec.isascii()
                or any(c.isspace() for c in spec)):
            bad.append(spec.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
        else:
            found.append(spec)
    if header.defects or bad:
        what = ", ".join(repr(b) for b in bad) or repr(str(header).strip())
        problems.append(f"{name}: {what} is not a plain address (ASCII, name@domain)")
    return found


class Refused(Exception):
    """The server answered a command with an error code."""

    def __init__(self, code: int, text: str, stage: str) -> None:
        super().__init__(f"{stage}: {code} {text}")
        self.code, self.text, self.stage = code, text, stage

    @property
    def permanent(self) -> bool:
        return 500 <= self.code < 600

    def describe(self) -> str:
        return f"{self.code} {self.text} (at {self.stage})"


class ConnectionLost(Exception):
    """The connection broke; ``uncertain`` once the message's end had been sent."""

    def __init__(self, error: BaseException, uncertain: bool) -> None:
        super().__init__(str(error) or type(error).__name__)
        self.uncertain = uncertain


class Mailer:
    """One SMTP connection, opened on first use and reopened after a failure."""

    def __init__(self, settings: SmtpSettings, password: str | None = None) -> None:
        self.settings = settings
        self.password = password
        self.connection: smtplib.SMTP | None = None
        self.last_used = 0.0

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        where = f"{s.host}:{s.port}"
        if s.user and s.security == "none" and not is_loopback(s.host):
            raise DeliveryError(f"a login as {s.user!r} needs TLS: the password would go "
                                "over the network in clear", location=where,
                                hint='set security = "starttls" or "ssl" in [smtp]')
        try:
            # Certificates are always checked; an internal CA goes in [smtp] cafile.
            context = ssl.create_default_context(cafile=s.cafile or None)
            if s.security == "ssl":
                connection: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout,
                                                            context=context)
            else:
                connection = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            connection.ehlo()
            if s.security == "starttls":
                connection.starttls(context=context)
                connection.ehlo()
            if s.user:
                connection.login(s.user, self.password or "")
        except smtplib.SMTPNotSupportedError:
            raise DeliveryError("the server does not offer STARTTLS", location=where,
                                hint="set security = \"ssl\" or \"none\" in [smtp]") from None
        except smtplib.SMTPAuthenticationError as error:
            raise DeliveryError(f"login as {s.user!r} refused: {error.smtp_code} "
                                f"{_text(error.smtp_error)}", location=where,
                                hint="check the user and CBCT_SMTP_PASSWORD") from None
        except UnicodeEncodeError:
            raise DeliveryError("the SMTP user name or password has non-ASCII characters, "
                                "which SMTP login cannot carry", location=where) from None
        except smtplib.SMTPConnectError as error:
            # The server turned the connection away: not this message's fault.
            reason = ConnectionError(f"{error.smtp_code} {_text(error.smtp_error)}")
            raise ConnectionLost(reason, uncertain=False) from None
        except ssl.SSLCertVerificationError as error:
            raise DeliveryError(f"the server's certificate is not trusted: "
                                f"{error.verify_message}", location=where,
                                hint="if the office uses its own CA, set [smtp] cafile") from None
        except (OSError, smtplib.SMTPException) as error:
            raise ConnectionLost(error, uncertain=False) from None
        return connection

    def deliver(self, message: Outgoing, before_end: Callable[[], None]) -> str:
        """Send one message; returns the server's acceptance text.

        Raises :class:`Refused` for an error answer and :class:`ConnectionLost` when the
        connection breaks. The session is reset after a refusal so the next one can go.
        """
        if self.connection is not None and time.monotonic() - self.last_used > IDLE_CHECK:
            self._check_alive()  # a slow rate leaves the connection idle; servers drop those
        if self.connection is None:
            self.connection = self._open()
        self.last_used = time.monotonic()
        smtp = self.connection
        ended = False
        try:
            self._expect(smtp.mail(message.sender), (250,), "MAIL FROM")
            for recipient in message.recipients:
                self._expect(smtp.rcpt(recipient), (250, 251), f"RCPT TO {recipient}")
            self._expect(smtp.docmd("DATA"), (354,), "DATA")
            body = _LEADING_DOT.sub(b"..", message.data)
            if not body.endswith(b"\r\n"):
                body += b"\r\n"
            smtp.send(body)
            before_end()
            ended = True
            smtp.send(b".\r\n")
            code, text = smtp.getreply()
            self._expect((code, text), (250,), "end of data")
            return f"{code} {_text(text)}"
        except Refused:
            self._reset()
            raise
        except (OSError, smtplib.SMTPServerDisconnected) as error:
            self.drop()
            raise ConnectionLost(error, uncertain=ended) from None
        except BaseException:
            # Anything else (the ledger, Ctrl-C) may strike mid-DATA: hang up without a
            # QUIT, which would become part of the message; the server discards the rest.
            self.drop()
            raise

    @staticmethod
    def _expect(reply: tuple[int, bytes | str], good: tuple[int, ...], stage: str) -> None:
        code, text = reply
        if code not in good:
            raise Refused(code, _text(text), stage)

    def _check_alive(self) -> None:
        try:
            assert self.connection is not None
            code, _reply = self.connection.noop()
        except (OSError, smtplib.SMTPException):
            code = 0
        if code != 250:
            self.drop()

    def _reset(self) -> None:
        try:
            if self.connection is not None:
                self.connection.rset()
        except (OSError, smtplib.SMTPException):
            self.drop()

    def drop(self) -> None:
        """Forget a broken connection; the next message opens a new one."""
        if self.connection is not None:
            with contextlib.suppress(OSError):
                self.connection.close()
            self.connection = None

    def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.connection.quit()
            self.drop()


def _text(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return " ".join(text.split())


# -- a batch ---------------------------------------------------------------------------

SKIP_REASONS = {
    "sent": "already sent",
    "unconfirmed": "unconfirmed: may have arrived; not re-sent (check, then --mark-sent "
                   "or --resend-uncertain)",
    "failed": "failed before (--retry-failed to try again)",
    "sending": "being sent by another run",
    "stale": "claimed by a run that cannot be checked from here",
    "readdressed": "this Message-ID was sent before, to other recipients; the file was "
                   "edited by hand: make the e-mail anew (a new Message-ID) to send it",
}


def skip_reason(status: str, entry: Entry | None) -> str:
    reason = SKIP_REASONS[status]
    if status == "stale" and entry is not None:
        minutes = int(STALE_AFTER.total_seconds() // 60)
        reason += (f" ({entry.status} by {entry.owner or 'an unknown run'} since "
                   f"{entry.updated_at.replace('T', ' ')[:16]} UTC: another machine, or over "
                   f"{minutes} minutes ago); if that run is gone, --resend-uncertain takes over")
    if status == "sent" and entry is not None and entry.sent_at:
        reason += f" ({entry.sent_at.replace('T', ' ')[:16]} UTC, {entry.file})"
    return reason


@dataclass
class Outcome:
    message: Outgoing
    status: str  # sent | failed | deferred | unconfirmed | skipped
    detail: str = ""
    previous: str = ""  # for a skipped message: its status in the ledger

    @property
    def needs_attention(self) -> bool:
        """Did not go, and will not go by itself on the next run either."""
        return (self.status in ("failed", "deferred", "unconfirmed")
                or self.previous in ("failed", "unconfirmed", "stale", "readdressed"))


@dataclass
class BatchReport:
    outcomes: list[Outcome]

    def of(self, status: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]

    def summary(self) -> str:
        parts = [f"{len(self.of(s))} {s}" for s in
                 ("sent", "failed", "deferred", "unconfirmed", "skipped")]
        return ", ".join(parts)


class RateLimit:
    """At most ``per_minute`` message starts per minute (0: no limit)."""

    def __init__(self, per_minute: float, clock: Callable[[], float],
                 sleep: Callable[[float], None]) -> None:
        self.interval = 60.0 / per_minute if per_minute > 0 else 0.0
        self.clock, self.sleep = clock, sleep
        self.last: float | None = None

    def wait(self) -> None:
        if self.interval and self.last is not None:
            remaining = self.last + self.interval - self.clock()
            if remaining > 0:
                self.sleep(remaining)
        self.last = self.clock()


def backoff_delay(settings: SmtpSettings, retry: int) -> float:
    """Seconds before retry number ``retry`` (1, 2, …): doubling, capped."""
    return float(min(settings.max_backoff, settings.backoff * 2 ** (retry - 1)))


def send_batch(messages: Sequence[Outgoing], outbox: Outbox, mailer: Mailer, *,
               limit: int | None = None, rate: float = 0.0, resend_uncertain: bool = False,
               retry_failed: bool = False,
               progress: Callable[[int, int], None] | None = None,
               sleep: Callable[[float], None] = time.sleep,
               clock: Callable[[], float] = time.monotonic) -> BatchReport:
    """Send what the outbox allows, in order; a refused message does not stop the rest.

    A lost connection to the server, a refused login or an unreachable server ends the
    run with a :class:`DeliveryError` carrying the report so far (``error.report``).
    """
    report = BatchReport([])
    limiter = RateLimit(rate, clock, sleep)
    attempted = 0
    for number, message in enumerate(messages, 1):
        if limit is not None and attempted >= limit:
            break
        claim = outbox.claim(message.message_id, recipient=", ".join(message.recipients),
                             subject=message.subject, file=str(message.path),
                             content_sha256=message.sha256,
                             resend_uncertain=resend_uncertain, retry_failed=retry_failed)
        if not claim.granted:
            status = claim.entry.status if claim.entry else "sent"
            if claim.entry and in_progress(claim.entry):
                status = "sending"
            elif claim.entry and claim_unknown(claim.entry):
                status = "stale"
            elif (claim.entry and claim.entry.status == "sent"
                  and claim.entry.recipient != ", ".join(message.recipients)):
                status = "readdressed"  # a corrected address must not be skipped silently
            report.outcomes.append(Outcome(message, "skipped", skip_reason(status, claim.entry),
                                           status))
        else:
            attempted += 1
            limiter.wait()
            try:
                report.outcomes.append(_send_one(message, outbox, mailer, sleep))
            except DeliveryError as error:
                report.outcomes.append(Outcome(message, "deferred", error.what))
                error.report = report  # type: ignore[attr-defined]
                raise
        if progress:
            progress(number, len(messages))
    return report


def _send_one(message: Outgoing, outbox: Outbox, mailer: Mailer,
              sleep: Callable[[float], None]) -> Outcome:
    settings, key = mailer.settings, message.message_id
    last = ""
    for attempt in range(1, settings.attempts + 1):
        if attempt > 1:
            sleep(backoff_delay(settings, attempt - 1))
        try:
            accepted = mailer.deliver(
                message, before_end=lambda: outbox.mark(key, "unconfirmed", attempt=True))
        except Refused as refusal:
            if refusal.permanent:
                outbox.mark(key, "failed", refusal.describe())
                return Outcome(message, "failed", refusal.describe())
            last = refusal.describe()
            outbox.mark(key, "sending", last)
        except ConnectionLost as lost:
            if lost.uncertain:
                detail = f"connection lost after the end of the message: {lost}"
                outbox.mark(key, "unconfirmed", detail)
                return Outcome(message, "unconfirmed", detail)
            last = f"connection to {settings.host}:{settings.port} failed: {lost}"
            outbox.mark(key, "sending", last)
        except DeliveryError as error:
            outbox.mark(key, "deferred", error.what)
            raise
        else:
            outbox.mark(key, "sent", accepted)
            return Outcome(message, "sent", accepted)
    outbox.mark(key, "deferred", last)
    if last.startswith("connection"):
        tries = f"{settings.attempts} time{'s' if settings.attempts != 1 else ''}"
        raise DeliveryError(last, hint=f"tried {tries}; rerun later, messages already sent "
                            "are not sent again")
    return Outcome(message, "deferred", f"{last}; after {settings.attempts} attempts")
