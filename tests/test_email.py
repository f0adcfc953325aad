"""E-mails as .eml: structure, inlined CSS, diacritics, attachments, stable Message-ID."""

from __future__ import annotations

from collections.abc import Sequence
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import TypedDict, Unpack

import pytest

from cbct_docs.deliver.email import build_message, write_eml
from cbct_docs.errors import DataError, OutputError
from cbct_docs.render.inline import inline_css

HTML = """<!DOCTYPE html>
<html><head><style>
p.aanhef { color: #00557f; font-weight: bold; }
@media (max-width: 600px) { p { font-size: 18px; } }
</style></head>
<body><p class="aanhef">Beste mevrouw Çelik,</p>
<p>Uw zelfevaluatie voor Bibliotheek Noorderkwartier &amp; Zaanstreek is ontvangen.</p>
</body></html>"""
TEXT = "Beste mevrouw Çelik,\n\nUw zelfevaluatie voor Bibliotheek Noorderkwartier is ontvangen.\n"


class Changes(TypedDict, total=False):
    """What a test may change of the sample message: build_message's arguments."""

    sender: str
    to: str
    subject: str
    attachments: Sequence[Path]
    reply_to: str | None


def sample(tmp_path: Path, **changes: Unpack[Changes]) -> EmailMessage:
    attachment = tmp_path / "Bevestigingsbrief Noorderkwartier – één.pdf"
    if not attachment.exists():
        attachment.write_bytes(b"%PDF-1.4\n% Bevestiging van de auditdatum\n")
    arguments: Changes = dict(
        sender="Bureau Certificering Cultuur <secretariaat@cbct.example>",
        to="Aïsha Çelik <a.celik@bieb-noorderkwartier.example>",
        subject="Ontvangst zelfevaluatie – Bibliotheek Noorderkwartier",
        attachments=[attachment], reply_to="Planning CBCT <planning@cbct.example>")
    arguments.update(changes)
    return build_message(html=HTML, text=TEXT, **arguments)


def reparse(path: Path) -> EmailMessage:
    parsed = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_eml_reads_back_with_both_bodies_names_and_attachment(tmp_path: Path) -> None:
    path = write_eml(sample(tmp_path), tmp_path / "mail.eml")
    parsed = reparse(path)
    assert parsed["Subject"] == "Ontvangst zelfevaluatie – Bibliotheek Noorderkwartier"
    assert parsed["To"].addresses[0].display_name == "Aïsha Çelik"
    assert parsed["To"].addresses[0].addr_spec == "a.celik@bieb-noorderkwartier.example"
    assert parsed["Reply-To"].addresses[0].addr_spec == "planning@cbct.example"
    assert parsed.get_content_type() == "multipart/mixed"
    alternative = next(parsed.iter_parts())
    assert alternative.get_content_type() == "multipart/alternative"
    plain = parsed.get_body(("plain",))
    html = parsed.get_body(("html",))
    assert plain is not None and html is not None
    assert plain.get_content().replace("\r\n", "\n") == TEXT
    html_text = html.get_content()
    assert 'style="color: #00557f;font-weight: bold;"' in html_text.replace("; ", ";")
    assert "Beste mevrouw Çelik," in html_text
    assert "Noorderkwartier &amp; Zaanstreek" in html_text
    assert "@media (max-width: 600px)" in html_text
    [attachment] = list(parsed.iter_attachments())
    assert attachment.get_filename() == "Bevestigingsbrief Noorderkwartier – één.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == b"%PDF-1.4\n% Bevestiging van de auditdatum\n"


def test_file_is_seven_bit_with_crlf(tmp_path: Path) -> None:
    data = write_eml(sample(tmp_path), tmp_path / "mail.eml").read_bytes()
    assert data.isascii()  # any SMTP server takes it, with or without 8BITMIME
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")


def test_message_id_follows_content(tmp_path: Path) -> None:
    first, again = sample(tmp_path), sample(tmp_path)
    other = sample(tmp_path, subject="Herinnering zelfevaluatie – Bibliotheek Noorderkwartier")
    assert first["Message-ID"] == again["Message-ID"]
    assert first["Message-ID"] != other["Message-ID"]
    assert first["Message-ID"].endswith("@cbct.example>")


def test_without_attachments_it_is_plain_alternative(tmp_path: Path) -> None:
    message = sample(tmp_path, attachments=[], reply_to=None)
    assert message.get_content_type() == "multipart/alternative"
    assert message["Reply-To"] is None


def test_names_with_commas_and_quotes_stay_one_address(tmp_path: Path) -> None:
    message = sample(tmp_path, to='Jansen, P. (Bibliotheek "De Tol") <p.jansen@tol.example>')
    path = write_eml(message, tmp_path / "mail.eml")
    [address] = reparse(path)["To"].addresses
    assert address.display_name == 'Jansen, P. (Bibliotheek "De Tol")'
    assert address.addr_spec == "p.jansen@tol.example"


@pytest.mark.parametrize("address", ["geen-adres", "twee@a.example, drie@b.example", "",
                                     "Naam <geen-adres>", "Naam <a@b.example> extra"])
def test_bad_recipient_is_a_data_error(tmp_path: Path, address: str) -> None:
    with pytest.raises(DataError, match="To"):
        sample(tmp_path, to=address)


def test_missing_attachment_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="ontbreekt.pdf"):
        sample(tmp_path, attachments=[tmp_path / "ontbreekt.pdf"])


def test_write_eml_never_overwrites_silently(tmp_path: Path) -> None:
    path = write_eml(sample(tmp_path), tmp_path / "mail.eml")
    with pytest.raises(OutputError, match="exists already"):
        write_eml(sample(tmp_path, subject="Anders"), path)
    write_eml(sample(tmp_path, subject="Anders"), path, overwrite=True)
    assert reparse(path)["Subject"] == "Anders"


def test_inline_keeps_fragments_fragments() -> None:
    fragment = "<style>td { padding: 4px }</style><table><tr><td>Norm 3</td></tr></table>"
    assert inline_css(fragment) == ('<table><tbody><tr><td style="padding: 4px;">Norm 3</td>'
                                    "</tr></tbody></table>")


def test_inline_keeps_document_and_media_queries() -> None:
    result = inline_css(HTML)
    assert result.startswith("<!DOCTYPE html>")
    assert "<style>" in result and "@media (max-width: 600px)" in result
    assert "p.aanhef" not in result


def test_a_name_the_parser_reads_as_a_group_is_a_data_error_not_a_crash() -> None:
    """Found by hypothesis: ':<;' as a display name made the standard library's address
    parser see a group, and building the message crashed (AttributeError)."""
    from cbct_docs.deliver.email import build_message
    from cbct_docs.errors import DataError

    with pytest.raises(DataError, match="is not an e-mail address"):
        build_message(sender="Bureau <cbct@cbct.example>", to=":<; <info@gv.example.nl>",
                      subject="Aankondiging", html="<p>x</p>", text="x", css_inlined=True)
