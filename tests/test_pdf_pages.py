""""pagina 1 van 2" in a bundle: each letter counts its own pages (NUMPAGES → PAGEREF).

Through real LibreOffice: letters of 1, 2 and 3 pages with a "pagina X van Y" footer (and
one with the count in its body and a footer of its own) converted as one bundle, compared
page by page with the same letters converted file by file; the print bundle's pages; and
a bundle whose letter's end is not on its last page going file by file.
"""

from __future__ import annotations

import logging
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.text.paragraph import Paragraph
from lxml import etree

from cbct_docs.deliver.bundle import W, make_bundle
from cbct_docs.deliver.pdf import convert_to_pdf, find_soffice, soffice_available
from cbct_docs.deliver.pdf_split import BOOKMARK_CONVERSION, Group, bundle_key, split_bundle

from .conftest import LogRecords
from .test_bundle import pages

needs_soffice = pytest.mark.skipif(not soffice_available(), reason="LibreOffice not installed")

#: (organisation, lines of body text, own footer text or None, page count in the body)
LETTERS = [("Bibliotheek Kennemerwaard", 3, None, False),
           ("Cultuurhuis De Brûg", 35, None, False),
           ("Taalpunt Oostzaan", 70, None, False),
           ("Bibliotheek Zuid-Kennemerland", 40, "Afdeling Bibliotheken", True),
           ("Theater De Kolk", 5, None, False)]
PAGE_COUNTS = [1, 2, 3, 2, 1]


def _field(paragraph: Paragraph, instruction: str) -> None:
    """A field as Word writes it: begin, instruction, end (no cached result)."""
    for kind in ("begin", None, "end"):
        run = paragraph.add_run()
        if kind is None:
            text = OxmlElement("w:instrText")
            text.set(qn("xml:space"), "preserve")
            text.text = instruction
            run._r.append(text)
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)


def letter(path: Path, name: str, lines: int, footer: str | None, counted: bool) -> Path:
    document = docx.Document()
    document.add_paragraph(f"Geachte directie van {name},")
    for number in range(1, lines + 1):
        document.add_paragraph(f"Punt {number}: de audit bij {name} gaat door.")
    if counted:  # the count in the body too, as a simple field
        paragraph = document.add_paragraph("Deze brief telt ")
        paragraph._p.append(parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr=" NUMPAGES \\* '
                                      'MERGEFORMAT "><w:r><w:t>9</w:t></w:r></w:fldSimple>'))
        paragraph.add_run(" pagina's.")
    document.add_paragraph("Met vriendelijke groet,")
    section = document.sections[0]
    section.header.paragraphs[0].text = f"Aan: {name}"
    paragraph = section.footer.paragraphs[0]
    paragraph.text = f"{footer or 'Bureau Certificering'} · pagina "
    _field(paragraph, "PAGE")
    paragraph.add_run(" van ")
    _field(paragraph, "NUMPAGES")
    document.save(str(path))
    return path


