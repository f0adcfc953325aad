"""Whitepapers carry the office: its name and website at the top, its logo from the
settings, its name in the footer of every page with "pagina N van M" — in Word, in the
PDF LibreOffice makes of it, and in the HTML page (whose print has the page numbers too).
Without a settings file a whitepaper is made as before, unbranded."""

from __future__ import annotations

import base64
import html
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import lxml.html
import pytest

from cbct_docs.deliver.pdf import convert_to_pdf, soffice_available
from cbct_docs.paths import samples_dir
from cbct_docs.runs.office import OfficeFolder
from cbct_docs.runs.whitepaper import whitepaper

REPO = Path(__file__).resolve().parent.parent
SAMPLE = samples_dir() / "whitepapers" / "kib-4-samenwerking.yaml"
OFFICE = "Certificatiebureau Cultuur & Taal"
BRAND_LINE = f"{OFFICE} · www.cbct.example"


def office_with_logo(tmp_path: Path) -> tuple[OfficeFolder, bytes]:
    import segno

    folder = tmp_path / "kantoor"
    folder.mkdir()
    segno.make_qr("logo van het bureau").save(str(folder / "logo.png"), kind="png", scale=6)
    text = (REPO / "cbct-docs.toml").read_text(encoding="utf-8")
    (folder / "cbct-docs.toml").write_text(
        text.replace('website = "www.cbct.example"',
                     'website = "www.cbct.example"\nlogo = "logo.png"'), encoding="utf-8")
    return OfficeFolder(folder), (folder / "logo.png").read_bytes()


def made(office: OfficeFolder, out: Path) -> dict[str, Path]:
    result = whitepaper(office, [SAMPLE], out=out, formats=["docx", "html"])
    return {m.path.suffix: m.path for m in result.made}


def footer_text(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        xml = "".join(archive.read(name).decode() for name in archive.namelist()
                      if name.startswith("word/footer"))
    return html.unescape(re.sub(r"<[^>]+>", "", xml)).strip()


def test_the_word_whitepaper_carries_the_office(tmp_path: Path) -> None:
    office, logo = office_with_logo(tmp_path)
    path = made(office, tmp_path / "out")[".docx"]
    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs if p.text.strip()]
    assert texts[0] == BRAND_LINE
    assert texts[1] == "Norm 4: Samenwerking"
    with zipfile.ZipFile(path) as archive:
        pictures = [archive.read(n) for n in archive.namelist() if n.startswith("word/media/")]
    assert logo in pictures
    footer = footer_text(path)
    assert footer.startswith(f"{OFFICE} · Kwaliteit in Beeld · norm 4 van 7 · Samenwerking")
    assert "pagina PAGE van NUMPAGES" in footer


def test_without_settings_the_whitepaper_is_unbranded(tmp_path: Path) -> None:
    folder = tmp_path / "zonder"
    folder.mkdir()
    paths = made(OfficeFolder(folder), tmp_path / "out")
    texts = [p.text for p in docx.Document(str(paths[".docx"])).paragraphs if p.text.strip()]
    assert texts[0] == "Norm 4: Samenwerking"
    assert OFFICE not in footer_text(paths[".docx"])
    page = lxml.html.fromstring(paths[".html"].read_text(encoding="utf-8"))
    assert not page.xpath("//*[@class='office']")
    assert page.xpath("//footer")[0].text_content().startswith("Kwaliteit in Beeld")


def test_the_html_whitepaper_carries_the_office_and_prints_page_numbers(
        tmp_path: Path) -> None:
    office, logo = office_with_logo(tmp_path)
    page = lxml.html.fromstring(made(office, tmp_path / "out")[".html"]
                                .read_text(encoding="utf-8"))
    [brand] = page.xpath("//header/p[@class='office']")
    assert " ".join(brand.text_content().split()) == BRAND_LINE
    [image] = brand.xpath(".//img")
    source = image.get("src")
    assert source.startswith("data:image/png;base64,")  # still one self-contained file
    assert base64.b64decode(source.split(",", 1)[1]) == logo
    assert page.xpath("//footer")[0].text_content().startswith(f"{OFFICE} · Kwaliteit in Beeld")
    style = page.xpath("//style")[0].text_content()
    assert re.search(r'@page\s*\{[^@]*@bottom-right\s*\{\s*content:\s*"pagina " counter\(page\)'
                     r' " van " counter\(pages\)', style)


@pytest.mark.skipif(not soffice_available(), reason="LibreOffice not installed")
def test_every_pdf_page_says_pagina_n_van_m_and_the_office(tmp_path: Path) -> None:
    import pdfplumber

    office, _logo = office_with_logo(tmp_path)
    path = made(office, tmp_path / "out")[".docx"]
    [pdf_path] = convert_to_pdf([path], tmp_path / "pdf")
    with pdfplumber.open(str(pdf_path)) as pdf:
        count = len(pdf.pages)
        assert count >= 2
        for number, page in enumerate(pdf.pages, start=1):
            text = " ".join((page.extract_text() or "").split())
            assert f"pagina {number} van {count}" in text, (number, text[-200:])
            assert OFFICE in text
        assert pdf.pages[0].images, "the logo is not on the first page"
        assert text.count(OFFICE) == 1  # the last page: the footer only


CHROMIUM = next((shutil.which(name) for name in ("chromium", "chromium-browser",
                                                  "google-chrome") if shutil.which(name)), None)


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium to print the web page")
def test_the_printed_web_page_says_pagina_n_van_m(tmp_path: Path) -> None:
    """Printed from a browser (Chromium, as a person would with Ctrl+P → PDF): every page
    ends with "pagina N van M"; no label is left alone at the foot of a page."""
    import pdfplumber

    office, _logo = office_with_logo(tmp_path)
    page = made(office, tmp_path / "out")[".html"]
    pdf_path = tmp_path / "web.pdf"
    subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
                    "--no-pdf-header-footer", f"--user-data-dir={tmp_path / 'profile'}",
                    f"--print-to-pdf={pdf_path}", page.as_uri()],
                   capture_output=True, timeout=120, check=False)
    assert pdf_path.is_file()
    with pdfplumber.open(str(pdf_path)) as pdf:
        count = len(pdf.pages)
        assert count >= 2
        for number, sheet in enumerate(pdf.pages, start=1):
            lines = (sheet.extract_text() or "").splitlines()
            assert lines[-1] == f"pagina {number} van {count}", (number, lines[-3:])
            assert lines[-2] != "Documenten ter onderbouwing", number
        first = pdf.pages[0].extract_text() or ""
    assert OFFICE in first and "Norm 4: Samenwerking" in first
