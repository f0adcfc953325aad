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
from .email import content_fingerprint

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
    sha256: str  # of ``data``
    fingerprint: str  # of the content a reader gets (see .email.content_fingerprint)


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
    fingerprint = content_fingerprint(message)
    if message["Bcc"] is not None:  # the envelope carries Bcc; the header must not
        del message["Bcc"]
        raw = message.as_bytes(policy=policy.SMTP)
    data = _LINE_ENDS.sub(b"\r\n", raw)
    return Outgoing(path=path, message_id=message_id, sender=senders[0], recipients=recipients,
                    subject=str(message.get("Subject", "")).strip(), data=data,
                    sha256=hashlib.sha256(data).hexdigest(), fingerprint=fingerprint)


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
