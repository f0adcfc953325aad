"""Print: the address in the window of a standard Dutch window envelope, table header rows
that repeat, headings kept with what follows, pagina N van M, and a certificate with a
signature line, a verification code and a QR code that decodes to its verification URL."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from hypothesis import given, settings
from hypothesis import strategies as st

from cbct_docs.deliver.pdf import convert_to_pdf, soffice_available
from cbct_docs.documents.certificate import certificate_context, verification_code
from cbct_docs.documents.context import load_office
from cbct_docs.domain.register import find_organisation, read_register
from cbct_docs.paths import samples_dir, templates_dir
from cbct_docs.render import DocxRenderer
from cbct_docs.render.window import use_window
from cbct_docs.settings import EnvelopeWindow, Settings

from .golden import sample_contexts

REPO = Path(__file__).resolve().parent.parent
MM = 72 / 25.4
needs_soffice = pytest.mark.skipif(not soffice_available(), reason="LibreOffice not installed")
LETTERS = ["bevestigingsbrief", "besluitbrief", "heraudit", "besluitbrief-heraudit"]
#: [print] settings: none (the standard Dutch window envelope for folded A4, window left:
#: 20 mm from the left, 45 mm from the top, 90 x 40 mm), a window on the right and lower,
#: and one higher than the letters' top margin.
WINDOWS = {
    "standaard": {},
    "rechts": {"venster_links": 100, "venster_boven": 55, "venster_breedte": 85,
               "venster_hoogte": 35},
    "hoog": {"venster_links": 25, "venster_boven": 35, "venster_breedte": 95,
             "venster_hoogte": 45},
}


@pytest.fixture
def window_of() -> Iterator[Callable[[dict[str, float]], EnvelopeWindow]]:
    """The window the settings give, put in use as the office's settings put it."""
    def use(values: dict[str, float]) -> EnvelopeWindow:
        window = Settings({"print": values} if values else {}, None).window()
        use_window(window)
        return window

    yield use
    use_window(None)


def rendered(name: str, tmp_path: Path) -> Path:
    context = sample_contexts()[f"letters/{name}"]
    path = tmp_path / f"{name}.docx"
    path.write_bytes(DocxRenderer(templates_dir() / "letters" / f"{name}.docx").render(context))
    return path


def test_the_standard_window_is_the_default() -> None:
    assert Settings({}, None).window() == EnvelopeWindow(20, 45, 90, 40)


@needs_soffice
@pytest.mark.parametrize("kind", WINDOWS)
def test_the_address_lies_in_the_envelope_window(kind: str, tmp_path: Path,
                                                 window_of: Callable[..., EnvelopeWindow]
                                                 ) -> None:
    import pdfplumber

    window = window_of(WINDOWS[kind])
    left, top = window.links, window.boven
    right, bottom = left + window.breedte, top + window.hoogte
    pdfs = convert_to_pdf([rendered(name, tmp_path) for name in LETTERS], tmp_path / "pdf")
    assert len(pdfs) == len(LETTERS)
    for pdf_path in pdfs:
        with pdfplumber.open(str(pdf_path)) as pdf:
            words = pdf.pages[0].extract_words()
        address = ("<Amersfoort>", "mevrouw", "Ploeg", "Eemplein", "3812")  # the sample
        # (the street may recur further down, as the place of an appointment)
        placed = [w for w in words if w["text"] in address and w["top"] / MM < 100]
        assert {w["text"] for w in placed} == set(address), (pdf_path.name, placed)
        for word in placed:
            assert left <= word["x0"] / MM and word["x1"] / MM <= right, (pdf_path, word)
            assert top <= word["top"] / MM and word["bottom"] / MM <= bottom, (pdf_path, word)
        # The return address is the window's first line, in small type.
        back = [w for w in words if w["text"] == "Oudegracht" and w["top"] / MM > 30]
        assert back and top <= back[0]["top"] / MM < min(w["top"] for w in placed) / MM
        assert left <= back[0]["x0"] / MM and back[0]["x1"] / MM <= right
        # Nothing else of the letter shows through the window.
        inside = [w["text"] for w in words if top <= w["top"] / MM and w["bottom"] / MM <= bottom
                  and left <= w["x0"] / MM and w["x1"] / MM <= right]
        assert "Datum" not in inside and "Betreft" not in inside


