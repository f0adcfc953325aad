"""Pictures on the compiled Word path: a DocxImage (the certificate's QR code and logo, a
report's chart) is placed as docxtpl's InlineImage places it, so the document is the one
docxtpl makes: every zip member the same (XML after C14N), only the document properties
python-docx rewrites aside."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.shared import Mm
from lxml import etree
from PIL import Image

from cbct_docs.documents.certificate import QR_MM, qr_png
from cbct_docs.paths import templates_dir
from cbct_docs.render import DocxRenderer
from cbct_docs.render.images import DocxImage

from .test_templates_print import decode_qr

#: python-docx rewrites the core properties on save (empty ones written out); the
#: compiled path keeps the template's. Not text a reader sees.
NOT_COMPARED = {"docProps/core.xml"}
URL = "https://www.cbct.example/certificaat/7F3A-9C21"


def picture(colour: str, size: tuple[int, int] = (40, 20), kind: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, kind)
    return buffer.getvalue()


def members(data: bytes) -> dict[str, bytes]:
    """Every member of the .docx: XML and relationships after C14N, the rest as bytes."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        made = {}
        for name in archive.namelist():
            content = archive.read(name)
            if name.endswith((".xml", ".rels")):
                content = etree.tostring(etree.fromstring(content), method="c14n")
            made[name] = content
        return made


def assert_as_docxtpl_makes_it(renderer: DocxRenderer, context: dict[str, Any]) -> bytes:
    fast = renderer.render(context)
    assert renderer.fast and renderer.fallbacks == 0, renderer.fallback_reason
    produced, reference = members(fast), members(renderer.render_with_docxtpl(context))
    assert sorted(produced) == sorted(reference)
    for name in sorted(set(reference) - NOT_COMPARED):
        assert produced[name] == reference[name], f"{name} differs from docxtpl's"
    return fast


def certificate_context(**extra: Any) -> dict[str, Any]:
    import json

    sample = templates_dir() / "letters" / "certificaat.sample.json"
    context: dict[str, Any] = json.loads(sample.read_text(encoding="utf-8"))
    context.update(qr=DocxImage(qr_png(URL), QR_MM), logo=DocxImage(picture("teal"), 40))
    context.update(extra)
    return context


@pytest.fixture(scope="module")
def certificate() -> DocxRenderer:
    return DocxRenderer(templates_dir() / "letters" / "certificaat.docx")


def test_certificate_with_qr_code_and_logo_as_docxtpl_makes_it(
        certificate: DocxRenderer) -> None:
    data = assert_as_docxtpl_makes_it(certificate, certificate_context())
    document = docx.Document(io.BytesIO(data))
    shapes = document.inline_shapes
    assert [round(s.width.mm) for s in shapes] == [40, QR_MM]  # the logo, then the QR code
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        media = sorted(n for n in archive.namelist() if n.startswith("word/media/"))
        assert media == ["word/media/image1.png", "word/media/image2.png"]
        assert decode_qr(archive.read("word/media/image2.png")) == [URL]
        members_listed = len(archive.namelist())
    # The end of the central directory (the last 22 bytes: no comment) counts every member,
    # the pictures added after the template's too (zipfile does not check it; Word may).
    assert data[-22:-18] == b"PK\x05\x06"
    assert struct.unpack_from("<2H", data, len(data) - 22 + 8) == (members_listed,) * 2
    text = "\n".join(p.text for p in document.paragraphs)
    assert "KiB-2025-0042" in text and "Bibliotheek Eemland & <Amersfoort>" in text


def test_certificate_without_logo_and_the_next_one_differ_only_in_their_own_parts(
        certificate: DocxRenderer) -> None:
    first = assert_as_docxtpl_makes_it(certificate, certificate_context(logo=""))
    again = certificate.render(certificate_context(logo=""))
    assert again == first  # the same document every run (a rerun finds the same bytes)
    other_url = URL.replace("7F3A", "0B1C")
    other = assert_as_docxtpl_makes_it(certificate, certificate_context(
        logo="", qr=DocxImage(qr_png(other_url), QR_MM), certificaatnummer="KiB-2025-0043"))
    with zipfile.ZipFile(io.BytesIO(other)) as archive:
        assert [n for n in archive.namelist() if n.startswith("word/media/")] == [
            "word/media/image1.png"]
        assert decode_qr(archive.read("word/media/image1.png")) == [other_url]
    assert "KiB-2025-0043" in "\n".join(
        p.text for p in docx.Document(io.BytesIO(other)).paragraphs)


def letter_with_pictures(path: Path) -> Path:
    """Pictures by tag in the body (twice the same one), in the header (which has its own
    picture already) and in the footer (which has no relationships of its own)."""
    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = "Kop voor {{ naam }} {{ stempel }}"
    section.header.add_paragraph().add_run().add_picture(io.BytesIO(picture("olive")),
                                                         width=Mm(15))
    section.footer.paragraphs[0].text = "Voet {{ voetlogo }}"
    document.add_paragraph("Geachte {{ naam }},")
    document.add_paragraph().add_run().add_picture(io.BytesIO(picture("orange")),
                                                   width=Mm(30))
    document.add_paragraph("Grafiek: {{ grafiek }}")
    document.add_paragraph("{%p for r in rijen %}")
    document.add_paragraph("{{ r.titel }}: {{ r.beeld }}")
    document.add_paragraph("{%p endfor %}")
    document.add_paragraph("Nog eens: {{ grafiek }}")
    document.add_paragraph("Foto: {{ foto }}")
    document.save(str(path))
    return path


