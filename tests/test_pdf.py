"""PDF through real LibreOffice: one batch for this module, text read back with pypdf."""

from __future__ import annotations

import logging
from pathlib import Path

import docx
import pypdf
import pytest
from click.testing import CliRunner
from docx.shared import Pt

from cbct_docs.cli import cli
from cbct_docs.deliver.bundle import make_bundle
from cbct_docs.deliver.pdf import convert_to_pdf, find_soffice, soffice_available
from cbct_docs.deliver.pdf_split import bundle_key
from cbct_docs.errors import DeliveryError, ProblemList

from .conftest import LogRecords, make_docx
from .test_bundle import ORGANISATIONS, make_letters, pages

needs_soffice = pytest.mark.skipif(not soffice_available(), reason="LibreOffice not installed")


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], list[Path]]:
    """Letters (a folder) and one more document, converted by one `cbct-docs pdf` run."""
    folder = tmp_path_factory.mktemp("pdf")
    letters = make_letters(folder / "brieven")
    extra = make_bundle(letters[:2], folder / "eerste twee.docx")
    html = folder / "sectoroverzicht.html"
    html.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'><style>h1 {color: #036}"
                    "</style></head><body><h1>Sectoroverzicht 2025</h1><p>Zes audits, "
                    "waarvan één bij Cultuurhuis De Brûg.</p></body></html>", encoding="utf-8")
    if not soffice_available():
        return [], []
    result = CliRunner().invoke(cli, ["pdf", str(folder / "brieven"), str(extra), str(html),
                                      "--out", str(folder / "pdf")])
    assert result.exit_code == 0, result.output
    assert result.output == ("Converting 6 files with LibreOffice …\n"
                             f"6 PDFs made → {folder / 'pdf'}\n")
    sources = [*letters, extra, html]
    return sources, [folder / "pdf" / f"{s.stem}.pdf" for s in sources]


@needs_soffice
def test_each_letter_pdf_holds_its_text(converted: tuple[list[Path], list[Path]]) -> None:
    sources, pdfs = converted
    assert [p.name for p in pdfs] == [s.stem + ".pdf" for s in sources]
    assert all(pdf.is_file() for pdf in pdfs)
    for name, pdf in zip(ORGANISATIONS, pdfs, strict=False):
        text = " ".join(pages(pdf))
        assert f"Geachte directie van {name}," in text
        assert f"Hierbij bevestigen wij de auditdatum voor {name}." in text
        assert f"Aan: {name}" in text


@needs_soffice
def test_html_converts_in_the_same_call(converted: tuple[list[Path], list[Path]]) -> None:
    assert pages(converted[1][-1]) == [
        "Sectoroverzicht 2025 Zes audits, waarvan één bij Cultuurhuis De Brûg."]


@needs_soffice
def test_a_bundle_converts_too(converted: tuple[list[Path], list[Path]]) -> None:
    bundle_pages = pages(converted[1][-2])
    assert len(bundle_pages) == 2
    assert "Aan: Bibliotheek Kennemerwaard" in bundle_pages[0]
    assert "Aan: Cultuurhuis De Brûg" in bundle_pages[1]


@needs_soffice
def test_existing_pdf_is_not_overwritten(converted: tuple[list[Path], list[Path]]) -> None:
    sources, pdfs = converted
    before = pdfs[0].read_bytes()
    with pytest.raises(ProblemList, match="exists already"):
        convert_to_pdf(sources[:2], pdfs[0].parent)
    result = CliRunner().invoke(cli, ["pdf", str(sources[0]), "--out", str(pdfs[0].parent)])
    assert result.exit_code == 1
    assert f"Error: {pdfs[0]}: exists already (use --overwrite to replace it)" in result.output
    assert pdfs[0].read_bytes() == before


@needs_soffice
def test_timeout_stops_libreoffice(tmp_path: Path) -> None:
    letters = make_letters(tmp_path / "brieven")
    with pytest.raises(DeliveryError, match="did not finish 1 file"):
        convert_to_pdf(letters[:1], tmp_path / "pdf", timeout=0.05)
    assert not list((tmp_path / "pdf").glob("*.pdf"))


