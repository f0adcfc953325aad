"""``cbct-docs scoresheet new`` and ``cbct-docs scoresheet check``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from .common import DATE
from .lifecycle_support import FOLDER


@click.group()
def scoresheet() -> None:
    """Score sheets: make one per audit, then check the filled-in sheet and its advice."""


@scoresheet.command("new")
@click.option("--org", "cert_nr", required=True, metavar="CERTNR",
              help="Certificate number of the organisation, as in the register.")
@click.option("--register", "register", type=click.Path(dir_okay=False, path_type=Path),
              help="Read this register into the office database first (.xlsx, .csv, "
                   ".json). Default: the organisations the office database has.")
@click.option("--office", type=FOLDER, default=None,
              help="The office folder (default: $CBCT_OFFICE, else this folder).")
@click.option("--framework", "framework_file", metavar="FILE",
              help="Own framework .yaml instead of the bundled one named in the register.")
@click.option("--audit-date", "audit_dates", type=DATE, multiple=True,
              help="Audit day, e.g. 12-5-2025. Repeat for more days.")
@click.option("--auditor", "auditors", multiple=True, metavar="NAME",
              help="Auditor's name. Repeat for more auditors.")
@click.option("--out", "-o", required=True, type=click.Path(path_type=Path),
              help="The .xlsx to write, or an existing folder (a name is chosen).")
@click.option("--overwrite", is_flag=True, help="Replace the sheet if it exists already.")
def new(cert_nr: str, register: Path | None, office: Path | None, framework_file: str | None,
        audit_dates: tuple[dt.date, ...], auditors: tuple[str, ...], out: Path,
        overwrite: bool) -> None:
    """Write a score sheet for one audit, prefilled from the register and framework.

    The sheet has one row per question with a dropdown of the four scores
    (Niet, Beperkt, Grotendeels, Volledig), a sheet for findings, strengths and
    improvement points per norm, the yes/no indicators, and an Audit sheet with
    audit dates, auditors and an optional advice override (which needs a reason).

    \b
    Examples:
      cbct-docs scoresheet new --org CBCT-0104 --register register.xlsx \\
          --audit-date 12-5-2025 --auditor "A. de Vries" --out scores/
      cbct-docs scoresheet new --org CBCT-0101 --audit-date 3-6-2025 \\
          --audit-date 4-6-2025 --auditor "A. de Vries" --auditor "B. Bakker" \\
          --out CBCT-0101.xlsx
    """
    from ..runs.office import open_office
    from ..runs.scoresheet import new_sheet

    made = new_sheet(open_office(office), cert_nr, out, audit_dates=audit_dates,
                     auditors=auditors, framework_file=framework_file, register=register,
                     overwrite=overwrite)
    org = made.organisation
    click.echo(f"Made {made.path}: {made.questions} questions for {org.cert_nr} "
               f"{org.name} ({made.framework.code}).")


@scoresheet.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--framework", "framework_file", metavar="FILE",
              help="Own framework .yaml instead of the bundled one named in the sheet.")
def check(file: Path, framework_file: str | None) -> None:
    """Check a filled-in score sheet; print each norm's result and the advice.

    Every cell is checked and all problems are listed together (exit 1), e.g.
    "scores.xlsx:Scores:row 12:score: 'Grotendeel' is not one of Niet, Beperkt,
    Grotendeels, Volledig".

    \b
    Example:
      cbct-docs scoresheet check scores/CBCT-0104*.xlsx
    """
    from ..records.dates import day_text
    from ..runs.scoresheet import check_sheet

    sheet, result = check_sheet(file, framework_file)
    dates = ", ".join(day_text(d) for d in sheet.audit_dates)
    click.echo(f"{sheet.cert_nr} {sheet.org_name} ({sheet.framework}); audit {dates}; "
               f"auditors {', '.join(sheet.auditors)}")
    for item in [*result.norm_results, *result.module_results]:
        reason = f" ({item.reason})" if item.reason else ""
        click.echo(f"  {item.norm.label}: {item.result}{reason}")
    if result.overridden:
        click.echo(f"Advice: {result.advice} (override; the scores give "
                   f"{result.computed_advice}). Reason: {result.override_reason}")
    else:
        click.echo(f"Advice: {result.advice}")


commands = [scoresheet]
