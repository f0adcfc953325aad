"""The fast .eml builder against the standard library's: parsed with the standard parser
(policy.default), every header value, both bodies, every attachment and the content
fingerprint the outbox keeps are the same; header injection is impossible on both paths."""

from __future__ import annotations

import copy
import pickle
import re
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cbct_docs.deliver import email as email_module
from cbct_docs.deliver import eml_fast
from cbct_docs.deliver.email import (
    EML_POLICY,
    PrebuiltMessage,
    build_eml,
    build_message,
    content_fingerprint,
)
from cbct_docs.errors import DataError

SENDER = "Certificatiebureau Cultuur & Taal <certificering@cbct.example>"
HTML = ('<!DOCTYPE html><html lang="nl"><body><p style="color: #1f4e5f;">Beste mevrouw '
        "Kuipers-Öztürk,</p>\n<p>Bibliotheek Gooi &amp; Vecht = 100% \U0001f4da</p></body></html>")
TEXT = "Beste mevrouw Kuipers-Öztürk,\n\nBibliotheek Gooi & Vecht = 100% \U0001f4da\n"


def reference(**kw: Any) -> EmailMessage:
    """The standard library's message for the same arguments (the builder it replaced)."""
    original = email_module.fast_eml
    email_module.fast_eml = lambda *args: None
    try:
        return build_message(**kw)
    finally:
        email_module.fast_eml = original