def make_letters(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [letter(folder / f"{n:02}-brief.docx", *spec) for n, spec in enumerate(LETTERS, 1)]


def footers(texts: list[str]) -> list[str]:
    """What the footer says of the page: "pagina 1 van 2" (after the footer's own text)."""
    return [text[text.rindex("· pagina") + 2:] if "· pagina" in text else "" for text in texts]


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The letters and their print bundle by the bundle route, and the letters file by file."""
    folder = tmp_path_factory.mktemp("pages")
    letters = make_letters(folder / "brieven")
    bundle = make_bundle(letters, folder / "drukwerk.docx")
    if not soffice_available():
        return {}
    handler = LogRecords(logging.INFO)
    logger = logging.getLogger("cbct_docs.deliver")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        bundled = convert_to_pdf([*letters, bundle], folder / "pdf")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    return {"letters": letters, "bundled": bundled[:-1], "print": bundled[-1],
            "alone": convert_to_pdf(letters, folder / "los", bundled=False),
            "log": [r.getMessage() for r in handler.records]}


def test_letters_counting_their_pages_share_a_bundle(tmp_path: Path) -> None:
    letters = make_letters(tmp_path / "brieven")
    keys = {bundle_key(p)[0] for p in letters}
    assert len(keys) == 1 and None not in keys


@needs_soffice
def test_each_letter_reads_its_own_page_count_as_when_converted_alone(
        converted: dict[str, Any]) -> None:
    assert converted["log"] == [
        "PDF: 4 letters converted as one bundle (9 pages)",
        "PDF: 1 letter(s) longer than 2 pages converted one by one, first 03-brief.docx"]
    for bundled, alone, count, spec in zip(converted["bundled"], converted["alone"],
                                           PAGE_COUNTS, LETTERS, strict=True):
        texts = pages(bundled)
        assert texts == pages(alone)
        assert footers(texts) == [f"pagina {n} van {count}" for n in range(1, count + 1)]
        name, _lines, own_footer, counted = spec
        assert all(text.startswith(f"Aan: {name}") for text in texts)
        assert all(f"{own_footer or 'Bureau Certificering'} · pagina" in t for t in texts)
        assert ("Deze brief telt 2 pagina's." in " ".join(texts)) == counted


@needs_soffice
def test_the_print_bundle_numbers_every_letter_from_one_of_its_own(
        converted: dict[str, Any]) -> None:
    texts = pages(converted["print"])
    assert footers(texts) == [f"pagina {n} van {count}" for count in PAGE_COUNTS
                              for n in range(1, count + 1)]
    assert [t[:t.index(",")] for t in texts if "Geachte" in t] == [
        f"Aan: {name} Geachte directie van {name}" for name, *_ in LETTERS]
    assert sum("Deze brief telt 2 pagina's." in t for t in texts) == 1


@needs_soffice
def test_a_letter_whose_end_moved_goes_file_by_file(tmp_path: Path,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    """Its end bookmark is its page count: not on its last page, its footer would lie."""
    letters = make_letters(tmp_path / "brieven")
    group = [letters[1], letters[0]]  # 2 pages, then 1
    bundle = make_bundle(group, tmp_path / "bundel.docx", bookmarks=True)
    with zipfile.ZipFile(bundle) as archive:
        parts = {i.filename: archive.read(i) for i in archive.infolist()}
    document = etree.fromstring(parts["word/document.xml"])
    end = next(m for m in document.iter(f"{{{W}}}bookmarkStart")
               if m.get(f"{{{W}}}name") == "cbct_end_0001")
    paragraph = end.getparent()
    first = document.find(f".//{{{W}}}p")
    assert first is not None and paragraph is not first
    for mark in (end, end.getnext()):  # to the first page: "pagina 1 van 1"
        paragraph.remove(mark)
        first.append(mark)
    parts["word/document.xml"] = etree.tostring(document)
    with zipfile.ZipFile(bundle, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    subprocess.run([str(find_soffice()), f"-env:UserInstallation={(tmp_path / 'p').as_uri()}",
                    "--headless", *BOOKMARK_CONVERSION, "--outdir", str(tmp_path),
                    str(bundle)], check=True, capture_output=True, timeout=120)
    assert footers(pages(tmp_path / "bundel.pdf")) == [
        "pagina 1 van 1", "pagina 2 van 1", "pagina 1 van 1"]
    (tmp_path / "uit").mkdir()
    with caplog.at_level(logging.INFO, logger="cbct_docs.deliver"):
        again = split_bundle(Group(group, bundle, [None, None]), tmp_path / "bundel.pdf",
                             tmp_path / "uit")
    assert again == [letters[1]]
    assert [r.getMessage() for r in caplog.records] == [
        "PDF: 1 letters converted as one bundle (3 pages)",
        "PDF: 1 letter(s) whose end is not on their last page converted one by one, "
        "first 02-brief.docx"]
    assert sorted(p.name for p in (tmp_path / "uit").iterdir()) == ["01-brief.pdf"]
    assert footers(pages(tmp_path / "uit" / "01-brief.pdf")) == ["pagina 1 van 1"]


@needs_soffice
def test_a_large_batch_goes_as_two_bundles_converted_at_once(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
        ) -> None:
    """20 letters of one template: two bundles of 10, two LibreOffice runs side by side."""
    monkeypatch.setattr("os.cpu_count", lambda: 2)  # as on the office's 2-core machine
    folder = tmp_path / "brieven"
    folder.mkdir()
    names = [f"Bibliotheek Noord {n}" for n in range(1, 21)]
    letters = [letter(folder / f"{n:02}-brief.docx", name, 3 + n % 3, None, False)
               for n, name in enumerate(names, 1)]
    with caplog.at_level(logging.INFO, logger="cbct_docs.deliver"):
        pdfs = convert_to_pdf(letters, tmp_path / "pdf")
    assert [r.getMessage() for r in caplog.records] == [
        "PDF: 10 letters converted as one bundle (10 pages)"] * 2
    assert sorted((tmp_path / "pdf").iterdir()) == pdfs
    for pdf, name in zip(pdfs, names, strict=True):
        (text,) = pages(pdf)
        assert text.startswith(f"Aan: {name} Geachte directie van {name},")
        assert footers([text]) == ["pagina 1 van 1"]


@needs_soffice
def test_a_run_that_converts_nothing_is_caught_and_its_letters_go_file_by_file(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
        ) -> None:
    """A large batch starts LibreOffice early; the first soffice handed a bundle exits
    without converting it (as a LibreOffice that failed would): its letters are converted
    file by file after all, the other bundle is split, and every letter has its PDF."""
    real = find_soffice()
    fake = tmp_path / "soffice"
    fake.write_text(f'#!/bin/sh\ncase "$*" in *--convert-to*) if mkdir "{tmp_path}/eens" '
                    f'2>/dev/null; then exit 0; fi;; esac\nexec "{real}" "$@"\n')
    fake.chmod(0o755)
    monkeypatch.setenv("CBCT_SOFFICE", str(fake))
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    folder = tmp_path / "brieven"
    folder.mkdir()
    names = [f"Taalhuis Zuid {n}" for n in range(1, 21)]
    letters = [letter(folder / f"{n:02}-brief.docx", name, 3, None, False)
               for n, name in enumerate(names, 1)]
    with caplog.at_level(logging.INFO, logger="cbct_docs.deliver"):
        pdfs = convert_to_pdf(letters, tmp_path / "pdf")
    said = sorted(r.getMessage() for r in caplog.records)
    assert said[0] == "PDF: 10 letters converted as one bundle (10 pages)"
    assert said[1].startswith("PDF: 10 letters converted one by one instead of as a bundle: "
                              "cannot read the converted bundle")
    assert len(said) == 2
    for pdf, name in zip(pdfs, names, strict=True):
        (text,) = pages(pdf)
        assert text.startswith(f"Aan: {name} Geachte directie van {name},")
        assert footers([text]) == ["pagina 1 van 1"]
