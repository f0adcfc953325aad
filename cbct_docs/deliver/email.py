"""E-mails as standard ``.eml`` files: text + HTML alternatives, inlined CSS, attachments.

The Message-ID is derived from the content (sender, recipient, subject, bodies,
attachments), so rendering the same e-mail again gives the same Message-ID: the outbox
ledger recognises a message it has sent before, and a recipient's mail system can spot a
duplicate if one ever slips through.

Two builders make the same e-mail. :func:`build_message` first tries the fast one
(:func:`build_eml`): the fixed shape this tool writes, put together from byte templates
(RFC 2047 encoded-words for names and subjects that are not plain ASCII, quoted-printable
bodies, base64 attachments, CRLF, header lines folded well under 998 characters). Whatever
it cannot express for certain (an ``=?`` in a header, an address that is not a plain
``local@domain``, control characters, a name or subject too long to fold at spaces) goes to
the standard library's :class:`~email.message.EmailMessage`, the builder it replaced.
tests/test_email_fast.py parses both with the standard parser and compares every header,
body and attachment, and the content fingerprint the outbox keeps.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import mimetypes
import re
import time
import urllib.parse
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate
from json.encoder import encode_basestring as _encode_basestring
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DataError, OutputError
from ..render.inline import inline_css
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
FALLBACK_DOMAIN = "cbct-docs.invalid"
_NAMED = re.compile(r"^\s*(?P<name>[^<>]*?)\s*<(?P<address>[^<>,;\s]+)>\s*$")


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
    data = _fast_eml(sender, to, reply_to, subject, text, html, inlined, parts)
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

    digest = _content_digest(sender, to, reply_to, subject, text, html, parts)
    domain = _domain(message, "From")
    message["Message-ID"] = f"<cbct-{digest[:32]}@{domain}>"

    # Quoted-printable keeps the message 7-bit clean, so any SMTP server takes it as is.
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(inlined, subtype="html", charset="utf-8",
                            cte="quoted-printable")
    for name, data in parts:
        maintype, subtype = _mime_type(name)
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


# The fast builder --------------------------------------------------------------------

#: A plain ``local@domain`` (dot-atoms, ASCII): what the fast builder writes as is.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN_ADDRESS = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
#: RFC 5322 specials: an ASCII display name with one of these is written quoted.
_SPECIALS = frozenset('()<>@,:;.\\"[]')
#: A header line the fast builder writes stays within this (RFC 5322: 998).
_HEADER_LINE = 78
_LONGEST_LINE = 998
#: Encoded-words of 64 characters at most (``=?utf-8?b?`` + 52 base64 characters + ``?=``),
#: so that one fits a 78-character line after ``Reply-To: `` (RFC 2047: 75 at most).
_WORD_BYTES = 39
#: Attachment names written as a quoted string as they are; others RFC 2231 encoded.
_PLAIN_FILENAME = re.compile(r"[ -~]+")


class _Unsupported(Exception):
    """The fast builder cannot express this e-mail for certain: build it the standard way."""


def _fast_eml(sender: str, to: str, reply_to: str | None, subject: str, text: str,
              html: str, inlined: str, parts: Sequence[tuple[str, bytes]]) -> bytes | None:
    """The ``.eml`` bytes as the standard builder would make them (same headers in the
    same order, same decoded content), or None when the standard builder should decide."""
    try:
        from_header, domain = _fast_address("From", sender)
        headers = [from_header, _fast_address("To", to)[0]]
        if reply_to:
            headers.append(_fast_address("Reply-To", reply_to)[0])
        headers.append(_fold_text("Subject", " ".join(subject.split())))
        digest = _content_digest(sender, to, reply_to, subject, text, html, parts)
        headers += [f"Date: {_date_now()}",
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
    except (_Unsupported, UnicodeError):
        return None


#: The Date header of the current second: (second, header value).
_DATE: list[tuple[int, str]] = [(-1, "")]


def _date_now() -> str:
    """``formatdate(localtime=True)``, formatted once per second rather than per message."""
    second = int(time.time())
    if _DATE[0][0] != second:
        _DATE[0] = (second, formatdate(second, localtime=True))
    return _DATE[0][1]


@functools.lru_cache(maxsize=64)  # the sender is the same in every message of a run
def _fast_address(header: str, value: str) -> tuple[str, str]:
    """``Header: name <address>`` as the standard builder's :func:`_set_address` means it,
    and the address's domain; :class:`_Unsupported` for anything but a plain address."""
    if "=?" in value:  # the standard parser would read it as an encoded-word
        raise _Unsupported(header)
    named = _NAMED.match(value)
    if named:
        name = " ".join(named["name"].strip('" ').split())
        address = named["address"].strip()
    else:
        name, address = "", value.strip()
    if not _PLAIN_ADDRESS.fullmatch(address):
        raise _Unsupported(header)
    domain = address.rpartition("@")[2]
    if not name:
        line = f"{header}: {address}"
    elif not name.isprintable():
        raise _Unsupported(header)
    elif name.isascii():
        if _SPECIALS.intersection(name):
            name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
        line = f"{header}: {name} <{address}>"
    else:
        line = _fold_words(f"{header}:", _mixed_words(name, phrase=True) + [f"<{address}>"])
    if max(len(part) for part in line.split("\r\n")) > _LONGEST_LINE:
        raise _Unsupported(header)
    return line, domain


