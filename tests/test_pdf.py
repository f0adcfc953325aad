"""PDF through real LibreOffice: one batch for this module, text read back with pypdf."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cbct_docs.cli import cli
from cbct_docs.deliver.bundle import make_bundle
from cbct_docs.deliver.pdf import convert_to_pdf, find_soffice, soffice_available
from cbct_docs.errors import DeliveryError, ProblemList

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