def letter_context() -> dict[str, Any]:
    chart = DocxImage(picture("navy", (300, 200)), 120)
    return {"naam": "Bibliotheek Maas & Waal <Zuid>", "grafiek": chart,
            "stempel": DocxImage(picture("red", (30, 30)), 12),
            "voetlogo": DocxImage(picture("olive"), None),  # the header's own picture
            "foto": DocxImage(picture("green", (64, 48), "JPEG"), 50),
            "rijen": [{"titel": "Eerste", "beeld": DocxImage(picture("gold"), 20)},
                      {"titel": "Tweede", "beeld": chart}]}


def test_pictures_in_body_header_and_footer_as_docxtpl_places_them(tmp_path: Path) -> None:
    renderer = DocxRenderer(letter_with_pictures(tmp_path / "beelden.docx"))
    data = assert_as_docxtpl_makes_it(renderer, letter_context())
    document = docx.Document(io.BytesIO(data))
    # The template's orange picture, the chart, gold, the chart twice more, the photo.
    assert [round(s.width.mm) for s in document.inline_shapes] == [30, 120, 20, 120, 120, 50]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        types = archive.read("[Content_Types].xml").decode()
    media = sorted(n for n in names if n.startswith("word/media/"))
    # One part per distinct picture; the footer's picture is the header's own image.
    assert len(media) == 6 and sum(n.endswith(".jpg") for n in media) == 1
    assert 'Extension="jpg"' in types
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Geachte Bibliotheek Maas & Waal <Zuid>," in text
    assert "Eerste: " in text and "Tweede: " in text
    header = document.sections[0].header.paragraphs[0].text
    assert header.startswith("Kop voor Bibliotheek Maas & Waal <Zuid>")


def test_a_context_without_pictures_leaves_the_template_members_as_they_are(
        tmp_path: Path) -> None:
    path = letter_with_pictures(tmp_path / "beelden.docx")
    renderer = DocxRenderer(path)
    context = dict(letter_context(), grafiek="", stempel="", voetlogo="", foto="",
                   rijen=[])
    made = zipfile.ZipFile(io.BytesIO(renderer.render(context)))
    template = zipfile.ZipFile(path)
    assert made.namelist() == template.namelist()
    for name in ("[Content_Types].xml", "word/_rels/document.xml.rels"):
        assert made.read(name) == template.read(name)


def idat_pixels(png: bytes) -> bytes:
    """A PNG's image data (every IDAT chunk), decompressed: the rows with their filters."""
    import struct
    import zlib

    data, at = b"", 8
    while at < len(png):
        (length,), kind = struct.unpack(">I", png[at:at + 4]), png[at + 4:at + 8]
        if kind == b"IDAT":
            data += png[at + 8:at + 8 + length]
        at += 12 + length
    return zlib.decompress(data)


def test_the_qr_code_png_is_the_same_as_before() -> None:
    """The PNG of a QR code is the image segno writes for it (scale 8, quiet zone 4): the
    same mask chosen (documents/qr_mask.py), the same header and the same pixels (the
    data compressed at another zlib level), for QR versions 1 to 10."""
    import random
    import string

    import segno
    from PIL import Image

    chance = random.Random(16)
    urls = [URL, URL + "?nummer=KiB-2025-0042&x=1", "https://a.example/" + "x" * 200, "a",
            "https://c.nl/1"]
    urls += ["https://www.cbct.example/certificaat/" + "".join(
        chance.choice(string.ascii_letters + string.digits + "-?&=/")
        for _ in range(chance.randint(1, 180))) for _ in range(40)]
    masks = set()
    for url in urls:
        reference = io.BytesIO()
        code = segno.make_qr(url, error="m")
        code.save(reference, kind="png", scale=8, border=4)
        masks.add(code.mask)
        made, theirs = qr_png(url), reference.getvalue()
        assert made[:33] == theirs[:33], url  # signature and IHDR: size, 1-bit greyscale
        # The image data as segno lays it out, filter bytes and all, once decompressed.
        assert idat_pixels(made) == idat_pixels(theirs), url
        with Image.open(io.BytesIO(made)) as ours, Image.open(reference) as segnos:
            assert ours.tobytes() == segnos.tobytes(), url
        assert decode_qr(made) == [url]
    assert len(masks) >= 6  # the choice among the masks is exercised, not one mask


def test_a_pictures_drawing_and_reading_are_kept_per_values() -> None:
    """The drawing XML is python-docx's for the same values (made once per values, issue
    16), and a picture is read once per content (a logo in every certificate)."""
    from docx.image.image import Image as DocxImageReader
    from docx.oxml.shape import CT_Inline

    from cbct_docs.render import images

    for shape_id, rid, name, cx, cy in [(1, "rId9", "image.png", Mm(26), Mm(26)),
                                        (7, "rId12", "image.jpeg", Mm(40), Mm(13.5)),
                                        (7, "rId12", "image.jpeg", Mm(40), Mm(13))]:
        made = images._inline_xml(shape_id, rid, name, cx, cy)
        assert made == CT_Inline.new_pic_inline(shape_id, rid, name, cx, cy).xml
        assert images._inline_xml(shape_id, rid, name, cx, cy) is made
    data = qr_png("https://example.org/verify/ABC")
    first = images._read_once(data, "sha1-of-it")
    assert images._read_once(data, "sha1-of-it") is first
    big = data + b"\0" * images.READ_KEPT  # a large picture is read, not kept
    assert images._read_once(big, "sha1-of-big") is not images._read_once(big, "sha1-of-big")
    reader = DocxImageReader.from_blob(data)
    assert (first.ext, first.content_type) == (reader.ext, reader.content_type)
    assert first.size(Mm(QR_MM)) == reader.scaled_dimensions(Mm(QR_MM), None)
