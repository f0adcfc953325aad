"""An .eml file read for sending: its envelope, identity and wire bytes, every defect of
every file found before anything is sent (:func:`read_outgoing`)."""

from __future__ import annotations

import email.errors
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from ..errors import DataError, Problems
from .email import content_fingerprint

_LINE_ENDS = re.compile(rb"\r\n|\n|\r")


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

