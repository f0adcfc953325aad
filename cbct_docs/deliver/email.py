"""E-mails as standard ``.eml`` files: text + HTML alternatives, inlined CSS, attachments.

The Message-ID is derived from the content (sender, recipient, subject, bodies,
attachments), so rendering the same e-mail again gives the same Message-ID: the outbox
ledger recognises a message it has sent before, and a recipient's mail system can spot a
duplicate if one ever slips through.

Two builders make the same e-mail. :func:`build_message` first tries the fast one
(deliver/eml_fast.py, its header lines from deliver/eml_headers.py): the fixed shape this
tool writes, put together from byte templates (RFC 2047 encoded-words for names and
subjects that are not plain ASCII, quoted-printable bodies, base64 attachments, CRLF,
header lines folded well under 998 characters). Whatever it cannot express for certain (an
``=?`` in a header, an address that is not a plain ``local@domain``, control characters, a
name or subject too long to fold at spaces) goes to the standard library's
:class:`~email.message.EmailMessage` here, the builder it replaced.
tests/test_email_fast.py parses both with the standard parser and compares every header,
body and attachment, and the content fingerprint the outbox keeps.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DataError, OutputError
from ..render.inline import inline_css
from .eml_fast import content_digest, fast_eml, mime_type
from .eml_headers import NAMED
from .files import atomic_write

if TYPE_CHECKING:
    from email.headerregistry import Address
    from email.policy import EmailPolicy

    #: Serialisation for files and SMTP alike: CRLF line ends, headers RFC 2047 encoded.
    EML_POLICY: EmailPolicy[EmailMessage]


@functools.cache
def eml_policy() -> EmailPolicy[EmailMessage]:
    """``EML_POLICY``, made when first needed: the fast builder writes its bytes without
    it, so an e-mail run does not import ``email.policy`` (and its header parser)."""
    from email import policy

    # Header lines up to RFC 5322's 998 characters: with the default 78, Python folds a
    # long plain subject onto a line of its own, and readers then see it with a leading
    # space.
    return policy.SMTP.clone(max_line_length=998)


def __getattr__(name: str) -> Any:
    if name == "EML_POLICY":
        return eml_policy()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def eml_bytes(message: EmailMessage) -> bytes:
    """``message.as_bytes(policy=EML_POLICY)``; a message made by the fast builder (and
    not changed since) gives its bytes as made."""
    if type(message) is PrebuiltMessage and "_headers" not in message.__dict__:
        return bytes(message.__dict__["_eml"])
    return message.as_bytes(policy=eml_policy())


#: The Message-ID's domain when the sender's address gives none.
FALLBACK_DOMAIN = "cbct-docs.invalid"


def build_message(*, sender: str, to: str, subject: str, html: str, text: str,
                  attachments: Sequence[Path] = (), reply_to: str | None = None,
                  css_inlined: bool = False) -> EmailMessage:
    """A multipart/alternative e-mail (plain text first, then HTML with inlined CSS).

    ``sender``/``to``/``reply_to`` may carry a display name with diacritics, e.g.
    ``"Bureau Certificering <info@cbct.example>"``. With attachments the message becomes
    multipart/mixed around the alternatives.

    The message is made by the fast builder when it can express it (see the module's
    text): then ``as_bytes(policy=EML_POLICY)`` returns its bytes as made, and anything
    else (reading a header, another policy) works on the message parsed from them.
    """
    parts = [_read_attachment(Path(p)) for p in attachments]
    inlined = html if css_inlined else inline_css(html)
    data = fast_eml(sender, to, reply_to, subject, text, html, inlined, parts)
    if data is not None:
        return PrebuiltMessage(data)
    return _stdlib_message(sender, to, reply_to, subject, text, html, inlined, parts)


def build_eml(*, sender: str, to: str, subject: str, html: str, text: str,
              attachments: Sequence[Path] = (), reply_to: str | None = None,
              css_inlined: bool = False) -> bytes:
    """:func:`build_message` as the bytes of an ``.eml`` file (``EML_POLICY``)."""
    return build_message(sender=sender, to=to, subject=subject, html=html, text=text,
                         attachments=attachments, reply_to=reply_to,
                         css_inlined=css_inlined).as_bytes(policy=eml_policy())


def _stdlib_message(sender: str, to: str, reply_to: str | None, subject: str, text: str,
                    html: str, inlined: str,
                    parts: Sequence[tuple[str, bytes]]) -> EmailMessage:
    """The e-mail built with the standard library (the reference the fast path matches)."""
    from email import policy

    message = EmailMessage(policy=policy.default)
    _set_address(message, "From", sender)
    _set_address(message, "To", to)
    if reply_to:
        _set_address(message, "Reply-To", reply_to)
    message["Subject"] = " ".join(subject.split())
    message["Date"] = formatdate(localtime=True)

    digest = content_digest(sender, to, reply_to, subject, text, html, parts)
    domain = _domain(message, "From")
    message["Message-ID"] = f"<cbct-{digest[:32]}@{domain}>"

    # Quoted-printable keeps the message 7-bit clean, so any SMTP server takes it as is.
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(inlined, subtype="html", charset="utf-8",
                            cte="quoted-printable")
    for name, data in parts:
        maintype, subtype = mime_type(name)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    _refuse_line_breaks(message)
    return message


def _refuse_line_breaks(message: EmailMessage) -> None:
    """Refuse a header that would be written as more than one header.

    Python's header classes decode encoded-words in what they are given: a subject or
    a quoted name holding ``=?utf-8?q?x=0D=0ABcc:_y@z.example?=`` is written with a real
    line break, and the text after it reads as a header of its own (a Bcc: nobody sees).
    Every line after a header's first must be a folded one, starting with a space or tab.
    """
    for name, value in message.items():
        lines = eml_policy().fold_binary(name, value).split(b"\r\n")
        if lines[-1] or any(b"\r" in line or b"\n" in line or
                            (number and not line.startswith((b" ", b"\t")))
                            for number, line in enumerate(lines[:-1])):
            raise DataError(f"{name}: {str(value)!r} holds a line break",
                            hint="an encoded-word (=?…?=) that decodes to a line break "
                                 "cannot go in a header")


class PrebuiltMessage(EmailMessage):
    """An e-mail made as bytes by the fast builder.

    ``as_bytes(policy=EML_POLICY)`` returns those bytes unchanged. Everything else an
    :class:`EmailMessage` does (headers, parts, other policies, changes) works on the
    message parsed from them, parsed the first time it is needed.
    """

    def __init__(self, data: bytes) -> None:  # no super().__init__(): see __getattr__
        self.__dict__["_eml"] = data

    def __getattr__(self, name: str) -> Any:
        # Only called for attributes not set yet: the message's own state (_headers,
        # _payload, policy, …) comes from parsing the bytes, once, with LF line ends as
        # the standard builder keeps them in memory.
        if name.startswith("__") or name == "_eml" or "_headers" in self.__dict__:
            raise AttributeError(name)
        from email import policy
        from email.parser import BytesParser

        parsed = BytesParser(policy=policy.default).parsebytes(
            self.__dict__["_eml"].replace(b"\r\n", b"\n"))
        self.__dict__.update(parsed.__dict__)
        return getattr(self, name)

    def as_bytes(self, unixfrom: bool = False, policy: Any = None) -> bytes:
        if policy is eml_policy() and not unixfrom and "_headers" not in self.__dict__:
            return bytes(self.__dict__["_eml"])
        return super().as_bytes(unixfrom=unixfrom, policy=policy)


def write_eml(message: EmailMessage, path: Path, overwrite: bool = False) -> Path:
    """Write ``message`` as an ``.eml`` file (atomic; refuses to overwrite by default)."""
    path = Path(path)
    atomic_write(path, eml_bytes(message), overwrite=overwrite)
    return path


def _set_address(message: EmailMessage, header: str, value: str) -> None:
    from email.headerregistry import Address

    named = NAMED.match(value)
    try:
        if named:
            # Build the address ourselves: a name like 'Jansen, P. ("De Tol")' is then quoted
            # as needed instead of being read as two addresses.
            message[header] = Address(display_name=" ".join(named["name"].strip('" ').split()),
                                      addr_spec=named["address"].strip())
        else:
            message[header] = value
        addresses = message[header].addresses
    except (ValueError, TypeError, IndexError, AttributeError) as error:
        # AttributeError: the parser read a name such as ':<;' as a group of addresses.
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
