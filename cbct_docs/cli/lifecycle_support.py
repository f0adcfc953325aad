"""What the lifecycle commands share: options, the office folder, and finishing a run
(PDFs, cover e-mails, the summary of what was made, passed by and recorded)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .common import DATE

if TYPE_CHECKING:  # the documents are imported when a command runs, not for --help
    from ..documents.context import Batch, Made, Office

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
FOLDER = click.Path(exists=True, file_okay=False, path_type=Path)


def office_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--office, --register and --config: where the office's files are."""
    options = [
        click.option("--office", type=FOLDER, default=None,
                     help="The office folder (settings, database, register). "
                          "Default: $CBCT_OFFICE, else this folder."),
        click.option("--register", type=FILE, default=None,
                     help="Read this register into the office database first "
                          "(.xlsx, .csv, .json); changes are listed."),
        click.option("--config", type=FILE, default=None,
                     help="Settings file (default: cbct-docs.toml in the office folder)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def common(func: Callable[..., Any]) -> Callable[..., Any]:
    """Options every lifecycle command shares."""
    options = [
        click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path),
                     default=Path("out"), show_default=True, help="Folder for the documents."),
        click.option("--date", "day", type=DATE, default=None,
                     help="Date of the documents (default: today), e.g. 1-7-2025."),
        click.option("--overwrite", is_flag=True, help="Replace documents that exist already."),
    ]
    for option in reversed(options):
        func = option(func)
    return office_options(func)


def word_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--pdf and --email, for the commands that make Word documents."""
    func = click.option("--email", "cover", is_flag=True,
                        help="Also write an e-mail (.eml) per document with the document "
                             "attached (the PDF with --pdf), for `cbct-docs send`.")(func)
    return click.option("--pdf", is_flag=True,
                        help="Also make PDFs of the Word documents (LibreOffice).")(func)


def today(day: dt.date | None) -> dt.date:
    return day or dt.date.today()


def finish(result: Any, pdf: bool = False, cover: bool = False,
           letterhead: Office | None = None, overwrite: bool = False) -> list[Made]:
    """Print what a run did; convert its Word documents and write cover e-mails when
    asked."""
    from ..documents.context import Batch
    for note in result.notes:
        click.echo(note)
    made = list(result.made)
    out = result.out or Path("out")
    letters = [m for m in made if m.path.suffix == ".docx"]
    batch = Batch(out, overwrite)
    pdfs = to_pdf(batch, letters) if pdf and letters else []
    if cover and letterhead is not None and letters:
        from ..documents.cover import cover_emails

        attached = ({letter.path: item.path for letter, item in zip(letters, pdfs, strict=True)}
                    if pdfs else {})
        cover_emails(letters, attached, batch, letterhead)
        pdfs += batch.commit()
    made += pdfs
    for skip in result.skipped:
        click.echo(f"  skipped {skip}")
    report_made(made, out)
    if result.recorded:
        click.echo(f"{result.recorded} event(s) recorded in the office database.")
    return made


def to_pdf(batch: Batch, documents: Sequence[Made]) -> list[Made]:
    from ..deliver.pdf import convert_to_pdf
    from ..documents.context import Made

    made = []
    by_folder: dict[Path, list[Made]] = {}
    for item in documents:
        by_folder.setdefault(item.path.parent, []).append(item)
    for folder, items in by_folder.items():
        pdfs = convert_to_pdf([i.path for i in items], folder, overwrite=batch.overwrite)
        made += [Made(f"{i.kind} (pdf)", p, i.org) for i, p in zip(items, pdfs, strict=True)]
    return made


def report_made(made: Sequence[Made], out: Path) -> None:
    counts = Counter(m.kind for m in made)
    for kind, count in counts.items():
        click.echo(f"  {kind:<28} {count:>3}")
    click.echo(f"{len(made)} made → {out}")
