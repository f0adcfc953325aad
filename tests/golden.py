"""Golden text outputs: what a reader sees in every document of the sample lifecycle.

``python -m tests.golden regenerate`` (``make golden``) renders the round into a temporary
folder and writes one text file per document to tests/golden/; the test
``tests/test_documents_golden.py`` renders again and compares. After an intended change
to a template or a sample, regenerate and review the diff with ``git diff tests/golden``.
"""

from __future__ import annotations

import email
import shutil
import sys
import tempfile
from email import policy
from pathlib import Path

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from cbct_docs.documents.context import Batch, load_office
from cbct_docs.documents.lifecycle import Samples, ledger_numbers, run_campaign, run_round
from cbct_docs.paths import samples_dir

GOLDEN = Path(__file__).resolve().parent / "golden"
REPO = Path(__file__).resolve().parent.parent


def docx_reading_text(path: Path) -> str:
    """Body in reading order (paragraphs and table rows), then headers and footers."""
    document = docx.Document(str(path))
    lines = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(block, document).text)
        elif tag == "tbl":
            for row in Table(block, document).rows:
                lines.append(" | ".join(cell.text for cell in row.cells))
    for number, section in enumerate(document.sections, start=1):
        lines.append(f"[kop {number}] " + " / ".join(p.text for p in section.header.paragraphs
                                                     if p.text))
        lines.append(f"[voet {number}] " + " / ".join(p.text for p in section.footer.paragraphs
                                                      if p.text))
    return "\n".join(line.rstrip() for line in lines).strip() + "\n"


def eml_reading_text(path: Path) -> str:
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    body = message.get_body(("plain",))
    text = body.get_content() if body is not None else ""  # type: ignore[union-attr]
    head = [f"Van: {message['From']}", f"Aan: {message['To']}",
            f"Onderwerp: {message['Subject']}"]
    return "\n".join(head) + "\n\n" + text.replace("\r\n", "\n").strip() + "\n"


def reading_text(path: Path) -> str:
    if path.suffix == ".docx":
        return docx_reading_text(path)
    if path.suffix == ".eml":
        return eml_reading_text(path)
    return path.read_text(encoding="utf-8")


def render_round(out: Path) -> list[Path]:
    """The sample lifecycle with the example office's settings, without PDFs."""
    samples = Samples.in_folder(samples_dir())
    office = load_office(REPO / "cbct-docs.toml")
    batch = Batch(out)
    # A fresh ledger next to the output: numbers 0001, 0002 … as on a first real run.
    run_round(samples, batch, office, ledger_numbers(out / "cbct-ledger.sqlite"))
    batch.commit()
    run_campaign(samples, batch, office)
    batch.commit()
    return [item.path for item in batch.made]


def golden_texts(out: Path) -> dict[str, str]:
    """Relative golden name → reading text, for every document of the round."""
    return {f"{path.parent.relative_to(out).as_posix()}/{path.stem}.txt": reading_text(path)
            for path in render_round(out)}


def regenerate() -> int:
    with tempfile.TemporaryDirectory() as folder:
        texts = golden_texts(Path(folder))
    if GOLDEN.exists():
        shutil.rmtree(GOLDEN)
    for name, text in sorted(texts.items()):
        target = GOLDEN / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")
    print(f"{len(texts)} golden files written to {GOLDEN.relative_to(REPO)}/")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] != ["regenerate"]:
        print("usage: python -m tests.golden regenerate", file=sys.stderr)
        sys.exit(2)
    sys.exit(regenerate())