def parse(data: bytes) -> EmailMessage:
    parsed = message_from_bytes(data, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def headers(part: Message) -> list[tuple[str, str]]:
    """Every header as the parser reads it; Content-Type without its boundary, the Date
    (it is the time of making) only checked to be one."""
    out = []
    for name, value in part.items():
        if name.lower() == "date":
            assert parsedate_to_datetime(str(value)) is not None
            value = "(a date)"
        elif name.lower() == "content-type":
            params = [(k, v) for k, v in (part.get_params() or [])[1:] if k != "boundary"]
            value = f"{part.get_content_type()} {params}"
        out.append((name, str(value)))
    return out


def assert_same(fast: bytes, slow: bytes) -> None:
    a, b = parse(fast), parse(slow)
    parts_a, parts_b = list(a.walk()), list(b.walk())
    assert [p.get_content_type() for p in parts_a] == [p.get_content_type() for p in parts_b]
    for part_a, part_b in zip(parts_a, parts_b, strict=True):
        assert headers(part_a) == headers(part_b)
        assert part_a.defects == part_b.defects == []
        assert part_a.get_filename() == part_b.get_filename()
        if not part_a.is_multipart():
            assert part_a.get_payload(decode=True) == part_b.get_payload(decode=True)
            assert part_a.get_content() == part_b.get_content()
    for name in ("From", "To", "Reply-To"):
        if a[name] is not None:
            assert [(x.display_name, x.addr_spec) for x in a[name].addresses] == [
                (x.display_name, x.addr_spec) for x in b[name].addresses]
    assert a["Message-ID"] == b["Message-ID"]
    assert content_fingerprint(a) == content_fingerprint(b)
    # 7-bit, CRLF only, no line over RFC 5322's 998 characters (headers: 78)
    assert fast.isascii()
    assert b"\n" not in fast.replace(b"\r\n", b"") and b"\r" not in fast.replace(b"\r\n", b"")
    lines = fast.split(b"\r\n")
    assert max(len(line) for line in lines) <= 998
    if b'boundary="=_cbct_' in fast:  # made by the fast builder: headers fold at 78
        head = fast.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
        assert all(len(line) <= 78 for line in head if b"=?" in line)


def both(**changes: Any) -> tuple[EmailMessage, bytes, bytes]:
    kw: dict[str, Any] = dict(sender=SENDER, to="mevrouw M. Kuipers-Öztürk <m@gv.example.nl>",
                              subject="Aankondiging audit – Gooi & Vecht", html=HTML,
                              text=TEXT, css_inlined=True)
    kw.update(changes)
    message = build_message(**kw)
    fast = message.as_bytes(policy=EML_POLICY)
    slow = reference(**kw).as_bytes(policy=EML_POLICY)
    assert_same(fast, slow)
    return message, fast, slow


@pytest.mark.parametrize("to", [
    "m@gv.example.nl",
    "<m@gv.example.nl>",
    "Bibliotheek Gooi & Vecht <m@gv.example.nl>",
    'Jansen, P. (Bibliotheek "De Tol") <p.jansen@tol.example>',
    "mevrouw S. Çelik <info@kunstenco-uden.example.nl>",
    "Aïsha \U0001f469\u200d\U0001f4bb Çelik <a@b.example>",  # ZWJ: not printable → stdlib
    "Bibliotheek Súdwest-Fryslân " * 20 + "<bestjoer@sudwest.example.nl>",
    'a\\b "c" <x@y.example>',
])
def test_addresses(to: str) -> None:
    both(to=to)


@pytest.mark.parametrize("subject", [
    "", "Aankondiging", "Ontvangst – één \U0001f4da", "ééé " * 120, "a" * 980,
    "Kunst&Co <Uden> \"de\" 'Kêvel'", "x =?utf-8?q?abc?= y", "= ? _ =",
    " ".join(["Aankondiging"] * 100),
])
def test_subjects(subject: str) -> None:
    both(subject=subject)


def test_the_fast_path_makes_the_usual_e_mails(tmp_path: Path) -> None:
    attachment = tmp_path / "Besluitbrief – Súdwest-Fryslân.pdf"
    attachment.write_bytes(bytes(range(256)) * 40)
    plain = tmp_path / "certificaat CBCT-0101.docx"
    plain.write_bytes(b"PK\x03\x04" + b"\x00" * 3000)
    variants: list[dict[str, Any]] = [
        {}, {"attachments": [attachment, plain]},
        {"reply_to": "Planning <planning@cbct.example>"},
        {"css_inlined": False, "html": "<style>p { color: red }</style><p>x</p>"},
        {"text": "", "html": ""}, {"text": "a\r\nb\rc\n.\nd \n" + "x" * 300}]
    for changes in variants:
        message, fast, _slow = both(**changes)
        assert isinstance(message, PrebuiltMessage)
        assert build_eml(**{**dict(sender=SENDER, to="m@gv.example.nl", subject="s",
                                   html=HTML, text=TEXT), **changes})  # the bytes form


@pytest.mark.parametrize("to", [
    "Naam\r\nBcc: stil@elders.example <a@b.example>",
    "a@b.example\r\nBcc: stil@elders.example",
    "Naam <a@b.example>\nBcc: stil@elders.example",
    "=?utf-8?q?Naam=0D=0ABcc:_x@y.example?= <a@b.example>",
])
@pytest.mark.parametrize("field", ["to", "subject", "sender"])
def test_header_injection_is_impossible(to: str, field: str) -> None:
    header = {"sender": SENDER, "to": "a@b.example", "subject": "s"}
    header[field] = to
    try:
        data = build_message(sender=header["sender"], to=header["to"],
                             subject=header["subject"], html=HTML,
                             text=TEXT).as_bytes(policy=EML_POLICY)
    except DataError:
        return  # refused as an address: nothing written
    parsed = parse(data)
    assert parsed["Bcc"] is None
    assert not re.search(rb"(?im)^bcc:", data)
    assert [name for name, _ in parsed.items()][:2] == ["From", "To"]


def test_a_prebuilt_message_is_an_email_message() -> None:
    message, fast, slow = both(reply_to="Planning <planning@cbct.example>")
    built = reference(sender=SENDER, to="mevrouw M. Kuipers-Öztürk <m@gv.example.nl>",
                      subject="Aankondiging audit – Gooi & Vecht", html=HTML, text=TEXT,
                      css_inlined=True, reply_to="Planning <planning@cbct.example>")
    assert isinstance(message, PrebuiltMessage)
    assert pickle.loads(pickle.dumps(message)).as_bytes(policy=EML_POLICY) == fast
    assert copy.deepcopy(message).as_bytes(policy=EML_POLICY) == fast
    # read like the standard library's own message (in memory: LF line ends)
    assert message["Subject"] == built["Subject"]
    assert message["Reply-To"].addresses == built["Reply-To"].addresses
    assert message.get_content_type() == built.get_content_type()
    for kind in ("plain", "html"):
        mine, theirs = message.get_body((kind,)), built.get_body((kind,))
        assert mine is not None and theirs is not None
        assert mine.get_content() == theirs.get_content()
    assert bytes(message).replace(b"\n", b"") and message.as_string()
    # once changed, the bytes follow the change
    message.replace_header("Subject", "Anders")
    assert parse(message.as_bytes(policy=EML_POLICY))["Subject"] == "Anders"


def test_bad_addresses_are_refused_as_before(tmp_path: Path) -> None:
    for bad in ["geen-adres", "twee@a.example, drie@b.example", "", "Naam <geen-adres>",
                "Naam <a@b.example> extra", "a@localhost"]:
        with pytest.raises(DataError, match="To"):
            build_message(sender=SENDER, to=bad, subject="s", html="", text="")


NAME_CHARS = st.sampled_from(list("aZ .,;:()<>@\"'\\&=?_-\t\r\n") + [
    "é", "Ö", "ç", "ß", "–", "’", "\U0001f4da", "\U0001f600", "中", "\u00a0", "=?", "?=",
    "=?utf-8?q?", "\x00", "\x7f", "\u200b"])
TEXTS = st.lists(st.one_of(NAME_CHARS, st.characters(codec="utf-8")), max_size=300).map("".join)
LOCAL = st.from_regex(r"[a-z0-9._%+-]{1,12}", fullmatch=True)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.lists(NAME_CHARS, max_size=120).map("".join),
       local=LOCAL, subject=st.lists(NAME_CHARS, max_size=200).map("".join),
       text=TEXTS, html=TEXTS, sender_name=st.lists(NAME_CHARS, max_size=40).map("".join),
       filename=st.lists(NAME_CHARS, min_size=1, max_size=40).map("".join),
       reply=st.booleans())
