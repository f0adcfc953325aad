"""The fast builder: an ``.eml`` put together from byte templates, the same e-mail the
standard library's :class:`~email.message.EmailMessage` makes (see deliver/email.py).

Header lines come from deliver/eml_headers.py; here the MIME structure around them:
quoted-printable text parts (each line encoded once per process), base64 attachments,
multipart boundaries, CRLF line ends. Also the content digest both builders put in the
Message-ID.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import mimetypes
import re
import urllib.parse
from collections.abc import Sequence
from json.encoder import encode_basestring as _json_text  # as json.dumps writes a str

from .eml_headers import LONGEST_LINE, Unsupported, date_now, fast_address, fold_text

#: Attachment names written as a quoted string as they are; others RFC 2231 encoded.
_PLAIN_FILENAME = re.compile(r"[ -~]+")


def fast_eml(sender: str, to: str, reply_to: str | None, subject: str, text: str,
             html: str, inlined: str, parts: Sequence[tuple[str, bytes]]) -> bytes | None:
    """The ``.eml`` bytes as the standard builder would make them (same headers in the
    same order, same decoded content), or None when the standard builder should decide."""
    try:
        from_header, domain = fast_address("From", sender)
        headers = [from_header, fast_address("To", to)[0]]
        if reply_to:
            headers.append(fast_address("Reply-To", reply_to)[0])
        headers.append(fold_text("Subject", " ".join(subject.split())))
        digest = content_digest(sender, to, reply_to, subject, text, html, parts)
        headers += [f"Date: {date_now()}",
                    f"Message-ID: <cbct-{digest[:32]}@{domain}>", "MIME-Version: 1.0"]
        bodies = [_qp_part("plain", text, mime_version=False),
                  _qp_part("html", inlined, mime_version=True)]
        alternative = f"=_cbct_{digest[32:48]}_alt"
        if not parts:
            head = "\r\n".join([*headers, "Content-Type: multipart/alternative; "
                                          f'boundary="{alternative}"', "", ""])
            return head.encode("ascii") + _multipart(alternative, bodies)
        mixed = f"=_cbct_{digest[32:48]}_mix"
        head = "\r\n".join([*headers, f'Content-Type: multipart/mixed; boundary="{mixed}"',
                             "", ""])
        inner = (f'Content-Type: multipart/alternative; boundary="{alternative}"\r\n\r\n'
                 .encode("ascii") + _multipart(alternative, bodies))
        return head.encode("ascii") + _multipart(
            mixed, [inner, *(_attachment(name, data) for name, data in parts)])
    except (Unsupported, UnicodeError):
        return None


def _qp_part(subtype: str, body: str, *, mime_version: bool) -> bytes:
    """A text part as ``set_content(..., cte="quoted-printable")`` makes it: line ends
    normalised (CR, LF or CRLF), a final line end, every line at most 76 characters."""
    head = (f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: quoted-printable\r\n"
            + ("MIME-Version: 1.0\r\n" if mime_version else "") + "\r\n")
    return head.encode("ascii") + quoted_printable(body.encode("utf-8").splitlines() or [b""])


#: Lines encoded already, by their bytes: the e-mails of a batch share most of their lines
#: (the HTML's markup, the fixed sentences). Forgotten when it holds this many.
_QP_KEPT = 4096
_QP_LINES: dict[bytes, bytes] = {}


def quoted_printable(lines: list[bytes]) -> bytes:
    """``binascii.b2a_qp(b"\\r\\n".join(lines) + b"\\r\\n", istext=True)``, each line
    encoded once per process. The same bytes: with CRLF line ends (no line holds a CR or
    LF) b2a_qp encodes each line on its own (its soft breaks, a trailing space, a lone dot
    depend on the line alone), so the whole is the lines' encodings one after another."""
    kept = _QP_LINES
    out = []
    for line in lines:
        encoded = kept.get(line)
        if encoded is None:
            if len(kept) >= _QP_KEPT:
                kept.clear()
            encoded = kept[line] = binascii.b2a_qp(line + b"\r\n", istext=True)
        out.append(encoded)
    return b"".join(out)


def _attachment(name: str, data: bytes) -> bytes:
    if not name.isprintable():
        raise Unsupported(name)
    maintype, subtype = mime_type(name)
    if _PLAIN_FILENAME.fullmatch(name) and '"' not in name and "\\" not in name:
        filename = f'filename="{name}"'
    else:
        filename = "filename*=utf-8''" + urllib.parse.quote(name, safe="", encoding="utf-8")
    disposition = f"Content-Disposition: attachment; {filename}"
    if len(disposition) > LONGEST_LINE:
        raise Unsupported(name)
    head = (f"Content-Type: {maintype}/{subtype}\r\n"
            "Content-Transfer-Encoding: base64\r\n"
            f"{disposition}\r\nMIME-Version: 1.0\r\n\r\n")
    return head.encode("ascii") + base64.encodebytes(data).replace(b"\n", b"\r\n")


def _multipart(boundary: str, parts: Sequence[bytes]) -> bytes:
    """Parts between boundaries. The boundary begins ``=_``, which quoted-printable and
    base64 never write, so no body line can be mistaken for it."""
    separator = f"--{boundary}\r\n".encode("ascii")
    ending = f"--{boundary}--\r\n".encode("ascii")
    out = []
    for part in parts:
        out += [separator, part, b"\r\n"]
    out.append(ending)
    return b"".join(out)


def mime_type(name: str) -> tuple[str, str]:
    """An attachment's MIME type by its name (both builders): application/octet-stream
    when the name says nothing."""
    guessed, _encoding = mimetypes.guess_type(name)
    maintype, _, subtype = (guessed or "application/octet-stream").partition("/")
    return maintype, subtype


def content_digest(sender: str, to: str, reply_to: str | None, subject: str, text: str,
                   html: str, parts: Sequence[tuple[str, bytes]]) -> str:
    """The digest in the Message-ID (both builders), so that the same e-mail made again
    keeps its Message-ID: the sha256 of ``json.dumps({"from": sender, "to": to,
    "reply_to": reply_to, "subject": …, "text": …, "html": …, "attachments": [[name, sha256], …]},
    ensure_ascii=False, sort_keys=True)``, that text put together here in the same order
    with json's own string encoder (the dictionary and its sorting cost more than the
    encoding)."""
    attachments = json.dumps([[name, hashlib.sha256(data).hexdigest()]
                              for name, data in parts], ensure_ascii=False) if parts else "[]"
    canonical = "".join([
        '{"attachments": ', attachments, ', "from": ', _json_text(sender),
        ', "html": ', _json_text(html), ', "reply_to": ',
        "null" if reply_to is None else _json_text(reply_to),
        ', "subject": ', _json_text(subject), ', "text": ', _json_text(text),
        ', "to": ', _json_text(to), "}"])
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
