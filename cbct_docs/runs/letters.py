"""A Word letter as a person reads it: its paragraphs and tables in order (the web app's
review and dossier pages), and a PDF of it to read in the browser."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from .documents import DocumentItem, out_folder, sha256_of
from .office import OfficeFolder


@dataclass(frozen=True)
class Block:
    """A paragraph (``text``) or a table (``rows``) of a letter, in the letter's order."""

    text: str = ""
    rows: tuple[tuple[str, ...], ...] = ()
    heading: bool = False


def letter_text(path: Path) -> list[Block]:
    """A Word letter as its reader sees it: paragraphs and tables in their order."""
    import docx

    document = docx.Document(str(path))
    blocks = []
    for part in document.iter_inner_content():
        if hasattr(part, "rows"):
            rows = tuple(tuple(_unique_cells(row)) for row in part.rows)
            blocks.append(Block(rows=rows))
        elif part.text.strip():
            style = str(getattr(part.style, "name", "") or "")
            blocks.append(Block(part.text, heading=style.lower().startswith(("heading",
                                                                            "kop"))))
    return blocks


def _unique_cells(row: object) -> list[str]:
    """A row's cell texts; a merged cell (the same cell repeated) once."""
    texts: list[str] = []
    seen: list[object] = []
    for cell in getattr(row, "cells", ()):
        if any(cell._tc is other for other in seen):  # noqa: SLF001 (python-docx's own)
            continue
        seen.append(cell._tc)
        texts.append(str(cell.text))
    return texts


#: Where PDFs made for reading a letter in the browser are kept (by the letter's sha256).
PREVIEW_NAME = ".voorbeeld"


def can_make_pdf() -> bool:
    from ..deliver.pdf import soffice_available

    return soffice_available()


def letter_pdf(office: OfficeFolder, item: DocumentItem) -> Path:
    """A PDF of a Word document to read in the browser (made once per content, with
    LibreOffice); the letter itself is not touched."""
    from ..deliver.pdf import convert_to_pdf

    if item.path is None or item.path.suffix.lower() != ".docx":
        raise UsageError("alleen van een Word-document wordt een PDF gemaakt",
                         location=item.name)
    digest = item.sha256_now or sha256_of(item.path)
    folder = out_folder(office) / PREVIEW_NAME / digest[:32]
    target = folder / f"{item.path.stem}.pdf"
    if not target.is_file():
        convert_to_pdf([item.path], folder, bundled=False)
    return target
