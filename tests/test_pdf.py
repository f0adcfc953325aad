"""PDF through real LibreOffice: one batch for this module, text read back with pypdf."""

from __future__ import annotations

from pathlib import Path

import pypdf
import pytest

from cbct_docs.deliver.bundle import make_bundle
from cbct_docs.deliver.pdf import convert_to_pdf, find_soffice, soffice_available
from cbct_docs.errors import DeliveryError, ProblemList

from .test_bundle import ORGANISATIONS, make_letters

needs_soffice = pytest.mark.skipif(not soffice_available(), reason="LibreOffice not installed")


def pages(path: Path) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in pypdf.PdfReader(path).pages]


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], list[Path]]:
    """Letters and their print bundle, converted by one soffice run."""
    folder = tmp_path_factory.mktemp("pdf")
    letters = make_letters(folder / "brieven")
    bundle = make_bundle(letters, folder / "drukwerk.docx")
    sources = [*letters, bundle]
    return sources, convert_to_pdf(sources, folder / "pdf")


@needs_soffice
def test_each_letter_pdf_holds_its_text(converted: tuple[list[Path], list[Path]]) -> None:
    sources, pdfs = converted
    assert [p.name for p in pdfs] == [s.stem + ".pdf" for s in sources]
    for name, pdf in zip(ORGANISATIONS, pdfs, strict=False):
        text = " ".join(pages(pdf))
        assert f"Geachte directie van {name}," in text
        assert f"Hierbij bevestigen wij de auditdatum voor {name}." in text
        assert f"Aan: {name}" in text


@needs_soffice
def test_bundle_pdf_starts_every_letter_on_a_new_page(
        converted: tuple[list[Path], list[Path]]) -> None:
    bundle_pages = pages(converted[1][-1])
    assert len(bundle_pages) == len(ORGANISATIONS)
    for text, name in zip(bundle_pages, ORGANISATIONS, strict=True):
        assert f"Aan: {name}" in text
        assert f"Geachte directie van {name}," in text
        others = [o for o in ORGANISATIONS if o != name]
        assert not any(f"Geachte directie van {o}," in text for o in others)


@needs_soffice
def test_existing_pdf_is_not_overwritten(converted: tuple[list[Path], list[Path]]) -> None:
    sources, pdfs = converted
    before = pdfs[0].read_bytes()
    with pytest.raises(ProblemList, match="exists already"):
        convert_to_pdf(sources[:2], pdfs[0].parent)
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


def test_same_stem_twice_is_refused_before_converting(tmp_path: Path) -> None:
    letters = make_letters(tmp_path / "a")
    copy = tmp_path / "b" / letters[0].name
    copy.parent.mkdir()
    copy.write_bytes(letters[0].read_bytes())
    with pytest.raises(ProblemList, match="both would become 01-brief.pdf"):
        convert_to_pdf([letters[0], copy], tmp_path / "pdf")
