"""E-mails as standard ``.eml`` files: text + HTML alternatives, inlined CSS, attachments.

The Message-ID is derived from the content (sender, recipient, subject, bodies,
attachments), so rendering the same e-mail again gives the same Message-ID: the outbox
ledger recognises a message it has sent before, and a recipient's mail system can spot a
duplicate if one ever slips through.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import re
from collections.abc import Sequence
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from ..errors import DataError, OutputError
from ..render.inline import inline_css
from .files import atomic_write

#: Serialisation for files and SMTP alike: CRLF line ends, headers RFC 2047 encoded.
# Header lines up to RFC 5322's 998 characters: with the default 78, Python folds a long
# plain subject onto a line of its own, and readers then see it with a leading space.
EML_POLICY = policy.SMTP.clone(max_line_length=998)
FALLBACK_DOMAIN = "cbct-docs.invalid"
_NAMED = re.compile(r"^\s*(?P<name>[^<>]*?)\s*<(?P<address>[^<>,;\s]+)>\s*$")


def build_message(*, sender: str, to: str, subject: str, html: str, text: str,
                  attachments: Sequence[Path] = (), reply_to: str | None = None,
                  css_inlined: bool = False) -> EmailMessage:
    """A multipart/alternative e-mail (plain text first, then HTML with inlined CSS).

    ``sender``/``to``/``reply_to`` may carry a display name with diacritics, e.g.
    ``"Bureau Certificering <info@cbct.example>"``. With attachments the message becomes
    multipart/mixed around the alternatives.
    """
    message = EmailMessage(policy=policy.default)
    _set_address(message, "From", sender)
    _set_address(message, "To", to)
    if reply_to:
        _set_address(message, "Reply-To", reply_to)
    message["Subject"] = " ".join(subject.split())
    message["Date"] = formatdate(localtime=True)

    parts = [_read_attachment(Path(p)) for p in attachments]
    digest = _content_digest(sender, to, reply_to, subject, text, html, parts)
    domain = _domain(message, "From")
    message["Message-ID"] = f"<cbct-{digest[:32]}@{domain}>"

    # Quoted-printable keeps the message 7-bit clean, so any SMTP server takes it as is.
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    if not css_inlined:  # templates compiled with their CSS inlined once skip this
        html = inline_css(html)
    message.add_alternative(html, subtype="html", charset="utf-8",
                            cte="quoted-printable")
    for name, data in parts:
        maintype, subtype = _mime_type(name)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message


def write_eml(message: EmailMessage, path: Path, overwrite: bool = False) -> Path:
    """Write ``message`` as an ``.eml`` file (atomic; refuses to overwrite by default)."""
    path = Path(path)
    atomic_write(path, message.as_bytes(policy=EML_POLICY), overwrite=overwrite)
    return path


def _set_address(message: EmailMessage, header: str, value: str) -> None:
    named = _NAMED.match(value)
    try:
        if named:
            # Build the address ourselves: a name like 'Jansen, P. ("De Tol")' is then quoted
            # as needed instead of being read as two addresses.
            message[header] = Address(display_name=" ".join(named["name"].strip('" ').split()),
                                      addr_spec=named["address"].strip())
        else:
            message[header] = value
        addresses = message[header].addresses
    except (ValueError, TypeError, IndexError) as error:
        raise DataError(f"{header}: {value!r} is not an e-mail address ({error})") from None
    if len(addresses) != 1 or not _is_address(addresses[0]) or message[header].defects:
        raise DataError(f"{header}: {value!r} is not one e-mail address",
                        hint="use name@domain or 'Naam <name@domain>'")


def _is_address(address: Address) -> bool:
    return bool(address.username) and "." in address.domain and " " not in address.addr_spec


def _domain(message: EmailMessage, header: str) -> str:
    addresses = message[header].addresses
    return addresses[0].domain if addresses and addresses[0].domain else FALLBACK_DOMAIN


def _read_attachment(path: Path) -> tuple[str, bytes]:
    try:
        return path.name, path.read_bytes()
    except OSError as error:
        raise OutputError(f"cannot read attachment: {error.strerror or error}",
                          location=path) from None


def _mime_type(name: str) -> tuple[str, str]:
    guessed, _encoding = mimetypes.guess_type(name)
    maintype, _, subtype = (guessed or "application/octet-stream").partition("/")
    return maintype, subtype


def _content_digest(sender: str, to: str, reply_to: str | None, subject: str, text: str,
                    html: str, parts: Sequence[tuple[str, bytes]]) -> str:
    canonical = json.dumps({
        "from": sender, "to": to, "reply_to": reply_to, "subject": subject,
        "text": text, "html": html,
        "attachments": [[name, hashlib.sha256(data).hexdigest()] for name, data in parts],
    }, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


#: Headers that change when the same e-mail is made again, or that only say how the content
#: is carried; they do not count for :func:`content_fingerprint`.
_NOT_CONTENT = {"date", "content-transfer-encoding", "mime-version"}


def content_fingerprint(message: EmailMessage) -> str:
    """What a reader gets, as a sha256: every header but the date and the MIME plumbing,
    and every part decoded. The same e-mail made again (another date, other MIME boundaries)
    keeps its fingerprint; an e-mail edited by hand (text, address, attachment) does not."""
    digest = hashlib.sha256()
    for part in message.walk():
        for name, value in part.items():
            key = name.lower()
            if key in _NOT_CONTENT:
                continue
            if key == "content-type":
                params = sorted((k.lower(), str(v))
                                for k, v in (part.get_params(header=name) or [])[1:]
                                if k.lower() != "boundary")
                value = f"{part.get_content_type()}; {params}"
            digest.update(f"{key}: {' '.join(str(value).split())}\n".encode("utf-8", "replace"))
        if not part.is_multipart():
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                if part.get_content_maintype() == "text":  # line ends are transport
                    payload = payload.replace(b"\r\n", b"\n")
                digest.update(b"%d\n" % len(payload) + payload)
        digest.update(b"\0")
    return digest.hexdigest()
