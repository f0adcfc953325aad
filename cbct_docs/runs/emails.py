"""Reading e-mails (.eml) as their reader gets them: the To and Subject the review checks
on every e-mail of a batch (fast for the ones cbct-docs writes), the head the review page
shows, and the whole message for the preview."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.parser import BytesHeaderParser, BytesParser
from email.policy import compat32
from email.utils import getaddresses
from pathlib import Path

_CACHE_LOCK = threading.Lock()


def _head(data: bytes) -> bytes:
    """Only the header of an e-mail (the body is not needed to check it)."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        end = data.find(b"\n\n")
    return data if end < 0 else data[:end]


#: A To or Subject field with its folded lines; folding undone afterwards.
_FIELD = re.compile(rb"^(to|subject):(.*(?:\r?\n[ \t].*)*)", re.IGNORECASE | re.MULTILINE)
_FOLDED = re.compile(rb"\r?\n[ \t]")
#: A header line that is neither ``Name:`` nor a folded line: the parser may end the
#: header there (or read it otherwise), so it reads such an e-mail.
_ODD_LINE = re.compile(rb"^(?![ \t])(?![\x21-\x39\x3b-\x7e]+:)", re.MULTILINE)
#: One ``To`` of one address, as cbct-docs writes it: a display name without quotes,
#: commas, colons or angle brackets (encoded words are fine), then ``<address>``; or the
#: bare address. Anything else is read by the e-mail package's own parser.
_ONE_ADDRESS = re.compile(r'\A[^"<>,;:@()\\]*<([^<>\s,;:"()\\]+@[^<>\s,;:"()\\]+)>\s*\Z'
                          r'|\A\s*([^<>\s,;:"()\\]+@[^<>\s,;:"()\\]+)\s*\Z')


def recipients_and_subject(data: bytes) -> tuple[tuple[str, ...], bool]:
    """The addresses of an e-mail's ``To`` and whether it has a subject. The e-mails the
    tool makes have one plain address: read without the e-mail parser (a review of 2,000
    e-mails reads them all); any other ``To`` by the parser, as before."""
    head = _head(data)
    values: list[bytes] = []
    subjects: list[bytes] = []
    for found_field in _FIELD.finditer(head):
        (values if found_field.group(1).lower() == b"to" else subjects).append(
            _FOLDED.sub(b" ", found_field.group(2)))
    has_subject = bool(subjects) and bool(subjects[0].strip())
    if len(values) == 1 and values[0].isascii() and not _ODD_LINE.search(head):
        found = _ONE_ADDRESS.match(values[0].decode("ascii"))
        if found is not None:
            return (found.group(1) or found.group(2),), has_subject
    message = BytesHeaderParser(policy=compat32).parsebytes(head)
    to = tuple(address for _name, address in getaddresses(message.get_all("To", [])))
    return to, bool(str(message.get("Subject", "")).strip())


@dataclass(frozen=True)
class EmailView:
    subject: str
    sender: str
    to: str
    cc: str
    html: str
    text: str
    attachments: tuple[str, ...]


_VIEWS: dict[tuple[str, int, int], EmailView] = {}


def email_view(path: Path) -> EmailView:
    """Subject, addresses, HTML and text of an e-mail, as its reader gets them."""
    info = path.stat()
    key = (str(path), info.st_size, info.st_mtime_ns)
    view = _VIEWS.get(key)
    if view is None:
        view = _email_view(path.read_bytes())
        with _CACHE_LOCK:
            if len(_VIEWS) >= 2000:
                del _VIEWS[next(iter(_VIEWS))]
            _VIEWS[key] = view
    return view


def _decoded(value: object) -> str:
    return str(make_header(decode_header(str(value)))) if value is not None else ""


@dataclass(frozen=True)
class EmailHead:
    """What the review page shows of an e-mail above its body (the body itself is the
    preview frame's, read when the browser asks for it)."""

    subject: str
    sender: str
    to: str
    cc: str
    attachments: tuple[str, ...]


_HEADS: dict[tuple[str, int, int], EmailHead] = {}


def email_head(path: Path) -> EmailHead:
    """Subject, addresses and attachments of an e-mail, from its header alone unless it
    can carry attachments (multipart/mixed): 25 on a review page at a time."""
    info = path.stat()
    key = (str(path), info.st_size, info.st_mtime_ns)
    head = _HEADS.get(key)
    if head is None:
        data = path.read_bytes()
        message = BytesHeaderParser(policy=compat32).parsebytes(_head(data))
        attachments: tuple[str, ...] = ()
        if message.get_content_type() == "multipart/mixed":
            attachments = _email_view(data).attachments
        head = EmailHead(_decoded(message.get("Subject")), _decoded(message.get("From")),
                         _decoded(message.get("To")), _decoded(message.get("Cc")),
                         attachments)
        with _CACHE_LOCK:
            if len(_HEADS) >= 2000:
                del _HEADS[next(iter(_HEADS))]
            _HEADS[key] = head
    return head


def _email_view(data: bytes) -> EmailView:
    message = BytesParser(policy=compat32).parsebytes(data)
    html = text = ""
    attachments = []
    for part in message.walk():
        if part.is_multipart():
            continue
        disposition = str(part.get("Content-Disposition", "")).lower()
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        if disposition.startswith("attachment"):
            attachments.append(_decoded(part.get_filename() or "bijlage"))
            continue
        body = payload.decode(part.get_content_charset() or "utf-8", "replace")
        if part.get_content_type() == "text/html" and not html:
            html = body
        elif part.get_content_type() == "text/plain" and not text:
            text = body
    return EmailView(_decoded(message.get("Subject")), _decoded(message.get("From")),
                     _decoded(message.get("To")), _decoded(message.get("Cc")), html, text,
                     tuple(attachments))