def test_missing_soffice_is_a_clear_error(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CBCT_SOFFICE", str(tmp_path / "geen-soffice"))
    assert find_soffice() is None and not soffice_available()
    letters = make_letters(tmp_path / "brieven")
    with pytest.raises(DeliveryError, match="LibreOffice .soffice. not found"):
        convert_to_pdf(letters[:1], tmp_path / "pdf")
    result = CliRunner().invoke(cli, ["bundle", str(tmp_path / "brieven"), "--pdf",
                                      "--out", str(tmp_path / "drukwerk.docx")])
    assert result.exit_code == 1
    assert "Error: LibreOffice (soffice) not found; cannot make PDF (install" in result.output


def test_same_stem_twice_is_refused_before_converting(tmp_path: Path) -> None:
    letters = make_letters(tmp_path / "a")
    copy = tmp_path / "b" / letters[0].name
    copy.parent.mkdir()
    copy.write_bytes(letters[0].read_bytes())
    with pytest.raises(ProblemList, match="both would become 01-brief.pdf"):
        convert_to_pdf([letters[0], copy], tmp_path / "pdf")


LONG = "Stichting Lezen & Schrijven Fryslân"
LONGER = "Volksuniversiteit Zaanstreek"


def other_template(path: Path, name: str | None, size: int) -> Path:
    """A letter from another template (its own body text size); name None: an empty one."""
    document = docx.Document()
    document.styles["Normal"].font.size = Pt(size)
    if name is not None:
        document.add_paragraph(f"Geachte directie van {name},")
        document.add_paragraph(f"Wij kijken uit naar de audit bij {name}.")
    else:
        body = document.element.body
        for paragraph in body.findall("{*}p"):
            body.remove(paragraph)
    document.sections[0].header.paragraphs[0].text = f"Aan: {name or 'niemand'}"
    document.save(str(path))
    return path


@pytest.fixture(scope="module")
def split(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list]:
    """One batch through the bundle route, and some of its letters converted file by file.

    Six letters of one template share a bundle: one is two pages long, one three, which is
    longer than the bundle route trusts, so that one goes file by file. Two of a second
    template make another bundle; one of a third comes alone; an empty letter has no place
    to mark in its bundle, so it and its partner go file by file after all.
    """
    folder = tmp_path_factory.mktemp("split")
    letters = make_letters(folder / "brieven")
    letters.append(make_docx(folder / "brieven" / "05-brief.docx",
                             [f"Geachte directie van {LONG},",
                              *(f"Punt {n}: de bibliotheek van {LONG} leest voor." for n in
                                range(1, 36)), "Met vriendelijke groet,"],
                             header=f"Aan: {LONG}", footer="Bureau Certificering Cultuur"))
    letters.append(make_docx(folder / "brieven" / "06-brief.docx",
                             [f"Geachte directie van {LONGER},",
                              *(f"Punt {n}: {LONGER} leest voor." for n in range(1, 61))],
                             header=f"Aan: {LONGER}", footer="Bureau Certificering Cultuur"))
    second = [other_template(folder / "anders-1.docx", "Muziekschool Het Ýsselhûs", 13),
              other_template(folder / "anders-2.docx", "Theater De Kolk", 13)]
    single = [other_template(folder / "los.docx", "Taalhuis Dokkum", 11)]
    failing = [other_template(folder / "leeg.docx", None, 12),
               other_template(folder / "na-leeg.docx", "Bibliotheek Achterhoek", 12)]
    sources = [*letters, *second, *single, *failing]
    if not soffice_available():
        return {}
    handler = LogRecords(logging.INFO)
    logger = logging.getLogger("cbct_docs.deliver")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        pdfs = convert_to_pdf(sources, folder / "pdf")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    compare = [letters[4], letters[0], second[1], failing[1], letters[5]]
    return {"sources": sources, "pdfs": pdfs, "compare": compare,
            "file_by_file": convert_to_pdf(compare, folder / "los", bundled=False),
            "log": [r.getMessage() for r in handler.records]}


def pdf_of(split: dict[str, list], source: Path) -> Path:
    return split["pdfs"][split["sources"].index(source)]


@needs_soffice
def test_bundle_route_gives_each_letter_its_own_pdf(split: dict[str, list]) -> None:
    names = [*ORGANISATIONS, LONG, LONGER]
    for source, name in zip(split["sources"], names, strict=False):
        text = " ".join(pages(pdf_of(split, source)))
        assert text.startswith(f"Aan: {name}")
        assert f"Geachte directie van {name}," in text
        assert [other for other in names if f"Geachte directie van {other}," in text] == [name]
    assert len(pages(pdf_of(split, split["sources"][4]))) == 2
    assert [len(pages(pdf_of(split, s))) for s in split["sources"][:4]] == [1, 1, 1, 1]
    assert len(pages(pdf_of(split, split["sources"][5]))) == 3
    for source in split["sources"][6:]:
        text = " ".join(pages(pdf_of(split, source)))
        assert text.startswith("Aan: ")
        assert sum(f"Aan: {n}" in text for n in ["Muziekschool", "Theater", "Taalhuis",
                                                 "niemand", "Bibliotheek Achterhoek"]) == 1


def title_of(pdf: pypdf.PdfReader) -> object:
    """The document information's /Title, None when the PDF has no information at all."""
    return None if pdf.metadata is None else pdf.metadata.get("/Title")


@needs_soffice
def test_bundle_route_matches_file_by_file(split: dict[str, list]) -> None:
    """Same pages, same text, same page size and title as converting the letter alone."""
    for source, alone in zip(split["compare"], split["file_by_file"], strict=True):
        bundled, single = pypdf.PdfReader(pdf_of(split, source)), pypdf.PdfReader(alone)
        assert pages(pdf_of(split, source)) == pages(alone)
        assert ([tuple(p.mediabox) for p in bundled.pages]
                == [tuple(p.mediabox) for p in single.pages])
        assert title_of(bundled) == title_of(single)
    long_pages = pages(split["file_by_file"][0])
    assert len(long_pages) == 2 and "Punt 35:" in long_pages[1]


@needs_soffice
def test_the_route_is_said_and_a_bundle_that_does_not_add_up_goes_file_by_file(
        split: dict[str, list]) -> None:
    assert split["log"] == [
        "PDF: 5 letters converted as one bundle (9 pages)",
        "PDF: 1 letter(s) longer than 2 pages converted one by one, first 06-brief.docx",
        "PDF: 2 letters converted as one bundle (2 pages)",
        "PDF: 2 letters converted one by one instead of as a bundle: no page found for "
        "1 letter(s), first cbct_letter_0001"]
    empty = pdf_of(split, split["sources"][-2])
    assert pages(empty) == ["Aan: niemand"]


def test_letters_share_a_bundle_only_when_nothing_would_change(tmp_path: Path) -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    letters = make_letters(tmp_path / "brieven")
    keys = {bundle_key(p)[0] for p in letters}
    assert len(keys) == 1 and None not in keys  # one template: one bundle
    assert bundle_key(other_template(tmp_path / "anders.docx", "Theater De Kolk", 13))[0] \
        not in keys  # other styles: another bundle
    # Fields a bundle would change: the file name, the page count in roman numerals (a
    # plain NUMPAGES counts the letter's own pages in a bundle: test_pdf_pages.py).
    for name, field in [("naam", "FILENAME"), ("romeins", "NUMPAGES \\* ROMAN"),
                        ("gewoon", "NUMPAGES \\* MERGEFORMAT")]:
        document = docx.Document(str(letters[0]))
        document.paragraphs[0]._p.append(parse_xml(
            f'<w:fldSimple {nsdecls("w")} w:instr=" {field} "><w:r><w:t>2</w:t></w:r>'
            "</w:fldSimple>"))
        document.save(str(tmp_path / f"{name}.docx"))
    assert bundle_key(tmp_path / "naam.docx")[0] is None
    assert bundle_key(tmp_path / "romeins.docx")[0] is None
    assert bundle_key(tmp_path / "gewoon.docx")[0] in keys
    # Pages numbered from 5, or i, ii, iii: a bundle numbers every letter 1, 2, 3.
    for name, numbering in [("vanaf-5", {"w:start": "5"}), ("ii", {"w:fmt": "lowerRoman"})]:
        document = docx.Document(str(letters[0]))
        section = document.sections[0]._sectPr
        section.append(parse_xml(f'<w:pgNumType {nsdecls("w")} ' + " ".join(
            f'{k}="{v}"' for k, v in numbering.items()) + "/>"))
        document.save(str(tmp_path / f"{name}.docx"))
        assert bundle_key(tmp_path / f"{name}.docx")[0] is None
    headless = make_docx(tmp_path / "zonder-kop.docx", ["Geachte directie,"])
    assert bundle_key(headless)[0] not in keys  # would show the previous letter's header
    report = make_docx(tmp_path / "rapport.docx", [])
    document = docx.Document(str(report))
    for norm in ("Norm 1: Beleid", "Norm 2: Mensen"):  # headings kept with their tables
        document.add_heading(norm, level=2)
        document.add_table(rows=2, cols=2)
    document.save(str(report))
    assert bundle_key(report)[0] is None
    (tmp_path / "kapot.docx").write_bytes(b"geen zip")
    assert bundle_key(tmp_path / "kapot.docx")[0] is None


def test_damaged_letters_go_file_by_file_and_the_rest_is_bundled(tmp_path: Path) -> None:
    from cbct_docs.deliver.pdf_split import plan_groups

    from .test_bundle import damaged_letters

    letters = make_letters(tmp_path / "brieven")
    damaged = list(damaged_letters(tmp_path, letters[0]).values())
    groups, alone = plan_groups([*letters, *damaged], tmp_path / "scratch")
    assert sorted(alone) == sorted(damaged)
    assert [group.letters for group in groups] == [letters]
    assert all(bundle_key(path) == (None, "") for path in damaged)
