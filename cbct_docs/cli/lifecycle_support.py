"""What the lifecycle commands share: options, reading the register and score sheets,
and finishing a run (write, PDFs, cover e-mails, the summary)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from ..documents.context import Batch, Made, Office
from ..errors import DataError, Problems, UsageError
from .common import DATE

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)




def common(func: Callable[..., Any]) -> Callable[..., Any]:
    """Options every lifecycle command shares."""
    options = [
        click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path),
                     default=Path("out"), show_default=True, help="Folder for the documents."),
        click.option("--register", type=FILE, default=None,
                     help="The organisation register (.xlsx, .csv, .json). "
                          "Default: register.xlsx in this folder."),
        click.option("--config", type=FILE, default=None,
                     help="Settings file with letterhead, sender and signatory "
                          "(default: ./cbct-docs.toml)."),
        click.option("--date", "day", type=DATE, default=None,
                     help="Date of the documents (default: today), e.g. 1-7-2025."),
        click.option("--overwrite", is_flag=True, help="Replace documents that exist already."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def word_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--pdf and --email, for the commands that make Word documents."""
    func = click.option("--email", "cover", is_flag=True,
                        help="Also write an e-mail (.eml) per document with the document "
                             "attached (the PDF with --pdf), for `cbct-docs send`.")(func)
    return click.option("--pdf", is_flag=True,
                        help="Also make PDFs of the Word documents (LibreOffice).")(func)


def organisations(register: Path | None) -> list[Any]:
    from ..domain.register import read_register

    path = register or Path("register.xlsx")
    if not path.is_file():
        raise UsageError("register not found", location=path,
                         hint="pass --register FILE (samples/register.xlsx to try it out)")
    return read_register(path)


def finish(batch: Batch, pdf: bool = False, cover: bool = False,
           office: Office | None = None) -> list[Made]:
    """Write the batch; convert its Word documents and write cover e-mails when asked;
    print what was made."""
    made = batch.commit()
    letters = [m for m in made if m.path.suffix == ".docx"]
    pdfs = to_pdf(batch, letters) if pdf else []
    if cover and office is not None:
        from ..documents.cover import cover_emails

        attached = ({letter.path: item.path for letter, item in zip(letters, pdfs, strict=True)}
                    if pdfs else {})
        cover_emails(letters, attached, batch, office)
        pdfs += batch.commit()
    made += pdfs
    report_made(made, batch.out)
    return made


def to_pdf(batch: Batch, documents: Sequence[Made]) -> list[Made]:
    from ..deliver.pdf import convert_to_pdf

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


def scoresheets(paths: Sequence[Path], orgs: Sequence[Any]) -> list[tuple[Any, Any]]:
    """(organisation, score sheet) pairs; every unreadable sheet reported at once."""
    from ..domain.register import find_organisation
    from ..domain.scoresheet import check_sheet_matches, read_scoresheet

    problems = Problems()
    pairs = []
    for path in paths:
        with problems.catch():
            sheet = read_scoresheet(path)
            try:
                org = find_organisation(orgs, sheet.cert_nr)
            except UsageError as error:
                raise DataError(error.what, location=path, hint=error.hint) from None
            check_sheet_matches(sheet, org)
            pairs.append((org, sheet))
    problems.raise_if_any()
    return pairs


def allocate_numbers(orgs: Sequence[Any], decided: dt.date, ledger: Path) -> dict[str, str]:
    """Certificate numbers from the ledger; asking again (a rerun) gives the same number."""
    from ..deliver.ledger import Ledger

    with Ledger(ledger) as book:
        return {org.cert_nr: book.allocate_certificate_number(org.cert_nr, org.framework,
                                                              decided.year)
                for org in orgs}