@functools.lru_cache(maxsize=256)  # a batch's e-mails share a few subjects
def _fold_text(header: str, value: str) -> str:
    """An unstructured header (the subject): as is when plain ASCII, else encoded-words;
    folded at spaces. The value has single spaces only (the caller joined its words)."""
    if "=?" in value or not value.isprintable():
        raise _Unsupported(header)
    words = _mixed_words(value, phrase=False)
    line = _fold_words(f"{header}:", words) if words else f"{header}: "
    if max(len(part) for part in line.split("\r\n")) > _LONGEST_LINE:
        raise _Unsupported(header)
    return line


def _mixed_words(value: str, *, phrase: bool) -> list[str]:
    """The words of ``value`` (single spaces) to write: plain words as they are, and each
    run of other words as encoded-words, the spaces inside the run encoded with it.

    Readers keep the space between a plain word and an encoded-word. Between two
    encoded-words RFC 2047 readers drop it, and so does Python's parser in a subject, but
    not in a display name (a "phrase"): a run in a name must fit one encoded-word.
    """
    words: list[str] = []
    run: list[str] = []

    def end_run() -> None:
        if run:
            encoded = _encoded_words(" ".join(run))
            if phrase and len(encoded) > 1:
                raise _Unsupported(value)
            words.extend(encoded)
            run.clear()

    for word in value.split(" ") if value else []:
        if word.isascii() and not (phrase and _SPECIALS.intersection(word)):
            end_run()
            words.append(word)
        else:
            run.append(word)
    end_run()
    return words


def _fold_words(start: str, words: list[str]) -> str:
    """``start`` and the words, one space apart, a new (folded) line before a word that
    would pass the header line length; a fold is CRLF + space, read back as one space."""
    lines, line = [], start
    for word in words:
        if len(line) + 1 + len(word) > _HEADER_LINE and line != start:
            lines.append(line)
            line = " " + word
        else:
            line += " " + word
    lines.append(line)
    return "\r\n".join(lines)


def _encoded_words(value: str) -> list[str]:
    """``value`` as RFC 2047 encoded-words (UTF-8, base64), each at most 75 characters and
    holding whole characters; readers join adjacent encoded-words without the space."""
    words: list[str] = []
    chunk: list[str] = []
    size = 0
    for char in value:
        length = len(char.encode("utf-8"))
        if size + length > _WORD_BYTES:
            words.append("".join(chunk))
            chunk, size = [], 0
        chunk.append(char)
        size += length
    words.append("".join(chunk))
    return [f"=?utf-8?b?{base64.b64encode(word.encode('utf-8')).decode('ascii')}?="
            for word in words]


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
        raise _Unsupported(name)
    maintype, subtype = _mime_type(name)
    if _PLAIN_FILENAME.fullmatch(name) and '"' not in name and "\\" not in name:
        filename = f'filename="{name}"'
    else:
        filename = "filename*=utf-8''" + urllib.parse.quote(name, safe="", encoding="utf-8")
    disposition = f"Content-Disposition: attachment; {filename}"
    if len(disposition) > _LONGEST_LINE:
        raise _Unsupported(name)
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


def write_eml(message: EmailMessage, path: Path, overwrite: bool = False) -> Path:
    """Write ``message`` as an ``.eml`` file (atomic; refuses to overwrite by default)."""
    path = Path(path)
    atomic_write(path, eml_bytes(message), overwrite=overwrite)
    return path


def _set_address(message: EmailMessage, header: str, value: str) -> None:
    from email.headerregistry import Address

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


def _mime_type(name: str) -> tuple[str, str]:
    guessed, _encoding = mimetypes.guess_type(name)
    maintype, _, subtype = (guessed or "application/octet-stream").partition("/")
    return maintype, subtype


def _content_digest(sender: str, to: str, reply_to: str | None, subject: str, text: str,
                    html: str, parts: Sequence[tuple[str, bytes]]) -> str:
    """The sha256 of ``json.dumps({"from": sender, "to": to, "reply_to": reply_to,
    "subject": …, "text": …, "html": …, "attachments": [[name, sha256], …]},
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


def _json_text(value: str) -> str:
    """A string as ``json.dumps(value, ensure_ascii=False)`` writes it."""
    if not isinstance(value, str):  # not expected; json decides what it is
        return json.dumps(value, ensure_ascii=False)
    return _encode_basestring(value)


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