def test_any_input_parses_as_the_standard_library_writes_it(
        tmp_path_factory: pytest.TempPathFactory, name: str, local: str, subject: str,
        text: str, html: str, sender_name: str, filename: str, reply: bool) -> None:
    attachments = []
    clean = "".join(c for c in filename if c not in "/\x00\r\n\t") or "x"
    if clean not in (".", ".."):
        folder = tmp_path_factory.mktemp("att")
        (folder / clean).write_bytes(text.encode("utf-8", "replace"))
        attachments = [folder / clean]
    kw: dict[str, Any] = dict(sender=f"{sender_name} <cbct@cbct.example>",
                              to=f"{name} <{local}@gv.example.nl>", subject=subject,
                              html=html, text=text, css_inlined=True, attachments=attachments,
                              reply_to=f"{name} <r@cbct.example>" if reply else None)
    try:
        slow = reference(**kw).as_bytes(policy=EML_POLICY)
    except (DataError, UnicodeError) as error:
        with pytest.raises(type(error)):
            build_message(**kw).as_bytes(policy=EML_POLICY)
        return
    assert_same(build_message(**kw).as_bytes(policy=EML_POLICY), slow)


PRINTABLE = st.sampled_from(list("aZ .,;:()<>@\"'\\&=?_-\t\r\n") + [
    "é", "Ö", "ç", "ß", "–", "’", "\U0001f4da", "\U0001f600", "中", "\u00a0"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.lists(PRINTABLE, max_size=9).map("".join),
       subject=st.lists(PRINTABLE, max_size=400).map("".join), text=TEXTS, html=TEXTS,
       filename=st.lists(PRINTABLE, min_size=1, max_size=60).map("".join))
def test_printable_input_takes_the_fast_path_and_parses_the_same(
        tmp_path_factory: pytest.TempPathFactory, name: str, subject: str, text: str,
        html: str, filename: str) -> None:
    name = name.replace("<", "").replace(">", "")  # a name cannot hold them (see above)
    if "=?" in name + subject:
        return
    folder = tmp_path_factory.mktemp("att")
    clean = "".join(c for c in filename if c.isprintable() and c != "/").strip(".") or "x"
    (folder / clean).write_bytes(html.encode("utf-8"))
    kw: dict[str, Any] = dict(sender=SENDER, to=f"{name} <{'a'}@gv.example.nl>",
                              subject=subject, html=html, text=text, css_inlined=True,
                              attachments=[folder / clean])
    message = build_message(**kw)
    assert isinstance(message, PrebuiltMessage)
    assert_same(message.as_bytes(policy=EML_POLICY),
                reference(**kw).as_bytes(policy=EML_POLICY))


# Per-line quoted-printable and the content digest without json.dumps (issue 16) -------

#: What a body line may hold where b2a_qp's rules bite: dots, '=', spaces and tabs (at a
#: line's end they are encoded), characters beyond ASCII and control characters.
QP_CHARS = st.sampled_from(list(". =\t\x00\x7fa~é\U0001f4da") + ["x" * 70, " " * 74])


@settings(max_examples=400, deadline=None)
@given(lines=st.lists(st.lists(QP_CHARS, max_size=12).map("".join), max_size=8),
       again=st.booleans())
def test_quoted_printable_line_by_line_is_b2a_qp_of_the_whole(lines: list[str],
                                                              again: bool) -> None:
    """Each line encoded on its own (and kept) gives b2a_qp's bytes for the whole body;
    a line kept from an earlier e-mail too (``again``: encoded twice)."""
    import binascii

    data = [line.encode("utf-8") for line in lines] or [b""]
    whole = binascii.b2a_qp(b"\r\n".join(data) + b"\r\n", istext=True)
    if not again:
        eml_fast._QP_LINES.clear()
    eml_fast.quoted_printable(data)
    assert eml_fast.quoted_printable(data) == whole


def test_quoted_printable_soft_breaks_and_line_ends() -> None:
    """The lines b2a_qp treats specially, against the whole body's encoding, and a body
    without lines still ends with one line end (as set_content writes it)."""
    import binascii

    cases = ["a" * 75, "a" * 76, "a" * 77, "a" * 74 + "=", "a" * 75 + " ", ".", " .",
             "x" * 200 + " ", "tab\t", "=" * 30, "é" * 40]
    for line in cases:
        data = [line.encode("utf-8"), b"next"]
        assert eml_fast.quoted_printable(data) == binascii.b2a_qp(
            b"\r\n".join(data) + b"\r\n", istext=True), line
    assert eml_fast._qp_part("plain", "", mime_version=False).endswith(b"\r\n\r\n")


@settings(max_examples=200, deadline=None)
@given(texts=st.lists(st.text(max_size=30), min_size=5, max_size=5),
       reply_to=st.none() | st.text(max_size=10),
       parts=st.lists(st.tuples(st.text(max_size=8), st.binary(max_size=20)), max_size=2))
def test_the_content_digest_is_the_sha256_of_the_canonical_json(
        texts: list[str], reply_to: str | None, parts: list[tuple[str, bytes]]) -> None:
    """The Message-ID's digest as json.dumps(sort_keys=True) made it before, so an e-mail
    made again keeps its Message-ID (the outbox recognises it)."""
    import hashlib
    import json

    sender, to, subject, text, html = texts
    canonical = json.dumps({
        "from": sender, "to": to, "reply_to": reply_to, "subject": subject,
        "text": text, "html": html,
        "attachments": [[name, hashlib.sha256(data).hexdigest()] for name, data in parts],
    }, ensure_ascii=False, sort_keys=True)
    assert eml_fast.content_digest(sender, to, reply_to, subject, text, html, parts) \
        == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