@pytest.mark.parametrize(("values", "message"), [
    ({"venster_boven": "45mm"}, "[print]:venster_boven: expected a number of millimetres"),
    ({"venster_links": 1}, "[print]:venster_links: 1 mm is not between 5 and 205 mm"),
    ({"venster_hoogte": 12}, "[print]:venster_hoogte: 12 mm is not between 30 and 80 mm"),
    ({"venster_links": 150}, "[print]:venster_breedte: the window ends 240 mm from the left"),
    ({"venster_boven": 120}, "[print]:venster_hoogte: the window ends 160 mm from the top"),
    ({"venster_bovem": 45}, "[print]:venster_bovem: not a setting of [print] "
                            "(did you mean venster_boven?)"),
])
def test_a_wrong_window_setting_is_a_located_error(values: dict[str, object], message: str,
                                                    tmp_path: Path) -> None:
    from cbct_docs.errors import CbctError
    from cbct_docs.settings import load_settings

    settings = tmp_path / "cbct-docs.toml"
    lines = [f"{key} = {value!r}".replace("'", '"') for key, value in values.items()]
    settings.write_text("[print]\n" + "\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CbctError) as caught:
        load_settings(settings).window()
    assert f"{settings}:{message}" in str(caught.value)


def test_the_window_is_placed_in_an_office_copy_without_its_title(
        tmp_path: Path, window_of: Callable[..., EnvelopeWindow]) -> None:
    """An own letter copied before the address table had its title: found all the same,
    as the table the letter opens with, and placed in the window of the settings."""
    source = docx.Document(str(templates_dir() / "letters" / "heraudit.docx"))
    caption = source.tables[0]._tbl.tblPr.find(qn("w:tblCaption"))
    source.tables[0]._tbl.tblPr.remove(caption)
    own = tmp_path / "heraudit.docx"
    source.save(str(own))
    window = window_of(WINDOWS["rechts"])
    made = docx.Document(io.BytesIO(DocxRenderer(own, exact=True).render(
        sample_contexts()["letters/heraudit"])))
    table = made.tables[0]._tbl
    twips = 1440 / 25.4
    assert table.tblPr.find(qn("w:tblInd")).get(qn("w:w")) == str(round(100 * twips) - 1417)
    row = table.tr_lst[0].trPr
    assert row is not None, "the address block's row has its properties (w:trPr)"
    assert row.find(qn("w:trHeight")).get(qn("w:val")) == str(round(window.hoogte * twips))
    assert "Eemplein 77" in made.tables[0].cell(0, 0).text


def test_every_table_repeats_its_header_row_and_rows_do_not_split() -> None:
    for path in (templates_dir() / "letters").glob("*.docx"):
        document = docx.Document(str(path))
        for table in document.tables:
            rows = table._tbl.tr_lst
            if "{%tr" not in "".join(t.text or "" for t in table._tbl.iter(
                    "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t")):
                continue
            header = rows[0].trPr
            assert header is not None and header.find(
                "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader"
            ) is not None, path
    report = docx.Document(str(templates_dir() / "reports" / "auditrapport.docx"))
    assert all(report.styles[name].paragraph_format.keep_with_next
               for name in ("Heading 1", "Heading 2"))


@pytest.mark.parametrize("name", ["letters/besluitbrief.docx", "reports/auditrapport.docx",
                                  "reports/whitepaper.docx"])
def test_footer_says_pagina_n_van_m(name: str) -> None:
    with zipfile.ZipFile(templates_dir() / name) as archive:
        footers = "".join(archive.read(n).decode() for n in archive.namelist()
                          if n.startswith("word/footer"))
    assert "pagina " in footers and " van " in footers
    assert "PAGE" in footers and "NUMPAGES" in footers


def certificate_docx(tmp_path: Path, settings: Path | None = None) -> tuple[Path, dict]:
    office = load_office(settings or REPO / "cbct-docs.toml")
    org = find_organisation(read_register(samples_dir() / "register.xlsx"), "CBCT-0107")
    context = certificate_context(org, "KiB-2025-0042", office, dt.date(2025, 5, 22))
    path = tmp_path / "certificaat.docx"
    path.write_bytes(DocxRenderer(templates_dir() / "letters" / "certificaat.docx")
                     .render(context))
    return path, context


def decode_qr(png: bytes) -> list[str]:
    import zxingcpp
    from PIL import Image

    return [result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def test_certificate_qr_code_decodes_to_its_verification_url(tmp_path: Path) -> None:
    path, context = certificate_docx(tmp_path)
    code = verification_code("KiB-2025-0042", "CBCT-0107", context["geldig_tot"])
    url = f"https://www.cbct.example/certificaat/{code}"
    assert context["verificatie_url"] == url
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    with zipfile.ZipFile(path) as archive:
        pictures = [archive.read(n) for n in archive.namelist() if n.startswith("word/media/")]
        body = archive.read("word/document.xml").decode()
    assert [decode_qr(p) for p in pictures] == [[url]]
    assert code in body and url in body
    assert "drs. Marieke van Dalen" in body  # the signature line
    assert "CERTIFICAAT" in text


def test_certificate_with_the_office_logo(tmp_path: Path) -> None:
    import segno

    logo = tmp_path / "logo.png"
    segno.make_qr("logo").save(str(logo), kind="png", scale=4)  # any PNG will do
    text = (REPO / "cbct-docs.toml").read_text(encoding="utf-8")
    settings = tmp_path / "cbct-docs.toml"
    settings.write_text(text.replace('website = "www.cbct.example"',
                                     'website = "www.cbct.example"\nlogo = "logo.png"'),
                        encoding="utf-8")
    path, _context = certificate_docx(tmp_path, settings)
    with zipfile.ZipFile(path) as archive:
        pictures = [n for n in archive.namelist() if n.startswith("word/media/")]
    assert len(pictures) == 2  # the logo and the QR code


@needs_soffice
def test_certificate_qr_code_decodes_from_the_pdf(tmp_path: Path) -> None:
    import pdfplumber

    path, context = certificate_docx(tmp_path)
    [pdf_path] = convert_to_pdf([path], tmp_path / "pdf")
    with pdfplumber.open(str(pdf_path)) as pdf:
        assert len(pdf.pages) == 1  # everything on one landscape page
        image = pdf.pages[0].to_image(resolution=200).original
        words = [w["text"] for w in pdf.pages[0].extract_words()]
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    assert decode_qr(buffer.getvalue()) == [context["verificatie_url"]]
    assert context["verificatiecode"] in words


@needs_soffice
def test_a_long_report_table_starts_every_page_with_its_header_row(tmp_path: Path) -> None:
    import re

    import pdfplumber

    from cbct_docs.documents.report import report_context
    from cbct_docs.domain.scoresheet import read_scoresheet

    office = load_office(REPO / "cbct-docs.toml")
    org = find_organisation(read_register(samples_dir() / "register.xlsx"), "CBCT-0111")
    sheet = read_scoresheet(samples_dir() / "scores" / "CBCT-0111.xlsx")
    context = report_context(org, sheet, office, dt.date(2025, 6, 11), concept=True)
    norm = context["normen"][0]
    norm["vragen"] = [dict(v, id=f"{v['id']}.{n}") for n in range(1, 16)
                      for v in norm["vragen"]]  # one table over several pages
    norm["vragen"].append(dict(norm["vragen"][0], id="leesbevordering.12"))  # a long id
    path = tmp_path / "rapport.docx"
    path.write_bytes(DocxRenderer(templates_dir() / "reports" / "auditrapport.docx")
                     .render(context))
    [pdf_path] = convert_to_pdf([path], tmp_path / "pdf")
    first = norm["vragen"][0]["id"].split(".")[0]
    row_id = re.compile(rf"^{re.escape(first)}\.\d+\.\d+$")
    pages_with_rows, long_ids = 0, False
    with pdfplumber.open(str(pdf_path)) as pdf:
        for page in pdf.pages:
            words = page.extract_words()
            rows = [w for w in words if row_id.match(w["text"])]
            long_ids = long_ids or any(w["text"] == "leesbevordering.12" for w in words)
            if not rows:
                continue
            pages_with_rows += 1
            headers = [w for w in words if w["text"] == "Beoordelingsvraag"]
            assert headers, f"page {page.page_number}: rows without the header row"
            assert headers[0]["top"] < min(w["top"] for w in rows)
            # an id is never broken over two lines
            assert all(w["text"].count(".") == 2 for w in rows)
    assert pages_with_rows >= 2
    assert long_ids, "leesbevordering.12 was broken over two lines"


def test_opening_the_office_puts_its_window_in_use(tmp_path: Path) -> None:
    from cbct_docs.render.window import active_window
    from cbct_docs.runs.office import open_office

    text = (REPO / "cbct-docs.toml").read_text(encoding="utf-8")
    lines = "\n".join(f"{key} = {value}" for key, value in WINDOWS["rechts"].items())
    (tmp_path / "cbct-docs.toml").write_text(f"{text}\n[print]\n{lines}\n", encoding="utf-8")
    try:
        open_office(tmp_path)
        assert active_window() == EnvelopeWindow(100, 55, 85, 35)
    finally:
        use_window(None)


def test_a_wrong_window_setting_stops_a_command(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cbct_docs.cli import cli

    text = (REPO / "cbct-docs.toml").read_text(encoding="utf-8")
    (tmp_path / "cbct-docs.toml").write_text(
        f"{text}\n[print]\nvenster_boven = \"45 mm\"\nventer_links = 20\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["templates", "check", "--office", str(tmp_path)])
    assert result.exit_code == 1, result.output
    settings = tmp_path / "cbct-docs.toml"
    assert (f"Error: {settings}:[print]:venster_boven: expected a number of millimetres, "
            "not '45 mm'" in result.output)
    assert (f"Error: {settings}:[print]:venter_links: not a setting of [print] (did you "
            "mean venster_links?)" in result.output)


@settings(max_examples=40, deadline=None)
@given(st.floats(5, 115), st.floats(30, 100), st.floats(60, 90), st.floats(30, 48))
def test_any_window_is_placed_exactly_and_changes_no_text(links: float, boven: float,
                                                          breedte: float,
                                                          hoogte: float) -> None:
    """For every window the settings allow: the block's left edge, top, width and height
    in the Word XML are the window's (to the twip), and not a character of the letter
    changes."""
    from lxml import etree

    from cbct_docs.render.print_layout import NS, place_window, twips, window_table

    window = EnvelopeWindow(links, boven, breedte, hoogte)
    source = (templates_dir() / "letters" / "besluitbrief.docx").read_bytes()
    placed = place_window(source, window)

    def document(data: bytes) -> etree._Element:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return etree.fromstring(archive.read("word/document.xml"))

    before, after = document(source), document(placed)
    assert [t.text for t in before.iter(qn("w:t"))] == [t.text for t in after.iter(qn("w:t"))]
    body = after.find("w:body", NS)
    table = window_table(body)
    assert table is not None, "the letter has its address block"
    margins = body.find("w:sectPr/w:pgMar", NS)
    left, top = int(margins.get(qn("w:left"))), int(margins.get(qn("w:top")))
    assert left + int(table.find("w:tblPr/w:tblInd", NS).get(qn("w:w"))) == twips(links)
    assert int(table.find("w:tblPr/w:tblW", NS).get(qn("w:w"))) == twips(breedte)
    height = table.find("w:tr/w:trPr/w:trHeight", NS)
    assert (height.get(qn("w:val")), height.get(qn("w:hRule"))) == (str(twips(hoogte)),
                                                                      "exact")
    spacer = table.getprevious()
    above = 0
    if spacer is not None and spacer.tag == qn("w:p"):
        line = spacer.find("w:pPr/w:spacing", NS)
        assert line.get(qn("w:lineRule")) == "exact"
        above = int(line.get(qn("w:line")))
    assert top + above == twips(boven)
    docx.Document(io.BytesIO(placed))  # still a document Word's library opens
